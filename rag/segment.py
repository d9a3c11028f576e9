"""One segment of the index: an immutable folder holding a group of documents, complete for search.

An index is a list of segments plus a manifest (see `store`). Adding a document writes one small segment;
removing one only records it as deleted in the manifest; small segments are merged from their stored arrays
(no re-parsing, no re-embedding). A segment folder holds plain files:

    segment.json        written LAST: documents, chunk ids, units, kinds, file sizes
    chunks.jsonl        one chunk per line (read one line at a time through chunk_offsets.npy)
    chunk_offsets.npy   int64 byte offsets of each line (+ end)
    chunk_doc.npy       int32 document number (into segment.json "docs") of each chunk
    chunk_kind.npy      uint8 kind number (into segment.json "kinds") of each chunk
    text_hash.npy       uint64 hash of each chunk's indexed text (vectors of unchanged text are reused)
    vectors.npy         float32 [chunks, dim], L2-normalised
    dense.faiss         FAISS index over vectors.npy
    bm25_*.npy          term frequencies (see `lexical.Postings`)
    duties.jsonl        one duty per line, with duty_offsets.npy, duty_doc.npy
    duty_due.npy        int32 due date (proleptic ordinal, 0 when none); duty_flags.npy (see DUTY_FLAGS)
    duty_unit_ptr.npy   int64, duty_unit_ids.npy int32: the units (into segment.json "units") of each duty
    documents.json      metadata of each document
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import dense
from .lexical import Postings
from .models import Chunk

log = logging.getLogger(__name__)

SEGMENT_FORMAT = 1
FLAG_DEADLINE, FLAG_DATED, FLAG_DONE, FLAG_RECURRING = 1, 2, 4, 8


class SegmentError(Exception):
    """A segment folder is missing files or they do not match its segment.json."""


def text_hash(text: str) -> int:
    """64-bit hash of a chunk's indexed text (vectors are reused for text embedded before)."""
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")


@dataclass
class DocumentPart:
    """One parsed document as stored in a segment: its chunks, its duties (as dicts) and its metadata."""

    name: str
    chunks: list[Chunk]
    duties: list[dict]
    meta: dict
    entry: dict  # manifest entry: hash, path, chunks


@dataclass
class SegmentData:
    """Everything a segment holds, in memory, before it is written."""

    docs: list[str] = field(default_factory=list)
    chunk_lines: list[bytes] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
    chunk_doc: list[int] = field(default_factory=list)
    chunk_kind: list[str] = field(default_factory=list)
    text_hashes: list[int] = field(default_factory=list)
    duty_lines: list[bytes] = field(default_factory=list)
    duty_doc: list[int] = field(default_factory=list)
    duty_due: list[int] = field(default_factory=list)
    duty_flags: list[int] = field(default_factory=list)
    duty_units: list[list[str]] = field(default_factory=list)
    documents: dict[str, dict] = field(default_factory=dict)


def duty_columns(duty) -> tuple[int, int]:
    """(due ordinal or 0, flags) of a Duty: what selection filters on without reading the duty itself."""
    deadline = duty.deadline
    flags = 0
    if deadline is not None:
        flags |= FLAG_DEADLINE
        flags |= FLAG_DATED if deadline.dated else 0
        flags |= FLAG_DONE if deadline.done else 0
        flags |= FLAG_RECURRING if deadline.recurrence else 0
    due = duty.due.toordinal() if duty.due else 0
    return due, flags


def encode_column(values, *, ordered: bool = False) -> tuple[list[str], np.ndarray]:
    """Names and int64 codes of a column of strings (document of each row, kind of each row): names in order of
    first appearance, or sorted with `ordered`; `codes[i]` is the position of `values[i]` in names."""
    values = list(values)
    names = sorted(set(values)) if ordered else list(dict.fromkeys(values))
    number = {name: i for i, name in enumerate(names)}
    return names, np.asarray([number[v] for v in values], dtype=np.int64)


def write_segment(folder: Path, data: SegmentData, vectors: np.ndarray, postings: Postings) -> dict:
    """Write a segment folder (segment.json last) and return its segment.json content."""
    folder.mkdir(parents=True)
    np.save(folder / "chunk_offsets.npy", write_lines(folder / "chunks.jsonl", data.chunk_lines))
    kinds, kind_codes = encode_column(data.chunk_kind, ordered=True)
    np.save(folder / "chunk_doc.npy", np.asarray(data.chunk_doc, dtype=np.int32))
    np.save(folder / "chunk_kind.npy", kind_codes.astype(np.uint8))
    np.save(folder / "text_hash.npy", np.asarray(data.text_hashes, dtype=np.uint64))
    np.save(folder / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
    dense.save_faiss(dense.build_faiss(vectors), folder / "dense.faiss")
    postings.save(folder)
    np.save(folder / "duty_offsets.npy", write_lines(folder / "duties.jsonl", data.duty_lines))
    np.save(folder / "duty_doc.npy", np.asarray(data.duty_doc, dtype=np.int32))
    np.save(folder / "duty_due.npy", np.asarray(data.duty_due, dtype=np.int32))
    np.save(folder / "duty_flags.npy", np.asarray(data.duty_flags, dtype=np.uint8))
    units = sorted({u for names in data.duty_units for u in names})
    unit_number = {u: i for i, u in enumerate(units)}
    unit_ptr = np.cumsum([0] + [len(names) for names in data.duty_units]).astype(np.int64)
    unit_ids = np.asarray([unit_number[u] for names in data.duty_units for u in names], dtype=np.int32)
    np.save(folder / "duty_unit_ptr.npy", unit_ptr)
    np.save(folder / "duty_unit_ids.npy", unit_ids)
    (folder / "documents.json").write_text(json.dumps(data.documents, ensure_ascii=False), encoding="utf-8")
    files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    info = {"format": SEGMENT_FORMAT, "docs": data.docs, "chunk_ids": data.chunk_ids, "kinds": kinds,
            "units": units, "duties": len(data.duty_lines), "files": files}
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    write_atomically(folder / "segment.json", json.dumps(info, ensure_ascii=False))
    return info


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


def add_document(data: SegmentData, part: DocumentPart, hashes: list[int]) -> None:
    """Append one parsed document (chunks with their text hashes, duties, metadata) to a segment being built."""
    from .duties import Duty

    number = len(data.docs)
    data.docs.append(part.name)
    for chunk, h in zip(part.chunks, hashes):
        data.chunk_lines.append((json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))
        data.chunk_ids.append(chunk.id)
        data.chunk_doc.append(number)
        data.chunk_kind.append(chunk.kind)
        data.text_hashes.append(h)
    for row in part.duties:
        duty = Duty.from_dict(row)
        due, flags = duty_columns(duty)
        data.duty_lines.append((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        data.duty_doc.append(number)
        data.duty_due.append(due)
        data.duty_flags.append(flags)
        data.duty_units.append(duty.units)
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
        """Parse line i."""
        return json.loads(self.raw(i))

    def lines(self, rows: np.ndarray) -> Iterator[dict]:
        """Parse the given lines in order."""
        for i in rows:
            yield json.loads(self.raw(i))


class Segment:
    """A segment folder opened for reading: arrays memory-mapped, rows parsed on demand."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.name = folder.name
        try:
            self.info = json.loads((folder / "segment.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SegmentError(f"{folder}: segment.json missing or unreadable ({exc})") from None
        problems = [name for name, size in self.info.get("files", {}).items()
                    if not (folder / name).is_file() or (folder / name).stat().st_size != size]
        if problems or self.info.get("format") != SEGMENT_FORMAT:
            raise SegmentError(f"{folder}: files missing or of the wrong size: {', '.join(problems) or 'format'}")
        load = lambda name: np.load(folder / name, mmap_mode="r")  # noqa: E731
        self.docs: list[str] = self.info["docs"]
        self.chunk_ids: list[str] = self.info["chunk_ids"]
        self.kinds: list[str] = self.info["kinds"]
        self.units: list[str] = self.info["units"]
        self.chunk_doc = load("chunk_doc.npy")
        self.chunk_kind = load("chunk_kind.npy")
        self.text_hash = load("text_hash.npy")
        self.vectors = load("vectors.npy")
        self.chunk_rows = JsonLines(folder / "chunks.jsonl", load("chunk_offsets.npy"))
        self.duty_rows = JsonLines(folder / "duties.jsonl", load("duty_offsets.npy"))
        self.duty_doc = load("duty_doc.npy")
        self.duty_due = load("duty_due.npy")
        self.duty_flags = load("duty_flags.npy")
        self.duty_unit_ptr = load("duty_unit_ptr.npy")
        self.duty_unit_ids = load("duty_unit_ids.npy")
        self.postings = Postings.load(folder)
        n = len(self.chunk_ids)
        if not (len(self.chunk_doc) == len(self.vectors) == len(self.chunk_rows) == self.postings.size == n
                and len(self.duty_rows) == len(self.duty_due) == self.info["duties"]):
            raise SegmentError(f"{folder}: its files disagree on the number of rows")
        self._faiss = None

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    @property
    def faiss_index(self):
        """The segment's FAISS index (memory-mapped), opened on first use."""
        if self._faiss is None:
            self._faiss = dense.load_faiss(self.folder / "dense.faiss")
            if self._faiss.ntotal != self.size:
                raise SegmentError(f"{self.folder}: dense.faiss holds {self._faiss.ntotal} vectors, not {self.size}")
        return self._faiss

    def documents(self) -> dict[str, dict]:
        """Metadata of the segment's documents."""
        return json.loads((self.folder / "documents.json").read_text(encoding="utf-8"))

    def live_mask(self, deleted: set[str]) -> np.ndarray:
        """Chunk rows of documents not deleted."""
        return self._rows_kept(self.chunk_doc, deleted)

    def live_duty_mask(self, deleted: set[str]) -> np.ndarray:
        """Duty rows of documents not deleted."""
        return self._rows_kept(self.duty_doc, deleted)

    def _rows_kept(self, doc_column: np.ndarray, deleted: set[str]) -> np.ndarray:
        """Rows whose document (a column of document numbers) is not deleted."""
        gone = [i for i, name in enumerate(self.docs) if name in deleted]
        return ~np.isin(np.asarray(doc_column), gone) if gone else np.ones(len(doc_column), dtype=bool)


def merge_segments(parts: list[tuple[Segment, set[str]]], folder: Path) -> dict:
    """Write one segment holding the live documents of several (deleted documents dropped), from their stored
    rows, term frequencies and vectors: nothing is parsed, tokenized or embedded again."""
    data = SegmentData()
    vectors: list[np.ndarray] = []
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
        postings.append(segment.postings.select_rows(keep))
        duty_rows = np.flatnonzero(segment.live_duty_mask(deleted))
        for r in duty_rows:
            data.duty_lines.append(segment.duty_rows.raw(r))
            data.duty_doc.append(doc_number[int(segment.duty_doc[r])])
            data.duty_due.append(int(segment.duty_due[r]))
            data.duty_flags.append(int(segment.duty_flags[r]))
            lo, hi = segment.duty_unit_ptr[r], segment.duty_unit_ptr[r + 1]
            data.duty_units.append([segment.units[int(u)] for u in segment.duty_unit_ids[lo:hi]])
    dim = vectors[0].shape[1] if vectors else 0
    merged = np.concatenate(vectors) if vectors else np.zeros((0, dim), dtype=np.float32)
    return write_segment(folder, data, merged, Postings.concat(postings))


class LazyRows(Sequence):
    """Rows spread over segments (only the live ones), parsed from their .jsonl line when first asked for.

    Start-up does not read hundreds of megabytes of chunks and duties: a question touches a few dozen rows.
    """

    def __init__(self, sources: list[tuple[JsonLines, np.ndarray]], parse: Callable[[dict], object],
                 *, cache: int = 50_000):
        self.sources = [(lines, np.asarray(rows, dtype=np.int64)) for lines, rows in sources]
        self.starts = np.cumsum([0] + [len(rows) for _, rows in self.sources])
        self.parse = parse
        self._get = lru_cache(maxsize=cache)(self._load)

    def __len__(self) -> int:
        return int(self.starts[-1])

    def _load(self, i: int):
        s = int(np.searchsorted(self.starts, i, side="right")) - 1
        lines, rows = self.sources[s]
        return self.parse(lines.line(int(rows[i - self.starts[s]])))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._get(i)

    def __iter__(self) -> Iterator:
        for lines, rows in self.sources:
            for row in lines.lines(rows):
                yield self.parse(row)


def chunk_from_row(row: dict) -> Chunk:
    """A Chunk from its chunks.jsonl line."""
    return Chunk(**{k: v for k, v in row.items() if k in Chunk.__dataclass_fields__})


class ChunkTable(LazyRows):
    """The live chunks of an index in row order (row i of BM25 and FAISS results is chunk i), with the columns
    that filters need (document and kind of every row) held as arrays."""

    def __init__(self, segments: list[Segment], live: list[np.ndarray]):
        super().__init__([(seg.chunk_rows, np.flatnonzero(mask)) for seg, mask in zip(segments, live)],
                         chunk_from_row)
        self.doc_names: list[str] = []
        codes, kinds, self.ids = [], [], []
        self.kind_names: list[str] = sorted({k for seg in segments for k in seg.kinds})
        for seg, mask in zip(segments, live):
            rows = np.flatnonzero(mask)
            codes.append(np.asarray(seg.chunk_doc)[rows] + len(self.doc_names))
            self.doc_names.extend(seg.docs)
            remap = np.asarray([self.kind_names.index(k) for k in seg.kinds] or [0], dtype=np.uint8)
            kinds.append(remap[np.asarray(seg.chunk_kind)[rows]])
            ids = seg.chunk_ids
            self.ids.extend(ids if len(rows) == len(ids) else (ids[r] for r in rows))
        self.doc_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
        self.kind_codes = np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.uint8)
        self.row_of_id = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        self.by_id = ChunksById(self)


class ChunksById:
    """`chunks.by_id[chunk_id]` / `.get(chunk_id)` without building every Chunk."""

    def __init__(self, table: ChunkTable):
        self.table = table

    def __contains__(self, chunk_id) -> bool:
        return chunk_id in self.table.row_of_id

    def __getitem__(self, chunk_id) -> Chunk:
        return self.table[self.table.row_of_id[chunk_id]]

    def get(self, chunk_id, default=None):
        row = self.table.row_of_id.get(chunk_id)
        return default if row is None else self.table[row]
