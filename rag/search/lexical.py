"""Lexical scoring: BM25 over our own Vietnamese token lists (see `normalize.tokenize`), kept per segment.

Why not bm25s's index: bm25s stores *scores* (idf and average length frozen in at build time), so adding one
document would mean rescoring the whole archive. We store raw term frequencies per segment (an immutable slice of
the index, see `store`) and apply the same formula at query time with collection-wide statistics, so a new
segment is written without touching the others. The formula is bm25s's default ("lucene" variant, k1=1.2,
b=0.75); `tests/test_lexical.py` checks that the scores equal bm25s's on the sample corpus.

Terms are stored as sorted 64-bit hashes (`term_hash`), so a segment's vocabulary is one memory-mapped array
(no dictionary of millions of strings to load at start-up) and a lookup is a binary search.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse

from ..text.normalize import tokenize
from .arrays import load_array

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
FILES = ("bm25_terms.npy", "bm25_ptr.npy", "bm25_rows.npy", "bm25_tf.npy", "bm25_len.npy")


def term_hash(token: str) -> int:
    """Stable 64-bit id of a token (the same in every process, unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass
class Postings:
    """Raw term frequencies of one segment: for term i (sorted hash `terms[i]`), the rows `rows[ptr[i]:ptr[i+1]]`
    contain it `tf[...]` times; `lengths[r]` is the number of tokens of row r."""

    terms: np.ndarray  # uint64, sorted
    ptr: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32
    tf: np.ndarray  # uint16
    lengths: np.ndarray  # int32, one per row

    @property
    def size(self) -> int:
        return len(self.lengths)

    @classmethod
    def from_token_lists(cls, token_lists) -> "Postings":
        """Count terms of each row (an iterable of token lists, one per chunk, in row order)."""
        vocab: dict[str, int] = {}
        term_ids = array("i")  # compact: a segment has millions of token occurrences
        row_ids = array("i")
        lengths = array("i")
        for row, tokens in enumerate(token_lists):
            lengths.append(len(tokens))
            term_ids.extend([vocab.setdefault(token, len(vocab)) for token in tokens])
            row_ids.extend([row] * len(tokens))
        n_rows = len(lengths)
        if not vocab:
            return cls(np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint16),
                       np.frombuffer(lengths, dtype=np.int32).copy())
        # scipy sums the duplicate (term, row) pairs of the COO matrix: that is the term frequency.
        matrix = scipy.sparse.coo_matrix(
            (np.ones(len(term_ids), dtype=np.int32), (np.frombuffer(term_ids, dtype=np.int32),
                                                       np.frombuffer(row_ids, dtype=np.int32))),
            shape=(len(vocab), n_rows)).tocsr()
        hashes = np.fromiter((term_hash(t) for t in vocab), dtype=np.uint64, count=len(vocab))
        order = np.argsort(hashes, kind="stable")
        matrix = matrix[order]
        matrix.sort_indices()
        return cls(hashes[order], matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32),
                   np.minimum(matrix.data, 65535).astype(np.uint16), np.frombuffer(lengths, dtype=np.int32).copy())

    @classmethod
    def from_texts(cls, texts: list[str]) -> "Postings":
        """Tokenize texts (one per chunk, in chunk order) and count their terms."""
        return cls.from_token_lists(tokenize(t) for t in texts)

    def save(self, folder: Path) -> None:
        """Write the five arrays as .npy files into `folder`."""
        for name, array in zip(FILES, (self.terms, self.ptr, self.rows, self.tf, self.lengths)):
            np.save(folder / name, array)

    @classmethod
    def load(cls, folder: Path) -> "Postings":
        """Memory-map the arrays written by `save`."""
        return cls(*(load_array(folder / name) for name in FILES))

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Index in `terms` of each hash, or -1 where the segment does not contain it."""
        if not len(self.terms):
            return np.full(len(hashes), -1)
        pos = np.searchsorted(self.terms, hashes)
        pos = np.minimum(pos, len(self.terms) - 1)
        return np.where(self.terms[pos] == hashes, pos, -1)

    def select_rows(self, keep: np.ndarray) -> "Postings":
        """The postings of rows where `keep` is True, renumbered (compacting a segment drops deleted rows)."""
        new_row = np.cumsum(keep) - 1
        counts = np.diff(self.ptr)
        term_of = np.repeat(np.arange(len(self.terms)), counts)
        live = keep[self.rows]
        term_of, rows, tf = term_of[live], new_row[self.rows[live]].astype(np.int32), self.tf[live]
        used, starts = np.unique(term_of, return_index=True)
        ptr = np.append(starts, len(term_of)).astype(np.int64)
        return Postings(self.terms[used], ptr, rows, tf, self.lengths[keep])

    @staticmethod
    def concat(parts: list["Postings"]) -> "Postings":
        """One segment's postings made of several (rows renumbered one after the other)."""
        offsets = np.cumsum([0] + [p.size for p in parts])
        hashes = np.concatenate([np.repeat(p.terms, np.diff(p.ptr)) for p in parts])
        rows = np.concatenate([p.rows.astype(np.int64) + off for p, off in zip(parts, offsets)])
        tf = np.concatenate([p.tf for p in parts])
        order = np.lexsort((rows, hashes))
        hashes, rows, tf = hashes[order], rows[order], tf[order]
        terms, starts = np.unique(hashes, return_index=True)
        ptr = np.append(starts, len(hashes)).astype(np.int64)
        return Postings(terms, ptr, rows.astype(np.int32), tf, np.concatenate([p.lengths for p in parts]))


class Vocabulary:
    """`token in vocabulary`: does any indexed passage contain this token? (used to refuse unknown names)."""

    def __init__(self, segments: list[Postings]):
        self.segments = segments

    def __contains__(self, token: str) -> bool:
        key = np.asarray([term_hash(token)], dtype=np.uint64)
        return any(seg.lookup(key)[0] >= 0 for seg in self.segments)


class LexicalIndex:
    """BM25 over the rows of several segments, numbered one after the other ("physical" rows), with the rows
    of deleted documents masked out. Statistics (N, document frequency, average length) are collection-wide;
    like Lucene, they count deleted rows until their segment is compacted."""

    def __init__(self, segments: list[Postings], *, live: np.ndarray | None = None):
        self.segments = segments
        self.offsets = np.cumsum([0] + [s.size for s in segments])
        self.n_physical = int(self.offsets[-1])
        self.live_rows = None if live is None or live.all() else np.flatnonzero(live)
        total_len = sum(float(np.sum(s.lengths, dtype=np.int64)) for s in segments)
        self.avg_len = total_len / self.n_physical if self.n_physical else 1.0
        self._norm = [K1 * (1 - B + B * np.asarray(s.lengths, dtype=np.float32) / self.avg_len) for s in segments]
        self.vocabulary = Vocabulary(segments)

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        """An in-memory index over texts (one per chunk, in chunk order)."""
        return cls([Postings.from_texts(texts)])

    @property
    def size(self) -> int:
        """Number of live rows."""
        return self.n_physical if self.live_rows is None else len(self.live_rows)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every live row for a query's tokens (`rag.text.normalize.tokenize`; 0 where no query token
        occurs). A token repeated in the query counts again, as in bm25s."""
        scores = np.zeros(self.n_physical, dtype=np.float32)
        if tokens and self.n_physical:
            hashes = np.fromiter((term_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
            found = [seg.lookup(hashes) for seg in self.segments]
            df = np.zeros(len(tokens), dtype=np.int64)
            for seg, pos in zip(self.segments, found):
                hit = pos >= 0
                df[hit] += seg.ptr[pos[hit] + 1] - seg.ptr[pos[hit]]
            idf = np.log(1 + (self.n_physical - df + 0.5) / (df + 0.5))
            for seg, pos, norm, offset in zip(self.segments, found, self._norm, self.offsets):
                for j in np.flatnonzero(pos >= 0):
                    lo, hi = seg.ptr[pos[j]], seg.ptr[pos[j] + 1]
                    rows = np.asarray(seg.rows[lo:hi])
                    tf = np.asarray(seg.tf[lo:hi], dtype=np.float32)
                    scores[offset + rows] += idf[j] * tf / (tf + norm[rows])
        return scores if self.live_rows is None else scores[self.live_rows]

    def search(self, tokens: Sequence[str], k: int, *, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (live row, score) pairs with score > 0 (a zero score means no query token matched)."""
        scores = self.scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
