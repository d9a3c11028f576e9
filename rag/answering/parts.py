"""Multi-part questions: every part answered, or said missing.

"Kế hoạch của Huyện ủy thực hiện chương trình số mấy của Tỉnh ủy, chương trình đó ban hành ngày nào?" was answered
with the one passage that best covers the whole question (the plan's description), which gives neither the number
nor the date; the preamble that gives both ranked lower. Retrieval ranks passages on the whole question, so the part
whose answer type no quoted passage carries is answered on its own: among the question's passages (searched deeper),
the one that carries that type (a date, a document number, a person) and covers that part best is added, cited;
when none does, the answer says so instead of leaving the part silently unanswered.

Only the types a sentence can be checked for are verified (date, document number, person or signer); "which unit",
"what content" cannot be told from the text and are left to the whole answer. Measured on dev (285 questions) and
on five held-out multi-part questions written from the corpus (eval/pool/fresh-multipart.jsonl): see the commit.
"""

from __future__ import annotations

import dataclasses
import re

from ..text.deadlines import find_deadlines
from ..text.normalize import contains, match_key, tokenize
from .analysis import answer_types, split_parts
from .answer import _ANY_DATE, coverage, excerpt, has_person
from .citations import CitationList
from .models import Answer
from .question import Conversation, Question

_CODE = re.compile(r"\b\d+\s*-\s*[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][A-Za-zĐđ]*\b|\b\d+/\d{4}/[A-ZĐ]+-[A-Z]+\b")
_NAMES = {"date": "ngày hoặc thời hạn", "doc_number": "số hiệu văn bản", "person": "người", "signer": "người ký"}
DEPTH = 10  # passages searched for a missing part


_KIND_WORDS = [("chuong trinh", "CTr"), ("ke hoach", "KH"), ("ket luan", "KL"), ("nghi quyet", "NQ"),
               ("cong van", "CV"), ("thong bao", "TB"), ("chi thi", "CT"), ("quy dinh", "QĐ"), ("quyet dinh", "QĐ"),
               ("huong dan", "HD"), ("nghi dinh", "NĐ")]
_ASKED_ABOUT = re.compile(r"\b(so may|so hieu|ky hieu|ban hanh ngay nao|ban hanh khi nao|ngay nao|khi nao)\b")


def asked_kind(part: str) -> str | None:
    """The kind of document whose number or date a part asks (the one named last before the asking words):
    "kế hoạch ... thực hiện chương trình số mấy" asks a programme's number, not the plan's."""
    asking = _ASKED_ABOUT.search(part)
    if not asking:
        return None
    head = part[:asking.start()]
    found = [(m.start(), code) for word, code in _KIND_WORDS for m in re.finditer(rf"\b{word}\b", head)]
    return max(found)[1] if found else None


def _of_kind(kind: str | None, text: str) -> str:
    """The parts of `text` that can answer for a document of this kind: its codes and the dates written after them
    (`text` whole when no kind is asked)."""
    if kind is None:
        return text
    codes = re.finditer(rf"\b\d+\s*-\s*{re.escape(kind)}/[A-ZĐa-zđ]+(?:\s*,?\s*(?:ngày\s*)?\d{{1,2}}/\d{{1,2}}/\d{{4}})?",
                        text, re.IGNORECASE)
    return " ".join(m.group(0) for m in codes)


def missing_type(part: str, text: str) -> str | None:
    """The answer type a part asks (folded text) that `text` does not carry, None when it carries them all. The lead
    line of an answer (its sources' titles) is not evidence; a number or an issue date asked of a document of some
    kind must be that kind's."""
    if text.startswith("Theo ") and "\n" in text:
        text = text.split("\n", 1)[1]
    kind_asked = asked_kind(part)
    types = answer_types(part)
    for kind in types:
        if kind == "date":
            about = _of_kind(kind_asked, text) if re.search(r"\bban hanh\b", part) or "doc_number" in types else text
            if not (_ANY_DATE.search(about) or (about is text and find_deadlines(text))):
                return kind
        if kind == "doc_number" and not _CODE.search(_of_kind(kind_asked, text)):
            return kind
        if kind in ("person", "signer") and not has_person(text):
            return kind
    return None


def complete_parts(q: Question, answer: Answer, search) -> Answer:
    """`answer` with a cited line for each part of `q` it leaves unanswered (or a line saying the documents do not
    give it). `search(k)` returns the question's passages, best first."""
    if len(q.parts) < 2 or answer.abstained or answer.mode == "compare":
        return answer
    missing = [(part, kind) for part in q.parts if (kind := missing_type(part, answer.answer))]
    if not missing:
        return answer
    cites = CitationList()
    cites.keep(answer.citations)  # the numbers already used
    hits = search(DEPTH)
    lines = [answer.answer]
    for part, kind in missing:
        if not missing_type(part, "\n".join(lines)):
            continue  # a line added for an earlier part answers this one too
        tokens = list(Question.read(part, today=q.today).content)
        carrying = [h for h in hits if missing_type(part, h.chunk.text) is None]
        best = max(carrying, key=lambda h: coverage(tokens, h.chunk.index_text()), default=None)
        if best is None or coverage(tokens, best.chunk.index_text()) < 0.5:
            lines.append(f"- Các văn bản đã nạp không nêu {_NAMES[kind]} được hỏi ở phần «{part}».")
            continue
        n = cites.cite(best.chunk, best.score)
        lines.append(f"- {excerpt(best.chunk.text, tokens)} [{n}]")
    return Answer(question=answer.question, answer="\n".join(lines), abstained=False, citations=cites.citations,
                  mode=answer.mode, conversation=answer.conversation)


# --- parts answered one by one -----------------------------------------------------------------------------------
# A part is covered by an answer when the quoted passages hold this share of its topic words; below it, the part is
# answered on its own. Chosen on dev (see the commit): the parts of an answered question whose quotes miss a part
# ("..., và phải đề xuất gì với Thường trực Thành ủy?") hold under half of its words.
PART_MIN_COVERAGE = 0.5


def typed_parts(q: Question, read) -> list[tuple[str, Question]]:
    """Each part of a multi-part question, as typed, read as a question of its own; a later part reads as a follow-up
    of the one before, so it keeps the unit, document or place it leans on ("..., và đảng ủy nào lãnh đạo việc
    đó?"). `read(text, conversation)` reads a question."""
    nfc, folded = q.nfc, q.folded
    same = len(nfc) == len(folded)  # folding keeps one character per character: the typed part is the same slice
    typed = split_parts(folded)  # the parts before abbreviations were read out ("UBND" as typed)
    labels = typed if len(typed) == len(q.parts) else list(q.parts)
    out: list[tuple[str, Question]] = []
    conversation = None
    start = 0
    for part, label in zip(q.parts, labels):
        at = folded.find(label, start) if same else -1
        text = nfc[at:at + len(label)] if at >= 0 else part
        start = at + len(label) if at >= 0 else start
        sub = read(text, conversation)
        if out and not sub.units and out[-1][1].units and not sub.refs:
            # "X phải rà soát ..., và chỉ đạo UBND thành phố hoàn thiện gì?": the subject of the later clause is the
            # earlier one's, left out as Vietnamese does in joined clauses
            sub = read(f"{out[-1][1].units[0]} {text}", conversation)
        if sub.documents is None and q.documents is not None and not (sub.refs or sub.places):
            # "CV đó số mấy, ban hành ngày nào?": a part naming no document of its own is about the question's
            sub = dataclasses.replace(sub, documents=q.documents)
        if "answer type" in sub.inherited:
            # "..., gửi những nơi nào?": a part asks its own thing, not what the part before it asked ("ai ký")
            sub = dataclasses.replace(sub, answer_types=(),
                                      inherited=tuple(i for i in sub.inherited if i != "answer type"))
        out.append((text, sub))
        conversation = Conversation(last_query=sub, last_question=sub)
    return out


def part_covered(part: Question, answer_text: str, cited: set[str] | None = None, *, naming: str = "") -> bool:
    """Do the quoted lines of an answer come from the part's documents (`cited`: the answer's), name the part's own
    units and hold its topic words (units, question words and the words of `naming` aside: the kind, issuer and
    place of the part's documents, "CTr của ĐU các cơ quan Đảng TP", which every answer from them repeats)?"""
    if cited is not None and part.documents is not None and "documents" not in part.inherited \
            and not set(part.documents) & cited:
        # "CTr 121 của TP nhắc Đại hội ... lần thứ mấy, còn KH của Huyện ủy ...?": the huyện's passage has the
        # same words, but the part asks about the city's programme
        return False
    body = answer_text.split("\n", 1)[1] if answer_text.startswith("Theo ") and "\n" in answer_text else answer_text
    subject = _first_unit(part)
    if subject and not contains(body, subject):
        # "các cấp ủy gửi ... (qua BTC TU) chậm nhất lúc nào, còn BTC TU ... hạn lúc nào?": the quoted item is the
        # board's, whose words are the same; the part about the cấp ủy (its first unit) is not answered by it
        return False
    unit_words = {t for u in (*part.units, *part.unknown_units, *part.places, *part.levels, naming)
                  for t in tokenize(u, bigrams=False)}
    tokens = [t for t in part.content if not set(t.split("_")) & unit_words]
    return not tokens or coverage(tokens, body) >= PART_MIN_COVERAGE


def _first_unit(part: Question) -> str | None:
    """The unit a part names first (its subject), None when it names none of its own."""
    if "units" in part.inherited:
        return None
    reading = part.readings[0] if part.readings else part.folded
    placed = [(reading.find(match_key(u)), u) for u in part.units]
    placed = [(at, u) for at, u in placed if at >= 0]
    return min(placed)[1] if placed else None


def with_parts(answer: Answer, added: list[tuple[str, Answer]]) -> Answer:
    """`answer` followed by the answers of the parts it left out, each under its part, citations renumbered."""
    cites = CitationList()
    cites.keep(answer.citations)
    lines = [answer.answer]
    for label, part in added:
        body = cites.take(part.citations, part.answer)
        lines.append(f"**{label.strip().rstrip('?').strip()}:**")
        lines.extend(body.splitlines())
    return Answer(question=answer.question, answer="\n".join(lines), abstained=False, citations=cites.citations,
                  mode=answer.mode, conversation=answer.conversation)
