"""Duty extraction: who must do what, by when, found in a document's section tree at indexing time.

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
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from ..documents.ingest import collect_files, load_document
from ..documents.models import Chunk, Section
from ..text.deadlines import find_deadlines, parse_deadline
from ..text.normalize import canonical, fold, match_key
from ..text.units import UnitMention, canonical_unit, find_units
from .model import Duty

log = logging.getLogger(__name__)

ACTION_MAX = 700  # long enough to keep the deadline phrase of most items (answers quote it)
_LABEL_PREFIX = re.compile(
    r"^(Phân công thực hiện|Phân công nhiệm vụ|Nhiệm vụ và giải pháp(?: chủ yếu)?|Nhiệm vụ, giải pháp)\s*:?\s*", re.I
)
_LEAD_PREFIX = re.compile(r"^\s*(?:[-–•+]\s*)?(?:giao(?: cho)?\s+)?", re.I)
_GAP_OK = re.compile(r"^[\s,;]*(?:(?:và|cùng|các|địa phương|tổ chức đảng)[\s,;]*)*$", re.I)
_GAP_COMMA_OK = re.compile(r"^\s*[,;][\s,;]*(?:(?:và|các|địa phương|lãnh đạo|tổ chức đảng)[\s,;]*)*$", re.I)
_HANDOVER = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:yêu cầu|giao cho|giao)\s+", re.I)
# The document's own issuer does not do what it asks of others: "Ban Chấp hành Đảng bộ huyện lãnh đạo Ban Thường vụ
# Huyện ủy ..." is a duty of the Ban Thường vụ (the domain notes: the doers are the addressees).
_ISSUER_HANDOVER = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:yêu cầu|giao cho|giao|lãnh đạo|chỉ đạo|đề nghị)\s+", re.I)
_ISSUER: ContextVar[str | None] = ContextVar("issuer", default=None)
_SUPPORT_RE = re.compile(r"phối hợp(?: chặt chẽ)?(?: với)?\s+(?!giữa)", re.I)
_SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+(?=\S)")
_LEVEL_WORDS = {"Thành ủy", "Tỉnh ủy", "Huyện ủy", "Đảng ủy", "Thị ủy"}
_BARE_QUALIFY = ("Ủy ban Kiểm tra", "Các đồng chí Ủy viên Ban Thường vụ", "Ban Tổ chức", "Ban Tuyên giáo và Dân vận",
                 "Văn phòng", "Ban Thường vụ")


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
            issuer = _ISSUER.get()
            by_issuer = issuer is not None and [m.name for m in lead] == [issuer]
            handover = (_ISSUER_HANDOVER if by_issuer else _HANDOVER).match(text[end:])
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
            # _subject (finding units) only where a lead could start: it is most of the cost on "a; b; c; ..."
            led = (sentence_start or fold(piece).startswith("giao")) and bool(_subject(piece).lead)
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


class _ChunkKeys:
    """The chunks of one document with their match keys, computed once (recomputing them for every duty made
    extraction quadratic in the document's length)."""

    def __init__(self, chunks: list[Chunk]):
        self.chunks = chunks
        self.position = {chunk.id: i for i, chunk in enumerate(chunks)}
        self._keys: dict[int, str] = {}

    def key(self, i: int) -> str:
        if i not in self._keys:
            self._keys[i] = match_key(self.chunks[i].text)
        return self._keys[i]


def _chunk_for(section: Section, segment: str, chunks: _ChunkKeys) -> str | None:
    """Chunk that carries `segment` (a long item is split over several chunks, which follow its first one)."""
    probe = match_key(segment[:80])
    own = chunks.position.get(section.chunk_id or "")
    if own is not None and probe in chunks.key(own):
        return section.chunk_id
    # Near its own chunk only (200 either side: the whole document for every one of the corpus's).
    near = own if own is not None else 0
    order = range(max(0, near - 200), min(len(chunks.chunks), near + 200))
    for i in order:
        chunk = chunks.chunks[i]
        if chunk.kind == "item" and probe and probe in chunks.key(i):
            if section.chunk_id is None or chunk.id.split("#")[0] == section.chunk_id.split("#")[0]:
                return chunk.id
    return section.chunk_id


def _first_chunk(section: Section) -> str | None:
    for node in section.walk():
        if node.chunk_id:
            return node.chunk_id
    return None


def extract_duties(parsed_doc) -> list[Duty]:
    """Duties of one parsed document (`rag.documents.ingest.ParsedDocument`): one per task segment that has a unit or a
    deadline, with lead and supporting units kept apart."""
    token = _ISSUER.set(canonical_unit(parsed_doc.meta.issuer) if parsed_doc.meta.issuer else None)
    try:
        return _extract(parsed_doc)
    finally:
        _ISSUER.reset(token)


def _document_start(meta) -> date | None:
    """The earliest day a document's recurring duties can fall on: its own date, else the date of what it
    implements (a letter implementing a conclusion of 01/8/2025 cannot ask for reports before that)."""
    if meta.date:
        return date.fromisoformat(meta.date)
    found = [date(int(y), int(m), int(d)) for d, m, y in re.findall(r"ngày (\d{1,2})/(\d{1,2})/(\d{4})", meta.title or "")
             if 1 <= int(m) <= 12 and 1 <= int(d) <= 31]
    return max(found) if found else None


def _extract(parsed_doc) -> list[Duty]:
    doc = parsed_doc.meta.doc
    title = parsed_doc.meta.display_title
    chunks = _ChunkKeys(list(parsed_doc.chunks))
    level = _doc_level(parsed_doc.root)
    starts_on = _document_start(parsed_doc.meta)
    duties: list[Duty] = []

    def emit(section: Section, text: str, lead: list[str], support: list[str], *, action: str | None = None,
             chunk_id: str | None = None) -> None:
        deadline = parse_deadline(text) if action is None else None
        if deadline is not None and deadline.recurrence and deadline.start is None and starts_on is not None:
            deadline.start = starts_on
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
    """Duties of documents read directly from files or folders (`rag duties --corpus`), without an index."""
    return [duty for file in collect_files(paths) for duty in extract_duties(load_document(file))]
