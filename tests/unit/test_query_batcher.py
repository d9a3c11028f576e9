"""`QueryBatcher`: concurrent questions embedded together give each caller its own vector, and errors reach them."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from rag.search.embedders import HashEmbedder, QueryBatcher, load_embedder


class SlowBatchEmbedder(HashEmbedder):
    """HashEmbedder with a batch entry point that records batch sizes and waits so callers pile up."""

    def __init__(self) -> None:
        super().__init__(64)
        self.batches: list[int] = []
        self.gate = threading.Event()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.batches.append(len(texts))
        self.gate.wait(timeout=5)
        if any("hỏng" in t for t in texts):
            raise RuntimeError("broken batch")
        return np.vstack([self.embed_query(t) for t in texts])


def test_concurrent_callers_get_their_own_vectors_in_fewer_passes():
    inner = SlowBatchEmbedder()
    batcher = QueryBatcher(inner)
    questions = [f"Ban Tổ chức phải làm gì trước ngày {d}/8/2025?" for d in range(1, 17)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(batcher.embed_query, q) for q in questions]
        threading.Timer(0.3, inner.gate.set).start()
        vectors = [f.result(timeout=10) for f in futures]
    for q, v in zip(questions, vectors):
        np.testing.assert_allclose(v, inner.embed_query(q), rtol=1e-6)
    assert sum(inner.batches) == 16
    assert len(inner.batches) < 16  # the questions waiting while the first pass ran went together


def test_error_reaches_every_caller_of_the_batch_and_worker_goes_on():
    inner = SlowBatchEmbedder()
    inner.gate.set()
    batcher = QueryBatcher(inner)
    with pytest.raises(RuntimeError):
        batcher.embed_query("câu hỏng")
    ok = batcher.embed_query("câu bình thường")
    np.testing.assert_allclose(ok, inner.embed_query("câu bình thường"), rtol=1e-6)


def test_embedder_without_batch_entry_point_passes_through():
    inner = load_embedder("hash:32")
    batcher = QueryBatcher(inner)
    assert batcher.name == inner.name and batcher.dim == 32
    np.testing.assert_allclose(batcher.embed_query("Thành ủy"), inner.embed_query("Thành ủy"))
    assert batcher._worker is None
