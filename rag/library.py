"""The Library: the one service that changes the index, and hands out the assistant that answers from it.

The CLI and the UI both go through it, so a document is added, replaced or removed one way: the Library holds the
write lock (a thread lock inside the process, the index's file lock across processes), stores copies of uploaded
files, writes the index with the feature tables it declares (the duty table), and swaps in a freshly loaded
`Assistant` afterwards. A question being answered meanwhile finishes on the old, still readable generation.

Uploads go through a queue (`submit_uploads`): each file is a job with a status and a cancel flag, indexed one at
a time by one worker thread, so a second upload gets its answer ("queued") at once instead of waiting on the lock
behind a large file (issue 16: a 49 MB upload held the writer for 15 minutes and a second upload got no answer).
Each file is a transaction: the stored copy of the version it replaces is put back when the new one fails, and the
index keeps the old version too (`build_index`).
"""

from __future__ import annotations

import errno
import itertools
import logging
import os
import queue
import re
import shutil
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .answering.assistant import Assistant
from .documents.readers import SUPPORTED_EXTENSIONS
from .duties import table as duty_table
from .documents.ingest import check_regular, open_regular
from .errors import DocumentError, RagError
from .index.build import BuildReport, build_index
from .index.embedding import EmbeddingReport, embed_pending
from .index.priority import run_in_background_priority
from .index.store import current_generation, index_dir_from, list_documents, load_index, read_manifest
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
class UploadJob:
    """One uploaded file in the Library's queue: its status (queued, indexing, then done, unchanged, failed,
    rejected or cancelled), progress (0 to 1), the coded error when it failed, and a cancel flag."""

    id: int
    name: str
    source: str
    status: str = "queued"
    progress: float = 0.0
    error: RagError | None = None
    kept_previous: bool = False  # it replaced an indexed document and failed: the old version stays
    stored: Path | None = None
    report: BuildReport | None = None
    staged: Path | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the job has ended; False on timeout."""
        return self._ended.wait(timeout)

    def finish(self, status: str, error: RagError | None = None) -> None:
        self.status, self.error, self.progress = status, error, 1.0
        self._ended.set()

    @property
    def message_vi(self) -> str:
        """What to tell the person who uploaded it."""
        if self.status == "queued":
            return f"«{self.name}»: đang chờ trong hàng đợi"
        if self.status == "indexing":
            return f"«{self.name}»: đang đọc và đưa vào chỉ mục"
        if self.status == "done":
            return f"Đã thêm «{self.name}» vào chỉ mục."
        if self.status == "unchanged":
            return f"«{self.name}» đã có trong chỉ mục (không thay đổi)."
        text = self.error.message_vi if self.error is not None else self.status
        if self.kept_previous:
            text += "; giữ nguyên phiên bản đã có trong chỉ mục"
        return text


@dataclass
class UploadResult:
    """What adding uploaded files did: files refused before indexing, and a report over the files indexed (None
    when no file reached the index)."""

    rejected: list[DocumentError] = field(default_factory=list)
    report: BuildReport | None = None
    stored: list[Path] = field(default_factory=list)  # copies kept in the upload folder (indexed or unchanged)
    jobs: list[UploadJob] = field(default_factory=list)

    @classmethod
    def from_jobs(cls, jobs: list[UploadJob]) -> "UploadResult":
        result = cls(jobs=list(jobs))
        for job in jobs:
            if job.status in ("rejected", "cancelled"):
                result.rejected.append(job.error)
                continue
            if result.report is None:
                result.report = BuildReport()
            report = result.report
            if job.report is not None:
                report.index_dir = job.report.index_dir
                report.chunks = job.report.chunks
                report.characters.update(job.report.characters)
                report.pending_chunks += job.report.pending_chunks
            if job.status == "done":
                report.indexed.append(job.name)
            elif job.status == "unchanged":
                report.reused.append(job.name)
            elif job.error is not None:
                report.errors.append(job.error)
                if job.kept_previous:
                    report.kept_previous.append(job.name)
            if job.stored is not None:
                result.stored.append(job.stored)
        return result


def _restore(target: Path, backup: Path, had_previous: bool) -> None:
    """Put the stored copy of the previous version back (or remove the failed new file)."""
    if had_previous and backup.is_file():
        os.replace(backup, target)
    elif not had_previous:
        target.unlink(missing_ok=True)


def _os_error(name: str, exc: BaseException) -> RagError:
    """A coded error for an operating-system failure met while storing an upload."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return RagError("disk_full", path=name)
    if isinstance(exc, OSError):
        return DocumentError(name, "cannot_read", reason=exc.strerror or str(exc))
    return DocumentError(name, "parse_failed", detail=repr(exc))


class Library:
    """The documents of one index: add, remove, rebuild, list them, and the `Assistant` answering from them."""

    def __init__(self, index_dir: str | Path | None = None, *, embedder: str | Embedder | None = None,
                 upload_dir: str | Path | None = None):
        self.index_dir = index_dir_from(index_dir)
        self.embedder = embedder
        self.upload_dir = Path(upload_dir) if upload_dir else self.index_dir / "uploads"
        self._write = threading.Lock()
        self._reload = threading.Lock()
        self._assistant: Assistant | None = None
        self._embedding: threading.Thread | None = None
        self._embedding_lock = threading.Lock()
        self._stop_embedding = threading.Event()
        self._jobs: dict[int, UploadJob] = {}
        self._job_ids = itertools.count(1)
        self._queue: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()

    # reading ---------------------------------------------------------------------------------------------------

    def assistant(self) -> Assistant:
        """The assistant over the live generation of the index (loaded on first use).

        A generation written by anyone else (`rag index remove` on the command line, another UI process) is noticed
        here, on the next question: CURRENT is one small file, read per call. One caller reloads while the others
        keep the assistant they have; a new generation that cannot be loaded is logged and the old one served.
        """
        current = self._assistant
        if current is None:
            with self._write:
                if self._assistant is None:
                    self._assistant = Assistant.load(self.index_dir, embedder=self.embedder)
                current = self._assistant
            return current
        if not self._stale(current) or not self._reload.acquire(blocking=False):
            return current
        try:
            if self._assistant is current and self._stale(current):
                self._assistant = Assistant.load(self.index_dir, embedder=current.embedder)
        except Exception:  # a damaged or half-removed generation: keep answering from the one we have
            log.exception("could not load the new generation of %s; serving %s", self.index_dir, current.generation)
        finally:
            self._reload.release()
        return self._assistant

    def _stale(self, assistant: Assistant) -> bool:
        """Whether CURRENT names another generation than the one `assistant` answers from."""
        try:
            live = self.generation()
        except (OSError, ValueError):  # CURRENT being replaced, or unreadable: keep serving
            return False
        return live is not None and live != assistant.generation

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

    def document_passages(self, name: str) -> list:
        """The passages of one indexed document in reading order (the viewer shows them as its section tree)."""
        chunks = self.assistant().chunks
        ids = getattr(chunks, "ids", None)
        if ids is None:
            return [c for c in chunks if c.doc == name]
        prefix = f"{name}#"
        return [chunks[i] for i, chunk_id in enumerate(ids) if chunk_id.startswith(prefix)]

    def document_file(self, name: str) -> Path | None:
        """The original file of an indexed document, when it is still on disk: the stored upload, else the path the
        index recorded (relative paths read from the working folder, then beside the index); None otherwise."""
        stored = self.upload_dir / name
        if stored.is_file():
            return stored
        entry = (read_manifest(current_generation(self.index_dir)).get("documents") or {}).get(name) or {}
        recorded = entry.get("path")
        if not recorded:
            return None
        candidates = [Path(recorded)] if Path(recorded).is_absolute() else [Path.cwd() / recorded,
                                                                              self.index_dir.parent / recorded]
        return next((p for p in candidates if p.is_file()), None)

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

    def add_uploads(self, files: list[str | Path], *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                    discard_sources: bool = False) -> UploadResult:
        """Add uploaded files and wait for them (`submit_uploads` then each job's end): names sanitised, special,
        empty and oversized files refused, each file indexed as one transaction (see `_index_upload`)."""
        jobs = self.submit_uploads(files, max_bytes=max_bytes, discard_sources=discard_sources)
        for job in jobs:
            job.wait()
        return UploadResult.from_jobs(jobs)

    def submit_uploads(self, files: list[str | Path], *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                       discard_sources: bool = False) -> list["UploadJob"]:
        """Queue uploaded files and return at once, one `UploadJob` per file (status, progress, cancel).

        What can be refused without parsing is refused here (name, type, special file, empty, too large); the
        others are copied to `<upload folder>/.incoming/` and indexed one at a time by the Library's upload worker,
        so an upload never waits for more than the file being indexed before it. `discard_sources` removes the
        given files once copied or refused (the UI's temporary upload folder would otherwise keep them all)."""
        jobs = []
        incoming = self.upload_dir / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        for path in files:
            job = UploadJob(id=next(self._job_ids), name=os.path.basename(str(path)), source=str(path))
            try:
                job.name = sanitize_filename(job.name)
                size = check_regular(path).st_size
                if size == 0:
                    raise DocumentError(job.name, "empty_file")
                if size > max_bytes:
                    raise DocumentError(job.name, "too_large", size=f"{size / 1048576:.1f} MB",
                                        limit=f"{max_bytes / 1048576:.0f} MB")
                job.staged = incoming / f"{job.id}-{job.name}"
                with open_regular(path) as src, open(job.staged, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except DocumentError as exc:
                job.finish("rejected", DocumentError(job.name, exc.code, **exc.params))
            except OSError as exc:
                job.finish("rejected", _os_error(job.name, exc))
            if discard_sources:
                Path(path).unlink(missing_ok=True)
            self._jobs[job.id] = job
            jobs.append(job)
            if not job.ended:
                self._queue.put(job)
        self._start_worker()
        while len(self._jobs) > 1000:  # keep the statuses of the last uploads only
            self._jobs.pop(next(iter(self._jobs)))
        return jobs

    def upload_jobs(self) -> list["UploadJob"]:
        """The recent uploads, oldest first, with their status."""
        return list(self._jobs.values())

    def upload_job(self, job_id: int) -> "UploadJob | None":
        """One upload by its id."""
        return self._jobs.get(job_id)

    def cancel_upload(self, job_id: int) -> bool:
        """Cancel an upload: a queued one is dropped, one being indexed stops before its generation is swapped in
        (the index and the stored file stay as they were). False when it had already ended."""
        job = self._jobs.get(job_id)
        if job is None or job.ended:
            return False
        job.cancel.set()
        return True

    def _start_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="rag-uploads", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        run_in_background_priority()  # parsing an upload yields the cores to questions (rag.index.priority)
        while True:
            job = self._queue.get()
            try:
                if job.cancel.is_set():
                    job.finish("cancelled", RagError("build_cancelled", path=job.name))
                else:
                    self._index_upload(job)
            except Exception as exc:  # the worker must survive anything: the job says what happened
                log.exception("upload %s failed", job.name)
                job.finish("failed", exc if isinstance(exc, RagError) else _os_error(job.name, exc))
            finally:
                if job.staged is not None:
                    job.staged.unlink(missing_ok=True)

    def _index_upload(self, job: "UploadJob") -> None:
        """Index one staged upload as a transaction: the stored copy of the document it replaces is moved aside,
        and put back when the new file cannot be read, parsed or written (the index keeps the old version too:
        `build_index` keeps it)."""
        target = self.upload_dir / job.name
        backup = self.upload_dir / ".previous" / job.name
        job.status, job.progress = "indexing", 0.1
        with self._write:
            if job.cancel.is_set():
                job.finish("cancelled", RagError("build_cancelled", path=job.name))
                return
            had_previous = target.is_file()
            if had_previous:
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            os.replace(job.staged, target)
            job.staged = None
            try:
                report = build_index([target], index_dir=self.index_dir, embedder=self._loaded_embedder(), add=True,
                                     tables=TABLES, cancelled=job.cancel.is_set, defer_embedding=True)
            except BaseException:
                _restore(target, backup, had_previous)
                raise
            job.report = report
            if target.name in report.indexed or target.name in report.reused:
                backup.unlink(missing_ok=True)
                job.stored = target
                if self._assistant is not None:
                    self._assistant = Assistant.load(self.index_dir, embedder=self._assistant.embedder)
                job.finish("done" if target.name in report.indexed else "unchanged")
                if report.pending_chunks:
                    self.start_embedding()  # searchable now by keywords; vectors follow in the background
            else:
                _restore(target, backup, had_previous)
                job.kept_previous = target.name in report.kept_previous
                error = report.errors[0] if report.errors else DocumentError(job.name, "no_text")
                job.finish("failed", DocumentError(job.name, error.code, **error.params))

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
                               should_stop=should_stop)
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
