"""Loading the index's `.npy` arrays safely from several threads at once.

numpy reads a `.npy` header with `ast.literal_eval`, and CPython 3.11 before 3.11.8 (this machine runs 3.11.7) can
fail an `ast` call made while another thread runs one: "AST constructor recursion depth mismatch" (CPython
gh-106905). It struck a full test run once (`test_failed_upload_replacement_keeps_document_and_stored_file`, while
the library's worker re-opened the index as the test read it): the index was reported corrupt, which it was not.
Header parsing is a few microseconds per file, so every load of ours takes one process-wide lock for it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

_HEADER_LOCK = threading.Lock()


def load_array(path: str | Path, *, mmap: bool = True) -> np.ndarray:
    """`np.load` of one `.npy` file (memory-mapped unless `mmap` is False), one thread at a time."""
    with _HEADER_LOCK:
        return np.load(path, mmap_mode="r" if mmap else None)
