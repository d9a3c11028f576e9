"""The on-disk index: immutable segments plus a manifest, swapped in atomically, refused when it does not match.

Layout of `index/` (path from `--index` or the `RAG_INDEX` environment variable):

    CURRENT                 name of the live generation folder, replaced atomically with os.replace
    gen-<time>-<pid>/
        manifest.json       versions, embedder, per-document hashes, segments (with deleted documents and file
                            sizes), chunk-id order
    seg-<time>-<pid>-<n>/   segments: immutable folders of documents, complete for search (see `segment`)

A build writes new segments for new or changed documents only, records removed or replaced documents as deleted
in their old segment, merges small segments (from their stored arrays: nothing is re-parsed or re-embedded),
writes a new generation whose manifest is written last, then swaps CURRENT. Killing a build at any moment leaves
CURRENT pointing at the old generation, whose segments are untouched; folders no generation uses are removed by
the next build. Two writers are serialised by a lock file.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .dense import DenseIndex
from .embedders import Embedder, load_embedder
from .ingest import ParsedDocument, content_hash, load_document
from .lexical import LexicalIndex, Postings
from .models import DocumentError, DocumentMeta
from .normalize import NORMALIZER_VERSION, TOKENIZER_VERSION
from .readers import SUPPORTED_EXTENSIONS
from .segment import (ChunkTable, DocumentPart, Segment, SegmentData, SegmentError, add_document, merge_segments,
                      text_hash, write_atomically, write_segment)

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
PARSER_VERSION = "sections-1+duties-2"  # bump when parsing, chunking or duty extraction output changes
DEFAULT_INDEX = "index"
REBUILD_HINT = "Rebuild it with: rag index build corpus/   (or set RAG_INDEX to another folder)"
SEGMENT_CHUNKS = 32_768  # a build starts a new segment after this many chunks (bounds memory while indexing)
SMALL_SEGMENT = 4_096  # segments with fewer live chunks are merged together after a build
MAX_DELETED_SHARE = 0.5  # a segment with more deleted chunks than this is rewritten without them
PARALLEL_MIN_FILES = 24  # parse in worker processes when at least this many files are new or changed
# Files parsed ahead of the build: about two segments of chunks. Bounds memory, and keeps the workers parsing while
# the build embeds and writes a segment (with 512 they sat idle then: 10,000 documents took 650 s instead of 511 s).
PARSE_AHEAD = 2048


class IndexStoreError(Exception):
    """The index is missing, locked, corrupt or does not match this program; the message says how to fix it."""


def index_dir_from(path: str | Path | None = None) -> Path:
    """The index folder: explicit path, else $RAG_INDEX, else ./index."""
    return Path(path or os.environ.get("RAG_INDEX") or DEFAULT_INDEX)


@dataclass
class BuildReport:
    """What a build did: documents indexed, reused, failed (with messages), chunk and timing figures."""

    indexed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    embedded_chunks: int = 0
    parse_seconds: float = 0.0
    embed_seconds: float = 0.0
    write_seconds: float = 0.0
    total_seconds: float = 0.0
    segments_written: int = 0
    segments_merged: int = 0
    index_dir: str = ""


@dataclass
class LoadedIndex:
    """An index opened for search: chunks, dense and lexical indexes, duties, metadata and manifest.

    Rows are numbered over the live chunks of all segments, in manifest order: row i of a BM25 or FAISS result
    is `chunks[i]`."""

    path: Path
    manifest: dict
    segments: list[Segment]
    chunks: ChunkTable
    dense: DenseIndex
    lexical: LexicalIndex
    duties: object  # rag.duty_table.DutyTable
    documents: dict[str, dict]


@contextmanager
def write_lock(index_dir: Path):
    """Hold an exclusive lock for writing `index_dir`; a second writer gets a clear error instead of waiting."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / ".lock"
    handle = open(lock_path, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise IndexStoreError(
            f"{index_dir}: another indexing run is writing this index (lock {lock_path}); wait for it to finish"
        ) from None
    try:
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    gen = index_dir / name
    return gen if name and gen.is_dir() else None


def _unique_name(prefix: str) -> str:
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.perf_counter_ns() % 10_000_000}"


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders into the supported files they contain (sorted); keep files named explicitly."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
                                and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


def _read_manifest(gen: Path | None) -> dict:
    if gen is None:
        return {}
    try:
        return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("previous index at %s unreadable (%s); building from scratch", gen, exc)
        return {}


def parse_file(path: Path) -> DocumentPart | tuple[str, str]:
    """Read, parse and extract the duties of one file: a DocumentPart, or (file, problem) when it cannot be
    indexed. A top-level function so that worker processes can run it."""
    from .duties import extract_duties  # noqa: PLC0415 - duty extraction is part of indexing

    try:
        parsed: ParsedDocument = load_document(path)
    except DocumentError as exc:
        return (str(path), exc.problem)
    except Exception as exc:  # a parser bug must not lose the whole batch; report it per file
        log.exception("unexpected error while reading %s", path)
        return (str(path), f"unexpected error while reading: {exc!r}")
    if not any(c.kind != "meta" for c in parsed.chunks):
        return (str(path), "no text found in the document")
    try:
        duties = [d.to_dict() for d in extract_duties(parsed)]
    except Exception as exc:
        log.exception("unexpected error while extracting duties of %s", path)
        return (str(path), f"unexpected error while extracting duties: {exc!r}")
    meta = asdict(parsed.meta) | {"chunks": len(parsed.chunks), "path": str(path), "pages": parsed.raw.pages,
                                  "kind": parsed.raw.kind}
    entry = {"hash": parsed.content_hash, "path": str(path), "chunks": len(parsed.chunks)}
    return DocumentPart(name=path.name, chunks=parsed.chunks, duties=duties, meta=meta, entry=entry)


def default_workers() -> int:
    """Processes that parse files in a large build: the CPUs this process may use, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _parse_all(paths: list[Path], *, workers: int,
               ahead: int = PARSE_AHEAD) -> Iterator[DocumentPart | tuple[str, str]]:
    """Parse files in order; with several workers, in separate processes (parsing is pure Python, CPU-bound).

    At most `ahead` files are parsed before the build takes them: `Executor.map` would submit every file at once
    and keep all parsed documents in memory while the build embeds (unbounded for a large archive)."""
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for path in paths:
            yield parse_file(path)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # "spawn": the parent may hold an embedder with its own threads, which a fork would copy in a broken state.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
        remaining = iter(paths)
        pending = deque(pool.submit(parse_file, path) for path in itertools.islice(remaining, max(1, ahead)))
        try:
            while pending:
                part = pending.popleft().result()
                following = next(remaining, None)
                if following is not None:
                    pending.append(pool.submit(parse_file, following))
                yield part
        finally:  # a failed build does not wait for files nobody will read
            for future in pending:
                future.cancel()


def _exit_with_parent(parent: int) -> None:
    """In a parse worker: exit when the build process is gone (killed builds must not leave workers behind;
    they would wait for work forever, since every worker holds the work queue open)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


class _SegmentWriter:
    """Collects parsed documents, and every SEGMENT_CHUNKS chunks embeds what was never embedded and writes a
    segment. Vectors of text embedded before (in the old index or earlier in this build) are reused."""

    def __init__(self, index_dir: Path, emb: Embedder, old_segments: list[Segment], report: BuildReport,
                 progress: bool):
        self.index_dir = index_dir
        self.emb = emb
        self.old_segments = old_segments
        self.report = report
        self.progress = progress
        self.data = SegmentData()
        self.texts: list[str] = []
        self.written: list[Path] = []
        self.entries: dict[str, dict] = {}
        self._known: dict[int, tuple[int, int]] | None = None

    def add(self, part: DocumentPart) -> None:
        texts = [c.index_text() for c in part.chunks]
        add_document(self.data, part, [text_hash(t) for t in texts])
        self.texts.extend(texts)
        self.entries[part.name] = part.entry
        if len(self.texts) >= SEGMENT_CHUNKS:
            self.flush()

    def _known_vectors(self) -> dict[int, tuple[int, int]]:
        if self._known is None:
            self._known = {}
            for s, seg in enumerate(self.old_segments):
                for row, h in enumerate(np.asarray(seg.text_hash).tolist()):
                    self._known.setdefault(h, (s, row))
        return self._known

    def flush(self) -> None:
        if not self.texts:
            return
        started = time.perf_counter()
        hashes = self.data.text_hashes
        vectors = np.zeros((len(self.texts), self.emb.dim), dtype=np.float32)
        known = self._known_vectors() if self.old_segments else {}
        first_of: dict[int, int] = {}
        todo: list[int] = []
        copies: list[tuple[int, int]] = []
        for i, h in enumerate(hashes):
            if h in known:
                s, row = known[h]
                vectors[i] = self.old_segments[s].vectors[row]
            elif h in first_of:
                copies.append((i, first_of[h]))
            else:
                first_of[h] = i
                todo.append(i)
        batch = 64
        batches = range(0, len(todo), batch)
        if self.progress and todo:
            from tqdm import tqdm

            batches = tqdm(batches, desc="Nhúng đoạn văn", unit="lô")
        for start in batches:
            rows = todo[start:start + batch]
            vectors[rows] = self.emb.embed_passages([self.texts[i] for i in rows], batch_size=batch)
        for i, j in copies:
            vectors[i] = vectors[j]
        self.report.embedded_chunks += len(todo)
        written = time.perf_counter()
        self.report.embed_seconds += written - started
        folder = self.index_dir / _unique_name("seg")
        self.written.append(folder)
        postings = Postings.from_texts(self.texts)
        write_segment(folder, self.data, vectors, postings)
        self.report.segments_written += 1
        self.report.write_seconds += time.perf_counter() - written
        self.data = SegmentData()
        self.texts = []


def _collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Remove generation and segment folders that the live generation does not use (old ones, and those of
    killed builds). Called with the write lock held."""
    for folder in list(index_dir.glob("gen-*")) + list(index_dir.glob("seg-*")):
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def _referenced(index_dir: Path) -> set[str]:
    gen = _current_generation(index_dir)
    if gen is None:
        return set()
    manifest = _read_manifest(gen)
    return {gen.name} | {s["name"] for s in manifest.get("segments", [])}


def build_index(
    paths: list[str | Path] | None = None,
    *,
    index_dir: str | Path | None = None,
    embedder: Embedder | str | None = None,
    add: bool = False,
    remove: list[str] | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> BuildReport:
    """Build (or update) the index and swap it in atomically.

    `paths` (files or folders) is the document set; with `add=True` they are added to the documents already
    indexed; `remove` drops documents by file name. Unchanged documents (same content hash) stay in their segment
    untouched, and chunks whose text was embedded before are not re-embedded. Files that cannot be read are
    reported in `BuildReport.errors` and skipped; the other files are still indexed. `workers` parse files in
    parallel (default: the number of CPUs, at most 4).
    """
    started = time.perf_counter()
    index_dir = index_dir_from(index_dir)
    report = BuildReport(index_dir=str(index_dir))
    workers = workers or default_workers()
    with write_lock(index_dir):
        _collect_garbage(index_dir, _referenced(index_dir))
        old_manifest = _read_manifest(_current_generation(index_dir))
        emb = embedder if embedder is not None and not isinstance(embedder, str) else load_embedder(
            embedder or old_manifest.get("embedder", {}).get("name"))
        compatible = (
            old_manifest.get("format_version") == FORMAT_VERSION
            and old_manifest.get("embedder", {}).get("name") == emb.name
            and old_manifest.get("normalizer_version") == NORMALIZER_VERSION
            and old_manifest.get("tokenizer_version") == TOKENIZER_VERSION
        )
        same_parser = compatible and old_manifest.get("parser_version") == PARSER_VERSION
        old_docs: dict[str, dict] = old_manifest.get("documents", {}) if compatible else {}
        old_segments: list[Segment] = []
        old_deleted: dict[str, set[str]] = {}
        if compatible:
            try:
                for entry in old_manifest.get("segments", []):
                    old_segments.append(Segment(index_dir / entry["name"]))
                    old_deleted[entry["name"]] = set(entry.get("deleted", []))
            except SegmentError as exc:
                log.warning("previous index unreadable (%s); building from scratch", exc)
                old_segments, old_deleted, old_docs, same_parser = [], {}, {}, False

        # 1. Decide the document set.
        wanted: dict[str, Path | None] = {}  # doc name -> file to read (None: keep it from the old index)
        if add or remove:
            for name in old_docs:
                wanted[name] = None
        for name in remove or []:
            if name not in wanted:
                raise IndexStoreError(f"{name}: not in the index (see: rag index list)")
            del wanted[name]
            report.removed.append(name)
        for path in collect_files(paths or ([] if (add or remove) else ["corpus"])):
            if path.name in wanted and wanted[path.name] is not None and wanted[path.name] != path:
                report.errors.append((str(path), f"another file with the same name is already given: {wanted[path.name]}"))
                continue
            wanted[path.name] = path

        # 2. Keep what did not change; parse the rest into new segments.
        kept: dict[str, dict] = {}
        seen_hashes: dict[str, str] = {}
        to_parse: list[Path] = []
        parse_started = time.perf_counter()
        # Documents already indexed come first: a new copy of one of them is the duplicate, not the original.
        for name, path in sorted(wanted.items(), key=lambda kv: (kv[0] not in old_docs, kv[0])):
            entry = old_docs.get(name)
            digest = None
            if path is not None:
                if not path.exists():
                    report.errors.append((str(path), "file not found"))
                    continue
                digest = content_hash(path)
                if digest in seen_hashes:
                    report.errors.append((str(path), f"duplicate: same content as {seen_hashes[digest]} (skipped)"))
                    continue
            if entry is not None and same_parser and (path is None or entry.get("hash") == digest):
                kept[name] = entry
                seen_hashes[entry["hash"]] = name
                report.reused.append(name)
            elif path is None:
                report.errors.append((name, "cannot be reused (index format changed) and its file is unknown"))
            else:
                seen_hashes[digest] = name
                to_parse.append(path)
        writer = _SegmentWriter(index_dir, emb, old_segments if compatible else [], report, progress)
        try:
            parsed = _parse_all(to_parse, workers=workers)
            if progress and to_parse:
                from tqdm import tqdm

                parsed = tqdm(parsed, total=len(to_parse), desc="Đọc văn bản", unit="văn bản")
            for result in parsed:
                if isinstance(result, tuple):
                    report.errors.append(result)
                    continue
                writer.add(result)
                report.indexed.append(result.name)
            writer.flush()
            report.parse_seconds = time.perf_counter() - parse_started - report.embed_seconds - report.write_seconds
            if not kept and not writer.written:
                # Nothing readable: keep the previous index as it is and let the caller report the errors.
                report.total_seconds = time.perf_counter() - started
                if not report.errors:
                    raise IndexStoreError(f"{index_dir}: no documents to index (give files or folders with "
                                          f".txt, .md, .pdf or .docx)")
                return report

            # 3. Old segments keep their documents still wanted; the others are recorded as deleted.
            write_started = time.perf_counter()
            layout: list[tuple[Segment, set[str]]] = []
            for seg in old_segments:
                deleted = {d for d in seg.docs if d not in kept}
                if len(deleted) < len(seg.docs):
                    layout.append((seg, deleted))
            layout.extend((Segment(folder), set()) for folder in writer.written)
            layout = _merge_small(index_dir, layout, report, writer.written)

            # 4. Write the generation (manifest last) and swap CURRENT.
            documents = {**kept, **writer.entries}
            manifest = _manifest(emb, layout, documents)
            gen_name = _unique_name("gen")
            gen = index_dir / gen_name
            gen.mkdir()
            writer.written.append(gen)
            write_atomically(gen / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            write_atomically(index_dir / "CURRENT", gen_name)
        except BaseException:
            for folder in writer.written:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        _collect_garbage(index_dir, {gen_name} | {seg.name for seg, _ in layout})
        report.write_seconds += time.perf_counter() - write_started
    report.chunks = len(manifest["chunk_ids"])
    report.total_seconds = time.perf_counter() - started
    return report


def _merge_small(index_dir: Path, layout: list[tuple[Segment, set[str]]], report: BuildReport,
                 written: list[Path]) -> list[tuple[Segment, set[str]]]:
    """Merge segments with few live chunks, and rewrite those mostly deleted, so that many small additions do
    not slow queries down and removed documents do not stay on disk forever."""
    live = [int(seg.live_mask(deleted).sum()) if deleted else seg.size for seg, deleted in layout]
    mostly_deleted = [seg.size - n > MAX_DELETED_SHARE * seg.size for (seg, _), n in zip(layout, live)]
    candidates = [i for i, n in enumerate(live) if n < SMALL_SEGMENT or mostly_deleted[i]]
    needs_rewrite = any(mostly_deleted[i] for i in candidates)
    if len(candidates) < 2 and not needs_rewrite:
        return layout
    folder = index_dir / _unique_name("seg")
    written.append(folder)
    merge_segments([layout[i] for i in candidates], folder)
    report.segments_merged += len(candidates)
    merged = (Segment(folder), set())
    rest = [part for i, part in enumerate(layout) if i not in candidates]
    return rest + [merged]


def _manifest(emb: Embedder, layout: list[tuple[Segment, set[str]]], documents: dict[str, dict]) -> dict:
    segments, chunk_ids, doc_entries = [], [], {}
    for seg, deleted in layout:
        segments.append({"name": seg.name, "deleted": sorted(deleted), "chunks": seg.size,
                         "files": seg.info["files"] | {"segment.json": (seg.folder / "segment.json").stat().st_size}})
        mask = seg.live_mask(deleted)
        chunk_ids.extend(seg.chunk_ids if mask.all() else [seg.chunk_ids[i] for i in np.flatnonzero(mask)])
        for name in seg.docs:
            if name not in deleted:
                doc_entries[name] = dict(documents[name]) | {"segment": seg.name}
    return {
        "format_version": FORMAT_VERSION,
        "parser_version": PARSER_VERSION,
        "normalizer_version": NORMALIZER_VERSION,
        "tokenizer_version": TOKENIZER_VERSION,
        "embedder": {"name": emb.name, "dim": emb.dim},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "documents": doc_entries,
        "segments": segments,
        "chunk_ids": chunk_ids,
    }


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
    from .duty_table import DutyTable

    gen = _current_generation(index_dir)
    if gen is None:
        raise IndexStoreError(f"{index_dir}: no index found. Build one with: rag index build corpus/")
    manifest_path = gen / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"{manifest_path}: unreadable manifest ({exc}). {REBUILD_HINT}") from None
    if not isinstance(manifest, dict):
        raise IndexStoreError(f"{manifest_path}: unreadable manifest. {REBUILD_HINT}")
    problems = []
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"format version {manifest.get('format_version')} (this program reads {FORMAT_VERSION})")
    if manifest.get("normalizer_version") != NORMALIZER_VERSION:
        problems.append(f"normalizer {manifest.get('normalizer_version')} (this program uses {NORMALIZER_VERSION})")
    if manifest.get("tokenizer_version") != TOKENIZER_VERSION:
        problems.append(f"tokenizer {manifest.get('tokenizer_version')} (this program uses {TOKENIZER_VERSION})")
    if not problems:
        for entry in manifest.get("segments", []):
            for name, size in entry.get("files", {}).items():
                path = index_dir / entry["name"] / name
                if not path.is_file() or path.stat().st_size != size:
                    problems.append(f"file {entry['name']}/{name} is missing or has the wrong size (corrupt index)")
    if problems:
        raise IndexStoreError(f"{index_dir}: the index does not match: " + "; ".join(problems) + f". {REBUILD_HINT}")
    try:
        segments = [Segment(index_dir / entry["name"]) for entry in manifest["segments"]]
        deleted = [set(entry.get("deleted", [])) for entry in manifest["segments"]]
        live = [seg.live_mask(gone) for seg, gone in zip(segments, deleted)]
        all_live = np.concatenate(live) if live else np.zeros(0, dtype=bool)
        chunks = ChunkTable(segments, live)
        dense = DenseIndex([seg.faiss_index for seg in segments], [seg.vectors for seg in segments], live=all_live)
        lexical = LexicalIndex([seg.postings for seg in segments], live=all_live)
        duties = DutyTable.from_segments(segments, [seg.live_duty_mask(gone) for seg, gone in zip(segments, deleted)])
        documents: dict[str, dict] = {}
        for seg, gone in zip(segments, deleted):
            documents.update({k: v for k, v in seg.documents().items() if k not in gone})
    except Exception as exc:  # corrupt files surface as many exception types
        raise IndexStoreError(f"{index_dir}: corrupt index ({exc}). {REBUILD_HINT}") from None
    dim = manifest.get("embedder", {}).get("dim")
    consistent = (
        chunks.ids == manifest.get("chunk_ids")
        and dense.size == lexical.size == len(chunks)
        and all(seg.vectors.shape[1] == dim for seg in segments)
        and set(documents) == set(manifest.get("documents", {}))
    )
    if not consistent:
        raise IndexStoreError(f"{index_dir}: corrupt index (chunk order, vectors and manifest disagree). {REBUILD_HINT}")
    return LoadedIndex(path=gen, manifest=manifest, segments=segments, chunks=chunks, dense=dense, lexical=lexical,
                       duties=duties, documents=documents)


def list_documents(index_dir: str | Path | None = None) -> list[dict]:
    """Indexed documents with their metadata (for `rag index list` and the UI)."""
    loaded = load_index(index_dir)
    out = []
    for name, entry in sorted(loaded.manifest["documents"].items()):
        meta = loaded.documents.get(name, {})
        out.append({"doc": name, **entry, **{k: meta.get(k) for k in
                                               ("doc_type", "number", "date", "title", "issuer", "place", "pages")}})
    return out


def document_meta(documents: dict[str, dict], name: str) -> DocumentMeta:
    """DocumentMeta of an indexed document."""
    fields = {k: v for k, v in documents.get(name, {}).items() if k in DocumentMeta.__dataclass_fields__}
    return DocumentMeta(**({"doc": name} | fields))
