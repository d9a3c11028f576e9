"""Deadlines as data: find the deadline phrases of a directive ("trước ngày 31/8/2025", "trong Quý I/2025",
"chậm nhất trước 16 giờ, ngày 22 hằng tháng", "hằng năm", "thực hiện từ năm 2025", "(đã hoàn thành)") and turn them
into dates (or a start, a yearly recurrence).

Only phrases introduced by a deadline word count: the date of a cited document ("Kết luận số 121-KL/TW, ngày
24/01/2025") is never a deadline. Dates are day/month/year. No dateparser: the forms are few and fixed.
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from .normalize import canonical

log = logging.getLogger(__name__)

KINDS = ("date", "month", "quarter", "year", "start", "recurring", "yearly", "done", "text")
_DATED_KINDS = ("date", "month", "quarter", "year", "recurring")

_ROMAN_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_F = re.IGNORECASE
_DMY = r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
_TIME = r"(?:(\d{1,2})\s*(?:giờ|h)(?:\s*(\d{1,2})(?:\s*phút)?)?\s*,?\s*)?"

_RECURRING_RE = re.compile(
    r"(?:(?:chậm nhất|trước|hạn)\s+)*(?:(?:chậm nhất|trước)\s+)?" + _TIME + r"(?:vào\s+)?ngày\s+(\d{1,2})\s+(?:hằng|hàng|mỗi)\s+tháng",
    _F,
)
_DATE_RE = re.compile(
    r"(?:hoàn thành\s+|xong\s+)?(?:chậm nhất(?:\s+là)?(?:\s+trước)?|trước|hạn chót|đến hết|hạn)\s+"
    + _TIME + r"(?:ngày\s+)?" + _DMY,
    _F,
)
_MONTH_RE = re.compile(
    r"(?:hoàn thành\s+)?trong\s+tháng\s+(\d{1,2})\s*(?:/|\s+năm\s+)\s*(\d{4})",
    _F,
)
_QUARTER_RE = re.compile(
    r"(?:(?:hoàn thành\s+)?trong\s+)?quý\s+(IV|III|II|I|[1-4])\s*(?:/|\s+năm\s+)\s*(\d{4})",
    _F,
)
_YEAR_RE = re.compile(r"(?:hoàn thành|xong)\s+(?:trong\s+)?năm\s+(\d{4})(?!\s*(?:và|-|–))", _F)
_YEARLY_RE = re.compile(r"(?:định kỳ\s+)?(?:hằng|hàng|mỗi)\s+năm\b", _F)
_START_RE = re.compile(r"(?:(?:thực hiện|triển khai|bắt đầu)\s+)?từ\s+năm\s+(\d{4})", _F)
_DONE_RE = re.compile(r"đã\s+hoàn\s+thành", _F)
_TEXT_RES = [
    re.compile(r"lộ trình theo (?:yêu cầu|chỉ đạo|hướng dẫn) của Trung ương", _F),
    re.compile(r"thời gian cụ thể thực hiện theo chỉ đạo của Trung ương", _F),
    re.compile(r"ngay sau khi[^()]{0,160}?(?:ban hành|phê duyệt|có văn bản)", _F),
    re.compile(r"\bthường xuyên\b", _F),
    re.compile(r"\bđịnh kỳ\b", _F),
]
_FREQUENCIES = {canonical("thường xuyên"), canonical("định kỳ")}


@dataclass
class Deadline:
    """A deadline found in a document: a due date, a start, a monthly recurrence, "done", or text only."""

    text: str  # the phrase as written ("hoàn thành trước ngày 29/8/2025")
    kind: str  # one of KINDS
    due: date | None = None
    start: date | None = None
    recurrence: str | None = None  # "monthly"
    day: int | None = None  # day of month for recurring deadlines
    time: str | None = None  # "16:00"
    pos: int = 0  # character offset of the phrase in the searched text

    @property
    def dated(self) -> bool:
        """True when the deadline gives a due date or a recurrence (something a calendar can show)."""
        return self.due is not None or self.recurrence is not None

    @property
    def says_when(self) -> bool:
        """True unless the deadline is a bare frequency ("thường xuyên", "định kỳ"): a date, a recurrence, a start,
        "done", or a timing the document defers to ("theo chỉ đạo của Trung ương", "ngay sau khi ... ban hành")
        answers "khi nào?"; "thường xuyên" says how often, not when."""
        return not (self.kind == "text" and canonical(self.text).lower() in _FREQUENCIES)

    @property
    def done(self) -> bool:
        """True for "(đã hoàn thành)"."""
        return self.kind == "done"

    def display(self) -> str:
        """Vietnamese rendering for answers and tables: "31/8/2025", "16 giờ, ngày 22 hằng tháng", the text."""
        if self.kind == "recurring":
            hour = f"{self.time.replace(':00', ' giờ')}, " if self.time else ""
            return f"{hour}ngày {self.day} hằng tháng"
        if self.kind == "month" and self.due:
            return f"trong tháng {self.due.month}/{self.due.year} (hạn {format_date(self.due)})"
        if self.kind == "quarter" and self.due:
            quarter = (self.due.month - 1) // 3 + 1
            return f"trong Quý {'I' * quarter if quarter < 4 else 'IV'}/{self.due.year} (hạn {format_date(self.due)})"
        if self.kind == "year" and self.due:
            return f"trong năm {self.due.year} (hạn {format_date(self.due)})"
        if self.kind == "start" and self.start:
            return f"thực hiện từ năm {self.start.year}"
        if self.kind == "yearly":
            return "hằng năm"
        if self.kind == "done":
            return "đã hoàn thành"
        if self.due:
            return format_date(self.due) + (f", {self.time.replace(':00', ' giờ')}" if self.time else "")
        return self.text

    def to_dict(self) -> dict:
        """JSON-ready dict (dates as ISO strings)."""
        data = asdict(self)
        for key in ("due", "start"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> "Deadline | None":
        """Inverse of `to_dict`."""
        if not data:
            return None
        data = dict(data)
        for key in ("due", "start"):
            if data.get(key):
                data[key] = date.fromisoformat(data[key])
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def format_date(value: date) -> str:
    """Vietnamese day/month/year without leading zeros: 2025-08-31 -> "31/8/2025"."""
    return f"{value.day}/{value.month}/{value.year}"


def end_of_month(year: int, month: int) -> date:
    """Last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _time(hour: str | None, minute: str | None) -> str | None:
    if not hour:
        return None
    return f"{int(hour):02d}:{int(minute or 0):02d}"


def find_deadlines(text: str) -> list[Deadline]:
    """All deadline phrases in `text`, in text order; overlapping matches keep the more specific one."""
    text = canonical(text).replace("*", "")
    found: list[tuple[int, int, int, Deadline]] = []  # (start, end, priority, deadline)

    def add(m: re.Match, priority: int, deadline: Deadline) -> None:
        deadline.pos = m.start()
        deadline.text = m.group(0).strip(" ,;")
        found.append((m.start(), m.end(), priority, deadline))

    for m in _RECURRING_RE.finditer(text):
        day = int(m.group(3))
        if 1 <= day <= 31:
            add(m, 0, Deadline(text="", kind="recurring", recurrence="monthly", day=day, time=_time(m.group(1), m.group(2))))
    for m in _DATE_RE.finditer(text):
        due = _safe_date(int(m.group(5)), int(m.group(4)), int(m.group(3)))
        if due:
            add(m, 1, Deadline(text="", kind="date", due=due, time=_time(m.group(1), m.group(2))))
    for m in _MONTH_RE.finditer(text):
        month, year = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            add(m, 2, Deadline(text="", kind="month", due=end_of_month(year, month)))
    for m in _QUARTER_RE.finditer(text):
        quarter, year = _ROMAN_QUARTER[m.group(1).lower()], int(m.group(2))
        add(m, 2, Deadline(text="", kind="quarter", due=end_of_month(year, quarter * 3)))
    for m in _YEAR_RE.finditer(text):
        add(m, 3, Deadline(text="", kind="year", due=date(int(m.group(1)), 12, 31)))
    for m in _START_RE.finditer(text):
        add(m, 3, Deadline(text="", kind="start", start=date(int(m.group(1)), 1, 1)))
    for m in _YEARLY_RE.finditer(text):
        add(m, 4, Deadline(text="", kind="yearly"))
    for m in _DONE_RE.finditer(text):
        add(m, 4, Deadline(text="", kind="done"))
    for regex in _TEXT_RES:
        for m in regex.finditer(text):
            add(m, 5, Deadline(text="", kind="text"))
    found.sort(key=lambda item: (item[0], item[2], -(item[1] - item[0])))
    kept: list[tuple[int, int, int, Deadline]] = []
    for item in found:
        overlapping = [k for k in kept if item[0] < k[1] and k[0] < item[1]]
        if not overlapping:
            kept.append(item)
            continue
        if all(item[2] < k[2] for k in overlapping):
            for k in overlapping:
                kept.remove(k)
            kept.append(item)
    kept.sort(key=lambda item: item[0])
    return [item[3] for item in kept]


def _rank(deadline: Deadline) -> int:
    if deadline.kind in _DATED_KINDS:
        return 0
    if deadline.kind in ("start", "yearly"):
        return 1
    if deadline.kind == "done":
        return 2
    return 3


def parse_deadline(text: str) -> Deadline | None:
    """The deadline of a task text: the first dated phrase, else a start, "done", or a textual deadline."""
    found = find_deadlines(text)
    if not found:
        return None
    return min(found, key=lambda d: (_rank(d), d.pos))


def occurrences(deadline: Deadline, start: date, end: date) -> list[date]:
    """Dates on which `deadline` falls between `start` and `end` (inclusive).

    A monthly deadline yields its day in every month of the window (clamped to the month's last day);
    a dated deadline yields its due date when it lies in the window.
    """
    if end < start:
        return []
    if deadline.recurrence == "monthly" and deadline.day:
        out: list[date] = []
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            day = min(deadline.day, calendar.monthrange(year, month)[1])
            when = date(year, month, day)
            if start <= when <= end and (deadline.start is None or when >= deadline.start):
                out.append(when)
            month += 1
            if month > 12:
                year, month = year + 1, 1
        return out
    if deadline.due and start <= deadline.due <= end:
        return [deadline.due]
    return []


def next_occurrence(deadline: Deadline, after: date) -> date | None:
    """First occurrence on or after `after` (recurring: the next monthly day; dated: the due date if not past)."""
    if deadline.recurrence == "monthly":
        found = occurrences(deadline, after, after + timedelta(days=62))
        return found[0] if found else None
    if deadline.due and deadline.due >= after:
        return deadline.due
    return None
