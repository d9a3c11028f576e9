"""Building the index: read and parse files (in parallel worker processes for large batches), embed what was
never embedded, write segments, merge small ones, and swap in a new generation (`store` owns the layout).

Each file is hashed once, on the way in: the hash decides whether the document changed and is passed to the
parser, which no longer reads the file a second time for it. Feature tables (the duty table) are declared by
their feature as `TableSpec`s and made in the parse workers; this module stores their rows without knowing them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..documents.ingest import ParsedDocument, character_counts, collect_files, content_hash, load_document
from ..errors import DocumentError, IndexStoreError
from ..search.embedders import Embedder, load_embedder
from ..search.lexical import Postings
from ..text.normalize import NORMALIZER_VERSION, TOKENIZER_VERSION
from .segment import (DocumentPart, Segment, SegmentData, SegmentError, TableSpec, add_document, merge_segments,
                      text_hash, write_atomically, write_segment)
from .store import (FORMAT_VERSION, PARSER_VERSION, add_checksums, collect_garbage, current_generation, index_dir_from,
                    open_segment, read_manifest, referenced, unique_name, verify_checksums, write_lock)

log = logging.getLogger(__name__)

SEGMENT_CHUNKS = 32_768  # a build starts a new segment after this many chunks (bounds memory while indexing)
SMALL_SEGMENT = 4_096  # segments with fewer live chunks are merged together after a build
MAX_DELETED_SHARE = 0.5  # a segment with more deleted chunks than this is rewritten without them
PARALLEL_MIN_FILES = 24  # parse in worker processes when at least this many files are new or changed
# Files parsed ahead of the build: about two segments of chunks. Bounds memory, and keeps the workers parsing while
# the build embeds and writes a segment (with 512 they sat idle then: 10,000 documents took 650 s instead of 511 s).
PARSE_AHEAD = 2048


@dataclass
class BuildReport:
    """What a build did: documents indexed, reused, failed (each a coded `DocumentError`), chunk and timing figures."""

    indexed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    kept_previous: list[str] = field(default_factory=list)  # a new version failed: the indexed one was kept
    characters: dict[str, tuple[int, int]] = field(default_factory=dict)  # doc -> (characters read, indexed)
    chunks: int = 0
    embedded_chunks: int = 0
    pending_chunks: int = 0  # passages committed without their vector (deferred embedding: `embedding`)
    parse_seconds: float = 0.0
    embed_seconds: float = 0.0
    write_seconds: float = 0.0
    total_seconds: float = 0.0
    segments_written: int = 0
    segments_merged: int = 0
    index_dir: str = ""


def parse_file(path: Path, digest: str, tables: tuple[TableSpec, ...] = ()) -> DocumentPart | DocumentError:
    """Read and parse one file (whose content hash is `digest`) and make the rows of each feature table: a
    DocumentPart, or the DocumentError when it cannot be indexed. A top-level function so that worker processes
    can run it."""
    try:
        parsed: ParsedDocument = load_document(path, digest=digest)
    except DocumentError as exc:
        return exc
    except Exception as exc:  # a parser bug must not lose the whole batch; report it per file
        log.exception("unexpected error while reading %s", path)
        return DocumentError(str(path), "parse_failed", detail=repr(exc))
    if not any(c.kind != "meta" for c in parsed.chunks):
        return DocumentError(str(path), "no_text")
    rows = {}
    for spec in tables:
        try:
            rows[spec.name] = spec.rows(parsed)
        except Exception as exc:
            log.exception("unexpected error while making the %s rows of %s", spec.name, path)
            return DocumentError(str(path), "parse_failed", detail=f"{spec.name}: {exc!r}")
    read, indexed = character_counts(parsed.raw, parsed.chunks, parsed.meta)
    meta = asdict(parsed.meta) | {"chunks": len(parsed.chunks), "path": str(path), "pages": parsed.raw.pages,
                                  "kind": parsed.raw.kind, "characters_read": read, "characters_indexed": indexed}
    # Duplicates are found by text, not bytes: the same text in UTF-16, with a BOM or CRLF line ends is one document.
    same_text = hashlib.sha256("\n".join(line.text for line in parsed.raw.lines).encode("utf-8")).hexdigest()
    entry = {"hash": parsed.content_hash, "path": str(path), "chunks": len(parsed.chunks), "text_hash": same_text}
    return DocumentPart(name=path.name, chunks=parsed.chunks, tables=rows, meta=meta, entry=entry)


def default_workers() -> int:
    """Processes that parse files in a large build: the CPUs this process may use, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _parse_all(files: list[tuple[Path, str]], tables: tuple[TableSpec, ...], *, workers: int,
               ahead: int = PARSE_AHEAD) -> Iterator[DocumentPart | DocumentError]:
    """Parse files in order; with several workers, in separate processes (parsing is pure Python, CPU-bound).

    At most `ahead` files are parsed before the build takes them: `Executor.map` would submit every file at once
    and keep all parsed documents in memory while the build embeds (unbounded for a large archive)."""
    if workers <= 1 or len(files) < PARALLEL_MIN_FILES:
        for path, digest in files:
            yield parse_file(path, digest, tables)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # "spawn": the parent may hold an embedder with its own threads, which a fork would copy in a broken state.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
        remaining = iter(files)
        pending = deque(pool.submit(parse_file, path, digest, tables)
                        for path, digest in itertools.islice(remaining, max(1, ahead)))
        try:
            while pending:
                part = pending.popleft().result()
                following = next(remaining, None)
                if following is not None:
                    pending.append(pool.submit(parse_file, *following, tables))
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
                 progress: bool, tables: tuple[TableSpec, ...], defer: bool = False):
        self.defer = defer  # write passages not embedded before without vectors (embedded later, see `embedding`)
        self.index_dir = index_dir
        self.emb = emb
        self.old_segments = old_segments
        self.report = report
        self.progress = progress
        self.tables = tables
        self.data = SegmentData(specs=tables)
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
                searchable = seg.searchable
                for row, h in enumerate(np.asarray(seg.text_hash).tolist()):
                    if searchable[row]:
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
        embedded = None
        if self.defer and todo:
            embedded = np.ones(len(self.texts), dtype=bool)
            embedded[todo] = False
            embedded[[i for i, _ in copies]] = False
            self.report.pending_chunks += len(todo) + len(copies)
            todo = []
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
        folder = self.index_dir / unique_name("seg")
        self.written.append(folder)
        postings = Postings.from_texts(self.texts)
        write_segment(folder, self.data, vectors, postings, embedded=embedded)
        self.report.segments_written += 1
        self.report.write_seconds += time.perf_counter() - written
        self.data = SegmentData(specs=self.tables)
        self.texts = []


def build_index(
    paths: list[str | Path] | None = None,
    *,
    index_dir: str | Path | None = None,
    embedder: Embedder | str | None = None,
    add: bool = False,
    remove: list[str] | None = None,
    progress: bool = False,
    workers: int | None = None,
    tables: tuple[TableSpec, ...] = (),
    defer_embedding: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> BuildReport:
    """Build (or update) the index and swap it in atomically.

    `paths` (files or folders) is the document set; with `add=True` they are added to the documents already
    indexed; `remove` drops documents by file name. Unchanged documents (same content hash) stay in their segment
    untouched, and chunks whose text was embedded before are not re-embedded. Files that cannot be read are
    reported in `BuildReport.errors` and skipped; the other files are still indexed. `workers` parse files in
    parallel (default: the number of CPUs, at most 4). `tables` are the feature tables to store with each
    document (the Library passes the duty table); a change of their versions re-parses every document.
    With `defer_embedding`, passages never embedded before are committed without vectors: the new generation is
    searchable by BM25, duties and catalogue as soon as parsing ends, and `embedding.embed_pending` adds the
    vectors afterwards (the Library does both).
    `cancelled` is asked after each parsed file and before the new generation is swapped in: when it says True the
    build stops with `build_cancelled` and the index stays as it was.
    """
    started = time.perf_counter()
    index_dir = index_dir_from(index_dir)
    report = BuildReport(index_dir=str(index_dir))
    workers = workers or default_workers()
    with write_lock(index_dir):
        try:
            old_manifest = read_manifest(current_generation(index_dir))
        except IndexStoreError:  # CURRENT damaged: a full build starts afresh (the fix its message gives)
            if add or remove:
                raise
            old_manifest = {}
        collect_garbage(index_dir, referenced(index_dir))
        emb = embedder if embedder is not None and not isinstance(embedder, str) else load_embedder(
            embedder or old_manifest.get("embedder", {}).get("name"))
        compatible = (
            old_manifest.get("format_version") == FORMAT_VERSION
            and old_manifest.get("embedder", {}).get("name") == emb.name
            and old_manifest.get("normalizer_version") == NORMALIZER_VERSION
            and old_manifest.get("tokenizer_version") == TOKENIZER_VERSION
        )
        same_parser = (compatible and old_manifest.get("parser_version") == PARSER_VERSION
                       and old_manifest.get("tables") == {spec.name: spec.version for spec in tables})
        old_docs: dict[str, dict] = old_manifest.get("documents", {}) if compatible else {}
        old_segments: list[Segment] = []
        old_deleted: dict[str, set[str]] = {}
        if compatible:
            try:
                verify_checksums(index_dir, old_manifest, full=False)  # damaged files are not reused
                for entry in old_manifest.get("segments", []):
                    old_segments.append(open_segment(index_dir, entry))
                    old_deleted[entry["name"]] = set(entry.get("deleted", []))
            except (SegmentError, IndexStoreError) as exc:
                log.warning("previous index unreadable (%s); building from scratch", exc)
                old_segments, old_deleted, old_docs, same_parser = [], {}, {}, False

        # 1. Decide the document set.
        wanted: dict[str, Path | None] = {}  # doc name -> file to read (None: keep it from the old index)
        if add or remove:
            for name in old_docs:
                wanted[name] = None
        for name in remove or []:
            if name not in wanted:  # a name typed in NFC for a file named in NFD (or the other way round)
                name = next((w for w in wanted if unicodedata.normalize("NFC", w) == unicodedata.normalize("NFC", name)),
                            name)
            if name not in wanted:
                raise IndexStoreError("unknown_document", name=name, suggestion="")
            del wanted[name]
            report.removed.append(name)
        given = collect_files(paths or ([] if (add or remove) else ["corpus"]))
        if add and not remove and not given:
            raise IndexStoreError("index_no_documents", path=str(index_dir))
        for path in given:
            if path.name in wanted and wanted[path.name] is not None and wanted[path.name] != path:
                report.errors.append(DocumentError(str(path), "same_name_given", other=str(wanted[path.name])))
                continue
            wanted[path.name] = path

        # 2. Keep what did not change; parse the rest into new segments.
        kept: dict[str, dict] = {}
        seen_hashes: dict[str, str] = {}
        to_parse: list[tuple[Path, str]] = []
        parse_started = time.perf_counter()
        # Documents already indexed come first: a new copy of one of them is the duplicate, not the original.
        for name, path in sorted(wanted.items(), key=lambda kv: (kv[0] not in old_docs, kv[0])):
            entry = old_docs.get(name)
            digest = None
            if path is not None:
                try:
                    digest = content_hash(path)  # refuses special files and unreadable ones, with their code
                except DocumentError as exc:
                    report.errors.append(exc)
                    _keep_previous(name, entry, same_parser, kept, seen_hashes, report)
                    continue
                if digest in seen_hashes:
                    report.errors.append(DocumentError(str(path), "duplicate_content", other=seen_hashes[digest]))
                    continue
            if entry is not None and same_parser and (path is None or entry.get("hash") == digest):
                kept[name] = entry
                seen_hashes[entry["hash"]] = name
                report.reused.append(name)
            elif path is None:
                report.errors.append(DocumentError(name, "not_reusable"))
            else:
                seen_hashes[digest] = name
                to_parse.append((path, digest))
        writer = _SegmentWriter(index_dir, emb, old_segments if compatible else [], report, progress, tables,
                                defer=defer_embedding)
        try:
            parsed = _parse_all(to_parse, tables, workers=workers)
            if progress and to_parse:
                from tqdm import tqdm

                parsed = tqdm(parsed, total=len(to_parse), desc="Đọc văn bản", unit="văn bản")
            seen_texts = {entry["text_hash"]: name for name, entry in kept.items() if entry.get("text_hash")}
            for result in parsed:
                _stop_if(cancelled, index_dir)
                if not isinstance(result, DocumentError):
                    other = seen_texts.setdefault(result.entry["text_hash"], result.name)
                    if other != result.name:
                        result = DocumentError(result.entry["path"], "duplicate_content", other=other)
                if isinstance(result, DocumentError):
                    report.errors.append(result)
                    name = Path(result.path or "").name
                    _keep_previous(name, old_docs.get(name), same_parser, kept, seen_hashes, report)
                    continue
                writer.add(result)
                report.indexed.append(result.name)
                report.characters[result.name] = (result.meta["characters_read"], result.meta["characters_indexed"])
            writer.flush()
            report.parse_seconds = time.perf_counter() - parse_started - report.embed_seconds - report.write_seconds
            if not kept and not writer.written:
                # Nothing readable: keep the previous index as it is and let the caller report the errors.
                report.total_seconds = time.perf_counter() - started
                if not report.errors:
                    raise IndexStoreError("index_no_documents", path=str(index_dir))
                return report
            if not writer.written and same_parser and set(kept) == set(old_docs):
                # Nothing changed (unchanged files, or only failed replacements): no new generation.
                report.chunks = len(old_manifest.get("chunk_ids", []))
                report.total_seconds = time.perf_counter() - started
                return report

            # 3. Old segments keep their documents still wanted; the others are recorded as deleted.
            write_started = time.perf_counter()
            layout: list[tuple[Segment, set[str]]] = []
            for seg in old_segments:
                deleted = {d for d in seg.docs if d not in kept}
                if len(deleted) < len(seg.docs):
                    layout.append((seg, deleted))
            layout.extend((Segment(folder), set()) for folder in writer.written)
            layout = _merge_small(index_dir, layout, report, writer.written, tables)

            # 4. Write the generation (manifest last) and swap CURRENT.
            documents = {**kept, **writer.entries}
            manifest = add_checksums(index_dir, _manifest(emb, layout, documents, tables), old_manifest)
            gen_name = unique_name("gen")
            gen = index_dir / gen_name
            gen.mkdir()
            writer.written.append(gen)
            write_atomically(gen / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            _stop_if(cancelled, index_dir)
            write_atomically(index_dir / "CURRENT", gen_name)
        except BaseException:
            for folder in writer.written:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        collect_garbage(index_dir, {gen_name} | {seg.name for seg, _ in layout}
                        | {seg.vectors_folder.name for seg, _ in layout if seg.vectors_folder is not None})
        report.write_seconds += time.perf_counter() - write_started
    report.chunks = len(manifest["chunk_ids"])
    report.total_seconds = time.perf_counter() - started
    return report


def _stop_if(cancelled: Callable[[], bool] | None, index_dir: Path) -> None:
    if cancelled is not None and cancelled():
        raise IndexStoreError("build_cancelled", path=str(index_dir))


def _keep_previous(name: str, entry: dict | None, same_parser: bool, kept: dict[str, dict],
                   seen_hashes: dict[str, str], report: BuildReport) -> None:
    """A replacement is a transaction: when the new file of an indexed document cannot be read or parsed, the
    version already indexed stays (its segment rows are untouched) and the report says so."""
    if entry is None or not same_parser or name in kept:
        return
    kept[name] = entry
    seen_hashes.setdefault(entry.get("hash", ""), name)
    report.kept_previous.append(name)


def _merge_small(index_dir: Path, layout: list[tuple[Segment, set[str]]], report: BuildReport,
                 written: list[Path], tables: tuple[TableSpec, ...]) -> list[tuple[Segment, set[str]]]:
    """Merge segments with few live chunks, and rewrite those mostly deleted, so that many small additions do
    not slow queries down and removed documents do not stay on disk forever."""
    live = [int(seg.live_mask(deleted).sum()) if deleted else seg.size for seg, deleted in layout]
    mostly_deleted = [seg.size - n > MAX_DELETED_SHARE * seg.size for (seg, _), n in zip(layout, live)]
    candidates = [i for i, n in enumerate(live) if n < SMALL_SEGMENT or mostly_deleted[i]]
    needs_rewrite = any(mostly_deleted[i] for i in candidates)
    if len(candidates) < 2 and not needs_rewrite:
        return layout
    folder = index_dir / unique_name("seg")
    written.append(folder)
    merge_segments([layout[i] for i in candidates], folder, tables)
    report.segments_merged += len(candidates)
    merged = (Segment(folder), set())
    rest = [part for i, part in enumerate(layout) if i not in candidates]
    return rest + [merged]


def segment_entry(seg: Segment, deleted: set[str]) -> dict:
    """The manifest's record of a segment: its files (with sizes), deleted documents, and its vectors folder."""
    entry = {"name": seg.name, "deleted": sorted(deleted), "chunks": seg.size,
             "files": seg.info["files"] | {"segment.json": (seg.folder / "segment.json").stat().st_size}}
    if seg.vectors_folder is not None:
        info = seg.vectors_folder / "vectors.json"
        entry["vectors"] = {"name": seg.vectors_folder.name,
                            "files": json.loads(info.read_text(encoding="utf-8"))["files"]
                            | {"vectors.json": info.stat().st_size}}
    return entry


def _manifest(emb: Embedder, layout: list[tuple[Segment, set[str]]], documents: dict[str, dict],
              tables: tuple[TableSpec, ...]) -> dict:
    segments, chunk_ids, doc_entries = [], [], {}
    for seg, deleted in layout:
        segments.append(segment_entry(seg, deleted))
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
        "tables": {spec.name: spec.version for spec in tables},
        "embedder": {"name": emb.name, "dim": emb.dim},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "documents": doc_entries,
        "segments": segments,
        "chunk_ids": chunk_ids,
    }


