"""The semantic part of indexing, done after a generation is already searchable: embed the passages committed
without vectors and commit their vectors as further generations.

Why: indexing is about 98% embedding (211 passages in 38-47 s on this 2-core machine; a 1,000-document corpus of
about 35,000 passages would take about 1.7 hours). A build with `defer_embedding` commits its new passages with
BM25, the duty table and the catalogue but no vectors (the dense side skips those rows, see
`rag.search.dense.DenseIndex`), so documents are answerable as soon as they are parsed; this module then fills
the vectors in.

How it survives sharing and kills:
- Passages are embedded *outside* the write lock, in batches; every `COMMIT_SECONDS` the vectors computed so far
  are committed: under the lock (held for the write only, about 0.1 s for the sample corpus), the live
  generation is read again, its passages still waiting whose text hash was computed get their vectors in a new
  vectors folder (`segment.write_vectors`; segments stay immutable), a new manifest is written last and CURRENT
  swapped. Uploads and other writers get the lock between commits, and a commit applies to whatever the index
  holds by then (vectors are matched by text hash, not by row).
- Killing the process loses at most the vectors of the last `COMMIT_SECONDS`; running it again (any
  `rag index build|add`, or the Library's background worker) embeds only the passages still waiting.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..documents.models import Chunk
from ..errors import EmbedderError
from ..search.embedders import Embedder, load_embedder
from .rows import chunk_from_row
from .segment import write_atomically, write_vectors
from .store import (add_checksums, collect_garbage, current_generation, index_dir_from, open_segment, read_manifest, referenced,
                    unique_name, write_lock)

log = logging.getLogger(__name__)

COMMIT_SECONDS = 20.0  # at most this much embedding work is lost when the process is killed
BATCH = 64


@dataclass
class EmbeddingReport:
    """What a run of `embed_pending` did."""

    embedded: int = 0  # passages embedded by this run
    commits: int = 0  # generations written with new vectors
    remaining: int = 0  # passages still waiting (the run was stopped)
    seconds: float = 0.0


def pending_passages(index_dir) -> tuple[list[tuple[int, str]], int]:
    """(text hash, indexed text) of the live passages of the current generation still waiting for their vector,
    one per distinct text, and the number of live passages in all."""
    index_dir = index_dir_from(index_dir)
    manifest = read_manifest(current_generation(index_dir))
    work: dict[int, str] = {}
    total = 0
    for entry in manifest.get("segments", []):
        seg = open_segment(index_dir, entry)
        deleted = set(entry.get("deleted", []))
        total += int(seg.live_mask(deleted).sum())
        for row in seg.pending(deleted):
            h = int(seg.text_hash[row])
            if h not in work:
                chunk: Chunk = chunk_from_row(seg.chunk_rows.line(int(row)))
                work[h] = chunk.index_text()
    return list(work.items()), total


def embed_pending(index_dir=None, *, embedder: Embedder | str | None = None, progress: bool = False,
                  on_progress: Callable[[int, int], None] | None = None,
                  should_stop: Callable[[], bool] | None = None,
                  commit_seconds: float = COMMIT_SECONDS) -> EmbeddingReport:
    """Embed every passage of the index still waiting for its vector, committing as it goes (see the module
    docstring). `on_progress(done, total)` is called after each batch with the passages embedded out of those
    waiting when the round started; `should_stop()` ends the run after the next commit."""
    started = time.perf_counter()
    index_dir = index_dir_from(index_dir)
    report = EmbeddingReport()
    emb = None
    while True:
        work, _ = pending_passages(index_dir)
        if not work:
            break
        if emb is None:
            manifest = read_manifest(current_generation(index_dir))
            built = manifest.get("embedder", {})
            emb = embedder if embedder is not None and not isinstance(embedder, str) else load_embedder(
                embedder or built.get("name"))
            if emb.name != built.get("name") or emb.dim != built.get("dim"):  # vectors of two models never mix
                raise EmbedderError("embedder_mismatch", path=str(index_dir), built_with=built.get("name"),
                                    built_dim=built.get("dim"), given=emb.name, given_dim=emb.dim)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(work), desc="Nhúng đoạn văn", unit="đoạn")
        computed: dict[int, np.ndarray] = {}
        last_commit = time.monotonic()
        stopped = False
        try:
            for start in range(0, len(work), BATCH):
                if should_stop is not None and should_stop():
                    stopped = True
                    break
                batch = work[start:start + BATCH]
                vectors = emb.embed_passages([text for _, text in batch], batch_size=BATCH)
                computed.update((h, v) for (h, _), v in zip(batch, vectors))
                report.embedded += len(batch)
                if bar is not None:
                    bar.update(len(batch))
                if on_progress is not None:
                    on_progress(start + len(batch), len(work))
                if time.monotonic() - last_commit >= commit_seconds:
                    report.commits += commit_vectors(index_dir, computed)
                    computed = {}
                    last_commit = time.monotonic()
        finally:
            if bar is not None:
                bar.close()
            if computed:  # also when interrupted by an exception: what was computed is kept
                report.commits += commit_vectors(index_dir, computed)
        if stopped:
            report.remaining = len(pending_passages(index_dir)[0])
            break
    report.seconds = time.perf_counter() - started
    return report


def commit_vectors(index_dir, computed: dict[int, np.ndarray], *, wait: float = 120.0) -> int:
    """Give the passages of the live generation still waiting whose text hash is in `computed` their vectors, in a
    new generation. Returns 1 when a generation was written, 0 when no passage needed these vectors."""
    if not computed:
        return 0
    index_dir = index_dir_from(index_dir)
    with write_lock(index_dir, wait=wait):
        gen = current_generation(index_dir)
        manifest = read_manifest(gen)
        written = []
        try:
            changed = False
            for entry in manifest.get("segments", []):
                seg = open_segment(index_dir, entry)
                rows = [int(r) for r in seg.pending(set(entry.get("deleted", [])))
                        if int(seg.text_hash[r]) in computed]
                if not rows:
                    continue
                vectors = np.array(seg.vectors, dtype=np.float32)
                embedded = seg.searchable.copy()
                vectors[rows] = np.stack([computed[int(seg.text_hash[r])] for r in rows])
                embedded[rows] = True
                folder = index_dir / unique_name("vec")
                written.append(folder)
                entry["vectors"] = write_vectors(folder, vectors, embedded)
                changed = True
            if not changed:
                return 0
            manifest["created"] = time.strftime("%Y-%m-%dT%H:%M:%S")
            gen_name = unique_name("gen")
            written.append(index_dir / gen_name)
            (index_dir / gen_name).mkdir()
            add_checksums(index_dir, manifest)
            write_atomically(index_dir / gen_name / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            write_atomically(index_dir / "CURRENT", gen_name)
        except BaseException:
            for folder in written:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        collect_garbage(index_dir, referenced(index_dir))
    log.info("committed vectors of %d passages (generation %s)", len(computed), gen_name)
    return 1
