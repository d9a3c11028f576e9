"""Duty selection: which duties of the table a query asks for (units, document, time window), sorted by date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..text.dates import DateWindow
from .table import DutyTable


@dataclass
class DutyQuery:
    """What a duty question asks: units, a document and a time window. Kept by the conversation to answer
    follow-ups ("còn trước 15/8?")."""

    units: list[str] = field(default_factory=list)
    window: DateWindow | None = None
    doc: str | None = None
    today: date | None = None  # the as-of date: "quá hạn" and open windows are counted from it
    docs: list[str] | None = None  # only duties of these documents (a question's scope); None: all
    recurrence: str | None = None  # only duties that recur so: "yearly" ("hằng năm"), "monthly" ("hằng tháng")

    @property
    def label(self) -> str:
        """Vietnamese description of the window ("có hạn đến 31/8/2025", "trong tháng 8/2025"), "" when none."""
        said = {"yearly": "làm hằng năm", "monthly": "làm hằng tháng"}.get(self.recurrence or "", "")
        return " ".join(x for x in (self.window.label if self.window else "", said) if x)

    def interval(self) -> tuple[date, date] | None:
        """Closed interval [start, end] of the window (None without a window)."""
        return self.window.interval(self.today or date.today()) if self.window else None


def select_duties(duties, query: DutyQuery) -> list:
    """Every duty of the query's units (lead or support) in its window; recurring duties are in when one of their
    occurrences falls in the window; a duty without a date only when no window is given. Sorted by date.
    `duties` is a list of Duty or a `DutyTable` (the index's; see `DutyTable.select`)."""
    return as_table(duties).select(query)[0]


def as_table(duties) -> DutyTable:
    """The duties as a DutyTable (an index's table as it is; a list wrapped)."""
    return duties if isinstance(duties, DutyTable) else DutyTable.from_duties(list(duties))
