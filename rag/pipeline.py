"""The assistant: load the index once, then answer questions (duty table first, hybrid retrieval otherwise)."""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from pathlib import Path

from .answer import AbstainPolicy, compose_answer, is_follow_up
from .embedders import Embedder, EmbedderError, load_embedder
from .models import Answer, Chunk
from .normalize import fold
from .retrieval import Hit, Retriever
from .store import IndexStoreError, index_dir_from, load_index

log = logging.getLogger(__name__)

# A question goes to the duty table when it asks what a unit must do or by when (folded, accent-free forms).
DUTY_INTENT = re.compile(
    r"phai lam|lam gi|nhiem vu|duoc giao|giao cho|cong viec|nhung viec|viec gi|trach nhiem|chu tri|phoi hop"
    r"|thoi han|han chot|den han|qua han|truoc ngay|truoc \d|chậm nhất|cham nhat|khi nao|trong thang|trong quy"
    r"|hoan thanh (gi|nhung|viec)|can lam|phan cong"
)


class Assistant:
    """Answers questions over one index. Load it once and share it (the UI serves many users with one)."""

    def __init__(self, *, chunks: list[Chunk], retriever: Retriever, duties: list | None = None,
                 documents: dict[str, dict] | None = None, index_dir: Path | None = None,
                 policy: AbstainPolicy | None = None):
        self.chunks = chunks
        self.retriever = retriever
        self.embedder: Embedder = retriever.embedder
        self.duties = duties or []
        self.documents = documents or {}
        self.index_dir = index_dir
        self.policy = policy or AbstainPolicy()
        self.chunks_by_id = {c.id: c for c in chunks}

    @classmethod
    def load(cls, index_dir: str | Path | None = None, *, embedder: str | Embedder | None = None) -> "Assistant":
        """Load the index in `index_dir` (default $RAG_INDEX or ./index) and the embedder it was built with.

        Asking for another embedder than the index's is an error: their vectors are not comparable.
        """
        from .duties import Duty

        index_dir = index_dir_from(index_dir)
        loaded = load_index(index_dir)
        built_with = loaded.manifest["embedder"]["name"]
        if embedder is None:
            emb = load_embedder(built_with)
        elif isinstance(embedder, str):
            emb = load_embedder(embedder)
        else:
            emb = embedder
        if emb.name != built_with or emb.dim != loaded.manifest["embedder"]["dim"]:
            raise EmbedderError(
                f"{index_dir}: the index was built with embedder '{built_with}' "
                f"(dimension {loaded.manifest['embedder']['dim']}), not '{emb.name}' (dimension {emb.dim}). "
                f"Query with --embedder {built_with}, or rebuild: rag index build corpus/ --embedder {emb.name}"
            )
        retriever = Retriever(loaded.chunks, lexical=loaded.lexical, faiss_index=loaded.faiss_index,
                              embedder=emb, vectors=loaded.vectors)
        duties = [Duty.from_dict(d) for d in loaded.duties]
        return cls(chunks=loaded.chunks, retriever=retriever, duties=duties, documents=loaded.documents,
                   index_dir=index_dir)

    @classmethod
    def from_chunks(cls, chunks: list[Chunk], *, embedder: Embedder, duties: list | None = None) -> "Assistant":
        """An in-memory assistant over given chunks (evaluation baselines, tests)."""
        return cls(chunks=chunks, retriever=Retriever.from_chunks(chunks, embedder=embedder), duties=duties)

    def reload(self) -> None:
        """Reload the index from disk after it changed (documents added or removed)."""
        fresh = Assistant.load(self.index_dir, embedder=self.embedder)
        self.__dict__.update(fresh.__dict__)

    def retrieve(self, question: str, *, k: int = 10, retrieval: str = "hybrid",
                 docs: list[str] | None = None) -> list[Hit]:
        """Top-k passages for a question (hybrid, bm25 or dense), optionally only from some documents."""
        return self.retriever.search(question, k=k, mode=retrieval, docs=docs)

    def ask(self, question: str, *, k: int = 5, retrieval: str = "hybrid", docs: list[str] | None = None,
            context: dict | None = None, use_duties: bool = True) -> Answer:
        """Answer one question. `context` is the previous answer's `.context` (for follow-up questions)."""
        started = time.perf_counter()
        question = question.strip()
        context = dict(context or {})
        answer: Answer | None = None
        if not question:
            answer = Answer(question=question, answer="Xin hãy nhập câu hỏi.", abstained=True, mode="abstain")
        if answer is None and use_duties and self.duties:
            answer = self._duty_answer(question, context)
        if answer is None:
            query = question
            if context.get("question") and is_follow_up(question):
                query = f"{context['question']} {question}"
            hits = self.retrieve(query, k=k, retrieval=retrieval, docs=docs)
            answer = compose_answer(question, hits, policy=self.policy)
            context.pop("duty_query", None)
            context["question"] = query
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        answer.context = context
        return answer

    def _duty_answer(self, question: str, context: dict) -> Answer | None:
        """Answer "who must do what by when" from the duty table, keeping the unit for follow-up questions."""
        from .duties import answer_from_duties, parse_duty_query

        previous = context.get("duty_query")
        folded = fold(question)
        follow_up = previous is not None and is_follow_up(question)
        if not (DUTY_INTENT.search(folded) or follow_up):
            return None
        answer = answer_from_duties(question, duties=self.duties, chunks_by_id=self.chunks_by_id,
                                    context=previous if follow_up else None)
        if answer is None:
            return None
        query = parse_duty_query(question, known_units=self.known_units, today=date.today())
        if query is not None and not query.units and follow_up:
            query.units = previous.units
        context["duty_query"] = query
        context["question"] = question
        return answer

    @property
    def known_units(self) -> list[str]:
        """Every unit named in the duty table."""
        return sorted({u for d in self.duties for u in d.units})
