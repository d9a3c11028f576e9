"""The on-disk index: a folder of plain files with a manifest, written atomically, refused when it does not match.

Layout of `index/` (path from `--index` or the `RAG_INDEX` environment variable):

    CURRENT                 name of the live generation folder, replaced atomically with os.replace
    gen-<time>-<pid>/       one complete build
        chunks.jsonl        one chunk per line, in row order (row i = vector i = BM25 document i)
        vectors.npy         float32 [n_chunks, dim], L2-normalised (kept to reuse vectors of unchanged text)
        dense.faiss         FAISS index over vectors.npy
        bm25/               bm25s index (.npy + .json)
        duties.json         duties extracted from the documents
        documents.json      per-document metadata
        manifest.json       written LAST: versions, embedder, per-document hashes, chunk-id order, file sizes

A build writes a new generation folder, then swaps CURRENT: killing a build at any moment leaves CURRENT pointing
at the old generation, which is complete. Two writers are serialised by a lock file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import dense
from .embedders import Embedder, load_embedder
from .ingest import ParsedDocument, load_document
from .lexical import LexicalIndex
from .models import Chunk, DocumentError, DocumentMeta
from .normalize import NORMALIZER_VERSION, TOKENIZER_VERSION
from .readers import SUPPORTED_EXTENSIONS

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
PARSER_VERSION = "sections-1+duties-2"  # bump when parsing, chunking or duty extraction output changes
DEFAULT_INDEX = "index"
REBUILD_HINT = "Rebuild it with: rag index build corpus/   (or set RAG_INDEX to another folder)"


class IndexStoreError(Exception):
    """The index is missing, locked, corrupt or does not match this program; the message says how to fix it."""


def index_dir_from(path: str | Path | None = None) -> Path:
    """The index folder: explicit path, else $RAG_INDEX, else ./index."""
    return Path(path or os.environ.get("RAG_INDEX") or DEFAULT_INDEX)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


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
    index_dir: str = ""


@dataclass
class LoadedIndex:
    """An index in memory: chunks, vectors, FAISS and BM25 indexes, duties, metadata and manifest."""

    path: Path
    manifest: dict
    chunks: list[Chunk]
    vectors: np.ndarray
    faiss_index: object
    lexical: LexicalIndex
    duties: list[dict]
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


def _read_generation(gen: Path) -> tuple[dict, list[dict], np.ndarray, list[dict], dict]:
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    with open(gen / "chunks.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    vectors = np.load(gen / "vectors.npy", mmap_mode="r")
    duties = json.loads((gen / "duties.json").read_text(encoding="utf-8"))
    documents = json.loads((gen / "documents.json").read_text(encoding="utf-8"))
    return manifest, rows, vectors, duties, documents


def build_index(
    paths: list[str | Path] | None = None,
    *,
    index_dir: str | Path | None = None,
    embedder: Embedder | str | None = None,
    add: bool = False,
    remove: list[str] | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build (or update) the index and swap it in atomically.

    `paths` (files or folders) is the document set; with `add=True` they are added to the documents already
    indexed; `remove` drops documents by file name. Unchanged documents (same content hash) are not re-parsed,
    and chunks whose text was embedded before are not re-embedded. Files that cannot be read are reported in
    `BuildReport.errors` and skipped; the other files are still indexed.
    """
    started = time.perf_counter()
    index_dir = index_dir_from(index_dir)
    report = BuildReport(index_dir=str(index_dir))
    with write_lock(index_dir):
        old_gen = _current_generation(index_dir)
        old_manifest: dict = {}
        old_rows: list[dict] = []
        old_vectors = np.zeros((0, 0), dtype=np.float32)
        old_duties: list[dict] = []
        old_documents: dict = {}
        if old_gen is not None:
            try:
                old_manifest, old_rows, old_vectors, old_duties, old_documents = _read_generation(old_gen)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("previous index at %s unreadable (%s); building from scratch", old_gen, exc)
                old_manifest = {}
        emb = embedder if embedder is not None and not isinstance(embedder, str) else load_embedder(
            embedder or old_manifest.get("embedder", {}).get("name"))
        compatible = (
            old_manifest.get("format_version") == FORMAT_VERSION
            and old_manifest.get("embedder", {}).get("name") == emb.name
            and old_manifest.get("normalizer_version") == NORMALIZER_VERSION
        )
        same_parser = compatible and old_manifest.get("parser_version") == PARSER_VERSION
        old_docs: dict[str, dict] = old_manifest.get("documents", {}) if compatible else {}

        # 1. Decide the document set.
        wanted: dict[str, Path | None] = {}  # doc name -> file to read (None: reuse from the old index)
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

        # 2. Parse what changed; reuse what did not.
        from .duties import extract_duties  # noqa: PLC0415 - duty extraction is part of indexing

        old_by_doc: dict[str, list[int]] = {}
        for row_index, row in enumerate(old_rows):
            old_by_doc.setdefault(row["doc"], []).append(row_index)
        old_duties_by_doc: dict[str, list[dict]] = {}
        for duty in old_duties:
            old_duties_by_doc.setdefault(duty.get("doc"), []).append(duty)
        chunks: list[Chunk] = []
        duties: list[dict] = []
        documents: dict[str, dict] = {}
        doc_entries: dict[str, dict] = {}
        seen_hashes: dict[str, str] = {}
        parse_started = time.perf_counter()
        # Documents already indexed come first: a new copy of one of them is the duplicate, not the original.
        items = sorted(wanted.items(), key=lambda kv: (kv[0] not in old_docs, kv[0]))
        iterator = items
        if progress:
            from tqdm import tqdm

            iterator = tqdm(items, desc="Đọc văn bản", unit="văn bản")
        for name, path in iterator:
            entry = old_docs.get(name)
            digest = None
            if path is not None:
                if not path.exists():
                    report.errors.append((str(path), "file not found"))
                    continue
                from .ingest import content_hash

                digest = content_hash(path)
                if digest in seen_hashes:
                    report.errors.append((str(path), f"duplicate: same content as {seen_hashes[digest]} (skipped)"))
                    continue
            reuse = entry is not None and same_parser and (path is None or entry.get("hash") == digest)
            if reuse:
                rows = [old_rows[i] for i in old_by_doc.get(name, [])]
                chunks.extend(Chunk(**{k: v for k, v in r.items() if k != "text_hash"}) for r in rows)
                duties.extend(old_duties_by_doc.get(name, []))
                documents[name] = old_documents.get(name, {})
                doc_entries[name] = entry
                seen_hashes[entry["hash"]] = name
                report.reused.append(name)
                continue
            if path is None:
                report.errors.append((name, "cannot be reused (index format changed) and its file is unknown"))
                continue
            try:
                parsed: ParsedDocument = load_document(path)
            except DocumentError as exc:
                report.errors.append((str(path), exc.problem))
                continue
            except Exception as exc:  # a parser bug must not lose the whole batch; report it per file
                log.exception("unexpected error while reading %s", path)
                report.errors.append((str(path), f"unexpected error while reading: {exc!r}"))
                continue
            if not any(c.kind != "meta" for c in parsed.chunks):
                report.errors.append((str(path), "no text found in the document"))
                continue
            seen_hashes[parsed.content_hash] = name
            chunks.extend(parsed.chunks)
            duties.extend(d.to_dict() for d in extract_duties(parsed))
            documents[name] = asdict(parsed.meta) | {"chunks": len(parsed.chunks), "path": str(path),
                                                     "pages": parsed.raw.pages, "kind": parsed.raw.kind}
            doc_entries[name] = {"hash": parsed.content_hash, "path": str(path), "chunks": len(parsed.chunks)}
            report.indexed.append(name)
        report.parse_seconds = time.perf_counter() - parse_started
        if not chunks:
            # Nothing readable: keep the previous index as it is and let the caller report the errors.
            report.total_seconds = time.perf_counter() - started
            if not report.errors:
                raise IndexStoreError(f"{index_dir}: no documents to index (give files or folders with "
                                      f".txt, .md, .pdf or .docx)")
            return report

        # 3. Embed only chunk texts never embedded before with this embedder.
        embed_started = time.perf_counter()
        old_rows_by_hash = {}
        if compatible and len(old_vectors):
            old_rows_by_hash = {row.get("text_hash"): i for i, row in enumerate(old_rows) if row.get("text_hash")}
        texts = [c.index_text() for c in chunks]
        hashes = [_sha1(t) for t in texts]
        vectors = np.zeros((len(chunks), emb.dim), dtype=np.float32)
        todo = [i for i, h in enumerate(hashes) if h not in old_rows_by_hash]
        for i, h in enumerate(hashes):
            if h in old_rows_by_hash:
                vectors[i] = old_vectors[old_rows_by_hash[h]]
        batch = 64
        batches = range(0, len(todo), batch)
        if progress and todo:
            from tqdm import tqdm

            batches = tqdm(batches, desc="Nhúng đoạn văn", unit="lô")
        for start in batches:
            rows = todo[start:start + batch]
            vectors[rows] = emb.embed_passages([texts[i] for i in rows], batch_size=batch)
        report.embedded_chunks = len(todo)
        report.embed_seconds = time.perf_counter() - embed_started

        # 4. Write a new generation; manifest last; then swap CURRENT.
        write_started = time.perf_counter()
        gen_name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.perf_counter_ns() % 100000}"
        gen = index_dir / gen_name
        gen.mkdir(parents=True)
        try:
            with open(gen / "chunks.jsonl", "w", encoding="utf-8") as handle:
                for chunk, text_hash in zip(chunks, hashes):
                    handle.write(json.dumps(chunk.to_dict() | {"text_hash": text_hash}, ensure_ascii=False) + "\n")
            np.save(gen / "vectors.npy", vectors)
            dense.save_faiss(dense.build_faiss(vectors), gen / "dense.faiss")
            LexicalIndex.build(texts).save(gen / "bm25")
            (gen / "duties.json").write_text(json.dumps(duties, ensure_ascii=False), encoding="utf-8")
            (gen / "documents.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
            files = {p.relative_to(gen).as_posix(): p.stat().st_size for p in sorted(gen.rglob("*")) if p.is_file()}
            manifest = {
                "format_version": FORMAT_VERSION,
                "parser_version": PARSER_VERSION,
                "normalizer_version": NORMALIZER_VERSION,
                "tokenizer_version": TOKENIZER_VERSION,
                "embedder": {"name": emb.name, "dim": emb.dim},
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "documents": doc_entries,
                "chunk_ids": [c.id for c in chunks],
                "files": files,
            }
            tmp_manifest = gen / "manifest.json.tmp"
            tmp_manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            _fsync_tree(gen)
            os.replace(tmp_manifest, gen / "manifest.json")
            pointer_tmp = index_dir / "CURRENT.tmp"
            pointer_tmp.write_text(gen_name, encoding="utf-8")
            with open(pointer_tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(pointer_tmp, index_dir / "CURRENT")
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        for other in index_dir.glob("gen-*"):
            if other.name != gen_name:
                shutil.rmtree(other, ignore_errors=True)
        report.write_seconds = time.perf_counter() - write_started
    report.chunks = len(chunks)
    report.total_seconds = time.perf_counter() - started
    return report


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def load_index(index_dir: str | Path | None = None) -> LoadedIndex:
    """Load the live generation, refusing (with a message saying how to rebuild) anything that does not match."""
    index_dir = index_dir_from(index_dir)
    gen = _current_generation(index_dir)
    if gen is None:
        raise IndexStoreError(f"{index_dir}: no index found. Build one with: rag index build corpus/")
    manifest_path = gen / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"{manifest_path}: unreadable manifest ({exc}). {REBUILD_HINT}") from None
    problems = []
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"format version {manifest.get('format_version')} (this program reads {FORMAT_VERSION})")
    if manifest.get("normalizer_version") != NORMALIZER_VERSION:
        problems.append(f"normalizer {manifest.get('normalizer_version')} (this program uses {NORMALIZER_VERSION})")
    if manifest.get("tokenizer_version") != TOKENIZER_VERSION:
        problems.append(f"tokenizer {manifest.get('tokenizer_version')} (this program uses {TOKENIZER_VERSION})")
    for name, size in manifest.get("files", {}).items():
        path = gen / name
        if not path.exists() or path.stat().st_size != size:
            problems.append(f"file {name} is missing or has the wrong size (corrupt index)")
    if problems:
        raise IndexStoreError(f"{index_dir}: the index does not match: " + "; ".join(problems) + f". {REBUILD_HINT}")
    try:
        _, rows, vectors, duties, documents = _read_generation(gen)
        faiss_index = dense.load_faiss(gen / "dense.faiss")
        lexical = LexicalIndex.load(gen / "bm25")
    except Exception as exc:  # corrupt files surface as many exception types
        raise IndexStoreError(f"{index_dir}: corrupt index ({exc!r}). {REBUILD_HINT}") from None
    chunk_ids = [row["id"] for row in rows]
    dim = manifest.get("embedder", {}).get("dim")
    consistent = (
        chunk_ids == manifest.get("chunk_ids")
        and len(vectors) == len(rows) == faiss_index.ntotal
        and (not rows or (lexical.size == len(rows) and vectors.shape[1] == dim))
    )
    if not consistent:
        raise IndexStoreError(f"{index_dir}: corrupt index (chunk order, vectors and manifest disagree). {REBUILD_HINT}")
    chunks = [Chunk(**{k: v for k, v in row.items() if k != "text_hash"}) for row in rows]
    return LoadedIndex(path=gen, manifest=manifest, chunks=chunks, vectors=vectors, faiss_index=faiss_index,
                       lexical=lexical, duties=duties, documents=documents)


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
