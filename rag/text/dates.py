"""Dates people type: a date in a form or on the command line, and the time window of a question.

Vietnamese order is day/month/year ("31/8/2025"); ISO "2025-08-31" is accepted too. A question's window is one of
"trước 31/8/2025" (due by), "sau 1/9/2025" (due from), "từ 1/8 đến 31/8/2025", "trong tháng 8/2025", "quý I/2025",
"quá hạn" (overdue as of today), "đến hạn" (due within 7 days), "thực hiện từ năm 2025" (starting that year). A
date without a year is in `today`'s year. No dateparser: the forms are few and fixed, and a wrong guess would
silently change which duties are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import InputError
from .deadlines import end_of_month, format_date


def parse_user_date(text: str) -> date:
    """DD/MM/YYYY (also with `.` or `-`) or YYYY-MM-DD; `InputError` `date_format` or `date_nonexistent`."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise InputError("date_format", text=text)
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError("date_nonexistent", text=text) from None


@dataclass(frozen=True)
class DateWindow:
    """The time a question is about: due on or before `before`, on or after `after`, overdue, or due soon."""

    before: date | None = None
    after: date | None = None
    overdue_as_of: date | None = None
    due_soon_as_of: date | None = None  # "đến hạn": due within 7 days
    starts_in: int | None = None  # "được ghi là thực hiện từ năm 2025": duties that start in that year
    label: str = ""  # Vietnamese description ("có hạn đến 31/8/2025", "trong tháng 8/2025")

    def interval(self, today: date) -> tuple[date, date]:
        """Closed interval [start, end] of the window, open ends filled around the other end / `today`."""
        if self.overdue_as_of:
            return (date(self.overdue_as_of.year - 5, 1, 1), self.overdue_as_of - timedelta(days=1))
        if self.due_soon_as_of:
            return (self.due_soon_as_of, self.due_soon_as_of + timedelta(days=7))
        if self.starts_in:
            return (date(self.starts_in, 1, 1), date(self.starts_in, 12, 31))
        start = self.after or min(today, self.before or today)
        end = self.before or max(start, today) + timedelta(days=31)
        if self.before and not self.after:
            start = today if today <= self.before else self.before - timedelta(days=30)
        return (start, end)


_DATE_Q = r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}))?"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _mk_date(day: str, month: str, year: str | None, today: date) -> date | None:
    try:
        return date(int(year) if year else today.year, int(month), int(day))
    except ValueError:
        return None


def parse_window(folded: str, *, today: date) -> DateWindow | None:
    """The time window of a question (folded, accent-free text), or None when it states none."""
    q = folded
    if m := re.search(r"tu\s+(?:ngay\s+)?" + _DATE_Q + r"\s+den\s+(?:het\s+)?(?:ngay\s+)?" + _DATE_Q, q):
        after = _mk_date(m.group(1), m.group(2), m.group(3) or m.group(6), today)
        before = _mk_date(m.group(4), m.group(5), m.group(6), today)
        label = f"từ {format_date(after)} đến {format_date(before)}" if after and before else ""
        return DateWindow(before=before, after=after, label=label) if before or after else None
    if m := re.search(r"(?:truoc|den|toi|cham nhat|han)\s+(?:het\s+)?(?:ngay\s+)?" + _DATE_Q, q):
        before = _mk_date(m.group(1), m.group(2), m.group(3), today)
        return DateWindow(before=before, label=f"có hạn đến {format_date(before)}") if before else None
    if m := re.search(r"sau\s+(?:ngay\s+)?" + _DATE_Q, q):
        after = _mk_date(m.group(1), m.group(2), m.group(3), today)
        return DateWindow(after=after, label=f"có hạn từ {format_date(after)}") if after else None
    # "được ghi là thực hiện từ năm 2025" echoes a duty's start; "từ năm 2026 trở đi" is a period, not a start
    if m := re.search(r"\b(?:thuc hien|bat dau|trien khai) tu nam (\d{4})\b(?!\s*(?:den|toi|tro di|-))", q):
        year = int(m.group(1))
        return DateWindow(starts_in=year, label=f"thực hiện từ năm {year}")
    if m := re.search(r"thang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?", q):
        month, year = int(m.group(1)), int(m.group(2) or today.year)
        if 1 <= month <= 12:
            return DateWindow(after=date(year, month, 1), before=end_of_month(year, month),
                              label=f"trong tháng {month}/{year}")
        return None
    if m := re.search(r"quy\s+(iv|iii|ii|i|[1-4])\b(?:\s*(?:/|nam)\s*(\d{4}))?", q):
        quarter, year = _ROMAN[m.group(1)], int(m.group(2) or today.year)
        return DateWindow(after=date(year, quarter * 3 - 2, 1), before=end_of_month(year, quarter * 3),
                          label=f"trong Quý {['I', 'II', 'III', 'IV'][quarter - 1]}/{year}")
    if re.search(r"\bthang nay\b", q):
        return DateWindow(after=today.replace(day=1), before=end_of_month(today.year, today.month),
                          label=f"trong tháng {today.month}/{today.year}")
    if re.search(r"\btuan nay\b", q):
        start = today - timedelta(days=today.weekday())
        return DateWindow(after=start, before=start + timedelta(days=6),
                          label=f"trong tuần này (từ {format_date(start)} đến {format_date(start + timedelta(days=6))})")
    if re.search(r"\bquy nay\b", q):
        quarter = (today.month - 1) // 3 + 1
        return DateWindow(after=date(today.year, quarter * 3 - 2, 1), before=end_of_month(today.year, quarter * 3),
                          label=f"trong Quý {['I', 'II', 'III', 'IV'][quarter - 1]}/{today.year}")
    if re.search(r"\bnam nay\b", q):
        return DateWindow(after=date(today.year, 1, 1), before=date(today.year, 12, 31), label=f"trong năm {today.year}")
    if re.search(r"\btrong nam (\d{4})\b", q):
        year = int(re.search(r"\btrong nam (\d{4})\b", q).group(1))
        return DateWindow(after=date(year, 1, 1), before=date(year, 12, 31), label=f"trong năm {year}")
    if re.search(r"\bchua den han\b|\bcon han\b", q):
        return DateWindow(after=today, label=f"chưa đến hạn (tính từ {format_date(today)})")
    if re.search(r"\bqua han\b|\btre han\b", q):
        return DateWindow(overdue_as_of=today, label=f"đã quá hạn (tính đến {format_date(today)})")
    if re.search(r"\bden han\b|\bsap den han\b|\bsap het han\b", q):
        return DateWindow(due_soon_as_of=today, label=f"đến hạn trong 7 ngày tới (từ {format_date(today)})")
    return None
