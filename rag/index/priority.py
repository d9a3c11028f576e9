"""Indexing yields the CPU to answering: a build or an upload runs at a lower scheduling priority.

On this 2-core machine an index build takes both cores (two parse workers, then the embedder's threads). Questions
answered meanwhile waited for a core: beside `rag index build` of 1,000 generated documents in its parse phase, the
UI's one-client p95 was 149 ms against 45 ms alone (3.3x; `python -m tools.bench_served --parts api,build`). With
the build at nice 10 the scheduler gives a waiting question the core first (figures in the README, `rag bench`).

Linux keeps a nice value per thread, and threads and processes inherit it from the thread that starts them, so
lowering the thread that does the indexing lowers its parse workers and the embedder's OpenMP threads too. A lower
priority cannot be raised again without privileges, so this is only called where the whole thread or process does
indexing (the `rag index build|add` command, the UI's upload worker), never on a thread that later answers.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10


def run_in_background_priority(*, increment: int = BACKGROUND_NICE) -> int | None:
    """Lower the calling thread (and what it starts from now on) by `increment` nice levels, at most to 19.

    Returns the new nice value, or None where the platform has no per-thread priority (then nothing changes)."""
    if not hasattr(os, "setpriority"):
        return None
    tid = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, tid)
        target = min(19, max(current, 0) + increment)
        if target > current:
            os.setpriority(os.PRIO_PROCESS, tid, target)
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError as exc:  # some sandboxes refuse; indexing then simply runs at normal priority
        log.info("could not lower the indexing priority: %s", exc)
        return None
