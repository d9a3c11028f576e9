"""Reliability 2 (issue 16) on real files through the real CLI and the Library: failed replacements keep the old
version, special and unreadable files are refused with their code before anything opens them, batches index their
good files, uploads go through a queue with per-file status and cancel.

Builds use the `hash:384` stand-in embedder (the embedder does not matter here).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from rag.library import Library
from tests.integration.test_reliability import DOC_A, DOC_B, DOC_C, EMBEDDER, build_cli, chunk_ids_by_doc, rag_cli


def add_cli(index: Path, *files: Path | str, timeout: float = 120):
    return rag_cli("index", "add", *map(str, files), "--index", str(index), "--embedder", EMBEDDER, "--quiet",
                   timeout=timeout)


def _random_bytes(path: Path) -> Path:
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(3000)) + os.urandom(2000))
    return path


# ------------------------------------------------------------------------------------ replacement transaction

def test_failed_replacement_keeps_old_version(tmp_path):
    """`rag index add X.txt` with X indexed and the new X unreadable: exit 1, the old X's passages all stay, and the
    report says the old version was kept."""
    index = tmp_path / "index"
    x = tmp_path / "x.txt"
    shutil.copy(DOC_A, x)
    assert add_cli(index, x).returncode == 0
    before = chunk_ids_by_doc(index)
    _random_bytes(x)
    proc = add_cli(index, x)
    assert proc.returncode == 1
    assert "x.txt" in proc.stderr and "bảng mã" in proc.stderr, proc.stderr
    assert "giữ nguyên phiên bản đã có" in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stderr
    assert chunk_ids_by_doc(index) == before


def test_build_of_folder_with_one_corrupted_file(tmp_path):
    """`rag index build DIR/` after one file there became corrupt: that document keeps its old version, a new good
    file of the folder is indexed, the others are unchanged."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc in (DOC_A, DOC_B):
        shutil.copy(doc, folder / doc.name)
    index = tmp_path / "index"
    assert build_cli(index, folder).returncode == 0
    before = chunk_ids_by_doc(index)
    _random_bytes(folder / DOC_A.name)
    shutil.copy(DOC_C, folder / DOC_C.name)
    proc = build_cli(index, folder)
    assert proc.returncode == 1
    after = chunk_ids_by_doc(index)
    assert after[DOC_A.name] == before[DOC_A.name]
    assert after[DOC_B.name] == before[DOC_B.name]
    assert after.get(DOC_C.name)
    assert DOC_A.name in proc.stdout and "giữ nguyên" in proc.stdout


def test_add_of_empty_folder_writes_nothing(tmp_path):
    index = tmp_path / "index"
    assert add_cli(index, DOC_A).returncode == 0
    current = (index / "CURRENT").read_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = add_cli(index, empty)
    assert proc.returncode != 0
    assert "không có văn bản nào" in proc.stderr
    assert (index / "CURRENT").read_text() == current


def test_unchanged_add_writes_no_generation(tmp_path):
    index = tmp_path / "index"
    assert add_cli(index, DOC_A).returncode == 0
    current = (index / "CURRENT").read_text()
    proc = add_cli(index, DOC_A)
    assert proc.returncode == 0, proc.stderr
    assert (index / "CURRENT").read_text() == current


# ------------------------------------------------------------------------------------ special and unreadable files

def test_fifo_and_dev_zero_link_refused_quickly(tmp_path):
    """A FIFO and a link to /dev/zero named on the command line are refused before they are opened (no hang, the
    lock is released), and the good file of the batch is indexed."""
    fifo = tmp_path / "ong.txt"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    index = tmp_path / "index"
    started = time.monotonic()
    proc = add_cli(index, fifo, zero, DOC_A, timeout=60)
    assert time.monotonic() - started < 60
    assert proc.returncode == 1
    for bad in (fifo, zero):
        assert any(bad.name in line and "không phải tệp thông thường" in line for line in proc.stderr.splitlines())
    assert list(chunk_ids_by_doc(index)) == [DOC_A.name]


def _unreadable(tmp_path: Path) -> Path:
    """A regular .txt file that open() refuses with PermissionError, whoever runs the test."""
    path = tmp_path / "khong-doc-duoc.txt"
    if os.geteuid() != 0:
        shutil.copy(DOC_B, path)
        path.chmod(0)
    else:  # root reads any file; a sysfs file without a read method refuses even root
        path.symlink_to("/sys/bus/pci/rescan")
    try:
        open(path, "rb").close()
    except PermissionError:
        return path
    pytest.skip("no file here that refuses reading")


def test_unreadable_file_is_coded_and_batch_goes_on(tmp_path):
    bad = _unreadable(tmp_path)
    index = tmp_path / "index"
    proc = add_cli(index, bad, DOC_A)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert any(bad.name in line and "quyền" in line for line in proc.stderr.splitlines()), proc.stderr
    assert list(chunk_ids_by_doc(index)) == [DOC_A.name]


# ------------------------------------------------------------------------------------ uploads

def test_failed_upload_replacement_keeps_document_and_stored_file(tmp_path):
    """Upload a good phong-chay.txt, then a binary file with the same name: the document stays indexed and the
    stored uploads/phong-chay.txt is the good one."""
    library = Library(tmp_path / "index", embedder=EMBEDDER)
    good = tmp_path / "a" / "phong-chay.txt"
    good.parent.mkdir()
    shutil.copy(DOC_A, good)
    result = library.add_uploads([good])
    assert result.report.indexed == ["phong-chay.txt"]
    before = chunk_ids_by_doc(library.index_dir)
    stored = library.upload_dir / "phong-chay.txt"
    assert stored.read_bytes() == DOC_A.read_bytes()
    (tmp_path / "b").mkdir()
    bad = _random_bytes(tmp_path / "b" / "phong-chay.txt")
    result = library.add_uploads([bad])
    assert result.report.kept_previous == ["phong-chay.txt"]
    assert "giữ nguyên" in result.jobs[0].message_vi
    assert chunk_ids_by_doc(library.index_dir) == before
    assert stored.read_bytes() == DOC_A.read_bytes()
    assert not list((library.upload_dir / ".incoming").iterdir())


def test_upload_queue_answers_at_once_and_cancels(tmp_path):
    """While one upload is being indexed (the write lock held), a second and third are queued at once with a
    status; the queued third is cancelled and never reaches the index."""
    library = Library(tmp_path / "index", embedder=EMBEDDER)
    files = []
    for doc in (DOC_A, DOC_B, DOC_C):
        files.append(tmp_path / doc.name)
        shutil.copy(doc, files[-1])
    with library._write:  # another write is running
        started = time.monotonic()
        first = library.submit_uploads(files[:1])[0]
        second, third = library.submit_uploads(files[1:])
        assert time.monotonic() - started < 5
        assert {second.status, third.status} == {"queued"}
        assert library.cancel_upload(third.id)
    assert first.wait(120) and second.wait(120) and third.wait(120)
    assert (first.status, second.status, third.status) == ("done", "done", "cancelled")
    assert "hủy" in third.message_vi
    assert sorted(chunk_ids_by_doc(library.index_dir)) == sorted([DOC_A.name, DOC_B.name])
    assert not library.cancel_upload(first.id)
    assert [j.id for j in library.upload_jobs()] == [first.id, second.id, third.id]


def test_upload_discards_sources_and_refuses_special_files(tmp_path):
    library = Library(tmp_path / "index", embedder=EMBEDDER)
    temp = tmp_path / "gradio"
    temp.mkdir()
    good = temp / "tot.txt"
    shutil.copy(DOC_A, good)
    empty = temp / "rong.txt"
    empty.write_bytes(b"")
    fifo = temp / "ong.txt"
    os.mkfifo(fifo)
    done = threading.Event()
    result = {}
    threading.Thread(target=lambda: (result.update(r=library.add_uploads([good, empty, fifo],
                                                                          discard_sources=True)), done.set()),
                     daemon=True).start()
    assert done.wait(120), "upload of a FIFO hung"
    codes = sorted(e.code for e in result["r"].rejected)
    assert codes == ["empty_file", "not_regular_file"]
    assert result["r"].report.indexed == ["tot.txt"]
    assert not list(temp.iterdir()), "the temporary upload folder keeps files"


# ------------------------------------------------------------------------------------ linear time: caps

def _one_line(path: Path, size: int, *, spaces: bool = True) -> Path:
    if spaces:
        text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in (DOC_A, DOC_B, DOC_C))
    else:
        text = "abcdđeêghiklmnoôơpqrstuưvxy"
    data = text.encode("utf-8")
    path.write_bytes((data * (size // len(data) + 1))[:size].decode("utf-8", errors="ignore").encode("utf-8"))
    return path


def test_20mb_single_line_refused_with_message(tmp_path):
    """A 20 MB single-line file is refused (too much text for one document) with the limit and what to do; the
    good file of the batch is indexed. (The subprocess timeout only guards against a hang.)"""
    big = _one_line(tmp_path / "mot-dong.txt", 20 * 1024 * 1024)
    index = tmp_path / "index"
    proc = add_cli(index, big, DOC_A, timeout=300)
    assert proc.returncode == 1
    assert any("mot-dong.txt" in line and "quá dài" in line and "tách" in line for line in proc.stderr.splitlines())
    assert list(chunk_ids_by_doc(index)) == [DOC_A.name]


@pytest.mark.parametrize("spaces", [True, False], ids=["sentences", "one-word"])
def test_long_single_line_is_cut_into_bounded_passages(spaces, tmp_path):
    """1 MB on one line (sentences, or one word without spaces): indexed whole, in passages of bounded length, and
    no word given to BM25 or the embedder is longer than MAX_WORD."""
    from rag.documents.chunking import MAX_SENTENCE, SPLIT_TARGET
    from rag.documents.ingest import character_counts, load_document
    from rag.documents.models import MAX_WORD

    doc = load_document(_one_line(tmp_path / "dai.txt", 1024 * 1024, spaces=spaces))
    longest = max(len(c.text) for c in doc.chunks if c.kind != "meta")
    assert longest <= MAX_SENTENCE + SPLIT_TARGET + 10
    assert max(len(w) for c in doc.chunks for w in c.index_text().split()) <= MAX_WORD
    read, indexed = character_counts(doc.raw, doc.chunks, doc.meta)
    if spaces:
        assert indexed >= 0.99 * read
    else:  # cut inside the word: every piece is indexed, and together they are the whole text
        assert sum(len(c.text) for c in doc.chunks if c.kind != "meta") >= 0.99 * read


def test_questions_empty_punctuation_nul_and_too_long(tmp_path):
    from rag.answering.assistant import Assistant
    from rag.documents.ingest import load_document
    from rag.search.embedders import load_embedder

    chunks = load_document(DOC_A).chunks
    assistant = Assistant.from_chunks(chunks, embedder=load_embedder(EMBEDDER))
    for question in ("???", "\x00\x00\x00", " ... !!! ", "\x00?"):
        answer = assistant.ask(question)
        assert answer.answer == "Xin hãy nhập câu hỏi." and not answer.citations, question
    answer = assistant.ask("x" * 100_000)
    assert "quá dài" in answer.answer and "100.000" in answer.answer and not answer.citations
    normal = assistant.ask("x" * 980 + " Ban Tổ chức")  # under the limit: read, not refused
    assert "quá dài" not in normal.answer and normal.answer != "Xin hãy nhập câu hỏi."


# ------------------------------------------------------------------------------------ damaged index, full disk

REBUILD = "rag index build <thư mục>"


@pytest.fixture(scope="module")
def ab_built(tmp_path_factory):
    index = tmp_path_factory.mktemp("ab") / "index"
    proc = build_cli(index, DOC_A, DOC_B)
    assert proc.returncode == 0, proc.stderr
    return index, chunk_ids_by_doc(index)


@pytest.fixture
def ab_index(ab_built, tmp_path):
    """A private copy of an index of documents A and B (built once per module)."""
    src, ids = ab_built
    shutil.copytree(src, tmp_path / "index")
    return tmp_path / "index", ids


def _seg(index: Path) -> Path:
    return sorted(index.glob("seg-*"))[0]


def _zero(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[128:] = bytes((i * 37 + 11) % 256 for i in range(len(data) - 128))
    path.write_bytes(bytes(data))


DAMAGE = {
    "dense.faiss-zeroed": lambda index: _zero(_seg(index) / "dense.faiss"),
    "bm25_tf-zeroed": lambda index: _zero(_seg(index) / "bm25_tf.npy"),
    "duties_units_ids-garbage": lambda index: _garble(_seg(index) / "duties_units_ids.npy"),
    "chunks.jsonl-one-byte": lambda index: _flip_byte(_seg(index) / "chunks.jsonl"),
    "bm25_rows-garbage": lambda index: _garble(_seg(index) / "bm25_rows.npy"),
    "chunk_offsets-garbage": lambda index: _garble(_seg(index) / "chunk_offsets.npy"),
    "CURRENT-not-utf8": lambda index: (index / "CURRENT").write_bytes(b"\xff\xfe\x00gen\x80"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_that_keeps_sizes_is_refused_with_rebuild_command(damage, ab_index):
    """Damage that keeps file sizes: list, ask and verify exit 1 with the Vietnamese message and the rebuild
    command, no traceback; `rag index build` then rebuilds a good index (the damaged files are not reused)."""
    index, before = ab_index
    assert rag_cli("index", "verify", "--index", str(index)).returncode == 0
    DAMAGE[damage](index)
    for args in (("index", "list"), ("index", "verify"), ("ask", "Ban Tổ chức phải làm gì?")):
        proc = rag_cli(*args, "--index", str(index))
        assert proc.returncode == 1, (args, proc.stdout)
        assert "bị hỏng" in proc.stderr and REBUILD in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert build_cli(index, DOC_A, DOC_B).returncode == 0
    assert rag_cli("index", "verify", "--index", str(index)).returncode == 0
    assert chunk_ids_by_doc(index) == before


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only; skipped elsewhere)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small filesystem here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_add_and_remove_are_coded_and_leave_index(small_disk):
    index = small_disk / "index"
    assert build_cli(index, DOC_A, DOC_B).returncode == 0
    before = chunk_ids_by_doc(index)
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # fill the disk to the last byte
    try:
        while os.write(fd, bytes(4096)):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    for args in (("add", str(DOC_C)), ("remove", DOC_A.name)):
        proc = rag_cli("index", *args, "--index", str(index), "--embedder", EMBEDDER, "-q")
        assert proc.returncode == 1, args
        assert "hết dung lượng đĩa" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert chunk_ids_by_doc(index) == before
    (small_disk / "filler").unlink()
    assert rag_cli("index", "add", str(DOC_C), "--index", str(index), "--embedder", EMBEDDER, "-q").returncode == 0


# ------------------------------------------------------------------------------------ smaller items

def test_scan_with_page_footer_gets_ocr_hint(tmp_path):
    import io

    from fpdf import FPDF
    from PIL import Image, ImageDraw

    from rag.documents.readers import read_document
    from rag.errors import DocumentError
    from tests.support.render import _font_dir

    image = Image.new("RGB", (400, 560), "white")
    draw = ImageDraw.Draw(image)
    for y in range(40, 520, 24):
        draw.rectangle((40, y, 360, y + 10), fill="black")
    png = io.BytesIO()
    image.save(png, format="PNG")
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", _font_dir() + "DejaVuSans.ttf")
    for n in range(1, 4):
        pdf.add_page()
        pdf.image(io.BytesIO(png.getvalue()), x=10, y=10, w=190)
        pdf.set_font("DejaVu", size=10)
        pdf.set_xy(90, 285)
        pdf.cell(30, 5, f"Trang {n}/3")
    path = tmp_path / "ban-scan.pdf"
    pdf.output(str(path))
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert caught.value.code == "pdf_no_text" and "OCR" in caught.value.message_vi and "3 trang" in caught.value.message_vi


def test_nested_docx_table_text_is_read(tmp_path):
    import docx

    from rag.documents.readers import read_document

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH thực hiện nhiệm vụ")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Nhiệm vụ"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "Ban Nội chính Thành ủy rà soát hồ sơ"
    deeper = inner.cell(0, 1).add_table(rows=1, cols=1)
    deeper.cell(0, 0).text = "trước ngày 15/9/2025"
    document.save(tmp_path / "long-bang.docx")
    text = "\n".join(line.text for line in read_document(tmp_path / "long-bang.docx").lines)
    assert "Ban Nội chính Thành ủy rà soát hồ sơ" in text and "trước ngày 15/9/2025" in text


def test_same_text_in_other_encodings_is_one_document(tmp_path):
    text = DOC_A.read_text(encoding="utf-8")
    variants = {"goc.txt": text.encode("utf-8"), "utf16.txt": text.encode("utf-16"),
                "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"), "crlf.txt": text.replace("\n", "\r\n").encode()}
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
    index = tmp_path / "index"
    proc = add_cli(index, *(tmp_path / name for name in variants))
    assert proc.returncode == 1
    assert len(chunk_ids_by_doc(index)) == 1
    assert sum("trùng nội dung" in line for line in proc.stderr.splitlines()) == 3


def test_nfd_name_removed_by_nfc_spelling_and_list_escapes_controls(tmp_path):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "kế-hoạch.txt")
    odd = "dong\nmoi\tcot.txt"
    for name in (nfd, odd):
        shutil.copy(DOC_A if name == nfd else DOC_B, tmp_path / name)
    index = tmp_path / "index"
    assert add_cli(index, tmp_path / nfd, tmp_path / odd).returncode == 0
    listing = rag_cli("index", "list", "--index", str(index))
    rows = [line for line in listing.stdout.splitlines() if "\t" in line]
    assert len(rows) == 2 and all(line.count("\t") == 3 for line in rows), listing.stdout
    assert any(line.startswith("dong\\nmoi\\tcot.txt\t") for line in rows)
    proc = rag_cli("index", "remove", unicodedata.normalize("NFC", "kế-hoạch.txt"), "--index", str(index), "-q")
    assert proc.returncode == 0, proc.stderr
    assert list(chunk_ids_by_doc(index)) == [odd]
