"""What an answer is made of: the numbered citations and the answer itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .question import Conversation


@dataclass
class Citation:
    """One cited passage, numbered as it appears in the answer: `[n]`."""

    n: int
    chunk_id: str
    doc: str
    title: str
    section: str
    page: int | None
    text: str
    score: float

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "doc": self.doc,
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "text": self.text,
            "score": round(float(self.score), 6),
        }


@dataclass
class Answer:
    """An answer to one question: text with `[n]` markers, the citations, and whether we abstained."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    mode: str = "retrieval"  # "retrieval" | "duties" | "abstain"
    elapsed_ms: float = 0.0
    conversation: "Conversation | None" = None  # pass back to `Assistant.ask` for follow-up questions
    notice: str | None = None  # about the index, not the answer ("semantic search still being prepared ...")
    # An abstention on topic: what the question asks that the nearest passages do not state ("deadline", "date",
    # "quantity", "exact:2555", see `answer._gap`); such an abstention may still be tried part by part.
    gap: str | None = None

    def to_dict(self) -> dict:
        out = {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
        if self.notice:
            out["notice"] = self.notice
        return out
