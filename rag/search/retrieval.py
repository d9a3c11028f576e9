"""Hybrid retrieval: BM25 over normalised Vietnamese and dense e5 vectors, fused by reciprocal rank (`fusion`).

Accent-insensitive matching comes from the tokenizer (folded syllables). Search takes a `Query` (what it needs of a
question: its text for the embedder, its BM25 tokens, whether it was typed without diacritics); the answering
layer's `Question` is one, read once from what the user typed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..documents.models import Chunk
from ..text.columns import encode_column
from ..text.normalize import fold, tokenize
from .dense import DenseIndex
from .embedders import Embedder
from .fusion import rrf_share
from .lexical import LexicalIndex

log = logging.getLogger(__name__)

CANDIDATES = 50
UNACCENTED_DENSE_WEIGHT = 0.0  # measured: any dense share lets e5's guesses outrank BM25's exact match


def is_unaccented(text: str) -> bool:
    """True for a text typed without any Vietnamese diacritic ("ban to chuc thanh uy phai lam gi")."""
    letters = [ch for ch in text.lower() if ch.isalpha()]
    return len(letters) >= 8 and fold(text) == text.lower()


class Query(Protocol):
    """What search needs of a question."""

    text: str  # embedded by the dense side
    tokens: Sequence[str]  # BM25 tokens (`rag.text.normalize.tokenize`)
    unaccented: bool  # typed without diacritics: the dense side is not trusted


@dataclass(frozen=True)
class TextQuery:
    """A `Query` over a plain text (tools, baselines, tests); questions from users are `Question`s."""

    text: str
    tokens: tuple[str, ...]
    unaccented: bool

    @classmethod
    def of(cls, text: str) -> "TextQuery":
        return cls(text, tuple(tokenize(text)), is_unaccented(text))



@dataclass
class Hit:
    """A retrieved chunk with its fused score and the per-retriever evidence behind it."""

    chunk: Chunk
    score: float
    row: int
    bm25_score: float = 0.0
    dense_score: float = 0.0
    bm25_rank: int | None = None
    dense_rank: int | None = None
    embedded: bool = True  # False: the passage waits for its vector (deferred embedding), its cosine is unknown


class Retriever:
    """BM25 + FAISS over one set of chunks (row i of every structure is chunk i)."""

    def __init__(self, chunks, *, lexical: LexicalIndex, dense_index: DenseIndex, embedder: Embedder):
        self.chunks = chunks
        self.lexical = lexical
        self.dense = dense_index
        self.embedder = embedder
        if hasattr(chunks, "doc_codes"):  # an index's ChunkTable carries its columns
            self._doc_names, self._doc_codes = chunks.doc_names, chunks.doc_codes
            self._kind_names, self._kind_codes = chunks.kind_names, chunks.kind_codes
        else:
            self._doc_names, self._doc_codes = encode_column(c.doc for c in chunks)
            self._kind_names, self._kind_codes = encode_column((c.kind for c in chunks), ordered=True)

    @classmethod
    def from_chunks(cls, chunks: list[Chunk], *, embedder: Embedder) -> "Retriever":
        """Build an in-memory retriever (used by evaluation baselines and tests)."""
        texts = [c.index_text() for c in chunks]
        vectors = embedder.embed_passages(texts)
        return cls(chunks, lexical=LexicalIndex.build(texts), dense_index=DenseIndex.build(vectors),
                   embedder=embedder)

    def _mask(self, docs: list[str] | None, kinds: set[str] | None = None,
              rows: set[int] | None = None) -> np.ndarray | None:
        if not docs and not kinds and rows is None:
            return None
        mask = np.ones(len(self._doc_codes), dtype=bool)
        if rows is not None:
            only = np.zeros(len(mask), dtype=bool)
            only[sorted(rows)] = True
            mask &= only
        if docs:
            wanted = [i for i, name in enumerate(self._doc_names) if name in docs]
            mask &= np.isin(self._doc_codes, wanted)
        if kinds:
            mask &= np.isin(self._kind_codes, [i for i, k in enumerate(self._kind_names) if k in kinds])
        return mask

    def dense_search(self, query_vector: np.ndarray, k: int, *, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k rows by cosine, only among rows allowed by `mask` (exact: FAISS applies the filter)."""
        return self.dense.search(query_vector, k, mask=mask)

    def search(self, query: Query, *, k: int = 10, mode: str = "hybrid", docs: list[str] | None = None,
               kinds: set[str] | None = None, rows: set[int] | None = None,
               query_vector: np.ndarray | None = None) -> list[Hit]:
        """Retrieve the top-k chunks for `query`. `mode` is "hybrid", "bm25" or "dense"; `docs` filters by file,
        `kinds` by chunk kind ("meta", "preamble", "item"), `rows` by chunk row (the passages citing a document)."""
        if mode not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"unknown retrieval mode {mode!r}")
        mask = self._mask(docs, kinds, rows)
        depth = max(CANDIDATES, k)
        bm25 = self.lexical.search(query.tokens, depth, mask=mask) if mode != "dense" else []
        dense_hits: list[tuple[int, float]] = []
        if mode != "bm25":
            if query_vector is None:
                query_vector = self.embedder.embed_query(query.text)
            dense_hits = self.dense_search(query_vector, depth, mask=mask)
        # e5 understands Vietnamese without diacritics poorly; BM25 over folded syllables does not care.
        dense_weight = UNACCENTED_DENSE_WEIGHT if query.unaccented else 1.0
        fused: dict[int, Hit] = {}
        waiting = mode == "hybrid" and self.dense.searchable is not None  # some passages have no vector yet
        for rank, (row, score) in enumerate(bm25):
            hit = fused.setdefault(row, Hit(self.chunks[row], 0.0, row))
            hit.bm25_score, hit.bm25_rank = score, rank
            hit.score += rrf_share(rank)
            if waiting and not self.dense.embedded(row):
                # No dense rank can exist for it yet: its BM25 rank stands in for it, so a new document is not
                # outranked by old ones only because they have vectors (measured: without this, a document just
                # uploaded was not in the top 3 for a question only it answers).
                hit.embedded = False
                hit.score += rrf_share(rank, weight=dense_weight)
        for rank, (row, score) in enumerate(dense_hits):
            hit = fused.setdefault(row, Hit(self.chunks[row], 0.0, row))
            hit.dense_score, hit.dense_rank = score, rank
            hit.score += rrf_share(rank, weight=dense_weight)
        if mode == "dense":
            for hit in fused.values():
                hit.score = hit.dense_score
        elif mode == "bm25":
            for hit in fused.values():
                hit.score = hit.bm25_score
        hits = sorted(fused.values(), key=lambda h: -h.score)[:k]
        if mode == "hybrid" and hits and query_vector is not None:
            # Every hybrid hit gets its cosine (even if it came from BM25 only): the answerer uses it.
            for hit in hits:
                if hit.dense_rank is None and hit.embedded:
                    hit.dense_score = float(self.dense.vectors_of(hit.row) @ query_vector)
        return hits
