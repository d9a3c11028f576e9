"""Answers from the duty table: "who must do what by when", every duty of the asked unit and window, each cited.

A question goes here when it asks for a unit's duties or deadlines (`Question.asks_duties`) and names a known unit
or a time window, and is not about one specific task: with more than two topic words left once units, places,
duty words, dates and numbers are removed ("... phải hoàn thành các hướng dẫn được giao trước ngày nào?"),
retrieval finds that item and quotes its deadline instead of listing the unit's whole table.
"""

from __future__ import annotations

import re

from ..duties.model import deadline_label
from ..duties.query import DutyQuery
from ..text.normalize import match_key, tokenize
from ..text.units import is_generic
from .citations import CitationList, lead_sources
from .models import Answer
from .question import QUESTION_WORDS, Question

MAX_LISTED = 40  # an answer lists at most this many duties (a unit of a large archive has thousands)

# Words of a duty question that are about the duty table itself, not about a topic (folded forms).
_DUTY_WORDS = frozenset("""phai lam gi nhiem vu duoc giao cong viec nhung viec trach nhiem chu tri phoi hop thoi han han
    chot den qua truoc sau ngay thang quy nam hoan thanh can trong tu cho theo van ban nao cac la nhu the cu the
    thanh pho tinh huyen cong van chuong trinh hanh dong ke hoach ket luan nghi quyet trien khai
    thuc hien cv ctr kh kl nq khac nhau so sanh giong ra sao hom nay gio toi xong luu y chu moc lo hang moi dinh ky
    uy""".split())


def topic_words(question: Question, units: list[str], places: set[str] = frozenset()) -> list[str]:
    """Content syllables of a question left after removing its units, the places of the indexed documents
    (they qualify a unit: "Ban Tổ chức Thành ủy Hải Phòng"), duty words, dates and numbers."""
    unit_tokens = {t for unit in units for t in tokenize(unit, bigrams=False)} | set(places)
    return [
        t for t in question.syllables
        if t not in unit_tokens and t not in _DUTY_WORDS and t not in QUESTION_WORDS
        and not re.fullmatch(r"[\d/.\-ivx]+", t)
    ]


def duty_query_for(question: Question, previous: DutyQuery | None, places: set[str],
                   issuers: set[str] = frozenset()) -> DutyQuery | None:
    """The duty query a question asks, or None when the duty table does not answer it: it asks no duty (and does
    not follow a duty question), names no known unit and no window, or is about one specific task. A follow-up
    without a unit keeps the previous question's units. `issuers`: the words of the issuers of the documents the
    question is restricted to ("ĐB các cơ quan Đảng TP có những hạn nào?" asks that programme's deadlines; "cơ
    quan" is no topic)."""
    follow_up = previous is not None and question.follow_up
    # "những nội dung nào ... thực hiện từ năm 2025?": a start as written in duties asks for those duties
    starts = question.window is not None and question.window.starts_in is not None
    if not (question.asks_duties or follow_up or starts):
        return None
    query = question.duty_query()
    if query is None:
        return None
    if question.cited_only and not follow_up:
        # "Hạn chót để ĐU UBND TP xây dựng CTr thực hiện NQ 17-NQ/TU là ngày nào?": a document known only where it
        # is cited names one task, found in the passages citing it; the unit's whole table is not its answer
        return None
    if (not follow_up or question.names_its_item) and \
            len(topic_words(question, query.units, set(places) | set(issuers))) > 2:
        return None
    if not query.units and follow_up and previous.units:
        query.units = list(previous.units)
    return query


_GENERAL = re.compile(r"\b(ke ca|bao gom|ca) (cac )?nhiem vu chung\b")


def with_general_duties(question: Question, query: DutyQuery, duties) -> list[str]:
    """"... kể cả nhiệm vụ chung": the addressee groups ("Các cấp ủy", "Các cơ quan, đơn vị") of the documents where
    the asked units have duties join the query; returns the groups added (their lines are marked general)."""
    if not query.units or not _GENERAL.search(question.readings[0] if question.readings else question.folded):
        return []
    own, _ = duties.select(DutyQuery(units=list(query.units), docs=query.docs, today=query.today))
    docs = sorted({d.doc for d in own})
    groups = [u for u in duties.known_units if is_generic(u) and match_key(u).startswith(_GROUPS)]
    added = [g for g in groups if duties.select(DutyQuery(units=[g], docs=docs), limit=1)[0]]
    query.units = list(query.units) + added
    if query.docs is None:
        query.docs = docs  # the groups' duties in the documents that give the unit its own
    return added


# Addressee groups that apply to every unit of their kind (shared/domain-notes.md).
_GROUPS = ("cac cap uy", "cac co quan, don vi", "cac co quan don vi", "cac ban, so, nganh", "cac ban so nganh")


def answer_from_duties(question: Question, query: DutyQuery, *, duties, chunks_by_id,
                       limit: int = MAX_LISTED) -> Answer:
    """Answer a duty query from the duty table, with one citation per source chunk (first use numbered first)."""
    general = with_general_duties(question, query, duties)
    selected, total = duties.select(query, limit=limit)
    who = ", ".join(u for u in query.units if u not in general) if query.units else "các đơn vị"
    if general:
        who += " (kể cả nhiệm vụ chung của " + ", ".join(general) + ")"
    when = f" {query.label}" if query.label else ""
    if not selected:
        text = f"Không tìm thấy nhiệm vụ nào của {who}{when} trong các văn bản đã nạp."
        if query.units and query.window is not None and "window" in question.inherited:
            # Nothing in that window: say so, then what the unit is given at any time (a follow-up that changes the
            # unit keeps the window, and "nothing" alone would hide the unit's tasks).
            anytime = DutyQuery(units=list(query.units), docs=query.docs, today=query.today)
            other = answer_from_duties(question, anytime, duties=duties, chunks_by_id=chunks_by_id, limit=limit)
            if not other.abstained:
                lines = other.answer.split("\n", 1)
                head = lines[0].replace(f"Nhiệm vụ của {who}", f"Các nhiệm vụ của {who} (mọi thời hạn)", 1)
                return Answer(question=question.text, answer=f"{text}\n{head}\n{lines[1] if len(lines) > 1 else ''}".rstrip(),
                              abstained=False, citations=other.citations, mode="duties")
        return Answer(question=question.text, answer=text, abstained=True, citations=[], mode="duties")
    no_date = question.asks_date and not any(d.deadline is not None and (d.deadline.dated or d.recurring)
                                             for d in selected)
    cites = CitationList()
    lines: list[str] = []
    asked = {match_key(u) for u in query.units}
    for duty in selected:
        chunk = chunks_by_id.get(duty.chunk_id or "")
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        role = " (phối hợp)" if query.units and not asked & {match_key(u) for u in duty.units_lead} else ""
        if general and {match_key(u) for u in general} & {match_key(u) for u in duty.units}:
            role = f" (nhiệm vụ chung: {', '.join(duty.units_lead)})"
        owner = "" if query.units else f"{', '.join(duty.units_lead) or 'Không ghi đơn vị'}: "
        lines.append(f"- {owner}{duty.action}{role} — hạn: {deadline_label(duty)}{ref}")
    sources = lead_sources(list(dict.fromkeys(
        (chunks_by_id[d.chunk_id].doc_title if d.chunk_id in chunks_by_id else (d.doc_title or d.doc)) for d in selected
    )))
    if no_date:
        # The question asks "by when?" and the documents set no date for this unit: say so, list what they say.
        head = (f"Các văn bản đã nạp không nêu thời hạn cho nhiệm vụ của {who}. "
                f"Các nhiệm vụ được giao (không ghi hạn), theo {sources}:")
        return Answer(question=question.text, answer="\n".join([head, *lines]), abstained=True,
                      citations=cites.citations, mode="duties")
    head = f"Nhiệm vụ của {who}{when} ({total} nhiệm vụ), theo {sources}:"
    if total > len(selected):
        lines.append(f"- … và {total - len(selected)} nhiệm vụ khác (có hạn muộn hơn). Hãy hỏi theo khoảng thời gian "
                     f"(ví dụ \"trước 31/12/2025\") hoặc xem đủ danh sách ở thẻ \"Nhiệm vụ\".")
    return Answer(question=question.text, answer="\n".join([head, *lines]), abstained=False,
                  citations=cites.citations, mode="duties")


# "... phải làm gì về PCTN?", "... phụ trách những việc gì liên quan đảng viên?": the topic a unit's tasks are asked
# about, as the phrase after "liên quan (đến)" / "về" up to a scope ("trong CTr ...", "theo CV ...") or the end.
_TOPIC_AFTER = re.compile(r"\b(?:lien quan(?: den| toi)?|(?<!ve )ve(?: viec| cong tac| linh vuc| van de)?)\s+"
                          r"(?P<topic>[a-z0-9 ,\-]+?)\s*(?:\b(?:trong|theo|tai|o|cua|thi|nhu the nao|ra sao)\b|[?.;]|$)")
MAX_TOPICAL = 4  # the unit's tasks on the topic added to a retrieval answer, at most


def topic_phrase(question: Question) -> str | None:
    """The topic phrase of a unit's tasks question (folded, two syllables or more), None when it names none."""
    reading = question.readings[0] if question.readings else question.folded
    m = _TOPIC_AFTER.search(reading)
    if not m:
        return None
    words = match_key(m.group("topic")).split()
    return " ".join(words) if len(words) >= 2 else None


def topical_duties(question: Question, *, duties, docs: list[str] | None) -> list:
    """The asked units' duties whose action holds the question's topic phrase, as written ("đảng viên"): the
    passages retrieval quotes for "những việc gì liên quan đảng viên" hold one of them, the duty table all."""
    phrase = topic_phrase(question)
    units = [u for u in question.units if not is_generic(u)]
    if not phrase or not units or "tasks" not in question.answer_types:
        return []
    selected, _ = duties.select(DutyQuery(units=units, docs=docs, today=question.today), limit=MAX_LISTED)
    return [d for d in selected if f" {phrase} " in f" {match_key(d.action)} "
            and {match_key(u) for u in d.units_lead} & {match_key(u) for u in units}]
