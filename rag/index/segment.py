"""One segment of the index: an immutable folder holding a group of documents, complete for search.

An index is a list of segments plus a manifest (see `store`). Adding a document writes one small segment;
removing one only records it as deleted in the manifest; small segments are merged from their stored arrays
(no re-parsing, no re-embedding). A segment folder holds plain files:

    segment.json        written LAST: documents, chunk ids, kinds, tables, file sizes
    chunks.jsonl        one chunk per line (read one line at a time through chunk_offsets.npy)
    chunk_offsets.npy   int64 byte offsets of each line (+ end)
    chunk_doc.npy       int32 document number (into segment.json "docs") of each chunk
    chunk_kind.npy      uint8 kind number (into segment.json "kinds") of each chunk
    text_hash.npy       uint64 hash of each chunk's indexed text (vectors of unchanged text are reused)
    vectors.npy         float32 [chunks, dim], L2-normalised (zeros for rows not embedded yet)
    embedded.npy        uint8, 1 for rows whose vector is computed (absent: every row is); the dense side searches
                        only those, BM25 and the tables cover every row from the start
    dense.faiss         FAISS index over vectors.npy
    bm25_*.npy          term frequencies (see `rag.search.lexical.Postings`)
    <table>.jsonl       rows of a feature table (the duty table is one), with <table>_offsets.npy, <table>_doc.npy
    <table>_<col>.npy   one numeric column of that table (the feature's `TableSpec` names them and their types)
    <table>_<set>_ptr.npy, <table>_<set>_ids.npy   a column holding a set of strings per row (the units of a
                        duty): ids into the vocabulary kept in segment.json
    documents.json      metadata of each document

Vectors computed after a segment was written (see `rag.index.embedding`) live in a *vectors folder* beside it,
`vec-<time>-<pid>-<n>/` with vectors.npy, embedded.npy, dense.faiss and vectors.json (written last, with file
sizes); the manifest names it, and the segment then reads its vectors from there. The segment itself stays
immutable.

The segment knows nothing of what a table means: a feature (duties) declares a `TableSpec` and gives `TableRow`s.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..documents.models import Chunk
from ..errors import IndexStoreError
from ..search import dense
from ..search.arrays import load_array
from ..search.lexical import Postings
from ..text.columns import encode_column

log = logging.getLogger(__name__)

SEGMENT_FORMAT = 2


class SegmentError(Exception):
    """A segment folder is missing files or they do not match its segment.json (internal: the store reports it as
    a corrupt index)."""


def text_hash(text: str) -> int:
    """64-bit hash of a chunk's indexed text (vectors are reused for text embedded before)."""
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")


# --- feature tables -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    """One row of a feature table, made once by the feature: its JSON line, its numeric column values (in the
    order of `TableSpec.columns`) and its string sets (in the order of `TableSpec.sets`)."""

    line: bytes
    values: tuple[int, ...] = ()
    sets: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """A table a feature stores beside the chunks: its name, a version (a new version re-parses the documents),
    numeric columns with their numpy dtypes, string-set columns, and the function that makes the rows of one parsed
    document (a module-level function: it runs in the parse worker processes)."""

    name: str
    version: str
    columns: tuple[tuple[str, str], ...]  # (column, dtype)
    sets: tuple[str, ...]
    rows: Callable[[object], list[TableRow]]


@dataclass
class TableData:
    """A feature table being built: row lines, document number, column values and string sets of each row."""

    lines: list[bytes] = field(default_factory=list)
    doc: list[int] = field(default_factory=list)
    values: list[tuple[int, ...]] = field(default_factory=list)
    sets: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)


@dataclass
class DocumentPart:
    """One parsed document as stored in a segment: its chunks, the rows of each feature table, its metadata."""

    name: str
    chunks: list[Chunk]
    tables: dict[str, list[TableRow]]
    meta: dict
    entry: dict  # manifest entry: hash, path, chunks


@dataclass
class SegmentData:
    """Everything a segment holds, in memory, before it is written."""

    specs: tuple[TableSpec, ...] = ()
    docs: list[str] = field(default_factory=list)
    chunk_lines: list[bytes] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
    chunk_doc: list[int] = field(default_factory=list)
    chunk_kind: list[str] = field(default_factory=list)
    text_hashes: list[int] = field(default_factory=list)
    tables: dict[str, TableData] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for spec in self.specs:
            self.tables.setdefault(spec.name, TableData())


def _write_table(folder: Path, spec: TableSpec, table: TableData) -> dict:
    name = spec.name
    np.save(folder / f"{name}_offsets.npy", write_lines(folder / f"{name}.jsonl", table.lines))
    np.save(folder / f"{name}_doc.npy", np.asarray(table.doc, dtype=np.int32))
    for i, (column, dtype) in enumerate(spec.columns):
        np.save(folder / f"{name}_{column}.npy", np.asarray([v[i] for v in table.values], dtype=dtype))
    vocabularies = {}
    for i, column in enumerate(spec.sets):
        per_row = [row_sets[i] for row_sets in table.sets]
        vocabulary = sorted({s for strings in per_row for s in strings})
        number = {s: j for j, s in enumerate(vocabulary)}
        np.save(folder / f"{name}_{column}_ptr.npy", np.cumsum([0] + [len(x) for x in per_row]).astype(np.int64))
        np.save(folder / f"{name}_{column}_ids.npy",
                np.asarray([number[s] for strings in per_row for s in strings], dtype=np.int32))
        vocabularies[column] = vocabulary
    return {"rows": len(table.lines), "columns": [c for c, _ in spec.columns], "sets": vocabularies}


def write_segment(folder: Path, data: SegmentData, vectors: np.ndarray, postings: Postings,
                  embedded: np.ndarray | None = None) -> dict:
    """Write a segment folder (segment.json last) and return its segment.json content. `embedded` marks the rows
    whose vector is computed (None: all of them)."""
    folder.mkdir(parents=True)
    np.save(folder / "chunk_offsets.npy", write_lines(folder / "chunks.jsonl", data.chunk_lines))
    kinds, kind_codes = encode_column(data.chunk_kind, ordered=True)
    np.save(folder / "chunk_doc.npy", np.asarray(data.chunk_doc, dtype=np.int32))
    np.save(folder / "chunk_kind.npy", kind_codes.astype(np.uint8))
    np.save(folder / "text_hash.npy", np.asarray(data.text_hashes, dtype=np.uint64))
    _save_vectors(folder, vectors, embedded)
    postings.save(folder)
    tables = {spec.name: _write_table(folder, spec, data.tables[spec.name]) for spec in data.specs}
    (folder / "documents.json").write_text(json.dumps(data.documents, ensure_ascii=False), encoding="utf-8")
    files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    info = {"format": SEGMENT_FORMAT, "docs": data.docs, "chunk_ids": data.chunk_ids, "kinds": kinds,
            "tables": tables, "files": files}
    _fsync_files(folder)
    write_atomically(folder / "segment.json", json.dumps(info, ensure_ascii=False))
    return info


def _save_vectors(folder: Path, vectors: np.ndarray, embedded: np.ndarray | None) -> None:
    np.save(folder / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
    if embedded is not None and not np.asarray(embedded).all():
        np.save(folder / "embedded.npy", np.asarray(embedded, dtype=np.uint8))
    dense.save_faiss(dense.build_faiss(vectors), folder / "dense.faiss")


def _fsync_files(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def write_vectors(folder: Path, vectors: np.ndarray, embedded: np.ndarray) -> dict:
    """Write a vectors folder for a segment (vectors.json last): the segment's vectors with more rows computed.
    Returns the manifest's record of it (folder name and file sizes)."""
    folder.mkdir(parents=True)
    _save_vectors(folder, vectors, embedded)
    files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    _fsync_files(folder)
    info = {"rows": len(vectors), "pending": int(len(embedded) - np.count_nonzero(embedded)), "files": files}
    write_atomically(folder / "vectors.json", json.dumps(info))
    return {"name": folder.name, "files": files | {"vectors.json": (folder / "vectors.json").stat().st_size}}


def write_lines(path: Path, lines: list[bytes]) -> np.ndarray:
    """Write encoded lines to a .jsonl file; return the byte offset of each line plus the end (what `JsonLines`
    reads them back with)."""
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    with open(path, "wb") as handle:
        for i, line in enumerate(lines):
            handle.write(line)
            offsets[i + 1] = offsets[i] + len(line)
    return offsets


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one: a temporary file, flushed to
    disk, then renamed over `path`."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def json_line(row: dict) -> bytes:
    """A row as one encoded JSON line (how chunks and table rows are stored)."""
    return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")


def add_document(data: SegmentData, part: DocumentPart, hashes: list[int]) -> None:
    """Append one parsed document (chunks with their text hashes, table rows, metadata) to a segment being built."""
    number = len(data.docs)
    data.docs.append(part.name)
    for chunk, h in zip(part.chunks, hashes):
        data.chunk_lines.append(json_line(chunk.to_dict()))
        data.chunk_ids.append(chunk.id)
        data.chunk_doc.append(number)
        data.chunk_kind.append(chunk.kind)
        data.text_hashes.append(h)
    for spec in data.specs:
        table = data.tables[spec.name]
        for row in part.tables.get(spec.name, ()):
            table.lines.append(row.line)
            table.doc.append(number)
            table.values.append(row.values)
            table.sets.append(row.sets)
    data.documents[part.name] = part.meta


class JsonLines:
    """Random access to the lines of a .jsonl file through its offsets array.

    The file is memory-mapped when opened, so rows stay readable after a later build removes the folder (an
    assistant that loaded this generation keeps answering until it reloads)."""

    def __init__(self, path: Path, offsets: np.ndarray):
        self.path = path
        self.offsets = offsets
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        """The bytes of line i (with its newline)."""
        return self._map[int(self.offsets[i]):int(self.offsets[i + 1])]

    def line(self, i: int) -> dict:
        """Parse line i (a damaged line is a corrupt index, with the rebuild command: `IndexStoreError`)."""
        try:
            return json.loads(self.raw(i))
        except (ValueError, IndexError) as exc:
            raise IndexStoreError("index_corrupt", path=str(self.path), detail=f"line {i}: {exc}") from None

    def lines(self, rows: np.ndarray) -> Iterator[dict]:
        """Parse the given lines in order."""
        for i in rows:
            yield self.line(i)


class SegmentTable:
    """A feature table of a segment opened for reading: rows parsed on demand, columns memory-mapped."""

    def __init__(self, folder: Path, name: str, info: dict):
        load = lambda file: load_array(folder / file)  # noqa: E731
        self.name = name
        self.rows = JsonLines(folder / f"{name}.jsonl", load(f"{name}_offsets.npy"))
        self.doc = load(f"{name}_doc.npy")
        self.columns = {column: load(f"{name}_{column}.npy") for column in info.get("columns", [])}
        # set column -> (ptr, ids, vocabulary): the strings of row r are vocabulary[ids[ptr[r]:ptr[r+1]]]
        self.sets = {column: (load(f"{name}_{column}_ptr.npy"), load(f"{name}_{column}_ids.npy"), vocabulary)
                     for column, vocabulary in info.get("sets", {}).items()}
        sizes = {len(self.rows), len(self.doc), *(len(c) for c in self.columns.values()),
                 *(len(ptr) - 1 for ptr, _, _ in self.sets.values())}
        if sizes != {info.get("rows")}:
            raise SegmentError(f"{folder}: table {name}: its files disagree on the number of rows")

    def strings(self, column: str, row: int) -> list[str]:
        """The strings of a set column in one row."""
        ptr, ids, vocabulary = self.sets[column]
        return [vocabulary[int(u)] for u in ids[ptr[row]:ptr[row + 1]]]


class Segment:
    """A segment folder opened for reading: arrays memory-mapped, rows parsed on demand."""

    def __init__(self, folder: Path, vectors: Path | None = None):
        self.folder = folder
        self.name = folder.name
        self.vectors_folder = vectors  # computed later than the segment (see `write_vectors`), or None
        try:
            self.info = json.loads((folder / "segment.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SegmentError(f"{folder}: segment.json missing or unreadable ({exc})") from None
        problems = [name for name, size in self.info.get("files", {}).items()
                    if not (folder / name).is_file() or (folder / name).stat().st_size != size]
        if problems or self.info.get("format") != SEGMENT_FORMAT:
            raise SegmentError(f"{folder}: files missing or of the wrong size: {', '.join(problems) or 'format'}")
        load = lambda name: load_array(folder / name)  # noqa: E731
        self.docs: list[str] = self.info["docs"]
        self.chunk_ids: list[str] = self.info["chunk_ids"]
        self.kinds: list[str] = self.info["kinds"]
        self.chunk_doc = load("chunk_doc.npy")
        self.chunk_kind = load("chunk_kind.npy")
        self.text_hash = load("text_hash.npy")
        source = vectors or folder
        if vectors is not None and not (vectors / "vectors.json").is_file():
            raise SegmentError(f"{vectors}: vectors.json missing")
        self.vectors = load_array(source / "vectors.npy")
        self.embedded = (load_array(source / "embedded.npy").astype(bool)
                         if (source / "embedded.npy").is_file() else None)
        self.chunk_rows = JsonLines(folder / "chunks.jsonl", load("chunk_offsets.npy"))
        self.postings = Postings.load(folder)
        self.tables = {name: SegmentTable(folder, name, info) for name, info in self.info.get("tables", {}).items()}
        n = len(self.chunk_ids)
        if self.embedded is not None and len(self.embedded) != n:
            raise SegmentError(f"{folder}: embedded.npy has the wrong number of rows")
        if not len(self.chunk_doc) == len(self.vectors) == len(self.chunk_rows) == self.postings.size == n:
            raise SegmentError(f"{folder}: its files disagree on the number of rows")
        self._faiss = None

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    @property
    def faiss_index(self):
        """The segment's FAISS index (memory-mapped), opened on first use."""
        if self._faiss is None:
            self._faiss = dense.load_faiss((self.vectors_folder or self.folder) / "dense.faiss")
            if self._faiss.ntotal != self.size:
                raise SegmentError(f"{self.folder}: dense.faiss holds {self._faiss.ntotal} vectors, not {self.size}")
        return self._faiss

    @property
    def searchable(self) -> np.ndarray:
        """Rows the dense side may search: those whose vector is computed."""
        return np.ones(self.size, dtype=bool) if self.embedded is None else np.asarray(self.embedded, dtype=bool)

    def pending(self, deleted: set[str] = frozenset()) -> np.ndarray:
        """Rows of live documents whose vector is not computed yet."""
        if self.embedded is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(~self.searchable & self.live_mask(deleted))

    def documents(self) -> dict[str, dict]:
        """Metadata of the segment's documents."""
        return json.loads((self.folder / "documents.json").read_text(encoding="utf-8"))

    def live_mask(self, deleted: set[str]) -> np.ndarray:
        """Chunk rows of documents not deleted."""
        return self.rows_kept(self.chunk_doc, deleted)

    def rows_kept(self, doc_column: np.ndarray, deleted: set[str]) -> np.ndarray:
        """Rows whose document (a column of document numbers: chunks', or a table's) is not deleted."""
        gone = [i for i, name in enumerate(self.docs) if name in deleted]
        return ~np.isin(np.asarray(doc_column), gone) if gone else np.ones(len(doc_column), dtype=bool)


def merge_segments(parts: list[tuple[Segment, set[str]]], folder: Path, specs: tuple[TableSpec, ...]) -> dict:
    """Write one segment holding the live documents of several (deleted documents dropped), from their stored
    rows, term frequencies and vectors: nothing is parsed, tokenized or embedded again."""
    data = SegmentData(specs=specs)
    vectors: list[np.ndarray] = []
    embedded: list[np.ndarray] = []
    postings: list[Postings] = []
    for segment, deleted in parts:
        keep = segment.live_mask(deleted)
        doc_number: dict[int, int] = {}
        meta = segment.documents()
        for i, name in enumerate(segment.docs):
            if name not in deleted:
                doc_number[i] = len(data.docs)
                data.docs.append(name)
                data.documents[name] = meta.get(name, {})
        rows = np.flatnonzero(keep)
        data.chunk_lines.extend(segment.chunk_rows.raw(r) for r in rows)
        data.chunk_ids.extend(segment.chunk_ids[r] for r in rows)
        data.chunk_doc.extend(doc_number[int(d)] for d in segment.chunk_doc[rows])
        data.chunk_kind.extend(segment.kinds[int(k)] for k in segment.chunk_kind[rows])
        data.text_hashes.extend(int(h) for h in segment.text_hash[rows])
        vectors.append(np.asarray(segment.vectors[rows]))
        embedded.append(segment.searchable[rows])
        postings.append(segment.postings.select_rows(keep))
        for spec in specs:
            stored = segment.tables.get(spec.name)
            if stored is None:
                continue
            target = data.tables[spec.name]
            for r in np.flatnonzero(segment.rows_kept(stored.doc, deleted)):
                target.lines.append(stored.rows.raw(r))
                target.doc.append(doc_number[int(stored.doc[r])])
                target.values.append(tuple(int(stored.columns[c][r]) for c, _ in spec.columns))
                target.sets.append(tuple(tuple(stored.strings(c, r)) for c in spec.sets))
    dim = vectors[0].shape[1] if vectors else 0
    merged = np.concatenate(vectors) if vectors else np.zeros((0, dim), dtype=np.float32)
    mask = np.concatenate(embedded) if embedded else np.ones(0, dtype=bool)
    return write_segment(folder, data, merged, Postings.concat(postings), embedded=mask)
