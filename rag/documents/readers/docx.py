"""DOCX reader (python-docx): body paragraphs and tables in order, with Word list numbering rendered as text."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ...errors import DocumentError
from ..models import RawDocument, TextLine

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # total uncompressed size a .docx may declare
MAX_RATIO = 100  # compression ratio above which a large member is treated as a zip bomb
RATIO_MIN_SIZE = 10 * 1024 * 1024  # members smaller than this may compress as well as they like

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _val(el) -> str | None:
    return None if el is None else el.get(_w("val"))


def check_zip(path: Path) -> None:
    """Refuse files that are not zip archives, lack word/document.xml, or would inflate like a zip bomb."""
    if not zipfile.is_zipfile(path):
        raise DocumentError(str(path), "docx_not_zip")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        # NotImplementedError: a damaged header declaring an unknown zip version or compression method (fuzzing)
        raise DocumentError(str(path), "docx_damaged", detail=f"damaged zip archive: {exc}") from None
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise DocumentError(str(path), "docx_too_big", size_mb=total // (1024 * 1024),
                            limit_mb=MAX_UNCOMPRESSED // (1024 * 1024))
    for info in infos:
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocumentError(str(path), "docx_bomb", member=info.filename)
    if "word/document.xml" not in {info.filename for info in infos}:
        raise DocumentError(str(path), "docx_no_document")


# --- list numbering ----------------------------------------------------------------------------------


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _letter(n: int) -> str:
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """Render counter `n` in Word's `w:numFmt` (decimal, lowerLetter, upperRoman, ...); unknown -> decimal."""
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


class Numbering:
    """Word list numbering: definitions from numbering.xml and the running counters of the body."""

    def __init__(self, numbering_el) -> None:
        self.abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_el is None:
            return
        for ab in numbering_el.iterchildren(_w("abstractNum")):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in ab.iterchildren(_w("lvl")):
                ilvl = int(lvl.get(_w("ilvl"), "0"))
                start = int(_val(lvl.find(_w("start"))) or "1")
                fmt = _val(lvl.find(_w("numFmt"))) or "decimal"
                text = _val(lvl.find(_w("lvlText")))
                levels[ilvl] = (start, fmt, text if text is not None else f"%{ilvl + 1}.")
            self.abstract[ab.get(_w("abstractNumId"))] = levels
        for num in numbering_el.iterchildren(_w("num")):
            overrides: dict[int, int] = {}
            for ov in num.iterchildren(_w("lvlOverride")):
                start = _val(ov.find(_w("startOverride")))
                if start is not None:
                    overrides[int(ov.get(_w("ilvl"), "0"))] = int(start)
            self.nums[num.get(_w("numId"))] = (_val(num.find(_w("abstractNumId"))) or "", overrides)

    def _level(self, num_id: str, ilvl: int) -> tuple[int, str, str] | None:
        abstract_id, overrides = self.nums.get(num_id, ("", {}))
        level = self.abstract.get(abstract_id, {}).get(ilvl)
        if level is None:
            return None
        start, fmt, text = level
        return overrides.get(ilvl, start), fmt, text

    def next_prefix(self, num_id: str, ilvl: int) -> str:
        """Advance the counter of (num_id, ilvl), reset deeper levels, return the rendered marker ("1.2.", "a)", "-")."""
        level = self._level(num_id, ilvl)
        if level is None:
            return ""
        start, fmt, text = level
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"
        out = text
        for k in range(9, 0, -1):  # %10 does not exist; replace high levels first so %1 does not eat %1x
            token = f"%{k}"
            if token in out:
                lv = self._level(num_id, k - 1)
                value = counters.get(k - 1, lv[0] if lv else 1)
                out = out.replace(token, format_number(value, lv[1] if lv else "decimal"))
        return out.strip()


def _num_pr(p_el, paragraph) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph: its own w:numPr, else the one inherited through its style chain."""
    candidates = [p_el.find(f"{_w('pPr')}/{_w('numPr')}")]
    try:
        style = paragraph.style
    except Exception:
        style = None
    depth = 0
    while style is not None and depth < 10:
        candidates.append(style.element.find(f"{_w('pPr')}/{_w('numPr')}"))
        style, depth = style.base_style, depth + 1
    num_id: str | None = None
    ilvl: int | None = None
    for num_pr in candidates:
        if num_pr is None:
            continue
        if num_id is None:
            num_id = _val(num_pr.find(_w("numId")))
        if ilvl is None and _val(num_pr.find(_w("ilvl"))) is not None:
            ilvl = int(_val(num_pr.find(_w("ilvl"))))
    if not num_id or num_id == "0":
        return None
    return num_id, ilvl or 0


def _is_heading(paragraph) -> bool:
    try:
        style = paragraph.style
    except Exception:
        return False
    depth = 0
    while style is not None and depth < 10:
        name = (style.name or "").lower()
        if name.startswith("heading") or name.startswith("title"):
            return True
        style, depth = style.base_style, depth + 1
    return False


MAX_TABLE_DEPTH = 8  # tables inside table cells are read down to this depth


def _table_lines(table, depth: int = 0) -> list[TextLine]:
    """One line per row ("cell | cell"), then the rows of tables nested in its cells (python-docx's cell.text
    holds only the cell's own paragraphs: nested tables were never read)."""
    lines: list[TextLine] = []
    for row in table.rows:
        cells, seen, nested = [], set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:  # horizontally merged cells repeat
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
            if depth < MAX_TABLE_DEPTH:
                nested.extend(cell.tables)
        if any(cells):
            lines.append(TextLine(" | ".join(cells), None, False))
        for inner in nested:
            lines.extend(_table_lines(inner, depth + 1))
    return lines


def _block_elements(parent):
    """Body children in order, descending into content controls (w:sdt) which wrap ordinary blocks."""
    for child in parent.iterchildren():
        if child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _block_elements(content)
        elif child.tag in (_w("p"), _w("tbl")):
            yield child


def read_docx(path: str | Path) -> RawDocument:
    """Read a .docx body (paragraphs and tables in order) into lines; list numbers are rendered as text.

    Headers, footers and comments are not read. A soft line break inside a paragraph starts a new line.
    """
    p = Path(path)
    check_zip(p)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(p))
        body = document.element.body
    except Exception as exc:
        raise DocumentError(str(p), "docx_damaged", detail=f"Word could not have written it: {exc}") from None
    try:
        numbering_el = document.part.numbering_part.element
    except Exception:
        numbering_el = None
    numbering = Numbering(numbering_el)
    lines: list[TextLine] = []
    try:
        for el in _block_elements(body):
            if el.tag == _w("tbl"):
                lines.extend(_table_lines(Table(el, document)))
                continue
            paragraph = Paragraph(el, document)
            text = paragraph.text
            if not text.strip():
                continue
            num = _num_pr(el, paragraph)
            prefix = numbering.next_prefix(*num) if num else ""
            heading = _is_heading(paragraph)
            parts = [" ".join(part.split()) for part in text.split("\n")]
            parts = [part for part in parts if part]
            if prefix:
                parts[0] = f"{prefix} {parts[0]}"
            lines.extend(TextLine(part, None, heading) for part in parts)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(str(p), "docx_damaged", detail=str(exc)) from None
    return RawDocument(path=str(p), lines=lines, kind="docx", pages=None)
