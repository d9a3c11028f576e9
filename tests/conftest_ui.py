"""Shared fixtures of the UI tests: one index of `corpus/` per test session, and helpers to launch the app.

Import the fixtures into a test module (`from tests.conftest_ui import corpus_index, ...`). The index is built
once per process (memoised), even when several modules import the fixture; tests that change the index work
on a copy (`index_copy`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

_lock = threading.Lock()
_built: dict[str, Path] = {}


def built_index() -> Path:
    """The path of an index of `corpus/`, built on first use in this process (or taken from $RAG_UI_TEST_INDEX)."""
    with _lock:
        if "index" not in _built:
            given = os.environ.get("RAG_UI_TEST_INDEX")
            if given:
                _built["index"] = Path(given)
            else:
                from rag.store import build_index

                folder = Path(tempfile.mkdtemp(prefix="rag-ui-test-index-"))
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
                report = build_index([str(CORPUS)], index_dir=folder)
                assert not report.errors, report.errors
                _built["index"] = folder
        return _built["index"]


def copy_index(target: Path) -> Path:
    """Copy the shared index to `target` (for tests that add or remove documents)."""
    shutil.copytree(built_index(), target, ignore=shutil.ignore_patterns(".lock", "uploads"))
    return target


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_ui(index_dir: Path, *, auth: tuple[str, str] | None = None, upload_dir: Path | None = None):
    """Load an assistant on `index_dir`, build the app and launch it on a free port; return (app, url)."""
    from rag.pipeline import Assistant
    from ui.app import build_app, launch

    assistant = Assistant.load(index_dir)
    app = build_app(assistant, index_dir=index_dir, upload_dir=upload_dir, testset=ROOT / "eval" / "testset.jsonl")
    _, url, _ = launch(app, host="127.0.0.1", port=free_port(), auth=auth, prevent_thread_lock=True, quiet=True)
    return app, url.rstrip("/") + "/"


@pytest.fixture(scope="session")
def corpus_index() -> Path:
    """Session-wide index of the sample corpus (read-only: copy it before changing it)."""
    return built_index()
