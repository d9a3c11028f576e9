"""Rows of a loaded index read on demand: chunks and table rows spread over segments, parsed when first asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import numpy as np

from ..documents.models import Chunk
from .segment import JsonLines, Segment


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
