"""The Library: the one service that changes the index, and hands out the assistant that answers from it.

The CLI and the UI both go through it, so a document is added, replaced or removed one way: the Library holds the
write lock (a thread lock inside the process, the index's file lock across processes), stores copies of uploaded
files, writes the index with the feature tables it declares (the duty table), and swaps in a freshly loaded
`Assistant` afterwards. A question being answered meanwhile finishes on the old, still readable generation.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .answering.assistant import Assistant
from .documents.readers import SUPPORTED_EXTENSIONS
from .duties import table as duty_table
from .errors import DocumentError
from .index.build import BuildReport, build_index
from .index.embedding import EmbeddingReport, embed_pending
from .index.priority import run_in_background_priority
from .index.store import current_generation, index_dir_from, list_documents, load_index
from .search.embedders import Embedder

log = logging.getLogger(__name__)

# Feature tables stored with every document of the index.
TABLES = (duty_table.TABLE,)
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024

_BAD_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')


def sanitize_filename(name: str) -> str:
    """A safe file name for an upload: base name only, no path separators, no `..`, a supported extension.

    "../../etc/passwd.txt" -> "passwd.txt". Raises `DocumentError` (`bad_file_name`, `unsupported_type`) for a
    name that is empty once cleaned or whose extension is not a supported document type (".exe", none...).
    """
    raw = unicodedata.normalize("NFC", str(name or ""))
    base = raw.replace("\\", "/").split("/")[-1]
    base = _BAD_CHARS.sub("_", base).strip()
    while ".." in base:
        base = base.replace("..", ".")
    base = base.lstrip(". ").rstrip(". ")
    if not base:
        raise DocumentError(raw, "bad_file_name")
    stem, dot, ext = base.rpartition(".")
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    if not dot or not stem:
        raise DocumentError(base, "unsupported_type", ext="(không có phần mở rộng)", supported=supported)
    ext = "." + ext.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise DocumentError(base, "unsupported_type", ext=ext, supported=supported)
    return f"{stem}{ext}"[:200]


@dataclass
class UploadResult:
    """What adding uploaded files did: files refused before indexing, and the build's report (None when no file
    reached the index)."""

    rejected: list[DocumentError] = field(default_factory=list)
    report: BuildReport | None = None
    stored: list[Path] = field(default_factory=list)  # copies kept in the upload folder (indexed or unchanged)


class Library:
    """The documents of one index: add, remove, rebuild, list them, and the `Assistant` answering from them."""

    def __init__(self, index_dir: str | Path | None = None, *, embedder: str | Embedder | None = None,
                 upload_dir: str | Path | None = None):
        self.index_dir = index_dir_from(index_dir)
        self.embedder = embedder
        self.upload_dir = Path(upload_dir) if upload_dir else self.index_dir / "uploads"
        self._write = threading.Lock()
        self._assistant: Assistant | None = None
        self._embedding: threading.Thread | None = None
        self._embedding_lock = threading.Lock()
        self._stop_embedding = threading.Event()
        self.embedding_status: tuple[int, int] | None = None  # (done, total) while the background worker embeds

    # reading ---------------------------------------------------------------------------------------------------

    def assistant(self) -> Assistant:
        """The assistant over the index as the Library last wrote or loaded it (loaded on first use)."""
        current = self._assistant
        if current is None:
            with self._write:
                if self._assistant is None:
                    self._assistant = Assistant.load(self.index_dir, embedder=self.embedder)
                current = self._assistant
        return current

    def reload(self) -> Assistant:
        """Load the index as it is on disk now and serve it from then on (one assignment: questions being answered
        finish on the assistant they started with)."""
        fresh = Assistant.load(self.index_dir, embedder=self._loaded_embedder())
        self._assistant = fresh
        return fresh

    def generation(self) -> str | None:
        """Name of the live generation on disk (changes with every write, by this or another process)."""
        gen = current_generation(self.index_dir)
        return gen.name if gen else None

    def duty_table(self):
        """The duty table of the index on disk, without loading an embedder (`rag units`, `rag duties`)."""
        loaded = load_index(self.index_dir)
        return duty_table.DutyTable.from_segments(loaded.segments, loaded.deleted)

    def documents(self) -> list[dict]:
        """Indexed documents with their metadata and manifest entry (file, type, number, date, title, chunks...)."""
        return list_documents(load_index(self.index_dir))

    # writing ---------------------------------------------------------------------------------------------------

    def build(self, paths: list[str | Path] | None = None, *, progress: bool = False,
              workers: int | None = None, embed: str = "now") -> BuildReport:
        """Make the index hold exactly the documents of `paths` (files or folders; default corpus/): new and
        changed ones are parsed and embedded, unchanged ones kept, the others removed.

        The index is searchable (BM25, duties, catalogue) as soon as parsing ends; `embed` says when the vectors
        of new passages are computed: "now" (before returning, committed as it goes) or "background" (by the
        Library's embedding worker, see `start_embedding`) or "later" (the caller runs `embed_pending`)."""
        return self._write_index(paths or ["corpus"], progress=progress, workers=workers, embed=embed)

    def add(self, paths: list[str | Path], *, progress: bool = False, embed: str = "now") -> BuildReport:
        """Add files (a file with the name of an indexed document replaces it). `embed` as for `build`."""
        return self._write_index(paths, add=True, progress=progress, embed=embed)

    def remove(self, names: list[str], *, progress: bool = False) -> BuildReport:
        """Remove documents by file name, and the stored copies of uploaded ones."""
        report = self._write_index(None, remove=names, progress=progress)
        for name in report.removed:
            stored = self.upload_dir / name
            if stored.is_file():
                stored.unlink()
        return report

    def add_uploads(self, files: list[str | Path], *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> UploadResult:
        """Add uploaded files: names sanitised, empty and oversized files refused, copies stored in the upload
        folder (a document's file, for viewing it later), then indexed. Copies of files that failed are removed."""
        result = UploadResult()
        accepted: list[Path] = []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for path in files:
            shown = os.path.basename(str(path))
            try:
                name = sanitize_filename(shown)
                size = os.path.getsize(path)
                if size == 0:
                    raise DocumentError(name, "empty_file")
                if size > max_bytes:
                    raise DocumentError(name, "too_large", size=f"{size / 1048576:.1f} MB",
                                        limit=f"{max_bytes / 1048576:.0f} MB")
            except DocumentError as exc:
                result.rejected.append(exc)
                continue
            except OSError as exc:
                result.rejected.append(DocumentError(shown, "cannot_read", reason=exc.strerror or str(exc)))
                continue
            target = self.upload_dir / name
            shutil.copyfile(path, target)
            accepted.append(target)
        if not accepted:
            return result
        report = self.add([str(p) for p in accepted], embed="background")
        result.report = report
        failed = {os.path.basename(e.path or "") for e in report.errors}
        for path in accepted:
            if path.name in report.indexed or path.name in report.reused:
                result.stored.append(path)
            elif path.name in failed:
                path.unlink(missing_ok=True)
        return result

    def _loaded_embedder(self):
        return self._assistant.embedder if self._assistant is not None else self.embedder

    def _write_index(self, paths, *, add: bool = False, remove: list[str] | None = None, progress: bool = False,
                     workers: int | None = None, embed: str = "now") -> BuildReport:
        with self._write:
            report = build_index(paths, index_dir=self.index_dir, embedder=self._loaded_embedder(), add=add,
                                 remove=remove, progress=progress, workers=workers, tables=TABLES,
                                 defer_embedding=True)
            if self._assistant is not None:
                self._assistant = Assistant.load(self.index_dir, embedder=self._assistant.embedder)
        if embed == "now":
            done = self.embed_pending(progress=progress)
            report.embedded_chunks += done.embedded
            report.embed_seconds += done.seconds
        elif embed == "background":
            self.start_embedding()
        return report

    # semantic part of indexing ------------------------------------------------------------------------------------

    def embed_pending(self, *, progress: bool = False, should_stop=None) -> EmbeddingReport:
        """Compute the vectors of every passage still waiting for one (committed as it goes, see
        `rag.index.embedding`) and serve the result."""
        report = embed_pending(self.index_dir, embedder=self._loaded_embedder(), progress=progress,
                               should_stop=should_stop, on_progress=self._progress)
        self.embedding_status = None
        if report.commits and self._assistant is not None:
            with self._write:
                self._assistant = Assistant.load(self.index_dir, embedder=self._assistant.embedder)
        return report

    def embedding_progress(self) -> tuple[int, int]:
        """(passages embedded, passages in all) of the index on disk: equal once semantic search covers all."""
        return load_index(self.index_dir).embedding_progress

    def start_embedding(self) -> threading.Thread:
        """Embed waiting passages on a background thread (one per Library, at lower priority than answering);
        a call while it runs makes it look again for new work when it ends its round."""
        with self._embedding_lock:
            if self._embedding is not None and self._embedding.is_alive():
                self._embedding_again = True
                return self._embedding
            self._embedding_again = False
            self._stop_embedding.clear()
            self._embedding = threading.Thread(target=self._embedding_worker, name="rag-embedding", daemon=True)
            self._embedding.start()
            return self._embedding

    def stop_embedding(self, timeout: float | None = None) -> None:
        """Ask the background worker to stop after its next commit and wait for it (vectors computed are kept)."""
        self._stop_embedding.set()
        worker = self._embedding
        if worker is not None:
            worker.join(timeout)

    def _embedding_worker(self) -> None:
        run_in_background_priority()
        while True:
            try:
                self.embed_pending(should_stop=self._stop_embedding.is_set)
            except Exception:  # logged; the passages stay searchable by BM25 and are embedded on the next write
                log.exception("background embedding failed")
            with self._embedding_lock:
                if not self._embedding_again or self._stop_embedding.is_set():
                    self._embedding = None
                    return
                self._embedding_again = False

    def _progress(self, done: int, total: int) -> None:
        self.embedding_status = (done, total)
