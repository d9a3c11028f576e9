"""The assistant: one loaded index answering questions (duty table first, hybrid retrieval otherwise).

A question is read once into a `Question` (units, window, follow-up), then: refused when it names a place or a
document code that no document mentions; answered from the duty table when it asks a unit's duties or deadlines;
otherwise answered by retrieval with an extractive, cited answer, or an abstention.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from datetime import date
from pathlib import Path

from ..duties.query import DutyQuery, as_table
from ..duties.table import DutyTable
from ..errors import EmbedderError
from ..index.store import LoadedIndex, index_dir_from, load_index
from ..search.embedders import Embedder, QueryBatcher, load_embedder
from ..search.retrieval import Hit, Retriever
from ..text.deadlines import find_deadlines
from ..text.normalize import contains, fold, match_key, tokenize
from ..text.references import find_refs, ref_from_dict
from ..text.units import closest_units
from .assignments import Assignments
from .analysis import IndexFacts, is_yes_no, resolve_scope, side_segments
from .answer import (ABSTAIN_HINT, ABSTAIN_TEXT, AbstainPolicy, asked_items, assigned_blocks, compose_answer,
                     in_sections, names_nearly, naming_units, office_names, subject_units, unknown_names)
from .citations import CitationList, short_title
from .compare import deadline_topic, deadlines_of, is_about_deadlines, merge, sides
from .documents_answer import document_answer
from .duty_answer import MAX_TOPICAL, answer_from_duties, duty_query_for, topical_duties
from .models import Answer
from .parts import complete_parts, part_covered, typed_parts, with_parts
from .question import Conversation, Question
from .verdict import (NO, UNSTATED, YES, best_passage_index, deadline_unset, decide, judged_passage, rival_units,
                      unit_topic_coverage, with_verdict)

log = logging.getLogger(__name__)


# "... có hạn (chót) / thời hạn ... không?": whether a deadline is set, not which one
_ASKS_IF_DEADLINE = re.compile(r"\bco (?:ghi |dat |quy dinh )?(?:han|thoi han|han chot|moc thoi gian)\b.*\b(?:khong|chua)\b")


SECTION_DEPTH = 50  # passages searched for those of a numbered section the question names ("mục 3.3")
UNIT_DEPTH = 30  # passages searched for a named unit's own when the best ones name other units
# what "có hạn ... không?" gets when the task found gives no timing at all
_NO_DEADLINE_SET = "Văn bản không nêu: việc này không được ghi thời hạn."


def as_typed(text: str, phrase: str, known_units=()) -> str:
    """A folded phrase of the question ("ban doi ngoai thanh uy") as the official typed it ("Ban Đối ngoại Thành
    ủy"), to name it back. A phrase read out of abbreviations ("UBKT HU": "uy ban kiem tra huyen uy") is spelt as
    the documents spell its head and its level ("Ủy ban Kiểm tra" of "Ủy ban Kiểm tra Tỉnh ủy", then "Huyện ủy"),
    else left as read."""
    words = re.findall(r"\S+", text)
    wanted = phrase.split()
    folded = [fold(w).strip(",.;:?!()") for w in words]
    for i in range(len(words) - len(wanted) + 1):
        if folded[i:i + len(wanted)] == wanted:
            return " ".join(w.strip(",.;:?!()") for w in words[i:i + len(wanted)])
    level = next((name for key, name in _LEVEL_NAMES.items() if phrase.endswith(" " + key)), None)
    if level:
        head = phrase[: -len(level)].strip()
        for unit in known_units:
            spelt = unit.split()
            if fold(" ".join(spelt[:len(head.split())])) == head:
                return " ".join(spelt[:len(head.split())] + [level])
    return phrase


_LEVEL_NAMES = {"thanh uy": "Thành ủy", "tinh uy": "Tỉnh ủy", "huyen uy": "Huyện ủy", "thi uy": "Thị ủy",
                "dang uy": "Đảng ủy"}


# How much more of the question's topic (its words other than the claimed unit's) an item found without the claimed
# unit must cover than the unit's own passages, for a yes/no claim to be answered "Không, it is X's" (see
# `Assistant._other_unit`). Chosen on dev yes/no questions (s10-yn-*, written from the duty lists): see the module doc.
OTHER_UNIT_MARGIN = 0.15

class Assistant:
    """Answers questions over one index. Load it once and share it (the UI serves many users with one)."""

    def __init__(self, *, chunks, retriever: Retriever, duties=None, documents: dict[str, dict] | None = None,
                 index_dir: Path | None = None, generation: str | None = None, policy: AbstainPolicy | None = None,
                 embedding_progress: tuple[int, int] | None = None):
        self.chunks = chunks
        # (passages embedded, passages in all): below the total, new passages are found by BM25 only for now
        self.embedding_progress = embedding_progress
        self.retriever = retriever
        self.embedder: Embedder = retriever.embedder
        self.duties: DutyTable = as_table(duties or [])  # selection by columns, duties built on demand
        self.documents = documents or {}
        self.index_dir = index_dir
        self.generation = generation  # the index generation this assistant answers from
        self.policy = policy or AbstainPolicy()
        self.chunks_by_id = getattr(chunks, "by_id", None) or {c.id: c for c in chunks}
        self.known_units = self.duties.known_units  # every unit named in the duty table
        self.place_tokens = {t for meta in self.documents.values() if meta.get("place")
                             for t in tokenize(meta["place"], bigrams=False)}
        self.facts = IndexFacts.build(self.documents, self.known_units)
        self._assignments: Assignments | None = None
        self._leads: dict[str, list[str]] | None = None

    @property
    def assignments(self) -> Assignments | None:
        """Who each "Phân công thực hiện" block is given to, quoted with its items: built on first use (it reads
        every duty, which a large archive should not pay for at start-up), None without a duty table."""
        if self._assignments is None and self.duties:
            self._read_every_duty()
        return self._assignments

    def leads_of(self, chunk_id: str) -> list[str]:
        """The lead units of the duties a passage holds, as the duty table names them (built on first use)."""
        if self._leads is None:
            self._read_every_duty()
        return self._leads.get(chunk_id, [])

    def _read_every_duty(self) -> None:
        """Build what needs every duty of the table (assignments, each passage's lead units) in one reading of it,
        on first use: a large archive should not pay for it at start-up, nor read its duties twice."""
        duties = self.duties.select(DutyQuery())[0] if self.duties else []
        if self.duties:
            self._assignments = Assignments.from_duties(duties, self.chunks_by_id)
        self._leads = {}
        for duty in duties:
            if duty.chunk_id:
                leads = self._leads.setdefault(duty.chunk_id, [])
                leads.extend(u for u in duty.units_lead if u not in leads)

    @classmethod
    def from_index(cls, loaded: LoadedIndex, *, embedder: str | Embedder | None = None) -> "Assistant":
        """An assistant over a loaded index, with the embedder it was built with (another one is an error: their
        vectors are not comparable)."""
        built = loaded.manifest["embedder"]
        if embedder is None or isinstance(embedder, str):
            emb = load_embedder(embedder or built["name"])
        else:
            emb = embedder
        if emb.name != built["name"] or emb.dim != built["dim"]:
            raise EmbedderError("embedder_mismatch", path=str(loaded.path.parent), built_with=built["name"],
                                built_dim=built["dim"], given=emb.name, given_dim=emb.dim)
        if not isinstance(emb, QueryBatcher):
            emb = QueryBatcher(emb)  # concurrent users' questions embedded together (see `QueryBatcher`)
        retriever = Retriever(loaded.chunks, lexical=loaded.lexical, dense_index=loaded.dense, embedder=emb)
        duties = DutyTable.from_segments(loaded.segments, loaded.deleted)
        return cls(chunks=loaded.chunks, retriever=retriever, duties=duties, documents=loaded.documents,
                   index_dir=loaded.path.parent, generation=loaded.generation,
                   embedding_progress=loaded.embedding_progress)

    @classmethod
    def load(cls, index_dir: str | Path | None = None, *, embedder: str | Embedder | None = None) -> "Assistant":
        """Load the index in `index_dir` (default $RAG_INDEX or ./index) and the embedder it was built with."""
        return cls.from_index(load_index(index_dir_from(index_dir)), embedder=embedder)

    @classmethod
    def from_chunks(cls, chunks: list, *, embedder: Embedder, duties: list | None = None) -> "Assistant":
        """An in-memory assistant over given chunks (evaluation baselines, tests)."""
        return cls(chunks=chunks, retriever=Retriever.from_chunks(chunks, embedder=embedder), duties=duties)

    def read(self, question: str | Question, *, conversation: Conversation | None = None,
             as_of: date | None = None) -> Question:
        """The question read against this index (its units), once; a `Question` is returned as it is. `as_of` is
        the day it is asked (default today): "quá hạn", "tháng này" and dates without a year are read from it."""
        if isinstance(question, Question):
            return question
        return Question.read(question, facts=self.facts, today=as_of, conversation=conversation)

    def documents_in_period(self, *, date_from: date | None = None, date_to: date | None = None) -> list[str]:
        """Documents whose issue date lies in [date_from, date_to]; undated documents cannot qualify."""
        names = []
        for name, meta in self.documents.items():
            issued = meta.get("date")
            if issued and (date_from is None or date.fromisoformat(issued) >= date_from) and (
                    date_to is None or date.fromisoformat(issued) <= date_to):
                names.append(name)
        return names

    def retrieve(self, question: str | Question, *, k: int = 10, retrieval: str = "hybrid",
                 docs: list[str] | None = None) -> list[Hit]:
        """Top-k passages for a question (hybrid, bm25 or dense), optionally only from some documents.

        Questions about a document itself (who signed it, its number, what it implements) search only the
        document descriptions and preambles; questions about a document that is only cited search the passages
        that cite it."""
        question = self.read(question)
        rows = self.citing_rows(question.cited_only) if question.cited_only else None
        kinds = {"meta", "preamble"} if question.asks_about_document and rows is None else None
        if rows is not None and docs is not None:
            rows = {r for r in rows if self.chunks[r].doc in docs} or rows
        if question.sections:
            # "chú thích (2) ở mục 3.3 CTr ...": the passages of that numbered section, among the question's best
            hits = self.retriever.search(question, k=max(k, SECTION_DEPTH), mode=retrieval, docs=docs, kinds=kinds,
                                         rows=rows or None)
            numbered = [h for h in hits if in_sections(h.chunk.section, question.sections)]
            if numbered:
                return numbered[:k]
        return self.retriever.search(question, k=k, mode=retrieval, docs=docs, kinds=kinds, rows=rows or None)

    def absent_offices(self, q: Question) -> list[str]:
        """Offices the question names ("Phòng Tư pháp") that no passage names: the passages found by their words
        (BM25, the ten best) are checked for the whole name, a typing slip allowed ("Sở Tài chíng"). "Sở Tư pháp"
        and "Phòng Nội vụ" are in the documents, "Phòng Tư pháp" is not, and the huyện's other offices are no answer
        about it."""
        absent = []
        for name in office_names(q):
            hits = self.retriever.search(Question.read(name), k=10, mode="bm25")
            if not any(names_nearly(h.chunk.text, name) for h in hits):
                absent.append(name)
        return absent

    def citing_rows(self, refs) -> set[int]:
        """Rows of the chunks citing any of these references (from the catalogue)."""
        row_of = getattr(self.chunks, "row_of_id", None) or {c.id: i for i, c in enumerate(self.chunks)}
        rows: set[int] = set()
        for meta in self.documents.values():
            for cited in meta.get("cites", []):
                if any(ref.matches(ref_from_dict(cited)) for ref in refs):
                    rows.update(row_of[c] for c in cited["chunks"] if c in row_of)
        return rows

    def ask(self, question: str | Question, *, k: int = 5, retrieval: str = "hybrid", docs: list[str] | None = None,
            date_from: date | None = None, date_to: date | None = None,
            conversation: Conversation | None = None, as_of: date | None = None, use_duties: bool = True) -> Answer:
        """Answer one question. `docs` limits the search to some documents, `date_from`/`date_to` to documents
        issued in that period; `conversation` is the previous answer's `.conversation` (for follow-up questions);
        `as_of` is the day the question is asked (default today)."""
        started = time.perf_counter()
        conversation = conversation or Conversation()
        q = self.read(question, conversation=conversation, as_of=as_of)
        answer = self._answer(q, k=k, retrieval=retrieval, docs=docs, date_from=date_from, date_to=date_to,
                              conversation=conversation, use_duties=use_duties)
        if answer.conversation is not None:
            # the documents the quoted passages name, in order: "NQ đó" of the next turn
            quoted = "\n".join(c.text for c in answer.citations)
            answer.conversation = dataclasses.replace(answer.conversation, answer_refs=tuple(find_refs(quoted)))
        answer.notice = self.preparing_notice()
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def preparing_notice(self) -> str | None:
        """What to tell users while some passages have no vector yet (found by keywords only), else None."""
        if not self.embedding_progress:
            return None
        done, total = self.embedding_progress
        if done >= total:
            return None
        return (f"Tìm kiếm theo ngữ nghĩa đang được chuẩn bị cho văn bản mới nạp ({done}/{total} đoạn, "
                f"{100 * done // max(total, 1)}%); trong lúc chờ, các đoạn mới được tìm theo từ khoá.")

    def _answer(self, q: Question, **options) -> Answer:
        answer = self._answer_in_scope(q, **options)
        # (not when the catalogue says what the document itself lacks: "CV đó số mấy?" of a letter with no number)
        if answer.abstained and "documents" in q.inherited and answer.mode != "documents":
            # "Còn BTC Huyện ủy thì sao?" after a question on the Tỉnh ủy's programme: the document was the last
            # turn's, not this one's; when it holds nothing on what is asked now, the other documents may
            wider = dataclasses.replace(q, documents=None, inherited=tuple(i for i in q.inherited if i != "documents"))
            retry = self._answer_in_scope(wider, **options)
            if not retry.abstained:
                return retry
        return answer

    def _claimed_numbers(self, q: Question) -> Question:
        """"CTr của ĐU CQĐ thay thế CTr số 05-CTr/ĐU đúng ko?": a yes/no question about a document it names, claiming
        a number no indexed document is, implements or cites; the number is checked against the one the document
        states (`verdict._code_verdict`), not refused as unknown."""
        if not (q.yes_no and q.documents) or q.claimed_refs:
            return q
        unnamed = [r for r in q.cited_only if not self.citing_rows([r])]
        if not unnamed:
            return q
        return dataclasses.replace(q, cited_only=tuple(r for r in q.cited_only if r not in unnamed),
                                   claimed_refs=tuple(unnamed))

    def _answer_in_scope(self, q: Question, **options) -> Answer:
        q = self._claimed_numbers(q)
        answer = self._compare(q, **options) if q.compare and not q.refusal else None
        if answer is None:
            answer = self._find(q, **options)
            docs = list(q.documents) if q.documents else options.get("docs")
            answer = complete_parts(q, answer, lambda depth: self.retrieve(
                q, k=depth, retrieval=options.get("retrieval", "hybrid"), docs=docs))
            answer = self._by_parts(q, answer, **options)
            answer = self._by_units(q, answer, **options)
            answer = self._by_documents(q, answer, **options)
        if q.yes_no and not q.refusal:
            conversation = answer.conversation
            undated = self._no_deadline(q, answer, **options)
            verdict = None if undated else decide(q, answer, documents=self.documents)
            if verdict == UNSTATED and not answer.abstained and not is_yes_no(q.text, q.readings[0] if q.readings
                                                                              else q.folded):
                return answer  # "... có ... không, giao ai?" unsettled: the second part is still answered
            answer = undated or self._other_unit(q, answer, verdict=verdict, **options) or \
                self._unset_deadline(q, answer, verdict) or with_verdict(verdict, answer)
            answer.conversation = conversation
        return answer

    def _other_unit(self, q: Question, answer: Answer, *, verdict: str | None = None, **options) -> Answer | None:
        """"KH ... giao UBKT Huyện ủy chủ trì theo dõi, kiểm tra việc thực hiện KH phải ko?", "Có phải UBKT Thành ủy
        định hướng công tác truyền thông ... không?": the item found without the claimed unit, given to another unit of
        the same kind or council ("Ban Tổ chức Huyện ủy chủ trì ..."), is a "Không", naming who holds it. Tried when
        no passage on this names the claimed unit (the unit filter found none), and when the claimed unit's own
        passages were judged ("Có", "Văn bản không nêu") but cover the question's topic clearly less than that item
        does (`OTHER_UNIT_MARGIN`). None otherwise: the absent unit alone proves nothing."""
        unit_gap = answer.abstained and answer.gap == "unit"
        if not unit_gap and not (verdict in (YES, UNSTATED) and q.units):
            return None
        found = self._find(dataclasses.replace(q, units=(), unknown_units=()), **options)
        if found.abstained or found.mode != "retrieval" or not found.citations:
            return None
        at = best_passage_index(q, [c.text for c in found.citations[:3]], without_units=True)
        item = found.citations[at]
        if not unit_gap:
            own = max((unit_topic_coverage(q, c) for c in answer.citations
                       if any(contains(f"{c.section}\n{c.text}", u) for u in q.units)), default=0.0)
            if unit_topic_coverage(q, item) < own + OTHER_UNIT_MARGIN:
                return None
        claimed = {match_key(u) for u in q.units} | set(q.unknown_units)
        leads = self.leads_of(item.chunk_id)
        if not leads and self.assignments is not None and item.chunk_id in self.chunks_by_id:
            given = self.assignments.of(self.chunks_by_id[item.chunk_id])  # its block's "Phân công thực hiện"
            leads = list(given.units) if given else []
        if leads and not claimed & {match_key(u) for u in leads}:
            doers = leads[:3]  # the duty table's lead units of the item: it is theirs
        elif decide(q, found, documents=self.documents, unit_absent=True) == NO:
            # who the item is given to, as the passage the verdict was judged on names them
            doers = [u for u in rival_units(q, f"{item.section}\n{item.text}", same_council=True)
                     if not re.search(r"Thường (vụ|trực)", u)]
        else:
            return None
        answer = with_verdict(NO, found)
        # "UBKT Tỉnh ủy: Chủ trì, phối hợp với các cơ quan tham mưu ...": the ones it works with are not given it
        helping = re.search(r"phối hợp (với )?", item.text, re.IGNORECASE)
        if helping:
            leading = [u for u in doers if not contains(item.text[helping.end():], u) or contains(item.section, u)
                       or contains(item.text[:helping.start()], u)]
            doers = leading or doers
        if doers:
            answer.answer = answer.answer.replace(
                f"{NO}.\n", f"{NO}. Văn bản giao việc này cho {', '.join(doers)} [{item.n}].\n", 1)
        return answer

    @staticmethod
    def _unset_deadline(q: Question, answer: Answer, verdict: str | None) -> Answer | None:
        """"BNC Thành ủy có phải hoàn thành việc ... trước 30/9/2025 không?": the item is found and sets no deadline;
        said so (as `_no_deadline` does), with the item quoted."""
        if verdict != UNSTATED or answer.abstained or not answer.citations or \
                not deadline_unset(q, judged_passage(q, answer)):
            return None
        return Answer(question=q.text, answer=f"{_NO_DEADLINE_SET}\n{answer.answer}", abstained=False,
                      citations=answer.citations, mode=answer.mode, conversation=answer.conversation)

    def _no_deadline(self, q: Question, answer: Answer, *, k: int, retrieval: str, docs: list[str] | None,
                     **_) -> Answer | None:
        """"Trường Chính trị Tô Hiệu có hạn chót cho việc xây dựng kế hoạch đào tạo ... không?": the item was found
        (on topic) and gives no deadline: "Văn bản không nêu" (the document sets none, which is not saying there is
        none), with the item quoted. None when this is not such a question."""
        reading = q.readings[0] if q.readings else q.folded
        if not _ASKS_IF_DEADLINE.search(reading):
            return None
        if not answer.abstained and answer.mode == "retrieval":
            # the item found gives a timing without a date ("lộ trình theo yêu cầu của Trung ương"): no deadline set
            items = asked_items(q, [c.text for c in answer.citations])
            found = [d for item in items for d in find_deadlines(item)]
            if any(d.dated or d.kind == "done" for d in found):
                return None
            # a timing without a date: the document says there is no fixed one ("Thời gian cụ thể thực hiện theo
            # chỉ đạo của Trung ương"); with no timing at all it says nothing, and that is what is answered
            said = next((d.text for d in found if d.kind == "text"), None)
            lead = (f"Không. Việc này không có mốc thời gian cụ thể; văn bản ghi: «{said}»." if said
                    else _NO_DEADLINE_SET)
            return Answer(question=q.text, answer=f"{lead}\n{answer.answer}", abstained=False,
                          citations=answer.citations, mode=answer.mode)
        if not (answer.abstained and answer.gap == "deadline"):
            return None
        scope = list(q.documents) if q.documents else docs
        found = compose_answer(q, self.retrieve(q, k=k, retrieval=retrieval, docs=scope), policy=self.policy,
                               blocks=self._unit_blocks(q), verify=False, assignments=self.assignments)
        if found.abstained:
            return None
        return Answer(question=q.text, answer=f"{_NO_DEADLINE_SET}\n{found.answer}",
                      abstained=False, citations=found.citations, mode=found.mode)

    def _find(self, q: Question, *, k: int, retrieval: str, docs: list[str] | None, date_from: date | None,
              date_to: date | None, conversation: Conversation, use_duties: bool) -> Answer:
        if q.refusal:  # empty, only punctuation, or too long
            return Answer(question=q.text, answer=q.refusal, abstained=True, mode="abstain",
                          conversation=conversation)
        if date_from or date_to:
            dated = set(self.documents_in_period(date_from=date_from, date_to=date_to))
            docs = sorted(dated & set(docs)) if docs else sorted(dated)
            use_duties = False  # the duty table is not filtered by document date
            if not docs:
                return Answer(question=q.text, abstained=True, mode="abstain", conversation=conversation,
                              answer="Không có văn bản nào đã nạp có ngày ban hành trong khoảng thời gian này "
                                     "(văn bản không ghi ngày ban hành không được tính).")
        unknown = unknown_names(q, self.retriever.lexical.vocabulary) + self.absent_offices(q)
        if q.claimed_refs:  # a claimed number is checked, not refused (`_claimed_numbers`)
            unknown = [u for u in unknown if not any(fold(u).replace(" ", "") in fold(r.text).replace(" ", "")
                                                     for r in q.claimed_refs)]
        if unknown:
            return Answer(question=q.text, abstained=True, mode="abstain", conversation=conversation,
                          answer=f"Các văn bản đã nạp không nhắc đến {', '.join(unknown)}. {ABSTAIN_HINT}")
        unnamed = [r for r in q.cited_only if not self.citing_rows([r])]
        if unnamed:  # "NQ 99": a number no indexed document is, implements or cites
            labels = ", ".join(r.label for r in unnamed)
            return Answer(question=q.text, abstained=True, mode="abstain", conversation=conversation,
                          answer=f"Các văn bản đã nạp không nhắc đến {labels}. {ABSTAIN_HINT}")
        if q.unknown_units and not q.units:
            refused = self._unknown_unit(q, conversation)
            if refused is not None:
                return refused
        documents = q.documents
        if documents is not None and not documents:
            # "Kế hoạch của Huyện ủy và Chương trình của Tỉnh ủy Hưng Yên ...": two documents named, read together
            halves = [self.read(segment) for segment in side_segments(q.text, self.facts)]
            if halves and all(h.documents for h in halves):
                documents = tuple(sorted({d for h in halves for d in h.documents}))
                q = dataclasses.replace(q, documents=documents)  # the catalogue answers (signers) read it too
        if documents is not None:
            docs = sorted(set(documents) & set(docs)) if docs else list(documents)
            if not docs:
                return self._out_of_scope(q, k=k, retrieval=retrieval, conversation=conversation)
        catalogue = document_answer(q, self) if use_duties else None
        if catalogue is not None:
            catalogue.conversation = Conversation(last_query=q, last_question=q)
            return catalogue
        if use_duties and self.duties:
            issuers = {t for d in q.documents or () for t in tokenize(self.documents.get(d, {}).get("issuer") or "",
                                                                      bigrams=False)}
            query = duty_query_for(q, conversation.duty_query, self.place_tokens, issuers)
            if query is not None:
                if docs is not None:
                    query.docs = list(docs)
                answer = answer_from_duties(q, query, duties=self.duties, chunks_by_id=self.chunks_by_id)
                answer.conversation = Conversation(last_query=q, duty_query=query, last_question=q)
                return answer
        search = q
        if conversation.last_query is not None and q.follow_up and not q.names_its_item:
            search = q.joined_with(conversation.last_query, facts=self.facts)
        hits = self.retrieve(search, k=k, retrieval=retrieval, docs=docs)
        blocks = self._unit_blocks(q)
        if hits and q.units and not naming_units(q, hits, blocks):
            # "Còn VP TU thì báo cáo gì, cho ai?": the words of the turn before rank other units' passages first;
            # the unit's own are searched deeper before saying that none names it
            named = naming_units(q, self.retrieve(search, k=UNIT_DEPTH, retrieval=retrieval, docs=docs), blocks)
            hits = named[:k] or hits
        answer = compose_answer(q, hits, policy=self.policy, blocks=blocks, assignments=self.assignments)
        if not answer.abstained and self.duties:
            answer = self._with_topical_duties(q, answer, docs)
        answer.conversation = Conversation(last_query=search, last_question=q)
        return answer

    def _with_topical_duties(self, q: Question, answer: Answer, docs: list[str] | None) -> Answer:
        """A unit's tasks on a topic ("... những việc gì liên quan đảng viên?") answered from passages: the unit's
        other duties on that topic, which the passages quoted leave out, are added (each cited)."""
        quoted = {c.chunk_id for c in answer.citations}
        extra = [d for d in topical_duties(q, duties=self.duties, docs=docs)
                 if d.chunk_id in self.chunks_by_id and d.chunk_id not in quoted][:MAX_TOPICAL]
        if not extra:
            return answer
        cites = CitationList()
        cites.keep(answer.citations)
        lines = [answer.answer]
        for duty in extra:
            n = cites.cite(self.chunks_by_id[duty.chunk_id], 1.0)
            lines.append(f"- {duty.action} [{n}]")
        return Answer(question=answer.question, answer="\n".join(lines), abstained=False, citations=cites.citations,
                      mode=answer.mode, conversation=answer.conversation)

    def _unit_blocks(self, q: Question) -> set[tuple[str, str]] | None:
        """The blocks the question's units are given by a "Phân công thực hiện" line (`assigned_blocks`), None
        without units."""
        if not (q.units and self.duties):
            return None
        return assigned_blocks(self.duties.select(DutyQuery(units=list(q.units), today=q.today))[0])

    def _by_parts(self, q: Question, answer: Answer, **options) -> Answer:
        """A multi-part question: a part that the answer's passages leave out is answered on its own, under its part;
        when the whole question finds nothing, each part is tried, and those the documents answer are given (the
        others said missing). Retrieval ranks passages on the whole question, so one part can hide another."""
        if len(q.parts) < 2 or q.yes_no or q.refusal or answer.mode == "compare":
            return answer
        subs = typed_parts(q, lambda text, previous: self.read(text, conversation=previous, as_of=q.today))
        # "KH của Huyện ủy đặt hạn khi nào, còn CTr ĐU CQĐ giao BTGDV ĐU ... khi nào?": the whole question joins a
        # unit of one part to the document of the other, and no passage holds both; each part has its own scope
        own_scopes = answer.gap == "unit" and len({(sub.units, sub.documents) for _, sub in subs}) > 1
        if answer.abstained and answer.answer != ABSTAIN_TEXT and answer.gap in (None, "unit") and not own_scopes:
            return answer  # a refusal that says why (an unknown name, a scope with no document) stands
        answered = []
        for i, (label, sub) in enumerate(subs):
            naming = " ".join(f"{meta.get('doc_type') or ''} {meta.get('issuer') or ''} {meta.get('place') or ''}"
                              for meta in (self.documents.get(d, {}) for d in sub.documents or ()))
            # a catalogue answer answers one kind of question ("ai ký"); a part asking another ("ngày nào") is its own
            other_kind = answer.mode == "documents" and sub.answer_type not in (None, q.answer_type)
            if not answer.abstained and not other_kind and part_covered(
                    sub, answer.answer, {c.doc for c in answer.citations}, naming=naming):
                continue
            # a part was read after the one before it (what it leans on is in it); its search joins that part's words
            before = subs[i - 1][1] if i else None
            part_options = dict(options, conversation=Conversation(last_query=before, last_question=before))
            found = self._find(sub, **part_options)
            answered.append((label, found))
        if not answered:
            return answer
        if answer.abstained:
            if all(a.abstained for _, a in answered):
                return answer
            merged = merge(answered, q.text, heading=f"Câu hỏi gồm {len(answered)} phần:", mode="retrieval")
            merged.conversation = answer.conversation
            return merged
        quoted = {c.chunk_id for c in answer.citations}
        return with_parts(answer, [(label, a) for label, a in answered
                                   # a catalogue statement ("không ghi ngày ban hành") of a passage already quoted
                                   # says another thing of it
                                   if (a.mode == "documents" and a.citations and a.answer not in answer.answer)
                                   or (not a.abstained and not {c.chunk_id for c in a.citations} <= quoted)])

    def _by_units(self, q: Question, answer: Answer, **options) -> Answer:
        """A question about two units or more ("BTC Huyện ủy và BTC Tỉnh ủy định kỳ báo cáo cho ai?") whose quoted
        passages name only some of them: each unit left out is asked on its own and answered under its name (or
        left out when the documents give it nothing on this). Retrieval ranks on the whole question, and the unit
        with the better-matching passage hides the other."""
        if q.yes_no or q.refusal or answer.abstained or answer.mode != "retrieval":
            return answer
        # units named side by side in one reading: the readings of an ambiguous "TU" (Thành ủy or Tỉnh ủy) are
        # alternatives, not two units asked about
        reading = q.readings[0] if q.readings else q.folded
        units = [u for u in subject_units(q) if contains(reading, u)]
        if len(units) < 2:
            return answer
        quoted = [f"{c.section} {c.text}" for c in answer.citations]
        missing = [u for u in units if not any(contains(text, u) for text in quoted)]
        if not missing or len(missing) == len(units):
            return answer
        added = []
        for unit in missing:
            # searched in the documents that give this unit tasks: the question's other words (a document named
            # for the other unit) do not hold for it
            own = tuple(sorted({d.doc for d in self.duties.select(DutyQuery(units=[unit], today=q.today))[0]}))
            if not own:
                continue
            sub = dataclasses.replace(q, units=(unit,), parts=(), documents=own)
            found = self._find(sub, **dict(options, conversation=Conversation(last_query=sub, last_question=sub)))
            if not found.abstained and found.mode == "retrieval":
                added.append((unit, found))
        return with_parts(answer, added) if added else answer

    def _by_documents(self, q: Question, answer: Answer, **options) -> Answer:
        """A question about two documents it names ("Ai chủ trì theo dõi ...: CTr KL121 của Thành ủy HP và CTr hành
        động của Đảng bộ Các cơ quan Đảng TP?") whose quoted passages come from one of them: the other is asked on its
        own and answered under its name (left out when it holds nothing on this). Retrieval ranks on the whole
        question, and the document with the better-matching passages hides the other."""
        if q.yes_no or q.refusal or answer.abstained or answer.mode != "retrieval":
            return answer
        halves = [(segment, self.read(segment)) for segment in side_segments(q.text, self.facts)]
        named = [(segment, h.documents) for segment, h in halves if h.documents and len(h.documents) == 1]
        if not named and q.kinds and q.documents and len(q.documents) == 2 and "documents" not in q.inherited:
            # "Chương trình của HP ... lần thứ mấy?": the kind and place named fit two documents, and each says its own
            named = [(d, (d,)) for d in q.documents]
        if len(named) < 2 or len({d for _, docs in named for d in docs}) < 2:
            return answer
        cited = {c.doc for c in answer.citations}
        added = []
        for segment, docs in named:
            if set(docs) & cited:
                continue
            sub = dataclasses.replace(q, documents=tuple(docs), parts=())
            found = self._find(sub, **dict(options, conversation=Conversation(last_query=sub, last_question=sub)))
            if not found.abstained and found.mode == "retrieval":
                described = self.chunks_by_id.get(f"{docs[0]}#0")
                added.append((short_title(described.doc_title) if described is not None else docs[0], found))
        return with_parts(answer, added) if added else answer

    def _compare(self, q: Question, **options) -> Answer | None:
        """A comparison: each side answered on its own (`compare`), shown side by side."""
        found = sides(q, self)
        if len(found) < 2:
            return None
        parts = []
        for side in found:
            sub = side.question
            if is_about_deadlines(sub) and not sub.units and not deadline_topic(sub):
                parts.append((side.label, deadlines_of(sub, self)))
                continue
            if sub.units and ("tasks" in sub.answer_types or "content" in sub.answer_types) and self.duties:
                listed = answer_from_duties(sub, sub.duty_query(), duties=self.duties, chunks_by_id=self.chunks_by_id)
                if not listed.abstained:
                    parts.append((side.label, listed))
                    continue
            parts.append((side.label, self._find(sub, **options)))
        answer = merge(parts, q.text)
        answer.conversation = Conversation(last_query=q, last_question=q)
        return answer

    def _unknown_unit(self, q: Question, conversation: Conversation) -> Answer | None:
        """The question names a unit (and no known one): one the documents never name is refused, with the
        closest names of the index; one they name but give no task, when the question asks its tasks."""
        vocabulary = self.retriever.lexical.vocabulary
        absent = [p for p in q.unknown_units
                  if not all(f"{a}_{b}" in vocabulary for a, b in zip(p.split(), p.split()[1:]))]
        names = list(dict.fromkeys(n for phrase in q.unknown_units for n in closest_units(phrase, self.known_units)))
        closest = f" Các đơn vị gần nhất có nhiệm vụ trong văn bản: {'; '.join(names)}." if names else ""
        if absent:
            shown = ", ".join(f"«{as_typed(q.nfc, p, self.known_units)}»" for p in absent)
            return Answer(question=q.text, abstained=True, mode="abstain", conversation=conversation, gap="unit",
                          answer=f"Các văn bản đã nạp không nhắc đến đơn vị {shown}.{closest}")
        subject = [p for p in q.unknown_units
                   if re.match(rf"^(?:(?:con|the con|vay con)\s+)?{re.escape(p)}\b", q.readings[0] if q.readings else "")]
        if subject and q.answer_type == "tasks":
            shown = ", ".join(f"«{as_typed(q.nfc, p, self.known_units)}»" for p in subject)
            return Answer(question=q.text, abstained=True, mode="abstain", conversation=conversation,
                          answer=f"Các văn bản đã nạp không giao nhiệm vụ nào cho {shown}.{closest}")
        return None

    def _out_of_scope(self, q: Question, *, k: int, retrieval: str, conversation: Conversation) -> Answer:
        """Nothing in the index matches the documents or places the question names: say exactly that, then, clearly
        apart, the nearest passages of other documents."""
        text = f"Không có văn bản nào {' '.join(q.scope)} trong kho."
        # The question's place and document words are what no document in scope has: judge the nearest passages on
        # the rest of it, at a lower bar (they are shown as outside the scope, not as the answer).
        relaxed = dataclasses.replace(self.policy, min_coverage=self.policy.min_coverage / 2)
        about = None  # the documents on what the question names, wherever they are from
        if q.refs:
            wider = resolve_scope(list(q.refs), set(q.kinds), [], None, self.facts)
            about = wider.docs or None
        nearby = compose_answer(q, self.retrieve(q, k=k, retrieval=retrieval, docs=about), policy=relaxed,
                                assignments=self.assignments)
        if nearby.abstained or not nearby.citations:
            return Answer(question=q.text, answer=text, abstained=True, mode="abstain", conversation=conversation)
        body = nearby.answer.split("\n", 1)[1] if "\n" in nearby.answer else nearby.answer
        text += "\nĐể tham khảo, nội dung gần nhất trong các văn bản khác (không thuộc phạm vi câu hỏi), " + \
            nearby.answer.split("\n", 1)[0][0].lower() + nearby.answer.split("\n", 1)[0][1:] + "\n" + body
        return Answer(question=q.text, answer=text, abstained=True, mode="abstain", citations=nearby.citations,
                      conversation=conversation)
