"""BM25 over segments (rag.search.lexical) scores exactly as bm25s does on one collection."""

from pathlib import Path

import bm25s
import numpy as np
import pytest

from rag.documents.ingest import load_document
from rag.search.lexical import LexicalIndex, Postings
from rag.text.normalize import tokenize

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
QUESTIONS = ["Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", "ban to chuc thanh uy phai lam gi",
             "Kết luận số 121-KL/TW", "ý kiến ở cơ sở", "tinh giản biên chế"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [c.index_text() for p in sorted(CORPUS.glob("*.txt")) for c in load_document(p).chunks]


def test_scores_equal_bm25s(texts):
    ours = LexicalIndex.build(texts)
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([tokenize(t) for t in texts], show_progress=False)
    for question in QUESTIONS:
        tokens = [t for t in tokenize(question) if t in reference.vocab_dict]
        expected = reference.get_scores(tokens)
        got = ours.scores(tokenize(question))
        assert expected.max() > 0
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_segments_and_compaction_keep_scores(texts):
    whole = LexicalIndex.build(texts)
    cut = [Postings.from_texts(texts[i:i + 50]) for i in range(0, len(texts), 50)]
    merged = Postings.concat(cut)
    for question in QUESTIONS:
        tokens = tokenize(question)
        np.testing.assert_allclose(LexicalIndex(cut).scores(tokens), whole.scores(tokens), rtol=1e-6)
        np.testing.assert_allclose(LexicalIndex([merged]).scores(tokens), whole.scores(tokens), rtol=1e-6)
    keep = np.ones(len(texts), dtype=bool)
    keep[10:60] = False
    kept = Postings.from_texts(texts).select_rows(keep)
    fresh = Postings.from_texts([t for t, k in zip(texts, keep) if k])
    for name in ("terms", "ptr", "rows", "tf", "lengths"):
        assert np.array_equal(getattr(kept, name), getattr(fresh, name)), name


def test_deleted_rows_are_not_returned(texts):
    live = np.ones(len(texts), dtype=bool)
    query = tokenize("Ban Tổ chức Thành ủy")
    top = LexicalIndex.build(texts).search(query, 5)[0][0]
    live[top] = False
    index = LexicalIndex([Postings.from_texts(texts)], live=live)
    assert index.size == len(texts) - 1
    rows = [r for r, _ in index.search(query, 5)]
    assert rows and top not in rows  # `top` would now be the next chunk's live row, unless it is gone
    assert "121-kl/tw" in index.vocabulary and "khongcotu" not in index.vocabulary
