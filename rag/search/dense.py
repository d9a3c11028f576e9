"""Dense search with FAISS over L2-normalised vectors (inner product = cosine)."""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

# Exact search is fast enough for hundreds of thousands of 384-d vectors on 2 cores (single-threaded per query);
# HNSW is used above this size. `rag bench` reports recall@10 against exact search: at 35k vectors HNSW M=32
# reached hybrid recall 0.961 with efSearch 96 and 0.988 with 256, so 256 it is (target >= 0.98).
HNSW_THRESHOLD = 400_000


def build_faiss(vectors: np.ndarray, *, kind: str | None = None) -> faiss.Index:
    """Build a FAISS index: flat inner product (exact) by default, HNSW for very large collections."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    kind = kind or ("hnsw" if len(vectors) > HNSW_THRESHOLD else "flat")
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 256
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


def save_faiss(index: faiss.Index, path: Path) -> None:
    """Write a FAISS index file."""
    faiss.write_index(index, str(path))


def load_faiss(path: Path) -> faiss.Index:
    """Read a FAISS index file (memory-mapped where FAISS supports it)."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        return faiss.read_index(str(path))


class DenseIndex:
    """FAISS search over several segments (one FAISS index and one vector file each), rows numbered one after
    the other, with the rows of deleted documents left out ("live" rows are what callers see)."""

    def __init__(self, indexes: list[faiss.Index], vectors: list[np.ndarray], *, live: np.ndarray | None = None,
                 searchable: np.ndarray | None = None):
        self.indexes = indexes
        # Physical rows whose vector is computed (None: all). Rows waiting for their vector are never returned:
        # BM25 finds them meanwhile (a generation is committed before its passages are embedded).
        self.searchable = None if searchable is None or searchable.all() else np.asarray(searchable, dtype=bool)
        self.vectors = vectors
        self.offsets = np.cumsum([0] + [len(v) for v in vectors])
        self.n_physical = int(self.offsets[-1])
        self.live = None if live is None or live.all() else live
        if self.live is None:
            self.live_rows = np.arange(self.n_physical)
            self.to_live = self.live_rows
        else:
            self.live_rows = np.flatnonzero(self.live)
            self.to_live = np.cumsum(self.live) - 1
        self.dim = vectors[0].shape[1] if vectors else 0

    @classmethod
    def build(cls, vectors: np.ndarray) -> "DenseIndex":
        """An in-memory index over one set of vectors."""
        return cls([build_faiss(vectors)], [vectors])

    @property
    def size(self) -> int:
        """Number of live rows."""
        return len(self.live_rows)

    def embedded(self, row: int) -> bool:
        """Whether live row `row` has its vector (False while it waits for deferred embedding)."""
        return self.searchable is None or bool(self.searchable[self.live_rows[row]])

    def vectors_of(self, rows) -> np.ndarray:
        """Vectors of live rows (an int or an array of ints)."""
        single = np.isscalar(rows)
        phys = self.live_rows[np.atleast_1d(np.asarray(rows, dtype=np.int64))]
        seg = np.searchsorted(self.offsets, phys, side="right") - 1
        out = np.empty((len(phys), self.dim), dtype=np.float32)
        for s in np.unique(seg):
            at = seg == s
            out[at] = self.vectors[s][phys[at] - self.offsets[s]]
        return out[0] if single else out

    def search(self, query: np.ndarray, k: int, *, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (live row, cosine) pairs, only among rows where `mask` (over live rows) is True. Exact with flat
        indexes: the filter is applied inside FAISS (IDSelectorBitmap), not by over-fetching."""
        allowed = None
        if mask is not None:
            allowed = np.zeros(self.n_physical, dtype=bool)
            allowed[self.live_rows[mask]] = True
        elif self.live is not None:
            allowed = self.live
        if self.searchable is not None:
            allowed = self.searchable if allowed is None else allowed & self.searchable
        found: list[tuple[int, float]] = []
        for index, offset, end in zip(self.indexes, self.offsets, self.offsets[1:]):
            part = None if allowed is None else allowed[offset:end]
            if part is not None and not part.any():
                continue
            for row, score in search(index, query, k, allowed=part):
                found.append((int(self.to_live[offset + row]), score))
        found.sort(key=lambda pair: -pair[1])
        return found[:k]


def search(index: faiss.Index, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Top-k (row, cosine) pairs of one FAISS index, only among rows where `allowed` is True if given.

    One query is searched on one thread: FAISS's OpenMP start-up costs more than the scan itself for a single
    query (measured by `rag bench`: 62 ms with 2 threads, 5.5 ms with 1 at 35k vectors).
    """
    if index.ntotal == 0:
        return []
    if faiss.omp_get_max_threads() != 1:
        faiss.omp_set_num_threads(1)
    params = None
    if allowed is not None:
        bitmap = np.packbits(allowed, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        if isinstance(index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=index.hnsw.efSearch)
        else:
            params = faiss.SearchParameters(sel=selector)
    scores, rows = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(k, index.ntotal),
                                params=params)
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
