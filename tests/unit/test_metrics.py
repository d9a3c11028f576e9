"""Metrics on small hand-made cases with known values."""

import math

import pytest

from rag.evaluation import metrics as m

F, T = False, True


def test_hit_at_k():
    assert m.hit_at_k([F, T, F], 1) == 0.0
    assert m.hit_at_k([F, T, F], 2) == 1.0
    assert m.hit_at_k([], 5) == 0.0


def test_mrr():
    assert m.mrr([F, T, F]) == 0.5
    assert m.mrr([T, T]) == 1.0
    assert m.mrr([F, F, T]) == pytest.approx(1 / 3)
    assert m.mrr([F, F, T], k=2) == 0.0
    assert m.mrr([]) == 0.0


def test_ndcg_by_hand():
    # [F, T, F, T]: DCG = 1/log2(3) + 1/log2(5); ideal with 2 relevant = 1 + 1/log2(3)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3)
    assert m.ndcg_at_k([F, T, F, T], 10) == pytest.approx(dcg / idcg)
    assert m.ndcg_at_k([F, T, F], 10) == pytest.approx((1 / math.log2(3)) / 1.0)
    assert m.ndcg_at_k([T, F], 10) == 1.0
    # three relevant items exist but only one was retrieved at rank 1
    assert m.ndcg_at_k([T, F], 10, n_relevant=3) == pytest.approx(1 / (1 + 1 / math.log2(3) + 1 / math.log2(4)))
    # cut at k: relevant item at rank 3 does not count for k=2
    assert m.ndcg_at_k([F, F, T], 2, n_relevant=1) == 0.0
    assert m.ndcg_at_k([F, F], 10) == 0.0


def test_recall_at_k():
    found = [set(), {0}, {0, 1}, {2}]
    assert m.recall_at_k(found, 3, 1) == 0.0
    assert m.recall_at_k(found, 3, 2) == pytest.approx(1 / 3)
    assert m.recall_at_k(found, 3, 3) == pytest.approx(2 / 3)
    assert m.recall_at_k(found, 3, 4) == 1.0
    assert m.recall_at_k(found, 0, 4) is None  # no evidence: undefined
    assert m.recall_at_k([], 2, 5) == 0.0


def test_fact_coverage_ignores_accents_case_and_punctuation():
    answer = "Ban Tổ chức Thành uỷ phải hoàn thành trước ngày 31/8/2025 [1]."
    assert m.fact_coverage(answer, ["31/8/2025", "ban to chuc thanh uy"]) == 1.0
    assert m.fact_coverage(answer, ["31/8/2025", "29/8/2025"]) == 0.5
    assert m.fact_coverage(answer, []) is None
    assert m.missing_facts(answer, ["31/8/2025", "29/8/2025"]) == ["29/8/2025"]
    # whole words only: "1/8/2025" is not inside "31/8/2025"
    assert m.fact_coverage(answer, ["1/8/2025"]) == 0.0


def test_citation_precision_and_recall():
    cited = ["Giao Ban Tổ chức Thành ủy rà soát ... hoàn thành trước ngày 31/8/2025", "Văn phòng Thành ủy định kỳ báo cáo"]
    quotes = ["giao ban to chuc thanh uy", "bo cong cu danh gia"]
    assert m.citation_precision(cited, quotes, []) == 0.5
    assert m.citation_precision(cited, [], ["định kỳ báo cáo"]) == 0.5
    assert m.citation_precision(cited, quotes, ["định kỳ báo cáo"]) == 1.0
    assert m.citation_precision([], quotes, []) is None  # no citations
    assert m.citation_precision(cited, [], []) is None  # nothing gold
    assert m.citation_recall(cited, quotes) == 0.5
    assert m.citation_recall([], quotes) == 0.0
    assert m.citation_recall(cited, []) is None


def test_abstention():
    # (abstained, answerable)
    pairs = [(T, F), (T, T), (F, F), (F, T), (F, T)]
    precision, recall = m.abstention_precision_recall(pairs)
    assert precision == 0.5  # 2 abstentions, 1 right
    assert recall == 0.5  # 2 unanswerable, 1 abstained
    assert m.abstention_accuracy(pairs) == pytest.approx(3 / 5)


def test_abstention_edge_cases():
    all_abstained = [(T, F), (T, T)]
    assert m.abstention_precision_recall(all_abstained) == (0.5, 1.0)
    assert m.abstention_accuracy(all_abstained) == 0.5
    never = [(F, T), (F, T)]
    assert m.abstention_precision_recall(never) == (None, None)  # no abstentions, nothing unanswerable
    assert m.abstention_accuracy(never) == 1.0
    assert m.abstention_accuracy([]) is None


def test_percentile_and_mean():
    values = [10.0, 20.0, 30.0, 40.0]
    assert m.percentile(values, 50) == 25.0
    assert m.percentile(values, 95) == pytest.approx(38.5)
    assert m.percentile(values, 0) == 10.0
    assert m.percentile(values, 100) == 40.0
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None
    with pytest.raises(ValueError):
        m.percentile(values, 101)
    assert m.mean([1.0, None, 0.0]) == 0.5
    assert m.mean([None]) is None
