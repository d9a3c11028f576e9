"""Reliability on real files through the real CLI (`python -m rag index build ...`), crash safety and corruption.

Every bad file is given in a batch with good files: the command must exit non-zero with a message naming the
file, still index the good files, and leave the documents indexed before exactly as they were. Builds use the
`hash:384` stand-in embedder: the embedder does not matter here and e5 would make the tests slow.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.render import encode_cp1258, make_encrypted_pdf, make_scanned_pdf, make_zip_bomb, render_pdf

from rag.errors import IndexStoreError
from rag.index.store import load_index

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
EMBEDDER = "hash:384"
SMALL = sorted(CORPUS.glob("*.txt"), key=lambda p: p.stat().st_size)  # smallest first
DOC_A, DOC_B, DOC_C = SMALL[0], SMALL[1], SMALL[2]


def rag_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `python -m rag ...` in a fresh process; return the completed process (text output)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    env.pop("RAG_INDEX", None)
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def build_cli(index: Path, *files: Path | str) -> subprocess.CompletedProcess:
    """`rag index build FILES --index DIR --embedder hash:384 --quiet`."""
    return rag_cli("index", "build", *map(str, files), "--index", str(index), "--embedder", EMBEDDER, "--quiet")


def chunk_ids_by_doc(index: Path) -> dict[str, list[str]]:
    """Chunk ids of each indexed document, in order."""
    out: dict[str, list[str]] = {}
    for chunk in load_index(index).chunks:
        out.setdefault(chunk.doc, []).append(chunk.id)
    return out


@pytest.fixture(scope="module")
def base_index(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """A good index of documents A and B, built once through the CLI; tests work on copies."""
    index = tmp_path_factory.mktemp("base") / "index"
    proc = build_cli(index, DOC_A, DOC_B)
    assert proc.returncode == 0, proc.stderr
    return index, chunk_ids_by_doc(index)


@pytest.fixture
def index_copy(base_index, tmp_path) -> tuple[Path, dict[str, list[str]]]:
    """A private copy of the base index (same chunk ids)."""
    src, ids = base_index
    dst = tmp_path / "index"
    shutil.copytree(src, dst)
    return dst, ids


# ------------------------------------------------------------------------------------------- bad files

def _truncated_pdf(folder: Path) -> Path:
    path = folder / "cat-ngang.pdf"
    render_pdf(DOC_A, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt_pdf(folder: Path) -> Path:
    path = folder / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path


def _encrypted_pdf(folder: Path) -> Path:
    path = folder / "co-mat-khau.pdf"
    make_encrypted_pdf(path)
    return path


def _scanned_pdf(folder: Path) -> Path:
    path = folder / "ban-scan.pdf"
    make_scanned_pdf(path)
    return path


def _empty(folder: Path) -> Path:
    path = folder / "rong.txt"
    path.write_bytes(b"")
    return path


def _unsupported(folder: Path) -> Path:
    path = folder / "van-ban.rtf"
    path.write_text("{\\rtf1 Ban Chấp hành}", encoding="utf-8")
    return path


def _docx_not_zip(folder: Path) -> Path:
    path = folder / "khong-phai-zip.docx"
    path.write_text("Đây là văn bản thường, không phải .docx", encoding="utf-8")
    return path


def _zip_bomb(folder: Path) -> Path:
    return make_zip_bomb(folder / "bom-nen.docx")


def _too_large(folder: Path) -> Path:
    path = folder / "qua-lon.txt"
    with open(path, "wb") as handle:  # sparse: instant, no 50 MB written
        handle.truncate(50 * 1024 * 1024 + 1)
    return path


BAD_FILES = {  # the words the Vietnamese message must say
    "truncated-pdf": (_truncated_pdf, ["PDF", "hỏng"]),
    "corrupt-pdf": (_corrupt_pdf, ["PDF", "hỏng"]),
    "encrypted-pdf": (_encrypted_pdf, ["mật khẩu"]),
    "scanned-pdf": (_scanned_pdf, ["OCR"]),
    "empty-file": (_empty, ["rỗng"]),
    "unsupported-extension": (_unsupported, ["không được hỗ trợ", ".rtf"]),
    "docx-not-zip": (_docx_not_zip, [".docx không hợp lệ"]),
    "zip-bomb-docx": (_zip_bomb, ["bị từ chối"]),
    "50MB-file": (_too_large, ["quá lớn", "giới hạn"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_in_batch(case, index_copy, tmp_path):
    """A bad file fails alone: clear message naming it, exit 1, good file indexed, old documents unchanged."""
    index, before = index_copy
    make, words = BAD_FILES[case]
    bad = make(tmp_path)
    proc = build_cli(index, DOC_A, DOC_B, DOC_C, bad)
    assert proc.returncode != 0, proc.stdout
    lines = [line for line in proc.stderr.splitlines() if bad.name in line]
    assert lines, f"no message naming {bad.name}:\n{proc.stderr}"
    assert any(all(w.lower() in line.lower() for w in words) for line in lines), proc.stderr
    after = chunk_ids_by_doc(index)
    assert DOC_C.name in after and after[DOC_C.name], "the good file of the batch was not indexed"
    assert bad.name not in after
    for doc, ids in before.items():
        assert after[doc] == ids, f"{doc} changed"


@pytest.mark.parametrize("case", ["encrypted-pdf", "empty-file", "50MB-file"])
def test_batch_of_only_bad_files_leaves_index_untouched(case, index_copy, tmp_path):
    """When nothing in the batch can be read, the previous index stays live as it was."""
    index, before = index_copy
    current = (index / "CURRENT").read_text()
    bad = BAD_FILES[case][0](tmp_path)
    proc = build_cli(index, bad)
    assert proc.returncode != 0
    assert bad.name in proc.stderr
    assert chunk_ids_by_doc(index) == before
    assert (index / "CURRENT").read_text() == current


def _good_variant(path: Path, folder: Path, name: str, transform) -> Path:
    out = folder / name
    out.write_bytes(transform(path.read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258"])
def test_legacy_encodings_are_indexed(encoding, index_copy, tmp_path):
    """UTF-16 and Windows-1258 text files are indexed with the same Vietnamese text as the UTF-8 original."""
    index, before = index_copy
    encode = encode_cp1258 if encoding == "cp1258" else (lambda t: t.encode("utf-16"))
    variant = _good_variant(DOC_C, tmp_path, f"ma-{encoding}.txt", encode)
    proc = build_cli(index, DOC_A, DOC_B, variant)
    assert proc.returncode == 0, proc.stderr
    loaded = load_index(index)
    texts = " ".join(c.text for c in loaded.chunks if c.doc == variant.name)
    assert "Ban Chấp hành Đảng bộ" in texts or "Ban Thường vụ Thành ủy" in texts, texts[:500]
    assert chunk_ids_by_doc(index)[DOC_A.name] == before[DOC_A.name]


def test_very_long_line_is_indexed(index_copy, tmp_path):
    """A file with a 100,000-character line is indexed (the line is cut into several chunks)."""
    index, _ = index_copy
    sentence = "Ban Tổ chức Thành ủy chủ trì rà soát, sắp xếp tổ chức bộ máy bảo đảm tinh gọn, hiệu quả. "
    line = (sentence * (100_000 // len(sentence) + 1))[:100_000]
    path = tmp_path / "dong-dai.txt"
    path.write_text("KẾ HOẠCH\nThực hiện sắp xếp tổ chức bộ máy\n-----\nI. NHIỆM VỤ\n1. " + line + "\n",
                    encoding="utf-8")
    started = time.perf_counter()
    proc = build_cli(index, DOC_A, path)
    assert proc.returncode == 0, proc.stderr
    assert time.perf_counter() - started < 120
    chunks = [c for c in load_index(index).chunks if c.doc == path.name]
    assert len(chunks) >= 10
    assert sum(len(c.text) for c in chunks) >= 95_000


def test_duplicate_document_reported(index_copy, tmp_path):
    """The same content under another name is reported as a duplicate and not indexed twice."""
    index, before = index_copy
    copy = tmp_path / "ban-sao.txt"
    shutil.copyfile(DOC_B, copy)
    proc = build_cli(index, DOC_A, DOC_B, copy)
    assert proc.returncode != 0
    assert any(copy.name in line and "duplicate" in line.lower() for line in proc.stderr.splitlines()), proc.stderr
    after = chunk_ids_by_doc(index)
    assert copy.name not in after
    assert after == before


# ------------------------------------------------------------------------------------------- crash safety

def _start_build(index: Path, folder: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "rag", "index", "build", str(folder), "--index", str(index),
                             "--embedder", EMBEDDER, "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def big_batch(tmp_path_factory) -> Path:
    """The sample corpus plus generated documents: a build that takes several seconds."""
    from tools.gencorpus import make_corpus

    folder = tmp_path_factory.mktemp("batch")
    for path in CORPUS.glob("*.txt"):
        shutil.copyfile(path, folder / path.name)
    make_corpus(30, folder, seed=5)
    return folder


def _folders(index: Path) -> set[str]:
    return {p.name for p in index.iterdir() if p.name.startswith(("gen-", "seg-"))}


def _wait_for_write_phase(index: Path, old_gens: set[str], proc: subprocess.Popen, limit: float = 300) -> bool:
    """Wait until the build creates its first segment or generation folder."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if _folders(index) - old_gens:
            return True
        time.sleep(0.005)
    return False


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    return {p for p in pids if Path(f"/proc/{p}").exists()
            and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}


def test_kill_during_build_leaves_old_or_new_index(index_copy, big_batch, tmp_path):
    """SIGKILL at several moments: the index always loads, with exactly the old or the new chunk set, and the
    build's parse workers exit too."""
    index, before = index_copy
    old_set = {i for ids in before.values() for i in ids}
    pristine = tmp_path / "pristine"
    shutil.copytree(index, pristine)
    reference = tmp_path / "reference"  # what a completed build of the batch gives
    shutil.copytree(pristine, reference)
    proc = build_cli(reference, big_batch)
    assert proc.returncode == 0, proc.stderr
    new_set = {c.id for c in load_index(reference).chunks}
    assert new_set != old_set
    outcomes = []
    seen_workers = False
    for moment in (0.5, 2.0, 5.0, "write", "write+0.1", "write+0.3"):
        shutil.rmtree(index)
        shutil.copytree(pristine, index)
        old_gens = _folders(index)
        proc = _start_build(index, big_batch)
        if isinstance(moment, float):
            time.sleep(moment)
        else:
            assert _wait_for_write_phase(index, old_gens, proc), "the build ended before its write phase was seen"
            time.sleep(float(moment.partition("+")[2] or 0))
        workers = _children(proc.pid)
        seen_workers = seen_workers or bool(workers)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(workers), f"parse workers left running after a kill at {moment}"
        ids = {c.id for c in load_index(index).chunks}  # must not raise
        assert ids in (old_set, new_set), f"mixed index after a kill at {moment}: {len(ids)} chunks"
        outcomes.append((moment, "new" if ids == new_set else "old"))
    assert ("write", "old") in outcomes or any(o == "old" for _, o in outcomes)
    assert seen_workers, "the batch was expected to be parsed by worker processes"
    # After the kills a build runs to completion (the killed writers' lock is released) and gives the new set.
    proc = build_cli(index, big_batch)
    assert proc.returncode == 0, proc.stderr
    assert {c.id for c in load_index(index).chunks} == new_set
    log.info("kill outcomes: %s", outcomes)


def test_second_writer_gets_lock_error(index_copy, big_batch):
    """Two writers at once: the second exits non-zero with the lock message; the first completes."""
    index, _ = index_copy
    first = _start_build(index, big_batch)
    lock = index / ".lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.01)
    else:
        first.kill()
        pytest.fail("first writer never took the lock")
    second = build_cli(index, DOC_A)
    assert second.returncode != 0
    assert "đang được cập nhật bởi một tác vụ khác" in second.stderr, second.stderr
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert DOC_C.name in {c.doc for c in load_index(index).chunks}


# ------------------------------------------------------------------------------------------- corrupt index

def _generation(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def _segment(index: Path) -> Path:
    manifest = json.loads((_generation(index) / "manifest.json").read_text(encoding="utf-8"))
    return index / manifest["segments"][0]["name"]


def _truncate_vectors(index: Path) -> None:
    path = _segment(index) / "vectors.npy"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble_manifest(index: Path) -> None:
    path = _generation(index) / "manifest.json"
    data = path.read_bytes()
    path.write_bytes(data[:40] + b"\x00garbage{" + data[60:])


def _delete_faiss(index: Path) -> None:
    (_segment(index) / "dense.faiss").unlink()


def _truncate_chunks(index: Path) -> None:
    path = _segment(index) / "chunks.jsonl"
    path.write_bytes(path.read_bytes()[:-50])


@pytest.mark.parametrize("damage", [_truncate_vectors, _garble_manifest, _delete_faiss, _truncate_chunks],
                         ids=["truncated-vectors", "garbled-manifest", "deleted-faiss", "truncated-chunks"])
def test_corrupt_index_detected_with_rebuild_hint(damage, index_copy):
    """A damaged index is refused at load, by the library and by `rag ask`, with how to rebuild it."""
    index, _ = index_copy
    damage(index)
    with pytest.raises(IndexStoreError, match="rag index build"):
        load_index(index)
    proc = rag_cli("ask", "Ban Tổ chức có nhiệm vụ gì?", "--index", str(index))
    assert proc.returncode != 0
    assert "rag index build" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_manifest_lists_every_file(base_index):
    """The manifest records the size of every file it depends on (what lets load detect truncation)."""
    index, _ = base_index
    manifest = json.loads((_generation(index) / "manifest.json").read_text(encoding="utf-8"))
    for segment in manifest["segments"]:
        for name in ("segment.json", "chunks.jsonl", "vectors.npy", "dense.faiss", "bm25_tf.npy", "duties.jsonl",
                     "documents.json"):
            assert segment["files"][name] == (index / segment["name"] / name).stat().st_size
