"""The Library serves the live generation (written by another process) and shows a document's passages and file."""

from __future__ import annotations

import subprocess
import sys

from rag.library import Library
from tests.support.index import ROOT

KL183 = "haiphong-thanhuy-cv-trien-khai-kl183.txt"
QUESTION = "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?"


def test_a_generation_written_by_the_cli_is_served_on_the_next_question(index_copy):
    library = Library(index_copy)
    before = library.assistant()
    assert KL183 in {c.doc for c in before.ask(QUESTION).citations}
    done = subprocess.run([sys.executable, "-m", "rag", "index", "remove", KL183, "--index", str(index_copy), "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = library.assistant()
    assert after is not before and after.generation == library.generation()
    assert KL183 not in after.documents
    assert KL183 not in {c.doc for c in after.ask(QUESTION).citations}
    assert library.assistant() is after  # no reload while the generation stays the same


def test_document_passages_are_the_whole_document_in_order(corpus_index):
    library = Library(corpus_index)
    passages = library.document_passages(KL183)
    assert len(passages) == library.assistant().documents[KL183]["chunks"]
    assert [int(p.id.rsplit("#", 1)[1]) for p in passages] == sorted(int(p.id.rsplit("#", 1)[1]) for p in passages)
    assert {p.doc for p in passages} == {KL183}
    assert library.document_passages("khong-co.txt") == []


def test_document_file_is_the_recorded_original(corpus_index, monkeypatch):
    monkeypatch.chdir(ROOT)
    library = Library(corpus_index)
    found = library.document_file(KL183)
    assert found is not None and found.read_bytes() == (ROOT / "corpus" / KL183).read_bytes()
    assert library.document_file("khong-co.txt") is None
