"""The duty table: every duty of the index, with the columns a question filters on held as arrays.

A 10,000-document archive has hundreds of thousands of duties. Reading them all at start-up took seconds and
scanning them all per question took hundreds of milliseconds, so selection works on columns (units, document,
due date, deadline flags) and only the duties selected (and the monthly ones, whose dates must be computed) are
read and built.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

import numpy as np

from ..index.rows import LazyRows
from ..index.segment import Segment, TableRow, TableSpec, json_line
from ..text.columns import encode_column
from ..text.deadlines import next_occurrence, occurrences
from ..text.normalize import match_key
from .extract import extract_duties
from .model import FLAG_DATED, FLAG_DONE, FLAG_RECURRING, FLAG_START, Duty

log = logging.getLogger(__name__)

_NEVER = date.max.toordinal()


def storage_rows(parsed_doc) -> list[TableRow]:
    """The duty rows of one parsed document as the index stores them: the duty as JSON, its due date and flags
    columns, its units. Each duty is serialised once, in the parse worker."""
    rows = []
    for duty in extract_duties(parsed_doc):
        rows.append(TableRow(json_line(duty.to_dict()), duty.columns(), (tuple(duty.units),)))
    return rows


# The duty feature's table in the index. Bump the version when extraction output changes: documents are then
# parsed again by the next build instead of keeping duties of the old rules.
TABLE = TableSpec(name="duties", version="duties-3", columns=(("due", "int32"), ("flags", "uint8"), ("start", "int32")),
                  sets=("units",), rows=storage_rows)


class DutyTable(Sequence):
    """Duties in index order; `rows[i]` is built on demand. `units` maps a unit name to its duty numbers."""

    def __init__(self, rows: Sequence, *, doc_codes: np.ndarray, doc_names: list[str], due: np.ndarray,
                 flags: np.ndarray, units: dict[str, np.ndarray], start: np.ndarray | None = None):
        self.rows = rows
        self.doc_codes = np.asarray(doc_codes)
        self.doc_names = doc_names
        self.due = np.asarray(due)
        self.flags = np.asarray(flags)
        self.start = np.asarray(start) if start is not None else np.zeros(len(self.due), dtype=np.int64)
        self.units = units
        self.known_units = sorted(units)  # every unit named in the duty table
        self._by_key: dict[str, list[str]] = {}
        for unit in self.known_units:
            self._by_key.setdefault(match_key(unit), []).append(unit)

    @classmethod
    def from_duties(cls, duties: list) -> "DutyTable":
        """A table over Duty objects in memory (duties extracted from files, tests)."""
        doc_names, doc_codes = encode_column(d.doc for d in duties)
        columns = [d.columns() for d in duties]
        units: dict[str, list[int]] = {}
        for i, duty in enumerate(duties):
            for unit in duty.units:
                units.setdefault(unit, []).append(i)
        return cls(list(duties), doc_codes=doc_codes, doc_names=doc_names, due=np.asarray([c[0] for c in columns], dtype=np.int64),
                   flags=np.asarray([c[1] for c in columns], dtype=np.uint8),
                   start=np.asarray([c[2] for c in columns], dtype=np.int64),
                   units={u: np.asarray(v, dtype=np.int64) for u, v in units.items()})

    @classmethod
    def from_segments(cls, segments: list[Segment], deleted: list[set[str]]) -> "DutyTable":
        """The live duties of an index's segments (`deleted[i]`: documents of segment i no longer in the index)."""
        sources, doc_codes, dues, flags, starts, doc_names = [], [], [], [], [], []
        units: dict[str, list[np.ndarray]] = {}
        start = 0
        for seg, gone in zip(segments, deleted):
            stored = seg.tables.get(TABLE.name)
            if stored is None:
                continue
            mask = seg.rows_kept(stored.doc, gone)
            rows = np.flatnonzero(mask)
            sources.append((stored.rows, rows))
            doc_codes.append(np.asarray(stored.doc)[rows] + len(doc_names))
            doc_names.extend(seg.docs)
            dues.append(np.asarray(stored.columns["due"])[rows])
            flags.append(np.asarray(stored.columns["flags"])[rows])
            starts.append(np.asarray(stored.columns["start"])[rows])
            # duty number within the table for each live row of the segment
            number = np.full(len(mask), -1, dtype=np.int64)
            number[rows] = np.arange(start, start + len(rows))
            ptr, ids, vocabulary = stored.sets["units"]
            ptr, ids = np.asarray(ptr), np.asarray(ids)
            owner = np.repeat(np.arange(len(mask)), np.diff(ptr))
            owner_number = number[owner]
            alive = owner_number >= 0
            ids, owner_number = ids[alive], owner_number[alive]
            order = np.argsort(ids, kind="stable")
            ids, owner_number = ids[order], owner_number[order]
            bounds = np.searchsorted(ids, np.arange(len(vocabulary) + 1))
            for u, name in enumerate(vocabulary):
                if bounds[u + 1] > bounds[u]:
                    units.setdefault(name, []).append(owner_number[bounds[u]:bounds[u + 1]])
            start += len(rows)
        empty = np.zeros(0, dtype=np.int64)
        return cls(LazyRows(sources, Duty.from_dict),
                   doc_codes=np.concatenate(doc_codes) if doc_codes else empty, doc_names=doc_names,
                   due=np.concatenate(dues) if dues else empty,
                   flags=np.concatenate(flags) if flags else np.zeros(0, dtype=np.uint8),
                   start=np.concatenate(starts) if starts else empty,
                   units={u: np.concatenate(parts) for u, parts in units.items()})

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def __iter__(self):
        return iter(self.rows)

    def unit_names(self, units: list[str]) -> list[str]:
        """Every spelling in the table of the given units (compared accent- and case-insensitively)."""
        return [name for unit in units for name in self._by_key.get(match_key(unit), [])]

    def select(self, query, *, limit: int | None = None) -> tuple[list, int]:
        """Duties of the query's units (lead or support) in its window, sorted by date, and how many there are.

        Recurring duties are in when one of their occurrences falls in the window; a duty without a date only when
        no window is given. With `limit`, only the first `limit` duties are built and returned.
        """
        today = query.today or date.today()
        # Start from the units' own duty lists (small) rather than from every duty: intersecting with the whole
        # table cost 130 ms per question at 10,000 documents.
        candidates: np.ndarray | None = None
        if query.units:
            parts = [self.units[name] for name in self.unit_names(query.units)]
            candidates = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        if query.doc or query.docs is not None:
            wanted = {query.doc} if query.doc else set(query.docs)
            if query.doc and query.docs is not None:
                wanted &= set(query.docs)
            code = [i for i, name in enumerate(self.doc_names) if name in wanted]
            if candidates is None:
                candidates = np.flatnonzero(np.isin(self.doc_codes, code))
            else:
                candidates = candidates[np.isin(self.doc_codes[candidates], code)]
        if candidates is None:
            candidates = np.arange(len(self))
        window = query.interval()
        due, flags = self.due[candidates], self.flags[candidates]
        recurring = (flags & FLAG_RECURRING) != 0
        keep = ~recurring
        if window is None:
            keys = np.where(due > 0, due, _NEVER).astype(np.int64)
        else:
            keys = due.astype(np.int64)
            # "thực hiện từ năm 2025": ongoing from its start, so in every window that ends after it
            ongoing = ((flags & FLAG_START) != 0) & (self.start[candidates] <= window[1].toordinal())
            keys = np.where(ongoing, self.start[candidates], keys)
            keep &= ((due > 0) & ((flags & FLAG_DATED) != 0) & ((flags & FLAG_DONE) == 0)) | ongoing
            stated = query.window
            if stated.starts_in:
                # "được ghi là thực hiện từ năm 2025": the duties whose deadline is that start, not those due then
                keep = ((flags & FLAG_START) != 0) & (self.start[candidates] >= window[0].toordinal()) & (
                    self.start[candidates] <= window[1].toordinal())
                recurring = np.zeros_like(recurring)
            elif stated.overdue_as_of or stated.due_soon_as_of:
                keep &= (due >= window[0].toordinal()) & (due <= window[1].toordinal()) & ~ongoing
            else:
                if stated.before is not None:
                    keep &= (due <= stated.before.toordinal()) | ongoing
                if stated.after is not None:
                    keep &= (due >= stated.after.toordinal()) | ongoing
        # Monthly duties: their dates depend on the window, so build them and compute (there are few).
        for position in np.flatnonzero(recurring):
            duty = self[int(candidates[position])]
            deadline = duty.deadline
            if window is None:
                when = next_occurrence(deadline, today) if deadline else None
                keys[position] = (duty.due or when or date.max).toordinal()
                keep[position] = True
                continue
            if deadline is None or not deadline.dated or deadline.done or query.window.overdue_as_of:
                continue
            hits = occurrences(deadline, window[0], window[1])
            if hits:
                keys[position] = hits[0].toordinal()
                keep[position] = True
        if getattr(query, "recurrence", None):
            # "hằng năm ... những việc gì?": only duties that recur so (built to read their deadline; a query that
            # asks this names documents or units, so they are few)
            for position in np.flatnonzero(keep):
                deadline = self[int(candidates[position])].deadline
                kind = "yearly" if deadline is not None and deadline.kind == "yearly" else (
                    "monthly" if deadline is not None and deadline.recurrence == "monthly" else None)
                keep[position] = kind == query.recurrence
        chosen = candidates[keep]
        order = np.lexsort((chosen, keys[keep]))
        chosen = chosen[order]
        total = len(chosen)
        if limit is not None:
            chosen = chosen[:limit]
        return [self[int(i)] for i in chosen], total
