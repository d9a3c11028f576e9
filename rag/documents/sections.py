"""Section structure: turn a document's lines into paragraphs and a tree of numbered items.

Directives number their parts `I.` > `1.` > `1.1.` > `1.2.1.` > `(1)` > `a)` > `-`, add label blocks ("Mục tiêu:",
"Phân công thực hiện:"), and (when extracted from PDF) break lines mid-sentence. We first join hard-wrapped lines
back into paragraphs, then place each paragraph in a tree: a numbering style seen higher up closes everything
below it, an unseen style opens a new level. That works whatever subset of styles a document uses.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from .models import Section, TextLine
from ..text.normalize import canonical, fold

log = logging.getLogger(__name__)

_ROMAN = re.compile(r"^([IVXL]{1,5})\.\s+(?=\S)")
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.(?:\s+|$)|^(\d{1,2}(?:\.\d{1,2}){1,4})\s+(?=[A-ZÀ-ỸĐ])")
_PAREN = re.compile(r"^\((\d{1,2})\)\s*")
_LETTER = re.compile(r"^([a-zđ])\)\s+")
_BULLET = re.compile(r"^[-–•+]\s*(?=\S)")
_LABEL = re.compile(
    r"^(Phân công thực hiện|Phân công nhiệm vụ|Mục tiêu|Nhiệm vụ và giải pháp(?: chủ yếu)?|Nhiệm vụ, giải pháp)"
    r"\s*(?::|$)",
)
_FOOTNOTE_LINE = re.compile(r"^<sup>\((\d+)\)</sup>\s*(.*)$")
_FOOTNOTE_REF = re.compile(r"<sup>\((\d+)\)</sup>")
_END_BLOCK = re.compile(r"^(Nơi nhận|T/M |TM\. |KT\. )", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^Nơi nhận", re.IGNORECASE)
# An appendix heading: "PHỤ LỤC", "Phụ lục I", "PHỤ LỤC SỐ 02: DANH MỤC ..." (content, after the signature or not).
_APPENDIX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)(?=$|[\s:.\-–])")
_SIGNED = re.compile(r"^\(?(?:đã ký|ký|ký tên|ký, ghi rõ họ tên|ký tên, đóng dấu|đã ký và đóng dấu)\)?\.?$",
                     re.IGNORECASE)
_SIGNER_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?: [A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")
# Longest paragraph the later stages see (duty extraction was quadratic in paragraph length: 32 KB 1.3 s, 256 KB
# 61 s); longer ones are cut at a sentence end. The corpus's longest paragraph has 1,413 characters.
MAX_PARAGRAPH = 4000
SIGNATURE_LINES = 6  # lines after "T/M ..." that can be titles of the signer before the name
_SEPARATOR = re.compile(r"^[-_=*\s]{3,}$")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# Words that cannot end a Vietnamese sentence: a line ending with one continues on the next line.
_CONTINUATION_WORDS = {
    "của", "và", "với", "các", "những", "trong", "theo", "về", "cho", "ngày", "số", "tại", "để", "là", "đến",
    "từ", "được", "bị", "có", "đã", "sẽ", "thì", "mà", "hoặc", "hay", "như", "khi", "sau", "trước", "giữa",
    "trên", "dưới", "vào", "ra", "bằng", "do", "vì", "nên", "nhằm", "gồm", "việc", "công", "ban", "thực",
}


@dataclass
class Paragraph:
    """A logical paragraph after joining wrapped lines."""

    text: str
    page: int | None
    page_end: int | None
    heading: bool = False
    after_end: bool = False  # the first paragraph after a signature or recipient block
    table: str = ""  # "header" or "row" of a table (rows are items of their table)
    cut: bool = False  # a later piece of a paragraph longer than MAX_PARAGRAPH (never joined back)


@dataclass
class ParsedStructure:
    """Result of structure parsing: header lines, the body tree (appendices included), footnotes and the end block
    (recipients and signature: metadata)."""

    header: list[Paragraph]
    root: Section
    footnotes: dict[str, str]
    end_block: list[str]


def marker_of(text: str) -> tuple[str, str, str] | None:
    """Return (kind, marker, rest) if `text` starts with a section marker, else None."""
    if m := _ROMAN.match(text):
        return "roman", f"{m.group(1)}.", text[m.end():]
    if m := _ARABIC.match(text):
        number = m.group(1) or m.group(2)
        return f"arabic{number.count('.') + 1}", f"{number}.", text[m.end():]
    if m := _PAREN.match(text):
        rest = text[m.end():]
        if rest[:1].islower():  # "(2) sinh hoạt ..." is an inline enumeration that wrapped, not an item
            return None
        return "paren", f"({m.group(1)})", rest
    if m := _LETTER.match(text):
        return "letter", f"{m.group(1)})", text[m.end():]
    if _APPENDIX.match(text):
        return "appendix", "", text
    if m := _LABEL.match(text):
        return "label", m.group(1) + ":", text
    if m := _BULLET.match(text):
        rest = text[m.end():]
        if rest[:1].islower():  # "kinh tế\n- xã hội": a wrapped hyphen, not a bullet
            return None
        return "bullet", "-", rest
    return None


def _clean(text: str) -> str:
    text = text.replace("**", "").replace("\\*", "").replace("\\", "")
    text = re.sub(r"^#{1,6}\s*", "", text.strip())
    text = re.sub(r"(?<=\S)\*(?=\s|$)", "", text)  # stray emphasis star: "Kính gửi:*"
    text = _FOOTNOTE_REF.sub(lambda m: f"⁽{m.group(1).translate(_SUPERSCRIPT)}⁾", text)
    return canonical(text)


def _wrap_width(lines: list[str]) -> float:
    """Estimated width at which the source wrapped lines; infinite when lines are whole paragraphs."""
    lengths = sorted(len(s) for s in lines if s)
    if len(lengths) < 10:
        return float("inf")
    p90 = lengths[int(len(lengths) * 0.9)]
    if p90 > 140:
        return float("inf")
    return float(lengths[int(len(lengths) * 0.75)])


def _continues(prev: str, line: str, *, blank_between: bool, width: float) -> bool:
    """Decide whether `line` continues the paragraph whose last physical line is `prev`."""
    first = line[:1]
    if first.islower() or first.isdigit() or first in "…,;)":
        return True
    if re.search(r"[,\-–]$", prev):
        return True
    last_word = prev.rsplit(" ", 1)[-1].lower()
    if last_word in _CONTINUATION_WORDS:
        return True
    if re.search(r"[.;:!?)”\"]$", prev):
        return False
    return not blank_between and len(prev) >= 0.7 * width


def cut_text(text: str, limit: int = MAX_PARAGRAPH) -> list[str]:
    """Cut a text longer than `limit` into pieces of at most `limit` characters: at the last sentence end before
    the limit, else the last space, else anywhere (a "word" of a million letters). Linear in the text's length."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        window = text[start:end]
        cut = max(window.rfind(". "), window.rfind("; "), window.rfind("? "), window.rfind("! "))
        if cut >= limit // 3:
            cut += 1
        else:
            cut = window.rfind(" ")
            if cut < limit // 3:
                cut = limit
        pieces.append(text[start:start + cut].strip())
        start += cut
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def join_lines(lines: list[TextLine]) -> list[Paragraph]:
    """Join hard-wrapped lines into paragraphs, keeping each paragraph's first and last page. Paragraphs longer
    than MAX_PARAGRAPH characters are cut (`cut_text`): every later stage then works on bounded pieces."""
    cleaned = [(_clean(tl.text), tl) for tl in lines]
    width = _wrap_width([c for c, _ in cleaned])
    paragraphs: list[Paragraph] = []
    parts: list[str] = []  # the lines of the last paragraph (joined once: += on a growing string is quadratic)
    prev_line = ""
    blank = True

    def close() -> None:
        if parts:
            paragraphs[-1].text = " ".join(parts)
            parts.clear()

    for text, tl in cleaned:
        if not text or _SEPARATOR.match(text):
            blank = True
            if text and paragraphs:
                close()
                paragraphs.append(Paragraph("-----", tl.page, tl.page))
                prev_line = ""
            continue
        starts_new = (
            not paragraphs
            or not prev_line
            or tl.heading
            or paragraphs[-1].heading
            or marker_of(text) is not None
            or _FOOTNOTE_LINE.match(tl.text.strip()) is not None
            or _END_BLOCK.match(text) is not None
            or _cells(text) is not None or _cells(prev_line) is not None  # table rows are never wrapped lines
            or not _continues(prev_line, text, blank_between=blank, width=width)
        )
        if _FOOTNOTE_LINE.match(tl.text.strip()):
            close()
            paragraphs.append(Paragraph(tl.text.strip(), tl.page, tl.page))
            prev_line, blank = "", True
            continue
        if starts_new:
            close()
            paragraphs.append(Paragraph(text, tl.page, tl.page, heading=tl.heading))
            parts.append(text)
        else:
            para = paragraphs[-1]
            parts.append(text)
            para.page_end = tl.page if tl.page is not None else para.page_end
        prev_line, blank = text, False
    close()
    out: list[Paragraph] = []
    for para in paragraphs:
        if len(para.text) <= MAX_PARAGRAPH:
            out.append(para)
            continue
        for i, piece in enumerate(cut_text(para.text)):
            out.append(Paragraph(piece, para.page, para.page_end, heading=para.heading and i == 0, cut=i > 0))
    return out


def _body_start(paragraphs: list[Paragraph]) -> int:
    """Index of the first body paragraph: after the `-----` rule under the title, or at the first sentence."""
    limit = max(12, len(paragraphs) // 4)
    for i, para in enumerate(paragraphs[:limit]):
        if para.text == "-----":
            return i + 1
    for i, para in enumerate(paragraphs[:limit]):
        if re.match(r"^(Thực hiện|Căn cứ|Theo|Triển khai)\b", para.text) and len(para.text) > 120:
            return i
        if marker_of(para.text) and marker_of(para.text)[0] in ("roman", "arabic1"):
            return i
    return 0


def parse_structure(lines: list[TextLine]) -> ParsedStructure:
    """Parse a document's lines into header paragraphs, a section tree, footnotes and the signature block."""
    paragraphs = join_lines(lines)
    start = _body_start(paragraphs)
    header = [p for p in paragraphs[:start] if p.text != "-----"]
    footnotes: dict[str, str] = {}
    body: list[Paragraph] = []
    end_block: list[str] = []
    state = None  # None (body), "recipients" or "signature": where in the end block we are
    signature_lines = 0
    for para in paragraphs[start:]:
        if para.text == "-----":
            continue
        if m := _FOOTNOTE_LINE.match(para.text):
            footnotes[m.group(1)] = _clean(m.group(2))
            continue
        if _END_BLOCK.match(para.text) and not _APPENDIX.match(para.text):
            state = "recipients" if _RECIPIENTS.match(para.text) else "signature"
            signature_lines = 0
            end_block.append(para.text)
            continue
        if state is not None and _in_end_block(para.text, state, signature_lines):
            end_block.append(para.text)
            signature_lines += 1
            if state == "signature" and _SIGNER_NAME.match(para.text.strip("* ")):
                state = None  # the signer's name closes the signature
            continue
        if state is not None:
            # Text after the recipients or the signature (an appendix, a second document): its own top section.
            para.after_end = True
        state = None
        body.append(para)
    body = _tables(_rejoin_interrupted(body))
    root = build_tree(body)
    return ParsedStructure(header=header, root=root, footnotes=footnotes, end_block=end_block)


MAX_SENTENCE_CELLS = 12  # rows with more cells keep "|" between them (each "; " is a clause duty extraction reads)
_TABLE_RULE = re.compile(r"^\|?[\s:|\-–=+]+\|?$")
# Header words of the columns of a task table (folded), in the order a task sentence wants them.
_COLUMNS = (
    ("lead", re.compile(r"chu tri|co quan|don vi|thuc hien|trach nhiem")),
    ("support", re.compile(r"phoi hop")),
    ("task", re.compile(r"noi dung|nhiem vu|cong viec|giai phap|hoat dong|de an|san pham")),
    ("deadline", re.compile(r"thoi gian|thoi han|tien do|\bhan\b|hoan thanh")),
)


def _cells(text: str) -> list[str] | None:
    """The cells of a table row ("| a | b |" from markdown, "a | b" from a .docx table), or None."""
    if not (text.startswith("|") or " | " in text):
        return None
    cells = [c.strip() for c in text.strip().strip("|").split("|")]
    return cells if len(cells) >= 2 else None


def _tables(body: list[Paragraph]) -> list[Paragraph]:
    """Rows of a task table become sentences the duty extraction reads like items: with a header naming the
    columns ("Nội dung nhiệm vụ | Cơ quan chủ trì | Phối hợp | Thời gian"), a row reads "<lead> chủ trì, phối hợp
    với <support>: <task>; <deadline header>: <deadline>"; other tables keep "header: cell" pairs. Rule lines
    (|---|) are dropped. Linear in the number of rows."""
    out: list[Paragraph] = []
    header: list[str] | None = None
    roles: dict[int, str] = {}
    for para in body:
        cells = _cells(para.text)
        if cells is None:
            header = None
            out.append(para)
            continue
        if _TABLE_RULE.match(para.text):
            continue
        if header is None:
            header = cells
            roles = {}
            for i, name in enumerate(cells):
                key = fold(name)
                role = next((r for r, pattern in _COLUMNS if pattern.search(key) and r not in roles.values()), None)
                if role:
                    roles[i] = role
            out.append(Paragraph(" | ".join(cells), para.page, para.page_end, heading=True, table="header"))
            continue
        out.append(Paragraph(_row_sentence(header, roles, cells), para.page, para.page_end, table="row"))
    return out


def _row_sentence(header: list[str], roles: dict[int, str], cells: list[str]) -> str:
    by_role = {role: cells[i] for i, role in roles.items() if i < len(cells) and cells[i]}
    rest = [f"{header[i] if i < len(header) else ''}: {cell}".lstrip(": ")
            for i, cell in enumerate(cells) if cell and i not in roles and not re.fullmatch(r"\d{1,4}\.?", cell)]
    if "lead" in by_role and "task" in by_role:
        text = f"{by_role['lead']} chủ trì"
        if "support" in by_role:
            text += f", phối hợp với {by_role['support']}"
        text += f": {by_role['task']}"
        if "deadline" in by_role:
            name = next(header[i] for i, r in roles.items() if r == "deadline")
            text += f"; {name}: {by_role['deadline']}"
        return "; ".join([text] + rest)
    separator = "; " if len(cells) <= MAX_SENTENCE_CELLS else " | "  # a 5,000-cell row is not 5,000 clauses
    return separator.join(f"{header[i] if i < len(header) else ''}: {cell}".lstrip(": ")
                          for i, cell in enumerate(cells) if cell)


def _in_end_block(text: str, state: str, signature_lines: int) -> bool:
    """Whether a paragraph after "Nơi nhận" / "T/M ..." still belongs to the recipients or the signature: a short
    recipient item ("- Như trên,", "- Lưu VP."), or one of the few title lines, "(Đã ký)" and the signer's name.
    Anything else (an appendix, a table, a sentence) is content again."""
    text = text.strip().strip("*").strip()
    if _APPENDIX.match(text):
        return False
    if state == "recipients":
        return len(text) <= 250 and (text[:1] in "-–+•" or text[-1:] in ",;." or text.endswith("(để báo cáo)"))
    if signature_lines >= SIGNATURE_LINES or len(text) > 80:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return bool(_SIGNED.match(text) or _SIGNER_NAME.match(text) or (letters and text.upper() == text))


def _rejoin_interrupted(body: list[Paragraph]) -> list[Paragraph]:
    """Rejoin a paragraph split by a removed footnote or page artefact ("... Chương trình hành" + "động ...")."""
    out: list[Paragraph] = []
    for para in body:
        if (out and para.text[:1].islower() and marker_of(para.text) is None and not out[-1].heading
                and not para.after_end and not para.cut and len(out[-1].text) + len(para.text) <= MAX_PARAGRAPH):
            out[-1].text = f"{out[-1].text} {para.text}"
            out[-1].page_end = para.page_end or out[-1].page_end
        else:
            out.append(para)
    return out


def build_tree(paragraphs: list[Paragraph]) -> Section:
    """Place paragraphs in a section tree using the numbering at the start of each paragraph."""
    root = Section(marker="", kind="root")
    preamble = Section(marker="", kind="preamble", parent=root)
    stack: list[Section] = [root]
    before_table: list[Section] | None = None
    for para in paragraphs:
        found = marker_of(para.text)
        if para.after_end and (found is None or found[0] != "appendix"):
            found = ("appendix", "", para.text)  # content after the signature starts a top-level section
        if found is not None and found[0] == "appendix":
            del stack[1:]  # an appendix is a top-level section whatever was open before it
        if para.table == "header":
            # A table belongs to the part it sits in, not to a finished item before it ("2. ... 10/2025."); its rows
            # are its items (one passage and one duty each); after it, the numbering goes on where it was.
            before_table = list(stack)
            while len(stack) > 1 and not stack[-1].children and stack[-1].kind not in ("appendix", "roman") \
                    and re.search(r"[.;!?]$", stack[-1].text):
                stack.pop()
            found = ("table", "", para.text)
        elif para.table == "row":
            while len(stack) > 1 and stack[-1].kind != "table":
                stack.pop()
            found = ("row", "", para.text)
        elif before_table is not None:
            stack, before_table = before_table, None
        if found is None:
            target = stack[-1] if len(stack) > 1 else preamble
            target.paragraphs.append(para.text)
            target.page_end = para.page_end or target.page_end
            if target.page is None:
                target.page = para.page
            continue
        kind, marker, rest = found
        depth = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].kind == kind), None)
        if kind.startswith("arabic") and depth is None:
            # "1.2." closes a deeper "1.2.1." and a shallower style that sits below it (bullets, (1)).
            level = int(kind[6:])
            depth = next(
                (i for i in range(1, len(stack)) if stack[i].kind.startswith("arabic") and int(stack[i].kind[6:]) > level),
                None,
            )
            if depth is not None:
                del stack[depth:]
                depth = None
        if depth is not None:
            del stack[depth:]
        parent = stack[-1]
        section = Section(
            marker=marker,
            kind=kind,
            paragraphs=[rest.strip()] if rest.strip() else [],
            page=para.page,
            page_end=para.page_end,
            heading=para.heading,
            parent=parent,
        )
        parent.children.append(section)
        stack.append(section)
    if preamble.paragraphs:
        root.children.insert(0, preamble)
    _mark_headings(root)
    return root


def _mark_headings(node: Section) -> None:
    for child in node.children:
        _mark_headings(child)
    if node.children and node.paragraphs and len(node.paragraphs[0]) <= 220:
        node.heading = True
