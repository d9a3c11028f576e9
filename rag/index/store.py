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

import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
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
# catalogue-3: a letter's "Kính gửi" addressees are catalogued and in its description passage.
# sections-4: a label line that assigns ("Phân công thực hiện: Giao X:") is kept whole in section paths.
# catalogue-4: the issuer is read from the header and opening when no preamble is found (a PDF whose opening ran into
#   its title gave "Ban Thường vụ" without its council).
PARSER_VERSION = "sections-4+catalogue-4"
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
    after `wait` seconds: the short commits of deferred embedding wait for a build or upload to finish).

    Two levels: threads of this process queue on a per-folder thread lock first (up to SAME_PROCESS_WAIT seconds),
    then the process takes the file lock (`flock`, other processes: `wait`). The thread lock is taken before the
    file lock, so a thread never meets the file lock held by its own process: the earlier check ("is this process
    the holder?") had a window between taking the file lock and marking it held, where a starved background
    embedding thread (it runs at idle priority) made an upload fail with `index_locked` on a loaded machine."""
    with coded_write_errors(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
        lock_path = index_dir / ".lock"
    local = _process_lock(str(index_dir.resolve()))
    if not local.acquire(timeout=max(wait, SAME_PROCESS_WAIT)):
        raise IndexStoreError("index_locked", path=str(index_dir), lock=str(lock_path))
    try:
        with coded_write_errors(index_dir):
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
            with coded_write_errors(index_dir):
                handle.write(str(os.getpid()))
                handle.flush()
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
    finally:
        local.release()


# One thread lock per index folder of this process: a writer meeting another thread of the same process (the
# Library's background embedding commits while an upload or a removal comes in) waits for it, up to
# SAME_PROCESS_WAIT seconds, instead of failing with `index_locked`.
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()
SAME_PROCESS_WAIT = 120.0


def _process_lock(key: str) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.Lock())


# Free space under which a failed write is taken for a full disk (FAISS reports one as a RuntimeError of its own).
LOW_SPACE_BYTES = 64 * 1024 * 1024


@contextmanager
def coded_write_errors(index_dir: Path):
    """Turn the operating system's write failures into coded errors: a full disk (ENOSPC, EDQUOT, or a library's
    own error while little space is left) is `disk_full`, a refused write `index_not_writable`. The writer's own
    clean-up has run by then: the previous generation stays live."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise IndexStoreError("disk_full", path=str(index_dir), detail=str(exc)) from None
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise IndexStoreError("index_not_writable", path=str(index_dir), reason=exc.strerror or str(exc)) from None
        raise
    except RuntimeError as exc:
        if _free_space(index_dir) < LOW_SPACE_BYTES:
            raise IndexStoreError("disk_full", path=str(index_dir), detail=str(exc)) from None
        raise


def _free_space(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 1 << 62


# --- checksums -------------------------------------------------------------------------------------------------
# Every file a generation uses has two digests in its manifest ("checksums": path -> [full, quick]). Folders are
# never rewritten, so a file's digests are computed once, when it is written, and carried to later manifests.
# Loading checks files up to FULL_CHECK_BYTES whole and larger ones (memory-mapped vectors, FAISS, chunks) by their
# quick digest: size, first and last QUICK_BYTES; `rag index verify` (`verify_index`) checks every file whole.
FULL_CHECK_BYTES = 4 * 1024 * 1024
QUICK_BYTES = 256 * 1024


def file_digests(path: Path) -> list[str]:
    """[digest of the whole file, digest of its size, first and last QUICK_BYTES] (BLAKE2b, 128 bits)."""
    full = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            full.update(block)
    return [full.hexdigest(), _quick_digest(path)]


def _quick_digest(path: Path) -> str:
    quick = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        quick.update(str(size).encode())
        quick.update(handle.read(QUICK_BYTES))
        if size > QUICK_BYTES:
            handle.seek(max(QUICK_BYTES, size - QUICK_BYTES))
            quick.update(handle.read(QUICK_BYTES))
    return quick.hexdigest()


def add_checksums(index_dir: Path, manifest: dict, previous: dict | None = None) -> dict:
    """Fill `manifest["checksums"]` for every file its segments use, reusing the digests `previous` (or the
    manifest itself) already has for files of unchanged folders. Called just before a manifest is written."""
    known = dict((previous or {}).get("checksums", {})) | manifest.get("checksums", {})
    manifest["checksums"] = {name: known.get(name) or file_digests(index_dir / name)
                             for entry in manifest.get("segments", []) for name, _ in segment_files(entry)}
    return manifest


def verify_checksums(index_dir: Path, manifest: dict, *, full: bool) -> int:
    """Check the files of a manifest against their digests (whole files when `full`, else the fast check);
    raise `index_corrupt` naming the first file that differs. Returns the number of files checked."""
    checksums = manifest.get("checksums")
    if not checksums:
        return 0  # an index written before checksums: its file sizes are still checked
    for name, (whole, quick) in checksums.items():
        path = index_dir / name
        try:
            if full or path.stat().st_size <= FULL_CHECK_BYTES:
                same = file_digests(path)[0] == whole
            else:
                same = _quick_digest(path) == quick
        except OSError as exc:
            raise IndexStoreError("index_corrupt", path=str(index_dir), detail=f"file {name}: {exc}") from None
        if not same:
            raise IndexStoreError("index_corrupt", path=str(index_dir),
                                  detail=f"file {name} does not match its checksum (changed or damaged)")
    return len(checksums)


def verify_index(index_dir: str | Path | None = None) -> tuple["LoadedIndex", int]:
    """`rag index verify`: every file of the live generation against its checksum, then every stored row read
    (passages and table rows parsed). Raises `index_corrupt` (with the rebuild command) on any difference."""
    index_dir = index_dir_from(index_dir)
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexStoreError("index_missing", path=str(index_dir))
    manifest = read_manifest(gen)
    checked = verify_checksums(index_dir, manifest, full=True)
    loaded = load_index(index_dir)
    try:
        for seg in loaded.segments:
            for i in range(len(seg.chunk_rows)):
                seg.chunk_rows.line(i)
            for table in seg.tables.values():
                for i in range(len(table.rows)):
                    table.rows.line(i)
    except (ValueError, IndexError) as exc:
        raise IndexStoreError("index_corrupt", path=str(index_dir), detail=f"unreadable row: {exc}") from None
    return loaded, checked


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder (what CURRENT names), or None when there is no index yet."""
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    name = _read_pointer(pointer).strip()
    if not _GENERATION_NAME.fullmatch(name):
        raise IndexStoreError("index_corrupt", path=str(pointer), detail="CURRENT does not name a generation")
    gen = index_dir / name
    return gen if gen.is_dir() else None


_GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z_.-]{1,120}")


def _read_pointer(pointer: Path) -> str:
    """The text of CURRENT; garbage (non-UTF-8 bytes) is a damaged index, not a UnicodeDecodeError."""
    try:
        return pointer.read_bytes()[:512].decode("utf-8")
    except UnicodeDecodeError:
        raise IndexStoreError("index_corrupt", path=str(pointer), detail="CURRENT is not UTF-8 text") from None
    except OSError as exc:
        raise IndexStoreError("index_corrupt", path=str(pointer), detail=str(exc)) from None


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
    """Folders the live generation uses (itself and its segments); none when CURRENT is damaged."""
    try:
        gen = current_generation(index_dir)
    except IndexStoreError:
        return set()
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
        before = _read_pointer(pointer) if pointer.exists() else None
        try:
            return _load(index_dir)
        except IndexStoreError:
            after = _read_pointer(pointer) if pointer.exists() else None
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
    verify_checksums(index_dir, manifest, full=False)  # damage that keeps sizes (zeroed files, changed bytes)
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
