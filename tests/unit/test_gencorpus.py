"""The benchmark corpus generator: deterministic bytes, documents that parse into sections and chunks."""

from __future__ import annotations

import logging

from tools.gencorpus import make_corpus
from rag.documents.ingest import load_document

log = logging.getLogger(__name__)


def test_same_seed_same_bytes(tmp_path):
    first = make_corpus(6, tmp_path / "a", seed=3)
    second = make_corpus(6, tmp_path / "b", seed=3)
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_other_seed_other_documents_and_prefix_property(tmp_path):
    base = make_corpus(4, tmp_path / "a", seed=0)
    other = make_corpus(4, tmp_path / "b", seed=1)
    assert [p.read_bytes() for p in base] != [p.read_bytes() for p in other]
    longer = make_corpus(8, tmp_path / "c", seed=0)
    assert [p.read_bytes() for p in longer[:4]] == [p.read_bytes() for p in base]
    assert len({p.read_bytes() for p in longer}) == 8  # no duplicates


def test_generated_documents_parse_into_sections_and_chunks(tmp_path):
    for path in make_corpus(5, tmp_path, seed=0):
        text = path.read_text(encoding="utf-8")
        for marker in ("ĐẢNG CỘNG SẢN VIỆT NAM", "I. ", "Phân công thực hiện:", "Nơi nhận:", "hoàn thành trước ngày"):
            assert marker in text, (path.name, marker)
        parsed = load_document(path)
        top = [s for s in parsed.root.children if s.kind == "roman"]
        assert len(top) >= 2, path.name
        assert sum(1 for c in parsed.chunks if c.kind != "meta") >= 5, path.name
        assert parsed.meta.number and parsed.meta.date and parsed.meta.signer, parsed.meta
        assert any("Phân công thực hiện" in c.text for c in parsed.chunks)


def test_rag_bench_make_corpus_writes_the_same_documents(tmp_path, capsys):
    from rag.cli import main

    assert main(["bench", "--make-corpus", "3", str(tmp_path / "cli"), "--seed", "2"]) == 0
    assert "3 documents written" in capsys.readouterr().out
    written = sorted((tmp_path / "cli").iterdir())
    expected = make_corpus(3, tmp_path / "lib", seed=2)
    assert [p.name for p in written] == [p.name for p in expected]
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in expected]
