"""Lexical scoring: BM25 (bm25s) over our own Vietnamese token lists (see `normalize.tokenize`)."""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

from .normalize import tokenize

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG to the console


class LexicalIndex:
    """BM25 over chunk texts. bm25s does the sparse scoring; we give it token lists so that Vietnamese
    one-letter syllables ("ý", "ở") and document codes ("121-kl/tw") survive, which its own tokenizer drops."""

    def __init__(self, model: bm25s.BM25):
        self.model = model

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        """Index texts (one per chunk, in chunk order)."""
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index([tokenize(t) or [""] for t in texts], show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        """Write the index as plain files (.npy + .json) into `folder`."""
        self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, *, mmap: bool = True) -> "LexicalIndex":
        """Load an index written by `save`; memory-mapped by default."""
        return cls(bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (0 where no query token occurs)."""
        tokens = [t for t in tokenize(query) if t in self.model.vocab_dict]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(tokens), dtype=np.float32)

    @property
    def size(self) -> int:
        return int(self.model.scores["num_docs"])

    def search(self, query: str, k: int, *, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) pairs with score > 0 (a zero score means no query token matched)."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
