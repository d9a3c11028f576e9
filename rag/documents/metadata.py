"""Document metadata a citation shows: type, number, date, issuer, title/subject line, signer, recipients."""

from __future__ import annotations

import logging
import re

from .models import DocumentMeta
from ..text.normalize import canonical
from .sections import ParsedStructure

log = logging.getLogger(__name__)

# Type names as they appear in upper case in headers, with the number code of each (domain notes).
DOC_TYPES: list[tuple[str, str, str]] = [
    ("CHƯƠNG TRÌNH HÀNH ĐỘNG", "Chương trình hành động", "CTr"),
    ("KẾ HOẠCH", "Kế hoạch", "KH"),
    ("CÔNG VĂN", "Công văn", "CV"),
    ("KẾT LUẬN", "Kết luận", "KL"),
    ("NGHỊ QUYẾT", "Nghị quyết", "NQ"),
    ("CHỈ THỊ", "Chỉ thị", "CT"),
    ("THÔNG BÁO", "Thông báo", "TB"),
    ("QUYẾT ĐỊNH", "Quyết định", "QĐ"),
    ("QUY ĐỊNH", "Quy định", "QĐ"),
    ("HƯỚNG DẪN", "Hướng dẫn", "HD"),
    ("BÁO CÁO", "Báo cáo", "BC"),
]
_CODE_TO_TYPE = {code: name for _, name, code in DOC_TYPES}
_NUMBER_RE = re.compile(r"\bSố[:\s]*(\d*)\s*-\s*([A-Za-zĐđ]+)\s*/\s*([A-ZĐ]+)")
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_PLACE_DATE_RE = re.compile(r"^([A-ZĐ][^\d,]{1,30}),\s*ngày\s*(?:\d{1,2}\s+)?tháng")
_PLACE_RE = re.compile(r"\b(?:thành phố|tỉnh|Thành phố|Tỉnh) ([A-ZĐ][a-zà-ỹđ]+ [A-ZĐ][a-zà-ỹđ]+)")
_ISSUER_RE = re.compile(
    r"(Ban (?:Chấp hành|Thường vụ) (?:Đảng bộ )?[^,;.]*?)\s+(?:ban hành|xây dựng|yêu cầu)"
)
_NAME_RE = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?: [A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")


def _header_type(header_text: str) -> str | None:
    upper = header_text.upper()
    for heading, name, _ in DOC_TYPES:
        if re.search(rf"(^|\n|\s){heading}(\s|$)", upper) and heading in header_text:
            return name
    return None


def extract_metadata(doc: str, parsed: ParsedStructure, *, first_lines: list[str] | None = None) -> DocumentMeta:
    """Read type, number, date, issuer, title, signer and recipients from a parsed document."""
    meta = DocumentMeta(doc=doc)
    header_lines = [p.text for p in parsed.header]
    header_text = "\n".join(header_lines)
    scan_text = "\n".join(header_lines + (first_lines or []))

    if m := _NUMBER_RE.search(scan_text):
        number, code, issuer_code = m.groups()
        meta.number = f"{number}-{code}/{issuer_code}" if number else None
        meta.doc_type = _CODE_TO_TYPE.get(code)
    meta.doc_type = _header_type(header_text) or meta.doc_type
    if meta.doc_type is None and re.search(r"^V/v\b", scan_text, re.MULTILINE):
        meta.doc_type = "Công văn"
    if meta.doc_type is None:
        body = "\n".join(p for s in parsed.root.walk() for p in s.paragraphs)
        for _, name, _ in DOC_TYPES:
            if re.search(rf"\b{name} này\b", body):
                meta.doc_type = name
                break

    if m := _DATE_RE.search(scan_text):
        day, month, year = map(int, m.groups())
        meta.date = f"{year:04d}-{month:02d}-{day:02d}"

    meta.title = _title(header_lines, scan_text)
    meta.issuer = _issuer(header_lines, parsed)
    meta.place = _place(scan_text, parsed)
    _signature(meta, parsed.end_block)
    meta.header = [canonical(line) for line in header_lines if line.strip()]
    meta.addressees = _addressees(meta.header)
    meta.signature_block = [canonical(line) for line in parsed.end_block if line.strip()]
    return meta


def _title(header_lines: list[str], scan_text: str) -> str | None:
    subject = re.search(r"^V/v\s+(.+?)(?:\n(?:-?\s*Kính gửi|-)|$)", scan_text, re.MULTILINE | re.DOTALL)
    if subject:
        return canonical(subject.group(1).replace("\n", " "))
    parts: list[str] = []
    for line in header_lines:
        upper_type = any(line.strip().upper().startswith(h) and line.strip() == line.strip().upper() for h, _, _ in DOC_TYPES)
        if upper_type or line.startswith("CỦA ") or re.match(r"^(Số\b|\*)", line) or _PLACE_DATE_RE.match(line):
            # "CỦA BAN CHẤP HÀNH ..." may share a paragraph with the title proper: keep what follows it.
            rest = line[len(_upper_prefix(line)):].strip() if line.startswith("CỦA ") else ""
            if rest:
                parts.append(rest)
            continue
        if line.isupper():
            continue
        parts.append(line)
    title = canonical(" ".join(parts))
    return title[:300] or None


def _upper_prefix(line: str) -> str:
    """The leading run of upper-case words of a line ("CỦA BAN CHẤP HÀNH ĐẢNG BỘ thực hiện" -> "CỦA ... BỘ")."""
    words = []
    for word in line.split():
        if word.upper() != word or not any(ch.isalpha() for ch in word):
            break
        words.append(word)
    return " ".join(words)


def _place(scan_text: str, parsed: ParsedStructure) -> str | None:
    for line in scan_text.splitlines():
        if m := _PLACE_DATE_RE.match(line.strip()):
            return m.group(1).strip()
    body = " ".join(p for s in parsed.root.walk() for p in s.paragraphs)
    found = _PLACE_RE.findall(body)
    return max(set(found), key=found.count) if found else None


def _issuer(header_lines: list[str], parsed: ParsedStructure) -> str | None:
    for line in header_lines:
        if line.startswith("CỦA BAN "):
            return _title_case_body(_upper_prefix(line)[4:].strip())
    preamble = next((s for s in parsed.root.children if s.kind == "preamble"), None)
    text = " ".join(preamble.paragraphs) if preamble else ""
    if m := _ISSUER_RE.search(text):
        return m.group(1).strip()
    # no preamble found (a PDF whose opening paragraph ran into its title): the header and first paragraphs still
    # say who issues it ("...; Ban Thường vụ Tỉnh ủy xây dựng Chương trình hành động ...")
    opening = re.sub(r"\s+", " ", " ".join([*header_lines, *(p for s in list(parsed.root.walk())[:8]
                                                                 for p in s.paragraphs[:3])]))
    if m := _ISSUER_RE.search(opening):
        return m.group(1).strip()
    for line in parsed.end_block:
        if m := re.match(r"^T/M (.+)$", line):
            return _title_case_body(m.group(1))
    return None


_PROPER = [
    ("ban chấp hành", "Ban Chấp hành"), ("ban thường vụ", "Ban Thường vụ"), ("đảng bộ", "Đảng bộ"),
    ("huyện ủy", "Huyện ủy"), ("tỉnh ủy", "Tỉnh ủy"), ("thành ủy", "Thành ủy"), ("đảng ủy", "Đảng ủy"),
    ("các cơ quan đảng", "Các cơ quan Đảng"),
]


def _title_case_body(upper: str) -> str:
    """'BAN CHẤP HÀNH ĐẢNG BỘ THÀNH PHỐ' -> 'Ban Chấp hành Đảng bộ thành phố' (the documents' own casing)."""
    text = canonical(upper).lower()
    for lower, proper in _PROPER:
        text = text.replace(lower, proper)
    return text[:1].upper() + text[1:]


_KINH_GUI = re.compile(r"^[-–*\s]*Kính gửi\s*:?[\s*]*(.*)$", re.IGNORECASE)


def _addressees(header: list[str]) -> list[str]:
    """The addressees a letter's header lists after "Kính gửi:" (one per "- " line, or inline after the colon)."""
    found: list[str] = []
    listing = False
    for line in header:
        if m := _KINH_GUI.match(line):
            listing = True
            inline = m.group(1).strip(" *,.;")
            if inline:
                found.append(inline)
            continue
        if listing:
            if not line.lstrip().startswith(("-", "–", "+")):
                break
            name = line.lstrip(" -–+").strip(" *,.;")
            if name:
                found.append(name)
    return found


def _signature(meta: DocumentMeta, end_block: list[str]) -> None:
    lines = [canonical(line.lstrip("-").strip()) for line in end_block if line.strip()]
    recipients: list[str] = []
    in_recipients = False
    for i, line in enumerate(lines):
        if line.lower().startswith("nơi nhận"):
            in_recipients = True
            continue
        if re.match(r"^(T/M|TM\.|KT\.)", line):
            in_recipients = False
            meta.signed_for = line
            titles = [t for t in lines[i + 1:] if t.isupper()]
            meta.signer_title = " ".join(titles).strip().capitalize() or None
            continue
        if in_recipients:
            recipients.append(line.rstrip(",.;"))
    names = [line for line in lines if _NAME_RE.match(line)]
    if names:
        meta.signer = names[-1]
    meta.recipients = recipients
