"""The assistant: load the index once, then answer questions (duty table first, hybrid retrieval otherwise)."""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from pathlib import Path

from .answer import ABSTAIN_TEXT, AbstainPolicy, compose_answer, is_follow_up, unknown_names
from .duties import as_table
from .embedders import Embedder, EmbedderError, load_embedder
from .models import Answer, Chunk
from .normalize import fold, tokenize
from .retrieval import Hit, Retriever
from .store import index_dir_from, load_index

log = logging.getLogger(__name__)

# A question goes to the duty table when it asks what a unit must do or by when (folded, accent-free forms).
DUTY_INTENT = re.compile(
    r"phai lam|lam gi|nhiem vu|duoc giao|giao cho|cong viec|nhung viec|viec gi|trach nhiem|chu tri|phoi hop"
    r"|thoi han|han chot|den han|qua han|truoc ngay|truoc \d|cham nhat|khi nao|trong thang|trong quy"
    r"|hoan thanh (gi|nhung|viec)|can lam|phan cong"
)


# Questions about a document itself (signer, number, date, issuer, recipients, what it implements): they are
# answered by the document descriptions and preambles, which item passages would otherwise outnumber.
META_INTENT = re.compile(
    r"\b(ai ky|nguoi ky|ky ban hanh|do ai ky|so may|so hieu|ban hanh ngay|ngay ban hanh|ban hanh ngay nao"
    r"|co quan nao ban hanh|ai ban hanh|gui (cho|den) (ai|nhung)|noi nhan|thuc hien (chuong trinh|ke hoach|ket luan)"
    r" (hanh dong )?so may)\b"
)

# Words of a duty question that are about the duty table itself, not about a topic (folded forms).
_DUTY_WORDS = set("""phai lam gi nhiem vu duoc giao cong viec nhung viec trach nhiem chu tri phoi hop thoi han han
    chot den qua truoc sau ngay thang quy nam hoan thanh can trong tu cho theo van ban nao cac la nhu the cu the
    thanh pho tinh huyen cong van chuong trinh hanh dong ke hoach ket luan nghi quyet trien khai
    thuc hien""".split())


def topic_words(question: str, units: list[str], places: set[str] = frozenset()) -> list[str]:
    """Content syllables of a question left after removing its units, the places of the indexed documents
    (they qualify a unit: "Ban Tổ chức Thành ủy Hải Phòng"), duty words, dates and numbers."""
    from .answer import QUESTION_WORDS

    unit_tokens = {t for unit in units for t in tokenize(unit, bigrams=False)} | set(places)
    return [
        t for t in tokenize(question, bigrams=False)
        if t not in unit_tokens and t not in _DUTY_WORDS and t not in QUESTION_WORDS
        and not re.fullmatch(r"[\d/.\-ivx]+", t)
    ]


class Assistant:
    """Answers questions over one index. Load it once and share it (the UI serves many users with one)."""

    def __init__(self, *, chunks: list[Chunk], retriever: Retriever, duties: list | None = None,
                 documents: dict[str, dict] | None = None, index_dir: Path | None = None,
                 policy: AbstainPolicy | None = None):
        self.chunks = chunks
        self.retriever = retriever
        self.embedder: Embedder = retriever.embedder
        self.duties = as_table(duties or [])  # a DutyTable: selection by columns, duties built on demand
        self.documents = documents or {}
        self.index_dir = index_dir
        self.policy = policy or AbstainPolicy()
        self.chunks_by_id = getattr(chunks, "by_id", None) or {c.id: c for c in chunks}
        self.known_units = self.duties.known_units  # every unit named in the duty table
        self.place_tokens = {t for meta in self.documents.values() if meta.get("place")
                             for t in tokenize(meta["place"], bigrams=False)}

    @classmethod
    def load(cls, index_dir: str | Path | None = None, *, embedder: str | Embedder | None = None) -> "Assistant":
        """Load the index in `index_dir` (default $RAG_INDEX or ./index) and the embedder it was built with.

        Asking for another embedder than the index's is an error: their vectors are not comparable.
        """
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
        retriever = Retriever(loaded.chunks, lexical=loaded.lexical, dense_index=loaded.dense, embedder=emb)
        return cls(chunks=loaded.chunks, retriever=retriever, duties=loaded.duties, documents=loaded.documents,
                   index_dir=index_dir)

    @classmethod
    def from_chunks(cls, chunks: list[Chunk], *, embedder: Embedder, duties: list | None = None) -> "Assistant":
        """An in-memory assistant over given chunks (evaluation baselines, tests)."""
        return cls(chunks=chunks, retriever=Retriever.from_chunks(chunks, embedder=embedder), duties=duties)

    def reloaded(self) -> "Assistant":
        """A new assistant over the index as it is now on disk (documents added or removed), with this one's
        embedder. Servers swap their reference to it in one assignment, so a question being answered meanwhile
        finishes on the old, still readable generation instead of a mix of both."""
        return Assistant.load(self.index_dir, embedder=self.embedder)

    def reload(self) -> None:
        """Reload the index in place (single-threaded callers; servers use `reloaded`)."""
        self.__dict__.update(self.reloaded().__dict__)

    def documents_in_period(self, *, date_from: date | None = None, date_to: date | None = None) -> list[str]:
        """Documents whose issue date lies in [date_from, date_to]; undated documents cannot qualify."""
        names = []
        for name, meta in self.documents.items():
            issued = meta.get("date")
            if issued and (date_from is None or date.fromisoformat(issued) >= date_from) and (
                    date_to is None or date.fromisoformat(issued) <= date_to):
                names.append(name)
        return names

    def retrieve(self, question: str, *, k: int = 10, retrieval: str = "hybrid",
                 docs: list[str] | None = None) -> list[Hit]:
        """Top-k passages for a question (hybrid, bm25 or dense), optionally only from some documents.

        Questions about a document itself (who signed it, its number, what it implements) search only the
        document descriptions and preambles."""
        kinds = {"meta", "preamble"} if META_INTENT.search(fold(question)) else None
        return self.retriever.search(question, k=k, mode=retrieval, docs=docs, kinds=kinds)

    def ask(self, question: str, *, k: int = 5, retrieval: str = "hybrid", docs: list[str] | None = None,
            date_from: date | None = None, date_to: date | None = None,
            context: dict | None = None, use_duties: bool = True) -> Answer:
        """Answer one question. `docs` limits the search to some documents, `date_from`/`date_to` to documents
        issued in that period; `context` is the previous answer's `.context` (for follow-up questions)."""
        started = time.perf_counter()
        question = question.strip()
        context = dict(context or {})
        answer: Answer | None = None
        if not question:
            answer = Answer(question=question, answer="Xin hãy nhập câu hỏi.", abstained=True, mode="abstain")
        if answer is None and (date_from or date_to):
            dated = set(self.documents_in_period(date_from=date_from, date_to=date_to))
            docs = sorted(dated & set(docs)) if docs else sorted(dated)
            use_duties = False  # the duty table is not filtered by document date
            if not docs:
                answer = Answer(question=question, abstained=True, mode="abstain",
                                answer="Không có văn bản nào đã nạp có ngày ban hành trong khoảng thời gian này "
                                       "(văn bản không ghi ngày ban hành không được tính).")
        unknown = unknown_names(question, self.retriever.lexical.vocabulary) if question else []
        if answer is None and unknown:
            answer = Answer(question=question, abstained=True, mode="abstain",
                            answer=f"Các văn bản đã nạp không nhắc đến {', '.join(unknown)}. {ABSTAIN_TEXT}")
        if answer is None and use_duties and self.duties:
            answer = self._duty_answer(question, context)
        if answer is None:
            query = question
            if context.get("question") and is_follow_up(question):
                query = f"{context['question']} {question}"
            hits = self.retrieve(query, k=k, retrieval=retrieval, docs=docs)
            answer = compose_answer(question, hits, policy=self.policy,
                                    vocabulary=self.retriever.lexical.vocabulary)
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
        # A follow-up date without a year ("còn trước 15/8 thì sao?") is in the year the conversation is about.
        today = date.today()
        if follow_up and (previous.before or previous.after):
            today = (previous.before or previous.after).replace(month=12, day=31)
        query = parse_duty_query(question, known_units=self.known_units, today=today)
        if not follow_up and query is not None and len(topic_words(question, query.units, self.place_tokens)) > 2:
            # "... phải hoàn thành các hướng dẫn được giao trước ngày nào?": a specific task, not the unit's
            # whole list; retrieval finds that item and quotes its deadline.
            return None
        answer = answer_from_duties(question, duties=self.duties, chunks_by_id=self.chunks_by_id, today=today,
                                    context=previous if follow_up else None)
        if answer is None:
            return None
        if query is not None and not query.units and follow_up:
            query.units = previous.units
        context["duty_query"] = query
        context["question"] = question
        return answer
