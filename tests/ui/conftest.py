"""Fixtures of the UI tests: the shared corpus index (from the root conftest) and a helper that launches the app.

Tests that change the index work on a copy (`copy_index`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.support.index import ROOT, copy_index  # noqa: F401 - re-exported for the UI tests

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_ui(index_dir: Path, *, auth: tuple[str, str] | None = None, upload_dir: Path | None = None):
    """Open a Library on `index_dir`, build the app and launch it on a free port; return (app, url)."""
    from rag.library import Library
    from ui.app import build_app, launch

    library = Library(index_dir, upload_dir=upload_dir)
    library.assistant()
    app = build_app(library, testset=ROOT / "eval" / "dev.jsonl")
    _, url, _ = launch(app, host="127.0.0.1", port=free_port(), auth=auth, prevent_thread_lock=True, quiet=True)
    return app, url.rstrip("/") + "/"
