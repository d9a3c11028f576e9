"""Comparisons ("Hưng Yên và Hải Phòng khác nhau thế nào về thời hạn?", "So sánh nhiệm vụ của Đảng ủy UBND thành
phố trong CTr KL121 và CV KL183"): each side answered on its own, then shown side by side, every line cited.

The sides are what the question names twice: places (HP / HY), documents (KL121 / KL183), or units (Văn phòng
Thành ủy / Văn phòng Đảng ủy), in that order of preference. A side is the question restricted to its documents (and
its unit); a comparison of deadlines without a unit lists the deadlines each side's documents set. Two-part
questions ("... báo cáo ai, còn ... báo cáo ai?") are answered the same way.
"""

from __future__ import annotations

import dataclasses
import re

from ..duties.model import deadline_label
from ..duties.query import DutyQuery
from ..text.normalize import fold, tokenize
from .citations import CitationList
from .models import Answer
from .analysis import side_segments
from .question import Question, of_documents_council


@dataclasses.dataclass
class Side:
    label: str
    question: Question


def sides(q: Question, assistant) -> list[Side]:
    """The sides a comparison names (empty when it names fewer than two): each half of the question read on its
    own for its units and documents; what a half does not say (the unit asked about, a document named once for
    both) comes from the whole question."""
    everything = list(assistant.documents)
    # Each side is restricted to its own documents: the places named are filters, not words its passages must hold
    # (a passage of Hải Phòng's programme never says "Hưng Yên").
    place_words = {t for p in q.places for t in tokenize(p, bigrams=False)}
    content = tuple(t for t in q.content if not set(t.split("_")) & place_words)
    shared = list(q.documents) if q.documents else None  # a scope both sides share, when it leaves something
    out: list[Side] = []
    for segment in side_segments(q.text, assistant.facts):
        half = assistant.read(segment)
        units = half.units or q.units
        docs = half.documents if half.documents is not None else None
        if docs is not None and shared is not None and set(docs) & set(shared):
            docs = tuple(sorted(set(docs) & set(shared)))
        elif docs is None:
            docs = tuple(shared) if shared is not None else None
        if units and docs is not None and not any(_unit_in(assistant, u, list(docs)) for u in units):
            docs = half.documents  # the unit is named elsewhere: keep only what this half says
        if docs and len(units) > 1:
            units = of_documents_council(tuple(units), docs, assistant.facts)  # "TU" of the side's documents
        named = [", ".join(units) if half.units else "", ", ".join(half.places), ", ".join(r.label for r in half.refs)]
        label = " — ".join(x for x in named if x) or segment.strip()
        out.append(Side(label, dataclasses.replace(
            q, units=tuple(units), documents=tuple(docs) if docs is not None else None,
            places=half.places or q.places, refs=half.refs or q.refs, cited_only=half.cited_only,
            implemented_only=half.implemented_only if half.refs else q.implemented_only,
            compare=False, yes_no=False, content=content if half.places else q.content)))
    if len(out) >= 2:
        return out
    if len(q.places) >= 2:  # "HP va HY ...": one side per place
        for place in q.places:
            docs = [n for n in everything if assistant.documents[n].get("place") == place]
            out.append(Side(place, dataclasses.replace(q, documents=tuple(docs), places=(place,), compare=False,
                                                       yes_no=False, content=content)))
    return out if len(out) >= 2 else []


def _unit_in(assistant, unit: str, docs: list[str]) -> bool:
    selected, _ = assistant.duties.select(DutyQuery(units=[unit], docs=docs), limit=1)
    return bool(selected)


def deadlines_of(q: Question, assistant) -> Answer:
    """The deadlines a side's documents set (each once, earliest first), with the duty that carries it."""
    query = DutyQuery(units=list(q.units), docs=list(q.documents) if q.documents is not None else None,
                      today=q.today)
    selected, _ = assistant.duties.select(query)
    cites = CitationList()
    lines, seen = [], set()
    for duty in selected:
        if duty.deadline is None or not (duty.deadline.dated or duty.deadline.kind == "start"):
            continue
        label = deadline_label(duty)
        if label in seen:
            continue
        seen.add(label)
        chunk = assistant.chunks_by_id.get(duty.chunk_id or "")
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        lines.append(f"- {label}: {duty.action}{ref}")
        if len(lines) >= 8:
            break
    if not lines:
        return Answer(question=q.text, answer="Văn bản không nêu thời hạn.", abstained=True)
    return Answer(question=q.text, answer="Thời hạn:\n" + "\n".join(lines), abstained=False,
                  citations=cites.citations, mode="duties")


def merge(parts: list[tuple[str, Answer]], question: str, *, heading: str = "So sánh theo từng bên:",
          mode: str = "compare") -> Answer:
    """One answer from the sides' (or the parts') answers: a heading per side, citations renumbered in order of
    first use."""
    cites = CitationList()
    lines = [heading]
    for label, answer in parts:
        body = cites.take(answer.citations, answer.answer)
        lines.append(f"**{label}:**" + (" (văn bản không nêu)" if answer.abstained and not answer.citations else ""))
        if not (answer.abstained and not answer.citations):
            lines.extend(body.splitlines())
    abstained = all(a.abstained for _, a in parts)
    return Answer(question=question, answer="\n".join(lines), abstained=abstained, citations=cites.citations,
                  mode=mode)


def is_about_deadlines(q: Question) -> bool:
    return q.answer_type == "date" or bool(re.search(r"\b(thoi han|moc thoi gian|han)\b", fold(q.text)))


# Words that ask for a deadline or frame a comparison, not what it is about (folded syllables)
_WHEN_WORDS = frozenset("thoi han moc gian hoan thanh khi nao bao gio ngay thang luc xong cham nhat tien do so sanh "
                        "khac nhau giong the moi ben ve cua cu dung nao gi".split()) | frozenset(
    # the kinds of document a side is named by ("CV về KL183", "Chương trình KL121"): its scope, not its topic
    "cv cong van chuong trinh ctr ke hoach kh ket luan kl nghi quyet nq thong bao tb van ban".split())


def deadline_topic(q: Question) -> tuple[str, ...]:
    """What a deadline comparison is about, beyond asking the deadlines ("thời hạn hợp nhất Ban Tuyên giáo và Ban
    Dân vận": "hợp nhất", "tuyên giáo", ...): empty for "khác nhau thế nào về thời hạn?", which asks them all."""
    return tuple(t for t in q.content if "_" not in t and t not in _WHEN_WORDS and not re.search(r"\d", t))
