"""The index of `corpus/` shared by the tests of one process: built once, with the real default embedder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

_lock = threading.Lock()
_built: dict[str, Path] = {}


def built_index() -> Path:
    """The path of an index of `corpus/`, built on first use in this process (or taken from $RAG_UI_TEST_INDEX).
    Read-only: tests that change an index work on a copy (`copy_index`)."""
    with _lock:
        if "index" not in _built:
            given = os.environ.get("RAG_UI_TEST_INDEX")
            if given:
                _built["index"] = Path(given)
            else:
                from rag.library import Library

                folder = Path(tempfile.mkdtemp(prefix="rag-test-index-"))
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
                report = Library(folder).build([str(CORPUS)])
                assert not report.errors, report.errors
                _built["index"] = folder
        return _built["index"]


def copy_index(target: Path) -> Path:
    """Copy the shared index to `target` (for tests that add or remove documents)."""
    shutil.copytree(built_index(), target, ignore=shutil.ignore_patterns(".lock", "uploads"))
    return target
