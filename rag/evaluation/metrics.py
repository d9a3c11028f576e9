"""Evaluation metrics as plain functions over plain values (in the spirit of beir's `EvaluateRetrieval`).

Retrieval metrics take a ranked list of booleans (`ranked_relevance[i]` is True when the i-th retrieved chunk is
relevant). Answer metrics take texts and compare with `rag.text.normalize.contains`, so accents, tone placement, case
and punctuation do not matter. A metric that is undefined for a question (no facts, no evidence, no citations)
returns None; `mean` skips None values when averaging.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence

from ..text.normalize import contains

log = logging.getLogger(__name__)


def hit_at_k(ranked_relevance: Sequence[bool], k: int) -> float:
    """1.0 if any of the first `k` results is relevant, else 0.0."""
    return 1.0 if any(ranked_relevance[:k]) else 0.0


def recall_at_k(found_evidence: Sequence[Iterable[int]], n_evidence: int, k: int) -> float | None:
    """Share of the `n_evidence` gold evidence items found in the first `k` results.

    `found_evidence[i]` holds the indices of the evidence items that the i-th result contains (empty when none).
    Returns None when there is no evidence to find.
    """
    if n_evidence <= 0:
        return None
    found: set[int] = set()
    for items in found_evidence[:k]:
        found.update(items)
    return len(found & set(range(n_evidence))) / n_evidence


def mrr(ranked_relevance: Sequence[bool], k: int | None = None) -> float:
    """Reciprocal rank of the first relevant result (within the first `k` when given), 0.0 if none."""
    limit = len(ranked_relevance) if k is None else k
    for rank, relevant in enumerate(ranked_relevance[:limit], 1):
        if relevant:
            return 1.0 / rank
    return 0.0


def dcg_at_k(ranked_relevance: Sequence[bool], k: int) -> float:
    """Discounted cumulative gain with binary gains: sum of 1/log2(rank+1) over relevant ranks <= k."""
    return sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(ranked_relevance[:k], 1) if rel)


def ndcg_at_k(ranked_relevance: Sequence[bool], k: int, n_relevant: int | None = None) -> float:
    """Normalised DCG with binary relevance.

    The ideal ranking puts `n_relevant` relevant results first (default: as many as the ranking holds, i.e. the
    relevant items that were retrieved at all). Returns 0.0 when nothing is relevant.
    """
    total = sum(1 for rel in ranked_relevance if rel) if n_relevant is None else n_relevant
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(total, k) + 1))
    return dcg_at_k(ranked_relevance, k) / ideal if ideal > 0 else 0.0


def fact_coverage(answer_text: str, facts: Sequence[str]) -> float | None:
    """Share of `facts` stated in `answer_text` (accent/tone/case-insensitive); None when there are no facts."""
    if not facts:
        return None
    return sum(1 for fact in facts if contains(answer_text, fact)) / len(facts)


def missing_facts(answer_text: str, facts: Sequence[str]) -> list[str]:
    """The facts that `answer_text` does not state."""
    return [fact for fact in facts if not contains(answer_text, fact)]


def citation_precision(citation_texts: Sequence[str], quotes: Sequence[str], facts: Sequence[str] = ()) -> float | None:
    """Share of citations whose passage contains a gold evidence quote or one of the facts.

    None when there are no citations (nothing to judge) or nothing gold to compare with.
    """
    if not citation_texts or not (quotes or facts):
        return None
    gold = [*quotes, *facts]
    good = sum(1 for text in citation_texts if any(contains(text, g) for g in gold))
    return good / len(citation_texts)


def citation_recall(citation_texts: Sequence[str], quotes: Sequence[str]) -> float | None:
    """Share of gold evidence quotes found in at least one citation; None when there are no quotes."""
    if not quotes:
        return None
    return sum(1 for quote in quotes if any(contains(text, quote) for text in citation_texts)) / len(quotes)


def abstention_precision_recall(pairs: Iterable[tuple[bool, bool]]) -> tuple[float | None, float | None]:
    """Precision and recall of abstaining, from `(abstained, answerable)` pairs.

    Precision: of the questions the system abstained on, the share that were really unanswerable.
    Recall: of the unanswerable questions, the share the system abstained on. None when undefined (no abstentions,
    resp. no unanswerable questions).
    """
    pairs = list(pairs)
    abstained = [answerable for did_abstain, answerable in pairs if did_abstain]
    unanswerable = [did_abstain for did_abstain, answerable in pairs if not answerable]
    precision = sum(1 for answerable in abstained if not answerable) / len(abstained) if abstained else None
    recall = sum(1 for did_abstain in unanswerable if did_abstain) / len(unanswerable) if unanswerable else None
    return precision, recall


def abstention_accuracy(pairs: Iterable[tuple[bool, bool]]) -> float | None:
    """Share of `(abstained, answerable)` pairs where the system abstained exactly when it should have."""
    pairs = list(pairs)
    if not pairs:
        return None
    return sum(1 for did_abstain, answerable in pairs if did_abstain == (not answerable)) / len(pairs)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between ranks (numpy's default); None if empty."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {p}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the values that are not None; None when there are none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None
