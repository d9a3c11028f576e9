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
        self._reload = threading.Lock()
        self._assistant: Assistant | None = None

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
              workers: int | None = None) -> BuildReport:
        """Make the index hold exactly the documents of `paths` (files or folders; default corpus/): new and
        changed ones are parsed and embedded, unchanged ones kept, the others removed."""
        return self._write_index(paths or ["corpus"], progress=progress, workers=workers)

    def add(self, paths: list[str | Path], *, progress: bool = False) -> BuildReport:
        """Add files (a file with the name of an indexed document replaces it)."""
        return self._write_index(paths, add=True, progress=progress)

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
        report = self.add([str(p) for p in accepted])
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
                     workers: int | None = None) -> BuildReport:
        with self._write:
            report = build_index(paths, index_dir=self.index_dir, embedder=self._loaded_embedder(), add=add,
                                 remove=remove, progress=progress, workers=workers, tables=TABLES)
            if self._assistant is not None:
                self._assistant = Assistant.load(self.index_dir, embedder=self._assistant.embedder)
        return report
