"""Ingestion: from a file on disk to metadata, a section tree and chunks (read -> structure -> chunk)."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .catalogue import fill_catalogue
from ..errors import DocumentError
from .chunking import chunk_document
from .metadata import extract_metadata
from .models import Chunk, DocumentMeta, RawDocument, Section
from .readers import SUPPORTED_EXTENSIONS, read_document
from .sections import ParsedStructure, _clean, parse_structure

log = logging.getLogger(__name__)


@dataclass
class ParsedDocument:
    """Everything the index stores about one document."""

    path: str
    meta: DocumentMeta
    root: Section
    chunks: list[Chunk]
    content_hash: str
    structure: ParsedStructure
    raw: RawDocument


def check_regular(path: str | Path) -> os.stat_result:
    """Refuse anything but a regular file before it is opened: a FIFO would block `open` forever (holding the
    write lock) and a link to /dev/zero would be read without end. Raises `DocumentError` (`file_not_found`,
    `not_regular_file`, `cannot_access`)."""
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a character device
    except FileNotFoundError:
        raise DocumentError(str(path), "file_not_found") from None
    except OSError as exc:
        raise DocumentError(str(path), "cannot_access", reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise DocumentError(str(path), "not_regular_file")
    return st


def open_regular(path: str | Path):
    """Open a file for reading only if it is a regular file: checked before opening (`check_regular`) and again on
    the open descriptor (O_NONBLOCK: a FIFO swapped in between cannot block), so nothing special is ever read."""
    check_regular(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DocumentError(str(path), "file_not_found") from None
    except OSError as exc:
        raise DocumentError(str(path), "cannot_read", reason=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DocumentError(str(path), "not_regular_file")
    return os.fdopen(fd, "rb")


def content_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes: unchanged documents are not re-parsed or re-embedded. Raises `DocumentError`
    for special files and files that cannot be read (permission), never `OSError`."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        except OSError as exc:
            raise DocumentError(str(path), "cannot_read", reason=exc.strerror or str(exc)) from None
    return digest.hexdigest()


def character_counts(raw: RawDocument, chunks: list[Chunk], meta: DocumentMeta) -> tuple[int, int]:
    """(characters read, characters indexed) of a document: the non-space characters of its lines, and those of
    its words found in a passage (text or section path) or in its metadata, counted as a multiset of words so that
    it stays linear in the size of the document (a line-by-line substring search was quadratic)."""
    from collections import Counter


    read: Counter = Counter()
    for line in raw.lines:
        read.update(_clean(line.text).replace("|", " ").casefold().split())
    indexed: Counter = Counter()
    for chunk in chunks:
        indexed.update(chunk.text.casefold().split())
        indexed.update(chunk.section.casefold().split())
    for value in (meta.header, meta.signature_block, meta.recipients, [meta.signer or "", meta.title or ""]):
        for text in value:
            indexed.update(text.casefold().split())
    total = sum(len(word) * n for word, n in read.items())
    found = sum(len(word) * min(n, indexed.get(word, 0)) for word, n in read.items())
    return total, found


def parse_raw(raw: RawDocument, *, name: str | None = None, digest: str = "") -> ParsedDocument:
    """Parse lines already read into structure, metadata and chunks."""
    name = name or Path(raw.path).name
    structure = parse_structure(raw.lines)
    first_lines = [line.text for line in raw.lines[:40]]
    meta = extract_metadata(name, structure, first_lines=first_lines)
    chunks = chunk_document(meta, structure)
    fill_catalogue(meta, structure, chunks)
    return ParsedDocument(
        path=str(raw.path), meta=meta, root=structure.root, chunks=chunks, content_hash=digest,
        structure=structure, raw=raw,
    )


def load_document(path: str | Path, *, digest: str | None = None) -> ParsedDocument:
    """Read and parse one file. Raises `DocumentError` (naming the file) when it cannot be read.

    `digest` is the file's `content_hash` when the caller has it already (a build hashes each file once, to find
    what changed): the file is then not read a second time for it."""
    path = Path(path)
    raw = read_document(path)
    return parse_raw(raw, name=path.name, digest=digest if digest is not None else content_hash(path))


def collect_files(paths: str | Path | list[str | Path]) -> list[Path]:
    """Expand folders into the supported files they contain (sorted, recursively, hidden files left out); keep
    files named explicitly (a wrong one is reported when it is read)."""
    files: list[Path] = []
    for raw in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
                                and not p.name.startswith(".")))
        else:
            files.append(path)
    return files
