"""The index on disk: manifest, incremental builds, add/remove, refusal of mismatches, atomic failure."""

import json
import shutil
from pathlib import Path

import pytest

from rag import store
from rag.embedders import EmbedderError
from rag.pipeline import Assistant
from rag.store import IndexStoreError, build_index, load_index

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EMB = "hash:64"  # the stand-in embedder: these tests are about the store, not about embeddings


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_manifest_records_versions_hashes_and_chunk_order(tmp_path, corpus_copy):
    report = build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    assert not report.errors and len(report.indexed) == 5
    loaded = load_index(tmp_path / "ix")
    manifest = loaded.manifest
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["normalizer_version"] and manifest["tokenizer_version"]
    assert manifest["embedder"] == {"name": "hash-standin:64", "dim": 64}
    assert manifest["chunk_ids"] == [c.id for c in loaded.chunks]
    assert set(manifest["documents"]) == {p.name for p in corpus_copy.glob("*.txt")}
    assert all(len(d["hash"]) == 64 for d in manifest["documents"].values())
    assert loaded.vectors.shape == (len(loaded.chunks), 64)
    assert loaded.duties, "duties are extracted at indexing time"


def test_unchanged_documents_are_not_reembedded(tmp_path, corpus_copy):
    build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    again = build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    assert again.embedded_chunks == 0 and len(again.reused) == 5 and not again.indexed
    changed = corpus_copy / "haiphong-thanhuy-cv-trien-khai-kl183.txt"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("làm thước đo chất lượng công chức", "làm thước đo năng lực công chức"),
                       encoding="utf-8")
    third = build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    assert third.indexed == [changed.name] and len(third.reused) == 4
    assert third.embedded_chunks == 1  # only the changed passage


def test_add_and_remove(tmp_path, corpus_copy):
    files = sorted(corpus_copy.glob("*.txt"))
    build_index(files[:3], index_dir=tmp_path / "ix", embedder=EMB)
    report = build_index(files[3:4], index_dir=tmp_path / "ix", embedder=EMB, add=True)
    assert report.indexed == [files[3].name] and len(report.reused) == 3
    assert len(load_index(tmp_path / "ix").manifest["documents"]) == 4
    removed = build_index(None, index_dir=tmp_path / "ix", embedder=EMB, remove=[files[0].name])
    assert removed.removed == [files[0].name] and removed.embedded_chunks == 0
    loaded = load_index(tmp_path / "ix")
    assert files[0].name not in loaded.manifest["documents"]
    assert not any(c.doc == files[0].name for c in loaded.chunks)
    assert not any(d["doc"] == files[0].name for d in loaded.duties)
    with pytest.raises(IndexStoreError, match="not in the index"):
        build_index(None, index_dir=tmp_path / "ix", embedder=EMB, remove=["nope.txt"])


def test_mismatched_manifest_is_refused_with_rebuild_hint(tmp_path, corpus_copy):
    build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    gen = load_index(tmp_path / "ix").path
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["normalizer_version"] = "old"
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStoreError, match="rag index build"):
        load_index(tmp_path / "ix")


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexStoreError, match="rag index build"):
        load_index(tmp_path / "empty")


def test_query_with_another_embedder_is_refused(tmp_path, corpus_copy):
    build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    with pytest.raises(EmbedderError, match="built with embedder 'hash-standin:64'"):
        Assistant.load(tmp_path / "ix", embedder="hash:32")


def test_failed_build_leaves_previous_index(tmp_path, corpus_copy, monkeypatch):
    build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    before = [c.id for c in load_index(tmp_path / "ix").chunks]
    (corpus_copy / "new.txt").write_text("1. Ban Tổ chức Thành ủy hoàn thành báo cáo trước ngày 01/12/2025.\n",
                                         encoding="utf-8")

    def boom(texts):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.LexicalIndex, "build", staticmethod(boom))
    with pytest.raises(RuntimeError):
        build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    after = load_index(tmp_path / "ix")
    assert [c.id for c in after.chunks] == before
    assert len(list((tmp_path / "ix").glob("gen-*"))) == 1  # the half-written generation was removed


def test_bad_file_is_reported_and_others_indexed(tmp_path, corpus_copy):
    (corpus_copy / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus_copy / "empty.txt").write_bytes(b"")
    report = build_index([corpus_copy], index_dir=tmp_path / "ix", embedder=EMB)
    failed = {Path(p).name for p, _ in report.errors}
    assert failed == {"broken.pdf", "empty.txt"}
    assert len(report.indexed) == 5
