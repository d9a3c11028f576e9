"""The duty: one task of one document, with its lead and supporting units, action, deadline and source.

Its storage columns (due date and flags) are declared here, by the duty feature, not by the index: a segment stores
named columns and rows without knowing what they mean (`rag.index.segment`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..text.deadlines import Deadline, format_date
from ..text.normalize import canonical, match_key

# Flags column of the duty table (bits): what selection filters on without reading the duty itself.
FLAG_DEADLINE, FLAG_DATED, FLAG_DONE, FLAG_RECURRING, FLAG_START = 1, 2, 4, 8, 16


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

    def columns(self) -> tuple[int, int, int]:
        """(due date as a proleptic ordinal or 0, flags, start date as an ordinal or 0): the columns the duty table
        selects on."""
        deadline = self.deadline
        flags = 0
        if deadline is not None:
            flags |= FLAG_DEADLINE
            flags |= FLAG_DATED if deadline.dated else 0
            flags |= FLAG_DONE if deadline.done else 0
            flags |= FLAG_RECURRING if deadline.recurrence else 0
            flags |= FLAG_START if deadline.kind == "start" and deadline.start else 0
        start = deadline.start.toordinal() if deadline is not None and deadline.start else 0
        return (self.due.toordinal() if self.due else 0), flags, start


def deadline_label(duty: Duty) -> str:
    """Deadline as shown in answers, in the document's words with the date it means: "trước ngày 31/8/2025",
    "hoàn thành trong tháng 02/2025 (hạn 28/2/2025)", "16 giờ, ngày 23 hằng tháng (định kỳ hằng tháng, ngày 23)"."""
    deadline = duty.deadline
    if deadline is None:
        return "không ghi hạn"
    if deadline.recurrence:
        return f"{deadline.display()} (định kỳ hằng tháng, ngày {deadline.day})"
    written = re.sub(r"^[(*\s]+|[)*\s]+$", "", deadline.text or "")
    if deadline.kind == "date" and written and format_date(deadline.due) in canonical(written).replace("/0", "/"):
        return written
    if deadline.kind in ("month", "quarter", "year") and written and deadline.due:
        return f"{written} (hạn {format_date(deadline.due)})"
    return deadline.display()
