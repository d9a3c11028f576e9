"""Who a quoted passage's block is given to: the "Phân công thực hiện: Giao X" line that closes it.

The Đảng bộ Các cơ quan Đảng programme writes each of its programmes as "Mục tiêu", "Nhiệm vụ và giải pháp", then
"Phân công thực hiện: Ban Tổ chức Đảng ủy" (shared/domain-notes.md): the items above name no unit, and the one
line that says who does them sits below them, in another passage. Quoted alone, "Tham mưu cho Ban Thường vụ Đảng ủy
xây dựng hướng dẫn quy trình sinh hoạt chi bộ ..." answers "Ai chịu trách nhiệm ...?" without its answer, and an
official reading it does not know whose task it is. So an item of such a block is quoted with its assignment, cited
to the line that makes it. Of the programme's 13 "Phân công" blocks, 11 give the block to named units (the other two
open with "Các cấp ủy", every committee, which tells nobody anything new and is left out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.normalize import contains
from ..text.units import is_generic
from .answer import assigned_blocks


@dataclass(frozen=True)
class Assignment:
    """The units a block is given to and the passage that gives it."""

    units: tuple[str, ...]
    chunk: object  # the passage of the "Phân công" line (a `Chunk`), cited with the item

    @property
    def said(self) -> str:
        """The assignment as the document words it when it is short ("Giao Cơ quan Ủy ban Kiểm tra Đảng ủy"), else
        the units it names (a long line goes on to the task itself)."""
        text = re.sub(r"^\s*-?\s*Phân công thực hiện\s*:?\s*", "", self.chunk.text).strip()
        first = text.split("\n", 1)[0].strip().rstrip(":;,.")
        if first and len(first) <= SAID_MAX and all(contains(first, u) for u in self.units):
            return first
        return ", ".join(self.units)


SAID_MAX = 90  # characters of an assignment line quoted as it is


class Assignments:
    """(document, block path) -> `Assignment`, from the duty table's "Phân công" duties, built once per index."""

    def __init__(self, by_block: dict[tuple[str, str], Assignment] | None = None):
        self.by_block = by_block or {}
        self._by_doc: dict[str, list[tuple[str, Assignment]]] = {}  # a passage looks only at its document's blocks
        for (doc, block), assignment in self.by_block.items():
            self._by_doc.setdefault(doc, []).append((block, assignment))

    @classmethod
    def from_duties(cls, duties, chunks_by_id) -> "Assignments":
        units: dict[tuple[str, str], list[str]] = {}
        chunk: dict[tuple[str, str], object] = {}
        for duty in duties:
            if duty.chunk_id not in chunks_by_id:
                continue
            for block in assigned_blocks([duty]):
                named = [u for u in duty.units_lead if not is_generic(u)]
                if not named:
                    continue
                units.setdefault(block, [])
                units[block] += [u for u in named if u not in units[block]]
                chunk.setdefault(block, chunks_by_id[duty.chunk_id])
        return cls({block: Assignment(tuple(names), chunk[block]) for block, names in units.items()})

    def of(self, chunk) -> Assignment | None:
        """The assignment of the block a passage sits in, unless the passage is the assignment itself (or under it)
        or already names every unit it gives the block to."""
        path = chunk.section
        best = None
        for block, assignment in self._by_doc.get(chunk.doc, ()):
            if path.startswith(block + " > ") and (best is None or len(block) > len(best[0])):
                best = (block, assignment)
        if best is None:
            return None
        block, assignment = best
        rest = path[len(block) + 3:]
        if rest.lower().startswith(("phân công", "giao")) or chunk.id == assignment.chunk.id:
            return None
        if all(contains(chunk.text, u) for u in assignment.units):
            return None
        return assignment
