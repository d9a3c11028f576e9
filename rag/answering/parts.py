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

import re

from ..text.deadlines import find_deadlines
from .analysis import answer_types
from .answer import _ANY_DATE, coverage, excerpt, has_person
from .citations import CitationList
from .models import Answer
from .question import Question

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
    for citation in answer.citations:  # keep the numbers already used
        cites._by_chunk[citation.chunk_id] = citation
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
