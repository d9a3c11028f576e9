"""Duties: who must do what, by when — extracted at indexing time, queried by unit and time window.

Extraction walks the section tree. A unit comes from wherever the document states it:
- a heading that names units ("5. Giao Ban Tổ chức Thành ủy" covers items (1)-(4); "1. Ban Tổ chức Tỉnh ủy");
- a label block ("Phân công thực hiện: Giao X:" assigns the bullets under it; "Phân công thực hiện: Ban Tổ chức
  Đảng ủy" with nothing under it assigns the block it closes);
- the subject of the task sentence ("Ban Tổ chức Thành ủy chủ trì, phối hợp với Y ..."; "X yêu cầu / giao cho Y").
Units after "phối hợp (với)" are supporting units; a unit that only receives a report ("báo cáo Thường trực Thành
ủy (qua Ban Tổ chức Thành ủy)") or is directed ("Chỉ đạo Ủy ban nhân dân thành phố ...") gets no duty.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .deadlines import Deadline, find_deadlines, format_date, next_occurrence, occurrences, parse_deadline
from .citations import lead_sources
from .models import Answer, Chunk, Citation, Section
from .normalize import canonical, fold, match_key
from .units import UnitMention, find_units, match_unit

log = logging.getLogger(__name__)

ACTION_MAX = 700  # long enough to keep the deadline phrase of most items (answers quote it)
_LABEL_PREFIX = re.compile(
    r"^(Phân công thực hiện|Phân công nhiệm vụ|Nhiệm vụ và giải pháp(?: chủ yếu)?|Nhiệm vụ, giải pháp)\s*:?\s*", re.I
)
_LEAD_PREFIX = re.compile(r"^\s*(?:[-–•+]\s*)?(?:giao(?: cho)?\s+)?", re.I)
_GAP_OK = re.compile(r"^[\s,;]*(?:(?:và|cùng|các|địa phương|tổ chức đảng)[\s,;]*)*$", re.I)
_GAP_COMMA_OK = re.compile(r"^\s*[,;][\s,;]*(?:(?:và|các|địa phương|lãnh đạo|tổ chức đảng)[\s,;]*)*$", re.I)
_HANDOVER = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:yêu cầu|giao cho|giao)\s+", re.I)
_SUPPORT_RE = re.compile(r"phối hợp(?: chặt chẽ)?(?: với)?\s+(?!giữa)", re.I)
_SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+(?=\S)")
_LEVEL_WORDS = {"Thành ủy", "Tỉnh ủy", "Huyện ủy", "Đảng ủy", "Thị ủy"}
_BARE_QUALIFY = ("Ủy ban Kiểm tra", "Các đồng chí Ủy viên Ban Thường vụ", "Ban Tổ chức", "Ban Tuyên giáo và Dân vận",
                 "Văn phòng", "Ban Thường vụ")


@dataclass
class Duty:
    """One task of one document: lead and supporting units, the action, the deadline and where it is written."""

    id: str
    doc: str
    chunk_id: str | None
    section: str  # section path joined with " > "
    units_lead: list[str] = field(default_factory=list)
    units_support: list[str] = field(default_factory=list)
    action: str = ""
    deadline: Deadline | None = None
    deadline_text: str = ""
    page: int | None = None
    doc_title: str = ""

    @property
    def unit_keys(self) -> set[str]:
        """Accent-free keys of the duty's units, computed once (questions compare against them)."""
        keys = self.__dict__.get("_unit_keys")
        if keys is None:
            keys = self.__dict__["_unit_keys"] = {match_key(u) for u in self.units}
        return keys

    @property
    def units(self) -> list[str]:
        """Lead then supporting units."""
        return list(dict.fromkeys(self.units_lead + self.units_support))

    @property
    def due(self) -> date | None:
        """Due date, if the deadline gives one."""
        return self.deadline.due if self.deadline else None

    @property
    def recurring(self) -> bool:
        """True for a monthly deadline."""
        return bool(self.deadline and self.deadline.recurrence)

    def to_dict(self) -> dict:
        """JSON-ready dict; `from_dict` reads it back."""
        return {
            "id": self.id, "doc": self.doc, "chunk_id": self.chunk_id, "section": self.section,
            "units_lead": list(self.units_lead), "units_support": list(self.units_support), "action": self.action,
            "deadline": self.deadline.to_dict() if self.deadline else None, "deadline_text": self.deadline_text,
            "page": self.page, "doc_title": self.doc_title,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Duty":
        """Inverse of `to_dict`."""
        return cls(
            id=data["id"], doc=data["doc"], chunk_id=data.get("chunk_id"), section=data.get("section", ""),
            units_lead=list(data.get("units_lead") or []), units_support=list(data.get("units_support") or []),
            action=data.get("action", ""), deadline=Deadline.from_dict(data.get("deadline")),
            deadline_text=data.get("deadline_text", ""), page=data.get("page"), doc_title=data.get("doc_title", ""),
        )


# --- extraction ------------------------------------------------------------------------------------------


@dataclass
class _Subject:
    lead: list[str]
    support: list[str]
    end: int  # where the subject chain (and a "yêu cầu/giao cho" hand-over) ends


def _chain(text: str, mentions: list[UnitMention], first: int) -> tuple[list[UnitMention], int]:
    """Mentions from index `first` joined only by commas, "và", "các", ...: "X, Y và Z"."""
    chain = [mentions[first]]
    i = first + 1
    while i < len(mentions) and (_GAP_OK.match(text[chain[-1].end:mentions[i].start])
                                 or _GAP_COMMA_OK.match(text[chain[-1].end:mentions[i].start])):
        chain.append(mentions[i])
        i += 1
    return chain, i


def _subject(text: str) -> _Subject:
    """Units that are the grammatical subject of a task text, and units after "phối hợp với"."""
    text = canonical(text)
    mentions = find_units(text)
    lead: list[UnitMention] = []
    end = 0
    if mentions:
        start_index = None
        prefix = _LEAD_PREFIX.match(text)
        if mentions[0].start <= (prefix.end() if prefix else 0) + 1:
            start_index = 0
        elif fold(text).startswith("can cu"):
            for i, mention in enumerate(mentions):
                before = text[:mention.start].rstrip()
                if before.endswith(",") and not fold(before).rstrip(", ").endswith(("cua", "theo")):
                    start_index = i
                    break
        if start_index is not None:
            lead, nxt = _chain(text, mentions, start_index)
            end = lead[-1].end
            handover = _HANDOVER.match(text[end:])
            if handover and nxt < len(mentions) and mentions[nxt].start <= end + handover.end() + 1:
                lead, _ = _chain(text, mentions, nxt)
                end = lead[-1].end
    support: list[UnitMention] = []
    for m in _SUPPORT_RE.finditer(text):
        for i, mention in enumerate(mentions):
            if m.end() <= mention.start <= m.end() + 1 and mention not in lead:
                chain, _ = _chain(text, mentions, i)
                support.extend(c for c in chain if c not in lead)
                break
    return _Subject([m.name for m in lead], [m.name for m in support], end)


def _unit_heading(text: str, *, more: bool = True) -> list[str] | None:
    """Lead units when `text` is a heading that only names units ("Giao Ban Tổ chức Thành ủy", "X (đơn vị mới):")."""
    text = canonical(text)
    if not text or len(text) > 220:
        return None
    subject = _subject(text)
    if not subject.lead:
        return None
    rest = re.sub(r"\([^)]*\)", "", text[subject.end:]).strip(" :.*")
    if not rest or (more and rest[:1] in ",;" and "." not in rest.rstrip(".")):
        return subject.lead
    return None


def _segments(paragraphs: list[str]) -> list[tuple[int, str]]:
    """Cut paragraphs into task segments: a new segment at a sentence led by its own unit, at "; giao ...", and
    between clauses that each carry their own dated deadline."""
    out: list[tuple[int, str]] = []
    for index, para in enumerate(paragraphs):
        pieces = [p for p in _SENTENCE_SPLIT.split(para) if p.strip()]
        current: list[str] = []
        current_dated = False
        for piece in pieces:
            dated = any(d.dated for d in find_deadlines(piece))
            prev = current[-1] if current else ""
            sentence_start = prev.endswith(".") and piece[:1].isupper()
            led = bool(_subject(piece).lead) and (sentence_start or fold(piece).startswith("giao"))
            if current and (led or (dated and current_dated)):
                out.append((index, " ".join(current)))
                current, current_dated = [], False
            current.append(piece)
            current_dated = current_dated or dated
        if current:
            out.append((index, " ".join(current)))
    return out


def _merge_broken(paragraphs: list[str]) -> list[str]:
    """Rejoin paragraphs broken mid-sentence by line extraction ("... về tổng kết" + "Nghị quyết số 18 ...")."""
    out: list[str] = []
    for para in paragraphs:
        if out and not re.search(r"[.;:!?)”\"…]\s*$", out[-1]):
            out[-1] = f"{out[-1]} {para}"
        else:
            out.append(para)
    return out


def _short(text: str, limit: int = ACTION_MAX) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _doc_level(root: Section) -> str | None:
    """Level most used by the document's board names ("Đảng ủy" in a Đảng ủy's program), to qualify bare names."""
    counts: dict[str, int] = {}
    for section in root.walk():
        for mention in find_units(" ".join(section.paragraphs)):
            for level in _LEVEL_WORDS:
                if mention.name.endswith(" " + level) and mention.name.startswith(("Ban ", "Ủy ban", "Văn phòng")):
                    counts[level] = counts.get(level, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _qualify(units: list[str], level: str | None) -> list[str]:
    if not level:
        return units
    return list(dict.fromkeys(f"{u} {level}" if u in _BARE_QUALIFY else u for u in units))


def _chunk_for(section: Section, segment: str, chunks: list[Chunk]) -> str | None:
    """Chunk that carries `segment` (a long item is split over several chunks)."""
    probe = match_key(segment[:80])
    by_id = {chunk.id: chunk for chunk in chunks}
    own = by_id.get(section.chunk_id or "")
    if own is not None and probe in match_key(own.text):
        return own.id
    for chunk in chunks:
        if chunk.kind == "item" and probe and probe in match_key(chunk.text):
            if section.chunk_id is None or chunk.id.split("#")[0] == section.chunk_id.split("#")[0]:
                return chunk.id
    return section.chunk_id


def _first_chunk(section: Section) -> str | None:
    for node in section.walk():
        if node.chunk_id:
            return node.chunk_id
    return None


def extract_duties(parsed_doc) -> list[Duty]:
    """Duties of one parsed document (`rag.ingest.ParsedDocument`): one per task segment that has a unit or a
    deadline, with lead and supporting units kept apart."""
    doc = parsed_doc.meta.doc
    title = parsed_doc.meta.display_title
    chunks: list[Chunk] = list(parsed_doc.chunks)
    level = _doc_level(parsed_doc.root)
    duties: list[Duty] = []

    def emit(section: Section, text: str, lead: list[str], support: list[str], *, action: str | None = None,
             chunk_id: str | None = None) -> None:
        deadline = parse_deadline(text) if action is None else None
        lead = _qualify(lead, level)
        support = [u for u in _qualify(support, level) if u not in lead]
        if not lead and not support and deadline is None:
            return
        if not lead and not support and deadline.kind == "text" and fold(deadline.text) in ("thuong xuyen", "dinh ky"):
            return  # "định kỳ" inside an untargeted sentence is not a deadline of anyone
        duties.append(Duty(
            id=f"{doc}#d{len(duties)}", doc=doc,
            chunk_id=chunk_id or _chunk_for(section, text, chunks) or _first_chunk(section),
            section=" > ".join(section.path()), units_lead=lead, units_support=support,
            action=_short(action or text), deadline=deadline, deadline_text=deadline.text if deadline else "",
            page=section.page, doc_title=title,
        ))

    def process(section: Section, context: list[str]) -> None:
        kind = section.kind
        first = section.paragraphs[0] if section.paragraphs else ""
        if kind == "preamble":
            return
        if kind == "label" and fold(first).startswith("muc tieu"):
            return
        if kind == "roman" and fold(first).startswith("muc dich"):
            return
        paragraphs = list(section.paragraphs)
        if kind == "label" and paragraphs:
            paragraphs[0] = _LABEL_PREFIX.sub("", paragraphs[0]).strip()
            if not paragraphs[0]:
                paragraphs = paragraphs[1:]
        own_context = context
        if paragraphs:
            more = len(paragraphs) > 1 or bool(section.children)
            heading_units = _unit_heading(paragraphs[0], more=more)
            if heading_units is not None and (more or kind == "label"):
                own_context = heading_units
                paragraphs = _merge_broken(paragraphs[1:])
                if kind == "label" and not paragraphs and not section.children and section.parent is not None:
                    # "Phân công thực hiện: Ban Tổ chức Đảng ủy" closes a block: the block is the duty.
                    block = section.parent
                    topic = block.paragraphs[0] if block.paragraphs else block.label
                    emit(section, topic, heading_units, [], action=f"{block.marker} {topic}".strip(),
                         chunk_id=section.chunk_id)
            else:
                paragraphs = _merge_broken(paragraphs)
            if heading_units is None and section.heading and section.children and kind != "label":
                # A topic heading ("Đối với các cơ quan Đảng", "Từ năm 2026 trở đi"): not a task of its own,
                # but "X yêu cầu Y ..." in it still names the units of the items below.
                subject = _subject(paragraphs[0])
                if subject.lead:
                    own_context = subject.lead
                paragraphs = paragraphs[1:]
        previous_para, previous_lead = -1, []
        for para_index, segment in _segments(paragraphs):
            subject = _subject(segment)
            if segment.rstrip().endswith(":") and section.children:
                if subject.lead:
                    own_context = subject.lead
                continue
            if para_index != previous_para:
                previous_para, previous_lead = para_index, []
            lead = subject.lead or previous_lead or own_context
            if subject.lead:
                previous_lead = subject.lead
            emit(section, segment, lead, subject.support)
            if subject.lead and section.children and segment is not None:
                own_context = subject.lead
        for child in section.children:
            process(child, own_context)

    for child in parsed_doc.root.children:
        process(child, [])
    log.info("%s: %d duties", doc, len(duties))
    return duties


def duties_from_paths(paths) -> list[Duty]:
    """Load documents (files, or folders of .txt/.pdf/.docx) and extract their duties, without an index."""
    from .ingest import load_document

    files: list[Path] = []
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".pdf", ".docx")))
        else:
            files.append(path)
    duties: list[Duty] = []
    for file in files:
        duties.extend(extract_duties(load_document(file)))
    return duties


def chunks_from_paths(paths) -> list[Chunk]:
    """Chunks of the same documents as `duties_from_paths` (for citations when no index exists)."""
    from .ingest import load_document

    files: list[Path] = []
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(path)
        files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".pdf", ".docx"))
                     if path.is_dir() else [path])
    return [chunk for file in files for chunk in load_document(file).chunks]


# --- queries ---------------------------------------------------------------------------------------------

_DATE_Q = r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}))?"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class DutyQuery:
    """What a duty question asks: units and a time window. Keep it to answer follow-ups ("còn trước 15/8?")."""

    units: list[str] = field(default_factory=list)
    before: date | None = None  # due on or before
    after: date | None = None  # due on or after
    overdue_as_of: date | None = None
    due_soon_as_of: date | None = None  # "đến hạn": due within 7 days
    label: str = ""  # Vietnamese description of the window ("đến 31/8/2025", "trong tháng 8/2025")
    doc: str | None = None
    today: date | None = None

    @property
    def has_window(self) -> bool:
        """True when the question gives a time window."""
        return any(v is not None for v in (self.before, self.after, self.overdue_as_of, self.due_soon_as_of))

    def window(self) -> tuple[date, date] | None:
        """Closed interval [start, end] of the window, open ends filled around the other end / today."""
        if not self.has_window:
            return None
        if self.overdue_as_of:
            return (date(self.overdue_as_of.year - 5, 1, 1), self.overdue_as_of - timedelta(days=1))
        if self.due_soon_as_of:
            return (self.due_soon_as_of, self.due_soon_as_of + timedelta(days=7))
        today = self.today or date.today()
        start = self.after or min(today, self.before or today)
        end = self.before or max(start, today) + timedelta(days=31)
        if self.before and not self.after:
            start = today if today <= self.before else self.before - timedelta(days=30)
        return (start, end)


def _mk_date(day: str, month: str, year: str | None, today: date) -> date | None:
    try:
        return date(int(year) if year else today.year, int(month), int(day))
    except ValueError:
        return None


def parse_duty_query(question: str, *, known_units, today: date) -> DutyQuery | None:
    """Units and time window of a duty question, with or without diacritics; None when it names neither.

    Recognises "trước 31/8/2025", "trước ngày 15/8" (this year), "sau 1/9/2025", "từ 1/8 đến 31/8/2025",
    "trong tháng 8/2025", "quý I/2025", "quá hạn", "đến hạn".
    """
    from .deadlines import end_of_month

    units = match_unit(question, known_units)
    q = fold(canonical(question))
    query = DutyQuery(units=units, today=today)
    if m := re.search(r"tu\s+(?:ngay\s+)?" + _DATE_Q + r"\s+den\s+(?:het\s+)?(?:ngay\s+)?" + _DATE_Q, q):
        query.after = _mk_date(m.group(1), m.group(2), m.group(3) or m.group(6), today)
        query.before = _mk_date(m.group(4), m.group(5), m.group(6), today)
        if query.after and query.before:
            query.label = f"từ {format_date(query.after)} đến {format_date(query.before)}"
    elif m := re.search(r"(?:truoc|den|cham nhat|han)\s+(?:het\s+)?(?:ngay\s+)?" + _DATE_Q, q):
        query.before = _mk_date(m.group(1), m.group(2), m.group(3), today)
        if query.before:
            query.label = f"có hạn đến {format_date(query.before)}"
    elif m := re.search(r"sau\s+(?:ngay\s+)?" + _DATE_Q, q):
        query.after = _mk_date(m.group(1), m.group(2), m.group(3), today)
        if query.after:
            query.label = f"có hạn từ {format_date(query.after)}"
    elif m := re.search(r"thang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?", q):
        month, year = int(m.group(1)), int(m.group(2) or today.year)
        if 1 <= month <= 12:
            query.after, query.before = date(year, month, 1), end_of_month(year, month)
            query.label = f"trong tháng {month}/{year}"
    elif m := re.search(r"quy\s+(iv|iii|ii|i|[1-4])\b(?:\s*(?:/|nam)\s*(\d{4}))?", q):
        quarter, year = _ROMAN[m.group(1)], int(m.group(2) or today.year)
        query.after, query.before = date(year, quarter * 3 - 2, 1), end_of_month(year, quarter * 3)
        query.label = f"trong Quý {['I', 'II', 'III', 'IV'][quarter - 1]}/{year}"
    elif re.search(r"\bqua han\b|\btre han\b", q):
        query.overdue_as_of = today
        query.label = f"đã quá hạn (tính đến {format_date(today)})"
    elif re.search(r"\bden han\b|\bsap den han\b|\bsap het han\b", q):
        query.due_soon_as_of = today
        query.label = f"đến hạn trong 7 ngày tới (từ {format_date(today)})"
    if not query.units and not query.has_window:
        return None
    return query


def select_duties(duties, query: DutyQuery) -> list[Duty]:
    """Every duty of the query's units (lead or support) in its window; recurring duties are in when one of their
    occurrences falls in the window; a duty without a date only when no window is given. Sorted by date.
    `duties` is a list of Duty or a `DutyTable` (the index's; see `DutyTable.select`)."""
    return as_table(duties).select(query)[0]


def as_table(duties) -> "DutyTable":
    """The duties as a DutyTable (an index's table as it is; a list wrapped)."""
    from .duty_table import DutyTable

    return duties if isinstance(duties, DutyTable) else DutyTable.from_duties(list(duties))


def deadline_label(duty: Duty) -> str:
    """Deadline as shown in answers: "31/8/2025", "16 giờ, ngày 23 hằng tháng (định kỳ hằng tháng, ngày 23)"."""
    deadline = duty.deadline
    if deadline is None:
        return "không ghi hạn"
    if deadline.recurrence:
        return f"{deadline.display()} (định kỳ hằng tháng, ngày {deadline.day})"
    return deadline.display()


MAX_LISTED = 40  # an answer lists at most this many duties (a unit of a large archive has thousands)


def answer_from_duties(question: str, *, duties, chunks_by_id, today: date | None = None,
                       context: DutyQuery | None = None, limit: int = MAX_LISTED) -> Answer | None:
    """Answer a "who must do what by when" question from the duty list, with one citation per source chunk.

    Returns None when the question names no known unit and no time window (the retrieval answer is used instead).
    `context` (the previous question's DutyQuery) supplies the unit for follow-ups like "còn trước 15/8 thì sao?".
    """
    today = today or date.today()
    table = as_table(duties)
    query = parse_duty_query(question, known_units=table.known_units, today=today)
    if query is None:
        return None
    if not query.units and context is not None and context.units:
        query.units = list(context.units)
    if not query.units and not query.has_window:
        return None
    selected, total = table.select(query, limit=limit)
    who = ", ".join(query.units) if query.units else "các đơn vị"
    when = f" {query.label}" if query.label else ""
    if not selected:
        text = f"Không tìm thấy nhiệm vụ nào của {who}{when} trong các văn bản đã nạp."
        return Answer(question=question, answer=text, abstained=True, citations=[], mode="duties")
    asks_when = bool(_ASKS_WHEN.search(fold(question)))
    no_date = asks_when and not any(d.deadline is not None and (d.deadline.dated or d.recurring) for d in selected)
    citations: list[Citation] = []
    number: dict[str, int] = {}
    lines: list[str] = []
    for duty in selected:
        ref = ""
        chunk = chunks_by_id.get(duty.chunk_id or "")
        if chunk is not None:
            if chunk.id not in number:
                number[chunk.id] = len(citations) + 1
                citations.append(Citation(n=number[chunk.id], chunk_id=chunk.id, doc=chunk.doc, title=chunk.doc_title,
                                          section=chunk.section, page=chunk.page, text=chunk.text, score=1.0))
            ref = f" [{number[chunk.id]}]"
        role = ""
        if query.units and not {match_key(u) for u in query.units} & {match_key(u) for u in duty.units_lead}:
            role = " (phối hợp)"
        owner = "" if query.units else f"{', '.join(duty.units_lead) or 'Không ghi đơn vị'}: "
        lines.append(f"- {owner}{duty.action}{role} — hạn: {deadline_label(duty)}{ref}")
    sources = list(dict.fromkeys(
        (chunks_by_id[d.chunk_id].doc_title if d.chunk_id in chunks_by_id else (d.doc_title or d.doc)) for d in selected
    ))
    sources = [lead_sources(sources)]
    if no_date:
        # The question asks "by when?" and the documents set no date for this unit: say so, list what they say.
        head = (f"Các văn bản đã nạp không nêu thời hạn cho nhiệm vụ của {who}. "
                f"Các nhiệm vụ được giao (không ghi hạn), theo {'; '.join(sources)}:")
        return Answer(question=question, answer="\n".join([head, *lines]), abstained=True, citations=citations,
                      mode="duties")
    head = f"Nhiệm vụ của {who}{when} ({total} nhiệm vụ), theo {'; '.join(sources)}:"
    if total > len(selected):
        lines.append(f"- … và {total - len(selected)} nhiệm vụ khác (có hạn muộn hơn). Hãy hỏi theo khoảng thời gian "
                     f"(ví dụ \"trước 31/12/2025\") hoặc xem đủ danh sách ở thẻ \"Nhiệm vụ\".")
    return Answer(question=question, answer="\n".join([head, *lines]), abstained=False, citations=citations,
                  mode="duties")


_ASKS_WHEN = re.compile(r"\b(ngay nao|khi nao|bao gio|thoi han|han chot|han nao|luc nao|thoi gian nao)\b")


# --- evaluation ------------------------------------------------------------------------------------------


def _unit_key(unit: str | None) -> str:
    return match_key(unicodedata.normalize("NFC", unit)) if unit else ""


def duty_pairs(duties: list[Duty]) -> set[tuple[str, str, str | None]]:
    """(doc, unit key, due ISO) for every unit of every duty; "" as unit for duties without one."""
    pairs: set[tuple[str, str, str | None]] = set()
    for duty in duties:
        due = duty.due.isoformat() if duty.due else None
        for unit in duty.units or [""]:
            pairs.add((duty.doc, _unit_key(unit), due))
    return pairs


def score_duties(duties: list[Duty], gold: list[dict]) -> dict:
    """Precision, recall and F1 of extracted (doc, canonical unit, due date) pairs against a gold list.

    Only documents present in the gold list are scored. Returns counts and the unmatched pairs for inspection.
    """
    gold_pairs = {(g["doc"], _unit_key(g.get("unit")), g.get("deadline")) for g in gold}
    docs = {g["doc"] for g in gold}
    predicted = {p for p in duty_pairs(duties) if p[0] in docs}
    tp = len(predicted & gold_pairs)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold_pairs) if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision, "recall": recall, "f1": f1, "true_positive": tp,
        "predicted": len(predicted), "gold": len(gold_pairs),
        "false_positive": sorted(predicted - gold_pairs, key=str), "false_negative": sorted(gold_pairs - predicted, key=str),
    }


def load_gold(path: str | Path) -> list[dict]:
    """Read a JSONL gold list (one duty per line)."""
    import json

    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows
