"""Document readers: turn a .txt/.md, .pdf or .docx file into a `RawDocument` of lines in reading order.

Readers only deliver lines (with page numbers for PDF) and strip what is not document content (running
headers and footers, page numbers, markdown markup). Section numbering and the joining of hard-wrapped
lines are left to the section parser, which works on the `TextLine` list uniformly for every format.
Every problem with the input is reported as a `DocumentError`.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from ...errors import DocumentError
from ..models import RawDocument

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Text one document may hold. Parsing is linear, about 8 s per million characters here (tools/stage_timings.py:
# duties 4.5 s, catalogue 0.5 s, sections 0.2 s at 1 MB); 2 million characters (about 800 pages) is far above any
# directive and parses in under 30 s, so a 20 MB single line is refused in a second instead of holding the writer.
MAX_CHARACTERS = 2_000_000


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def read_document(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_characters: int = MAX_CHARACTERS) -> RawDocument:
    """Read one document file, choosing the reader by its extension.

    Checks the things every format shares first (the file exists, is not empty, is not over `max_bytes`)
    so that a user gets a clear message before any parser sees a bad file. Raises only `DocumentError`.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        shown = ext or "(no extension)"
        raise DocumentError(str(p), "unsupported_type", ext=shown, supported=", ".join(SUPPORTED_EXTENSIONS))
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DocumentError(str(p), "file_not_found") from None
    except OSError as exc:
        raise DocumentError(str(p), "cannot_access", reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):  # FIFOs, devices, folders: refused before anything opens them
        raise DocumentError(str(p), "not_regular_file")
    if not os.access(p, os.R_OK):
        raise DocumentError(str(p), "cannot_read", reason="Permission denied")
    if st.st_size == 0:
        raise DocumentError(str(p), "empty_file")
    if st.st_size > max_bytes:
        raise DocumentError(str(p), "too_large", size=_size_text(st.st_size), limit=_size_text(max_bytes))

    if ext in (".txt", ".md"):
        from .text import read_text

        doc = read_text(p)
    elif ext == ".pdf":
        from .pdf import read_pdf

        doc = read_pdf(p)
    else:
        from .docx import read_docx

        doc = read_docx(p)

    characters = sum(len(line.text) for line in doc.lines)
    if characters > max_characters:
        raise DocumentError(str(p), "too_long", characters=f"{characters:,}".replace(",", "."),
                            limit=f"{max_characters:,}".replace(",", "."))
    if not any(line.text.strip() for line in doc.lines):
        raise DocumentError(str(p), "no_text")
    logger.debug("read %s: %d lines (%s)", p, len(doc.lines), doc.kind)
    return doc


__all__ = ["SUPPORTED_EXTENSIONS", "read_document", "DocumentError", "RawDocument"]
