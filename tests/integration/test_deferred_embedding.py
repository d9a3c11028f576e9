"""Searchable before embedded: a build commits its passages without vectors first (BM25, duties and catalogue
answer at once), then the vectors follow as further generations, and a killed embedding resumes where it was."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from rag import Library
from rag.index.embedding import embed_pending, pending_passages
from rag.index.store import load_index
from tests.support.index import CORPUS

EMB = "hash:64"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_a_build_is_answerable_by_keywords_before_any_vector(tmp_path, corpus_copy):
    ix = tmp_path / "ix"
    report = Library(ix, embedder=EMB).build([corpus_copy], embed="later")
    loaded = load_index(ix)
    assert report.pending_chunks == len(loaded.chunks) > 0
    assert loaded.embedding_progress == (0, len(loaded.chunks))
    assistant = Library(ix, embedder=EMB).assistant()
    # The dense side has nothing to offer yet; BM25 finds the passage, the duty table answers.
    vector = assistant.embedder.embed_query("Ban Tổ chức Thành ủy")
    assert assistant.retriever.dense_search(vector, 10) == []
    hits = assistant.retrieve("bộ công cụ đánh giá", k=5)
    assert hits and any("công cụ" in h.chunk.text for h in hits)
    answer = assistant.ask("Ban Tổ chức Thành ủy phải làm gì?")
    assert answer.citations and not answer.abstained
    assert answer.notice and "0/" in answer.notice and "từ khoá" in answer.notice
    assert assistant.duties, "the duty table is committed with the passages"


def test_vectors_added_later_equal_those_of_a_build_that_embeds_at_once(tmp_path, corpus_copy):
    deferred, direct = tmp_path / "deferred", tmp_path / "direct"
    Library(deferred, embedder=EMB).build([corpus_copy], embed="later")
    done = embed_pending(deferred, embedder=EMB, commit_seconds=0.0)
    from rag.index.build import build_index
    from rag.library import TABLES

    build_index([corpus_copy], index_dir=direct, embedder=EMB, tables=TABLES)
    a, b = load_index(deferred), load_index(direct)
    assert a.embedding_progress == (len(a.chunks), len(a.chunks)) and done.embedded == len(a.chunks)
    assert done.commits >= 2, "vectors are committed as they are computed, not only at the end"
    assert a.chunks.ids == b.chunks.ids
    assert np.array_equal(a.dense.vectors_of(np.arange(a.dense.size)), b.dense.vectors_of(np.arange(b.dense.size)))
    assistant = Library(deferred, embedder=EMB).assistant()
    assert assistant.ask("Ban Tổ chức Thành ủy phải làm gì?").notice is None
    # Old vectors folders are collected: one per segment remains.
    assert len(list(deferred.glob("vec-*"))) == len(a.segments)


def test_adding_a_document_embeds_only_its_new_passages(tmp_path, corpus_copy):
    ix = tmp_path / "ix"
    files = sorted(corpus_copy.glob("*.txt"))
    library = Library(ix, embedder=EMB)
    library.build(files[:-1])
    before = load_index(ix).embedding_progress
    assert before[0] == before[1]
    library.add([files[-1]], embed="later")
    done, total = load_index(ix).embedding_progress
    assert done == before[0] and total > before[1]
    waiting, _ = pending_passages(ix)
    assert 0 < len(waiting) <= total - done
    report = library.embed_pending()
    assert report.embedded == len(waiting)
    assert load_index(ix).embedding_progress == (total, total)


def test_uploads_are_searchable_at_once_and_embedded_in_the_background(tmp_path, corpus_copy):
    ix = tmp_path / "ix"
    files = sorted(corpus_copy.glob("*.txt"))
    library = Library(ix, embedder=EMB)
    library.build(files[:-1])
    upload = tmp_path / "upload" / files[-1].name
    upload.parent.mkdir()
    shutil.copyfile(files[-1], upload)
    result = library.add_uploads([upload])
    assert result.report is not None and upload.name in result.report.indexed
    assert upload.name in library.assistant().documents  # searchable now, embedding or not
    worker = library._embedding
    if worker is not None:
        worker.join(60)
    done, total = library.embedding_progress()
    assert done == total
    assert library.assistant().ask("Ban Tổ chức Thành ủy phải làm gì?").notice is None


SLOW_EMBEDDING = textwrap.dedent("""
    import sys, time
    from rag.index.embedding import embed_pending
    from rag.search.embedders import load_embedder

    class Slow:
        def __init__(self, inner):
            self.inner, self.name, self.dim = inner, inner.name, inner.dim
        def embed_passages(self, texts, *, batch_size=32):
            time.sleep(0.4)
            return self.inner.embed_passages(texts, batch_size=batch_size)
        def embed_query(self, text):
            return self.inner.embed_query(text)

    embed_pending(sys.argv[1], embedder=Slow(load_embedder("hash:64")), commit_seconds=0.0)
""")


def test_killing_the_embedding_keeps_committed_vectors_and_a_rerun_resumes(tmp_path, corpus_copy):
    ix = tmp_path / "ix"
    Library(ix, embedder=EMB).build([corpus_copy], embed="later")
    total = load_index(ix).embedding_progress[1]
    child = subprocess.Popen([sys.executable, "-c", SLOW_EMBEDDING, str(ix)], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and load_index(ix).embedding_progress[0] == 0:
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(10)
    done, _ = load_index(ix).embedding_progress  # the index still loads: every commit was whole
    assert 0 < done < total, "some vectors were committed before the kill, not all"
    waiting = len(pending_passages(ix)[0])
    assert 0 < waiting <= total - done
    rerun = embed_pending(ix, embedder=EMB)
    assert rerun.embedded == waiting, "vectors committed before the kill are not computed again"
    assert load_index(ix).embedding_progress == (total, total)


def test_the_command_line_shows_what_is_left_and_embeds_it(tmp_path, corpus_copy):
    ix = tmp_path / "ix"
    Library(ix, embedder=EMB).build([corpus_copy], embed="later")
    total = load_index(ix).embedding_progress[1]
    run = lambda *args: subprocess.run([sys.executable, "-m", "rag", "index", *args, "--index", str(ix), "-q"],  # noqa: E731
                                       cwd=ROOT, capture_output=True, text=True, timeout=300,
                                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    listed = run("list")
    assert listed.returncode == 0 and f"đã nhúng 0/{total} đoạn" in listed.stdout and "rag index embed" in listed.stdout
    embedded = run("embed", "--embedder", EMB)
    assert embedded.returncode == 0, embedded.stderr
    assert f"{total}/{total}" in embedded.stdout
    assert "rag index embed" not in run("list").stdout
    assert load_index(ix).embedding_progress == (total, total)


def test_the_ui_shows_the_semantic_progress_and_says_so_under_answers(tmp_path, corpus_copy):
    from ui.service import UIService

    ix = tmp_path / "ix"
    Library(ix, embedder=EMB).build([corpus_copy], embed="later")
    library = Library(ix, embedder=EMB, upload_dir=tmp_path / "up")
    service = UIService(library)
    total = load_index(ix).embedding_progress[1]
    status = service.indexing_status()
    assert f"0/{total} đoạn" in status and "<progress" in status and "từ khoá" in status
    *_, (page, turns, _, _) = list(service.chat("Ban Tổ chức Thành ủy phải làm gì?", [], None))
    assert turns[-1]["notice"] and "ghi-chu-chi-muc" in page and "từ khoá" in page
    library.embed_pending()
    assert service.indexing_status() == ""
    *_, (page, turns, _, _) = list(service.chat("Ban Tổ chức Thành ủy phải làm gì?", [], None))
    assert "notice" not in turns[-1] and "ghi-chu-chi-muc" not in page


NEW_PLAN = """THÀNH ỦY HẢI PHÒNG
Số 999-KH/TU
Hải Phòng, ngày 01 tháng 10 năm 2025
KẾ HOẠCH
xây dựng Trung tâm Lưu trữ số thành phố và số hóa hồ sơ lưu trữ của các cơ quan đảng
I. MỤC ĐÍCH, YÊU CẦU
1. Số hóa toàn bộ hồ sơ lưu trữ lịch sử của các cơ quan đảng thành phố, đưa vào khai thác trên nền tảng Trung tâm Lưu trữ số thành phố.
II. NHIỆM VỤ
1. Giao Văn phòng Thành ủy chủ trì xây dựng và đưa vào vận hành Trung tâm Lưu trữ số thành phố, hoàn thành trước ngày 15/12/2025.
"""


@pytest.mark.parametrize("question", ["Đơn vị nào chủ trì xây dựng Trung tâm Lưu trữ số thành phố?",
                                      "Trung tâm Lưu trữ số thành phố phải hoàn thành khi nào?",
                                      "trung tam luu tru so thanh pho do ai chu tri"])
def test_a_document_waiting_for_vectors_is_not_outranked_by_embedded_ones(tmp_path, corpus_copy, question):
    ix = tmp_path / "ix"
    library = Library(ix, embedder=EMB)
    library.build([corpus_copy])
    plan = tmp_path / "ke-hoach-999.txt"
    plan.write_text(NEW_PLAN, encoding="utf-8")
    library.add([plan], embed="later")
    assistant = library.assistant()
    assert assistant.embedding_progress[0] < assistant.embedding_progress[1]
    hits = assistant.retrieve(question, k=3)
    assert hits[0].chunk.doc == plan.name and not hits[0].embedded
    answer = assistant.ask(question)
    assert not answer.abstained and answer.citations[0].doc == plan.name and "15/12/2025" in answer.answer
