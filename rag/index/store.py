"""The on-disk index: immutable segments plus a manifest, swapped in atomically, refused when it does not match.

Layout of `index/` (path from `--index` or the `RAG_INDEX` environment variable):

    CURRENT                 name of the live generation folder, replaced atomically with os.replace
    gen-<time>-<pid>/
        manifest.json       versions, embedder, per-document hashes, segments (with deleted documents and file
                            sizes), chunk-id order
    seg-<time>-<pid>-<n>/   segments: immutable folders of documents, complete for search (see `segment`)
    vec-<time>-<pid>-<n>/   vectors computed after their segment was written (see `embedding`): a generation may
                            be searchable by BM25, duties and catalogue before every passage is embedded

A build (`build`) writes new segments for new or changed documents only, records removed or replaced documents as
deleted in their old segment, merges small segments, writes a new generation whose manifest is written last, then
swaps CURRENT. Killing a build at any moment leaves CURRENT pointing at the old generation, whose segments are
untouched; folders no generation uses are removed by the next build. Two writers are serialised by a lock file.
This module owns the layout: the lock, the generations, and loading (with every check that refuses a damaged or
mismatched index).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import IndexStoreError
from ..search.dense import DenseIndex
from ..search.lexical import LexicalIndex
from ..text.normalize import NORMALIZER_VERSION, TOKENIZER_VERSION
from .rows import ChunkTable
from .segment import Segment

log = logging.getLogger(__name__)

FORMAT_VERSION = 3
# Bump when parsing or chunking output changes (feature tables have their own versions).
# sections-2: appendices, tables and text after the signature are indexed; headings kept whole in section paths.
# sections-3: paragraphs over 4,000 characters and sentences over 2,000 are cut (linear time).
PARSER_VERSION = "sections-3+catalogue-2"
DEFAULT_INDEX = "index"


def index_dir_from(path: str | Path | None = None) -> Path:
    """The index folder: explicit path, else $RAG_INDEX, else ./index."""
    return Path(path or os.environ.get("RAG_INDEX") or DEFAULT_INDEX)


@dataclass
class LoadedIndex:
    """An index opened for search: chunks, dense and lexical indexes, metadata, segments and manifest.

    Rows are numbered over the live chunks of all segments, in manifest order: row i of a BM25 or FAISS result
    is `chunks[i]`. Feature tables (duties) are read from `segments` by their feature, with `deleted`."""

    path: Path
    manifest: dict
    segments: list[Segment]
    deleted: list[set[str]]  # documents of each segment that are no longer in the index
    chunks: ChunkTable
    dense: DenseIndex
    lexical: LexicalIndex
    documents: dict[str, dict]

    @property
    def generation(self) -> str:
        """Name of the generation folder this index was loaded from (changes with every build)."""
        return self.path.name

    @property
    def embedding_progress(self) -> tuple[int, int]:
        """(passages embedded, passages in all) over live passages: equal once semantic search covers everything."""
        total = len(self.chunks)
        pending = sum(len(seg.pending(gone)) for seg, gone in zip(self.segments, self.deleted))
        return total - pending, total


@contextmanager
def write_lock(index_dir: Path, *, wait: float = 0.0):
    """Hold an exclusive lock for writing `index_dir`; a second writer gets a clear error instead of waiting (or
    after `wait` seconds: the short commits of deferred embedding wait for a build or upload to finish)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / ".lock"
    handle = open(lock_path, "w")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            handle.close()
            raise IndexStoreError("index_locked", path=str(index_dir), lock=str(lock_path)) from None
    try:
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder (what CURRENT names), or None when there is no index yet."""
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    gen = index_dir / name
    return gen if name and gen.is_dir() else None


def unique_name(prefix: str) -> str:
    """A new folder name for a generation or segment (never reused: folders are immutable)."""
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.perf_counter_ns() % 10_000_000}"


def read_manifest(gen: Path | None) -> dict:
    """The manifest of a generation, or {} when there is none or it cannot be read (a build then starts afresh)."""
    if gen is None:
        return {}
    try:
        return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("previous index at %s unreadable (%s); building from scratch", gen, exc)
        return {}


def collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Remove generation and segment folders that the live generation does not use (old ones, and those of
    killed builds). Called with the write lock held."""
    for folder in list(index_dir.glob("gen-*")) + list(index_dir.glob("seg-*")) + list(index_dir.glob("vec-*")):
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def referenced(index_dir: Path) -> set[str]:
    """Folders the live generation uses (itself and its segments)."""
    gen = current_generation(index_dir)
    if gen is None:
        return set()
    manifest = read_manifest(gen)
    return {gen.name} | {s["name"] for s in manifest.get("segments", [])} | {
        s["vectors"]["name"] for s in manifest.get("segments", []) if s.get("vectors")}


def open_segment(index_dir: Path, entry: dict) -> Segment:
    """A segment named by a manifest entry, with its vectors folder when its vectors were computed later."""
    vectors = entry.get("vectors")
    return Segment(index_dir / entry["name"], vectors=index_dir / vectors["name"] if vectors else None)


def segment_files(entry: dict) -> list[tuple[str, int]]:
    """(path inside the index folder, size) of every file a manifest entry of a segment names."""
    files = [(f"{entry['name']}/{name}", size) for name, size in entry.get("files", {}).items()]
    if entry.get("vectors"):
        vec = entry["vectors"]
        files += [(f"{vec['name']}/{name}", size) for name, size in vec.get("files", {}).items()]
    return files


def load_index(index_dir: str | Path | None = None) -> LoadedIndex:
    """Load the live generation, refusing (with a message saying how to rebuild) anything that does not match.

    A writer may swap in a new generation (and remove the old one's folders) while we read: then we read again.
    """
    index_dir = index_dir_from(index_dir)
    for attempt in range(3):
        pointer = index_dir / "CURRENT"
        before = pointer.read_text(encoding="utf-8") if pointer.exists() else None
        try:
            return _load(index_dir)
        except IndexStoreError:
            after = pointer.read_text(encoding="utf-8") if pointer.exists() else None
            if attempt == 2 or before == after:
                raise
            log.info("%s changed while loading; loading the new generation", index_dir)
    raise AssertionError("unreachable")


def _load(index_dir: Path) -> LoadedIndex:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexStoreError("index_missing", path=str(index_dir))
    manifest_path = gen / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError("index_corrupt", path=str(manifest_path), detail=f"unreadable manifest: {exc}") from None
    if not isinstance(manifest, dict):
        raise IndexStoreError("index_corrupt", path=str(manifest_path), detail="unreadable manifest")
    problems = []
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"format version {manifest.get('format_version')} (this program reads {FORMAT_VERSION})")
    if manifest.get("normalizer_version") != NORMALIZER_VERSION:
        problems.append(f"normalizer {manifest.get('normalizer_version')} (this program uses {NORMALIZER_VERSION})")
    if manifest.get("tokenizer_version") != TOKENIZER_VERSION:
        problems.append(f"tokenizer {manifest.get('tokenizer_version')} (this program uses {TOKENIZER_VERSION})")
    if problems:
        raise IndexStoreError("index_mismatch", path=str(index_dir), detail="; ".join(problems))
    for entry in manifest.get("segments", []):
        for name, size in segment_files(entry):
            path = index_dir / name
            if not path.is_file() or path.stat().st_size != size:
                raise IndexStoreError("index_corrupt", path=str(index_dir),
                                      detail=f"file {name} is missing or has the wrong size")
    try:
        segments = [open_segment(index_dir, entry) for entry in manifest["segments"]]
        deleted = [set(entry.get("deleted", [])) for entry in manifest["segments"]]
        live = [seg.live_mask(gone) for seg, gone in zip(segments, deleted)]
        all_live = np.concatenate(live) if live else np.zeros(0, dtype=bool)
        chunks = ChunkTable(segments, live)
        searchable = np.concatenate([seg.searchable for seg in segments]) if segments else None
        dense = DenseIndex([seg.faiss_index for seg in segments], [seg.vectors for seg in segments], live=all_live,
                           searchable=searchable)
        lexical = LexicalIndex([seg.postings for seg in segments], live=all_live)
        documents: dict[str, dict] = {}
        for seg, gone in zip(segments, deleted):
            documents.update({k: v for k, v in seg.documents().items() if k not in gone})
    except Exception as exc:  # corrupt files surface as many exception types
        raise IndexStoreError("index_corrupt", path=str(index_dir), detail=str(exc)) from None
    dim = manifest.get("embedder", {}).get("dim")
    consistent = (
        chunks.ids == manifest.get("chunk_ids")
        and dense.size == lexical.size == len(chunks)
        and all(seg.vectors.shape[1] == dim for seg in segments)
        and set(documents) == set(manifest.get("documents", {}))
    )
    if not consistent:
        raise IndexStoreError("index_corrupt", path=str(index_dir),
                              detail="chunk order, vectors and manifest disagree")
    return LoadedIndex(path=gen, manifest=manifest, segments=segments, deleted=deleted, chunks=chunks, dense=dense,
                       lexical=lexical, documents=documents)


def list_documents(loaded: LoadedIndex) -> list[dict]:
    """Indexed documents with their metadata (for `rag index list` and the UI)."""
    out = []
    for name, entry in sorted(loaded.manifest["documents"].items()):
        meta = loaded.documents.get(name, {})
        out.append({"doc": name, **entry, **{k: meta.get(k) for k in
                                               ("doc_type", "number", "date", "title", "issuer", "place", "pages")}})
    return out
