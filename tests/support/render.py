"""Render the sample corpus .txt files as realistic PDF and DOCX files, and make broken PDFs, for reader tests."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

logger = logging.getLogger(__name__)

HEADER_TEXT = "ĐẢNG CỘNG SẢN VIỆT NAM"
_PAREN_RE = re.compile(r"^\((\d{1,3})\)\s+(.*)$")
_ROMAN_RE = re.compile(r"^[IVX]+\.\s")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def _font_dir() -> str:
    import matplotlib

    return matplotlib.get_data_path() + "/fonts/ttf/"


def clean_line(raw: str) -> tuple[str, bool]:
    """Strip markdown (`#`, `**`, `\\*`) from one corpus line; return (text, was_heading)."""
    text = raw.strip()
    heading = False
    if text.startswith("#"):
        stripped = text.lstrip("#")
        if not stripped or stripped[0] == " ":
            text, heading = stripped.strip(), True
    if text.startswith("**") and text.endswith("**") and len(text) > 4 and "**" not in text[2:-2]:
        heading = True
    text = _ESCAPE_RE.sub(r"\1", text.replace("**", "")).strip()
    return " ".join(text.split()), heading


def corpus_paragraphs(txt_path: str | Path) -> list[tuple[str, bool]]:
    """Non-empty lines of a corpus file, markdown stripped, with their heading flag."""
    out = []
    for raw in Path(txt_path).read_text(encoding="utf-8").splitlines():
        text, heading = clean_line(raw)
        if text:
            out.append((text, heading))
    return out


def render_pdf(
    txt_path: str | Path, out_path: str | Path, *, header: str | None = HEADER_TEXT, footer_page_numbers: bool = True
) -> list[int]:
    """Render a corpus file as an A4 PDF with a running header and a "Trang n/N" footer.

    Each non-empty line becomes a `multi_cell` paragraph, so fpdf wraps long lines (hard wraps in the PDF).
    Returns the 1-based page on which each rendered paragraph starts (same order as `corpus_paragraphs`).
    """
    from fpdf import FPDF

    class _Doc(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("DejaVu", "", 9)
                self.cell(0, 6, header, align="C", new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self) -> None:
            if footer_page_numbers:
                self.set_y(-15)
                self.set_font("DejaVu", "", 9)
                self.cell(0, 10, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = _Doc(format="A4")
    pdf.add_font("DejaVu", "", _font_dir() + "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", _font_dir() + "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pages: list[int] = []
    for text, heading in corpus_paragraphs(txt_path):
        pdf.set_font("DejaVu", "B" if heading else "", 12)
        if pdf.get_y() > pdf.h - 20 - 6:  # the paragraph would start in the footer zone: fpdf breaks first
            pdf.add_page()
        pages.append(pdf.page_no())
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(out_path))
    return pages


# --- DOCX -------------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _add_abstract_num(numbering_el, abstract_id: int, levels: list[tuple[str, str]]) -> None:
    """Append a w:abstractNum with the given (numFmt, lvlText) levels, before the first w:num (schema order)."""
    from docx.oxml import parse_xml

    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{720 * (i + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    el = parse_xml(f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{abstract_id}">'
                   f'<w:multiLevelType w:val="hybridMultilevel"/>{lvls}</w:abstractNum>')
    first_num = numbering_el.find(f"{{{_W}}}num")
    if first_num is not None:
        first_num.addprevious(el)
    else:
        numbering_el.append(el)


def _add_num(numbering_el, num_id: int, abstract_id: int, start: int) -> None:
    from docx.oxml import parse_xml

    numbering_el.append(parse_xml(
        f'<w:num xmlns:w="{_W}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
    ))


def _set_num_pr(paragraph, num_id: int, ilvl: int = 0) -> None:
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:numPr xmlns:w="{_W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


TABLE_ROWS = [("STT", "Nội dung", "Cơ quan chủ trì"), ("1", "Tổng kết thực hiện", "Văn phòng Thành ủy")]


def render_docx(txt_path: str | Path, out_path: str | Path, *, header: str = HEADER_TEXT) -> dict:
    """Render a corpus file as a .docx: heading styles, Word-numbered "(n)" items, one table, a header.

    Lines "(n) text" become list paragraphs whose "(n)" comes from numbering.xml, not from the text, so
    the reader's numbering code is exercised. Returns {"numbered": count of such items, "table": rows}.
    """
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    numbering_el = document.part.numbering_part.element
    ids = [int(n.get(f"{{{_W}}}abstractNumId")) for n in numbering_el.iterchildren(f"{{{_W}}}abstractNum")]
    abstract_id = max(ids, default=0) + 1
    _add_abstract_num(numbering_el, abstract_id, [("decimal", "(%1)"), ("lowerLetter", "%2)")])
    next_num = max([int(n.get(f"{{{_W}}}numId")) for n in numbering_el.iterchildren(f"{{{_W}}}num")], default=0) + 1
    current_num, last_n, numbered, table_done = None, None, 0, False
    for text, heading in corpus_paragraphs(txt_path):
        match = _PAREN_RE.match(text)
        if match:
            n = int(match.group(1))
            if current_num is None or last_n is None or n != last_n + 1:
                current_num, next_num = next_num, next_num + 1
                _add_num(numbering_el, current_num, abstract_id, n)
            last_n = n
            _set_num_pr(document.add_paragraph(match.group(2)), current_num)
            numbered += 1
            continue
        if _ROMAN_RE.match(text):
            document.add_heading(text, level=1)
        elif heading:
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
        if heading and not table_done:
            table = document.add_table(rows=len(TABLE_ROWS), cols=3)
            for row, values in zip(table.rows, TABLE_ROWS):
                for cell, value in zip(row.cells, values):
                    cell.text = value
            table_done = True
    document.save(str(out_path))
    return {"numbered": numbered, "table": [" | ".join(r) for r in TABLE_ROWS] if table_done else []}


# --- broken PDFs ------------------------------------------------------------------------------------


def make_scanned_pdf(out_path: str | Path, pages: int = 2) -> None:
    """A PDF whose pages hold only an image and drawings, no text layer (like a scan)."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 560), "white")
    draw = ImageDraw.Draw(image)
    for y in range(40, 520, 24):
        draw.rectangle((40, y, 360, y + 10), fill="black")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(buf.getvalue()), x=10, y=10, w=190)
        pdf.rect(5, 5, 200, 287)
    pdf.output(str(out_path))


def make_encrypted_pdf(out_path: str | Path, password: str = "mat-khau") -> None:
    """A small text PDF encrypted with a user password (RC4-128, which pypdf handles without extra packages)."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", _font_dir() + "DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    pdf.multi_cell(0, 6, "Văn bản mật: chỉ người có mật khẩu mới đọc được.")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    with open(out_path, "wb") as fh:
        writer.write(fh)


__all__ = ["render_pdf", "render_docx", "make_scanned_pdf", "make_encrypted_pdf", "corpus_paragraphs", "HEADER_TEXT"]


CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258 as legacy editors wrote it: base letter + combining tone mark."""
    import unicodedata

    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = [c for c in decomposed if c in CP1258_TONES]
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in CP1258_TONES))
        out += base.encode("cp1258", errors="replace") + "".join(tones).encode("cp1258")
    return bytes(out)


def make_zip_bomb(out_path: str | Path, *, megabytes: int = 300) -> Path:
    """A .docx-named zip whose document.xml inflates to `megabytes` MB (a few hundred KB on disk)."""
    import zipfile

    out_path = Path(out_path)
    block = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(block)
    return out_path
