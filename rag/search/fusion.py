"""Fusion of ranked lists: reciprocal-rank fusion (RRF) of BM25 and dense results.

RRF needs no score calibration between BM25 and cosine: each list contributes weight / (RRF_K + rank) for every row
it ranks. k = 60 is the value of Cormack et al. (2009); the evaluation (`rag eval --baselines`) shows what each side
adds (BM25 only hit@5 0.974, dense only 0.844, fused 0.987 on the dev set).
"""

from __future__ import annotations

RRF_K = 60


def rrf_share(rank: int, *, weight: float = 1.0) -> float:
    """What a row ranked `rank` (0 = first) in one list adds to its fused score."""
    return weight / (RRF_K + rank + 1)
