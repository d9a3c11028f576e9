"""PDF reader (pypdf): text per page, lines with 1-based page numbers, running headers/footers removed."""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

from ...errors import DocumentError
from ..models import RawDocument, TextLine

logger = logging.getLogger(__name__)

EDGE_LINES = 3  # running headers/footers are looked for in the first and last lines of a page
REPEAT_SHARE = 0.6  # a line repeated at the page edges on this share of pages is a running header/footer
_DIGITS_RE = re.compile(r"\d+")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:trang|page)\s*)?\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?(?:\s*[-–—])?$", re.IGNORECASE
)


def _open(path: Path):
    """Open the PDF with pypdf, decrypting with an empty password if needed; DocumentError otherwise."""
    from pypdf import PdfReader

    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise DocumentError(str(path), "cannot_read", reason=exc.strerror or str(exc)) from None
    if b"%PDF-" not in head:
        raise DocumentError(str(path), "not_pdf")
    try:
        reader = PdfReader(str(path), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many types on damaged files
        raise DocumentError(str(path), "pdf_damaged", detail=str(exc)) from None
    if encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:
            logger.debug("decrypt with empty password failed: %s", exc)
            ok = 0
        if not ok:
            raise DocumentError(str(path), "pdf_encrypted")
    return reader


def _page_texts(reader, path: Path) -> list[str]:
    """Extracted text of every page; a page that fails to extract makes the document unreadable."""
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise DocumentError(str(path), "pdf_damaged", detail=str(exc)) from None
    if not pages:
        raise DocumentError(str(path), "pdf_no_pages")
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:
            raise DocumentError(str(path), "pdf_page_unreadable", page=number, detail=str(exc)) from None
    return texts


def _edge_keys(lines: list[str]) -> set[str]:
    edge = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    return {_DIGITS_RE.sub("#", line) for line in edge}


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers/footers and page-number lines from per-page line lists.

    A line is a running header/footer when (with digits replaced by '#') it occurs in the first or last
    `EDGE_LINES` lines of at least 60% of the pages (and of at least 2). Page-number lines ("5", "- 5 -",
    "Trang 5", "Trang 5/12", "5/12") are dropped from the top and bottom of every page.
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update(_edge_keys(lines))
    need = max(2, math.ceil(REPEAT_SHARE * len(pages)))
    running = {key for key, n in counts.items() if n >= need}
    result: list[list[str]] = []
    for lines in pages:
        n = len(lines)
        kept = [
            line
            for i, line in enumerate(lines)
            if not ((i < EDGE_LINES or i >= n - EDGE_LINES) and _DIGITS_RE.sub("#", line) in running)
        ]
        for _ in range(2):
            if kept and _PAGE_NUMBER_RE.match(kept[0]):
                kept.pop(0)
            if kept and _PAGE_NUMBER_RE.match(kept[-1]):
                kept.pop()
        result.append(kept)
    return result


def read_pdf(path: str | Path) -> RawDocument:
    """Read a PDF with a text layer into lines with page numbers; scanned, encrypted or damaged PDFs fail."""
    p = Path(path)
    reader = _open(p)
    texts = _page_texts(reader, p)
    pages = [
        [" ".join(unicodedata.normalize("NFC", raw).split()) for raw in text.splitlines()] for text in texts
    ]
    pages = [[line for line in lines if line] for lines in pages]
    if not any(pages):
        raise DocumentError(str(p), "pdf_no_text", pages=len(pages))
    empty = [i + 1 for i, lines in enumerate(pages) if not lines]
    if empty:
        logger.warning("%s: pages without text (scanned?): %s", p, empty[:20])
    lines = [TextLine(text, number, False) for number, page in enumerate(strip_running_lines(pages), 1) for text in page]
    if not any(_PAGE_NUMBER_RE.match(line.text) is None for line in lines):
        # Only page numbers ("Trang 1/3") or running footers: a scan with a printed footer, not a text document.
        raise DocumentError(str(p), "pdf_no_text", pages=len(pages))
    return RawDocument(path=str(p), lines=lines, kind="pdf", pages=len(pages))
