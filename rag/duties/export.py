"""Exports of a duty list: plain-text table, JSON, CSV, XLSX (openpyxl) and ICS (icalendar), with a status as of
a date ("quá hạn", "đến hạn trong 7 ngày", "còn hạn", "không có hạn", "đã hoàn thành")."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import date, datetime, time, timedelta

from ..text.deadlines import next_occurrence
from ..errors import InputError
from .model import Duty, deadline_label

log = logging.getLogger(__name__)

STATUS_OVERDUE = "quá hạn"
STATUS_SOON = "đến hạn trong 7 ngày"
STATUS_LATER = "còn hạn"
STATUS_NONE = "không có hạn"
STATUS_DONE = "đã hoàn thành"
COLUMNS = ["Đơn vị chủ trì", "Đơn vị phối hợp", "Nhiệm vụ", "Hạn", "Ngày hạn", "Trạng thái", "Văn bản", "Mục", "Trang"]


def duty_status(duty: Duty, as_of: date) -> str:
    """Status of a duty on `as_of`: overdue, due within 7 days, later, no date, or done (Vietnamese labels)."""
    deadline = duty.deadline
    if deadline is None or (not deadline.dated and not deadline.done):
        return STATUS_NONE
    if deadline.done:
        return STATUS_DONE
    when = next_occurrence(deadline, as_of) if deadline.recurrence else deadline.due
    if when is None:
        return STATUS_NONE
    if when < as_of:
        return STATUS_OVERDUE
    if when <= as_of + timedelta(days=7):
        return STATUS_SOON
    return STATUS_LATER


SUMMARY_CHARS = 120  # calendar titles: Outlook and Google show about this much in a day cell's tooltip
_SENTENCE_END = re.compile(r"(?<=[.;:])\s")


def full_section_path(section: str, text: str) -> str:
    """The section path with its last step whole: that step names the item by its first words cut with "…"
    ("(1) Tiếp tục rà soát, tham mưu tăng cường, bổ sung cán bộ lãnh…"); it is completed from the item's own text
    up to the end of its first sentence, so an export or a card never shows a path cut mid-phrase."""
    steps = (section or "").split(" > ")
    last = steps[-1]
    if not last.endswith("…"):
        return section or ""
    head = last[:-1].rstrip()
    marker, _, words = head.partition(" ")
    body = " ".join((text or "").split())
    if body.startswith(head):
        rest, prefix = body, ""
    elif words and body.startswith(words):
        rest, prefix = body, marker + " "
    else:
        return section
    cut = next((m.start() for m in _SENTENCE_END.finditer(rest) if m.start() >= len(head) - len(prefix)), None)
    steps[-1] = prefix + (rest[:cut] if cut else rest)
    return " > ".join(steps)


def calendar_title(text: str, limit: int = SUMMARY_CHARS) -> str:
    """`text` cut at a word boundary to at most `limit` characters (plus "…" when cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.-– ")
    return (cut or text[:limit]) + "…"


def _row(duty: Duty, as_of: date) -> list:
    due = duty.due.isoformat() if duty.due else ""
    return ["; ".join(duty.units_lead), "; ".join(duty.units_support), duty.action, deadline_label(duty), due,
            duty_status(duty, as_of), duty.doc_title or duty.doc, full_section_path(duty.section, duty.action),
            duty.page or ""]


def to_table(duties: list[Duty], *, as_of: date) -> str:
    """Plain-text table, one block per duty (readable in a terminal)."""
    lines = [f"{len(duties)} nhiệm vụ (trạng thái tính đến {as_of.day}/{as_of.month}/{as_of.year})"]
    for i, duty in enumerate(duties, 1):
        lead = "; ".join(duty.units_lead) or "(không ghi đơn vị)"
        support = f" | phối hợp: {'; '.join(duty.units_support)}" if duty.units_support else ""
        lines.append(f"{i:>3}. [{duty_status(duty, as_of)}] {lead}{support}")
        lines.append(f"     Hạn: {deadline_label(duty)}")
        lines.append(f"     {duty.action}")
        lines.append(f"     Nguồn: {duty.doc} > {duty.section}")
    return "\n".join(lines) + "\n"


def to_json(duties: list[Duty], *, as_of: date) -> str:
    """JSON list of `Duty.to_dict()` plus a "status" field."""
    return json.dumps([{**d.to_dict(), "status": duty_status(d, as_of)} for d in duties], ensure_ascii=False, indent=2)


def to_csv(duties: list[Duty], *, as_of: date) -> str:
    """CSV with a header row (UTF-8; Excel opens it with the BOM added by `write_export`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for duty in duties:
        writer.writerow(_row(duty, as_of))
    return buffer.getvalue()


XLSX_WIDTHS = (30, 30, 80, 30, 12, 20, 40, 50, 7)


def to_xlsx(duties: list[Duty], *, as_of: date) -> bytes:
    """An XLSX workbook with one sheet "Nhiệm vụ": bold frozen header with a filter, set column widths, wrapped
    text aligned to the top (a long task stays readable in its cell)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Nhiệm vụ"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for duty in duties:
        sheet.append(_row(duty, as_of))
    for column, width in zip("ABCDEFGHI", XLSX_WIDTHS):
        sheet.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_ics(duties: list[Duty], *, as_of: date) -> bytes:
    """iCalendar: one all-day VEVENT per dated duty; monthly ones recur (RRULE FREQ=MONTHLY;BYMONTHDAY=n)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//rag duties//vi//")
    calendar.add("version", "2.0")
    for duty in duties:
        deadline = duty.deadline
        if deadline is None or not deadline.dated:
            continue
        event = Event()
        event.add("uid", f"{duty.id}@rag-duties")
        unit = ", ".join(duty.units_lead) or "Không ghi đơn vị"
        event.add("summary", calendar_title(f"{unit}: {duty.action}"))
        source = f"Nguồn: {duty.doc_title or duty.doc} — {full_section_path(duty.section, duty.action)}" + \
            (f", trang {duty.page}" if duty.page else "")
        event.add("description", f"{duty.action}\nHạn: {deadline_label(duty)}\n{source}")
        event.add("dtstamp", datetime.combine(as_of, time(0, 0)))
        if deadline.recurrence == "monthly":
            first = next_occurrence(deadline, deadline.start or as_of) or as_of
            if deadline.time:
                hour, minute = (int(x) for x in deadline.time.split(":"))
                event.add("dtstart", datetime.combine(first, time(hour, minute)))
            else:
                event.add("dtstart", first)
            event.add("rrule", {"freq": "monthly", "bymonthday": deadline.day})
        else:
            event.add("dtstart", deadline.due)
            event.add("dtend", deadline.due + timedelta(days=1))
        calendar.add_component(event)
    return calendar.to_ical()


FORMATS = {"table": to_table, "json": to_json, "csv": to_csv, "xlsx": to_xlsx, "ics": to_ics}


def export_duties(duties: list[Duty], fmt: str, *, as_of: date) -> str | bytes:
    """Render duties in one of FORMATS ("table", "json", "csv", "xlsx", "ics")."""
    if fmt not in FORMATS:
        raise InputError("export_format", fmt=fmt, formats=", ".join(FORMATS))
    return FORMATS[fmt](duties, as_of=as_of)


def write_export(duties: list[Duty], fmt: str, path: str, *, as_of: date) -> None:
    """Write an export to a file (text formats as UTF-8; CSV with a BOM so Excel shows Vietnamese correctly)."""
    data = export_duties(duties, fmt, as_of=as_of)
    if isinstance(data, bytes):
        with open(path, "wb") as handle:
            handle.write(data)
    else:
        with open(path, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as handle:
            handle.write(data)
