"""Plain text and markdown reader: encoding detection, one `TextLine` per physical line, markdown stripped."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from pathlib import Path

from ...errors import DocumentError
from ..models import RawDocument, TextLine

logger = logging.getLogger(__name__)

# Letters that only Vietnamese (among Latin-script languages a cp1258 file may hold) uses, plus the
# combining tone marks cp1258 text is written with.
_VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def _looks_binary(text: str) -> bool:
    """True when the decoded text has control characters a text document never holds (NUL, ...)."""
    sample = text[:200_000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in _ALLOWED_CONTROLS)
    return bad > max(2, len(sample) // 1000)


def _utf16_without_bom(data: bytes) -> str | None:
    """Return 'utf-16-le' or 'utf-16-be' if the NUL bytes sit on one side of the byte pairs (ASCII in UTF-16)."""
    sample = data[:65536]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd >= 0.2 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.2 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _looks_vietnamese(text: str) -> bool:
    """True if a cp1258 decoding reads as Vietnamese rather than mojibake.

    Real Vietnamese has its special letters or combining tone marks in a good share of the letters; other
    legacy encodings (TCVN3/ABC, VNI) decoded as cp1258 show Latin-1 symbols such as "¸ ¶ ®" instead.
    """
    hits = sum(1 for ch in text if ch in _VIETNAMESE_LETTERS or ch in _TONE_MARKS)
    letters = sum(1 for ch in text if ch.isalpha())
    symbols = sum(1 for ch in text if "\u00a1" <= ch <= "\u00bf" or ch in "\u00d7\u00f7")
    return hits >= 1 and hits * 50 >= letters and symbols * 100 <= max(letters, 1)


def decode_text(data: bytes, path: str = "") -> tuple[str, str]:
    """Decode the bytes of a text file; return (text in NFC, encoding name).

    Order: byte order marks, BOM-less UTF-16 (NUL pattern), strict UTF-8, then Windows-1258 if the result
    looks Vietnamese. Anything else is refused rather than guessed, so users never index mojibake.
    """
    encoding: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        encoding = "utf-32"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_bom(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise DocumentError(path, "encoding_damaged", encoding=encoding.upper()) from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                text = ""
            if not text or not _looks_vietnamese(text):
                raise DocumentError(path, "unknown_encoding") from None
            encoding = "cp1258"
    if _looks_binary(text):
        raise DocumentError(path, "binary_content")
    return unicodedata.normalize("NFC", text), encoding


def clean_markdown_line(line: str) -> tuple[str, bool]:
    """Strip markdown from one line; return (text, is_heading).

    `#`-headings and lines wholly wrapped in `**...**` are headings; inline `**` and escapes such as `\\*`
    are removed. Uses only string methods and one linear regex, so 100,000-character lines stay fast.
    """
    text = line.rstrip()
    heading = False
    stripped = text.lstrip()
    if stripped.startswith("#"):
        hashes = len(stripped) - len(stripped.lstrip("#"))
        rest = stripped[hashes:]
        if hashes <= 6 and (not rest or rest[0] in " \t"):
            heading = True
            rest = rest.strip()
            closing = rest.rstrip("#")
            if closing != rest and (not closing or closing[-1] in " \t"):
                rest = closing.rstrip()
            text = rest
            stripped = text
    if stripped.startswith("**") and stripped.endswith("**") and len(stripped) > 4 and "**" not in stripped[2:-2]:
        heading = True
        text = stripped[2:-2].strip()
    if "**" in text:
        text = text.replace("**", "")
    if "\\" in text:
        text = _MD_ESCAPE_RE.sub(r"\1", text)
    if heading and not text.strip():
        heading = False
    return text, heading


def read_text(path: str | Path) -> RawDocument:
    """Read a .txt or .md file into one `TextLine` per physical line (blank lines kept as empty text)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentError(str(p), "cannot_read", reason=exc.strerror or str(exc)) from None
    if not data:
        raise DocumentError(str(p), "empty_file")
    text, encoding = decode_text(data, str(p))
    logger.debug("%s decoded as %s", p, encoding)
    lines: list[TextLine] = []
    for raw in text.splitlines():
        clean, heading = clean_markdown_line(raw)
        lines.append(TextLine(clean, None, heading))
    return RawDocument(path=str(p), lines=lines, kind="txt", pages=None)
