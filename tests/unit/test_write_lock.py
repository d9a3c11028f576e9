"""The index write lock: a writer meeting another thread of its own process (the background embedding commit
while an upload comes in) waits for it; a writer of another process gets `index_locked` at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from rag.errors import IndexStoreError
from rag.index.store import write_lock


def test_same_process_writer_waits_for_the_holding_thread(tmp_path):
    held, release = threading.Event(), threading.Event()
    order: list[str] = []

    def holder():
        with write_lock(tmp_path):
            order.append("first")
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    with write_lock(tmp_path):  # wait=0, as an upload's build: must not fail while the other thread holds it
        order.append("second")
        waited = time.monotonic() - started
    thread.join(10)
    assert order == ["first", "second"]
    assert waited >= 0.4


def test_other_process_writer_is_refused_with_code(tmp_path):
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from rag.index.store import write_lock\n"
        "with write_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(30)\n"
    )
    other = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(IndexStoreError) as caught:
            with write_lock(tmp_path):
                pass
        assert caught.value.code == "index_locked"
    finally:
        other.kill()
        other.wait()
    with write_lock(tmp_path):  # the killed holder's lock is gone with its process
        pass
