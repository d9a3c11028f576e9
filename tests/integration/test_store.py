"""The index on disk: manifest, incremental builds, add/remove, refusal of mismatches, atomic failure."""

import json
import shutil
from pathlib import Path

import pytest

from rag import Assistant, Library
from rag.duties.table import TABLE, DutyTable
from rag.errors import DocumentError, EmbedderError, IndexStoreError
from rag.index import build, store
from rag.index.store import load_index
from tests.support.index import CORPUS

EMB = "hash:64"  # the stand-in embedder: these tests are about the store, not about embeddings


def build_index(paths, *, index_dir, embedder=EMB, add=False, remove=None):
    """Write the index the way the Library does (with the duty table), through its three operations."""
    library = Library(index_dir, embedder=embedder)
    if remove:
        return library.remove(remove)
    return library.add(paths) if add else library.build(paths)


def duties_of(index_dir):
    loaded = load_index(index_dir)
    return DutyTable.from_segments(loaded.segments, loaded.deleted)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_manifest_records_versions_hashes_and_chunk_order(tmp_path, corpus_copy):
    report = build_index([corpus_copy], index_dir=tmp_path / "ix")
    assert not report.errors and len(report.indexed) == 5
    loaded = load_index(tmp_path / "ix")
    manifest = loaded.manifest
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["normalizer_version"] and manifest["tokenizer_version"]
    assert manifest["embedder"] == {"name": "hash-standin:64", "dim": 64}
    assert manifest["chunk_ids"] == [c.id for c in loaded.chunks]
    assert set(manifest["documents"]) == {p.name for p in corpus_copy.glob("*.txt")}
    assert all(len(d["hash"]) == 64 for d in manifest["documents"].values())
    assert loaded.dense.size == len(loaded.chunks) and loaded.dense.dim == 64
    assert [s["name"] for s in manifest["segments"]] == [seg.name for seg in loaded.segments]
    assert duties_of(tmp_path / "ix"), "duties are extracted at indexing time"
    assert manifest["tables"] == {"duties": TABLE.version}


def test_unchanged_documents_are_not_reembedded(tmp_path, corpus_copy):
    build_index([corpus_copy], index_dir=tmp_path / "ix")
    again = build_index([corpus_copy], index_dir=tmp_path / "ix")
    assert again.embedded_chunks == 0 and len(again.reused) == 5 and not again.indexed
    changed = corpus_copy / "haiphong-thanhuy-cv-trien-khai-kl183.txt"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("làm thước đo chất lượng công chức", "làm thước đo năng lực công chức"),
                       encoding="utf-8")
    third = build_index([corpus_copy], index_dir=tmp_path / "ix")
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
    assert not any(d.doc == files[0].name for d in duties_of(tmp_path / "ix"))
    with pytest.raises(IndexStoreError, match="not in the index"):
        build_index(None, index_dir=tmp_path / "ix", embedder=EMB, remove=["nope.txt"])


def test_mismatched_manifest_is_refused_with_rebuild_hint(tmp_path, corpus_copy):
    build_index([corpus_copy], index_dir=tmp_path / "ix")
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
    build_index([corpus_copy], index_dir=tmp_path / "ix")
    with pytest.raises(EmbedderError, match="built with embedder 'hash-standin:64'"):
        Assistant.load(tmp_path / "ix", embedder="hash:32")


def test_failed_build_leaves_previous_index(tmp_path, corpus_copy, monkeypatch):
    build_index([corpus_copy], index_dir=tmp_path / "ix")
    before = [c.id for c in load_index(tmp_path / "ix").chunks]
    folders = sorted(p.name for p in (tmp_path / "ix").iterdir())
    (corpus_copy / "new.txt").write_text("1. Ban Tổ chức Thành ủy hoàn thành báo cáo trước ngày 01/12/2025.\n",
                                         encoding="utf-8")
    real_write = build.write_segment

    def write_then_fail(folder, *args, **kwargs):
        real_write(folder, *args, **kwargs)  # a complete segment is on disk ...
        raise OSError("disk full")  # ... and the build fails before its manifest

    monkeypatch.setattr(build, "write_segment", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        build_index([corpus_copy], index_dir=tmp_path / "ix")
    after = load_index(tmp_path / "ix")
    assert [c.id for c in after.chunks] == before
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == folders  # the half-written segment was removed


def test_bad_file_is_reported_and_others_indexed(tmp_path, corpus_copy):
    (corpus_copy / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus_copy / "empty.txt").write_bytes(b"")
    report = build_index([corpus_copy], index_dir=tmp_path / "ix")
    failed = {Path(e.path).name: e.code for e in report.errors}
    assert failed == {"broken.pdf": "pdf_damaged", "empty.txt": "empty_file"}
    assert all(isinstance(e, DocumentError) and "«" not in e.message_en for e in report.errors)
    assert len(report.indexed) == 5


def _files_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_add_writes_one_small_segment_and_remove_writes_none(tmp_path, corpus_copy):
    """Adding a document leaves the existing segments untouched (same files) and embeds only its chunks;
    removing one records it as deleted without rewriting any segment."""
    files = sorted(corpus_copy.glob("*.txt"))
    build_index(files[:4], index_dir=tmp_path / "ix", embedder=EMB)
    first = load_index(tmp_path / "ix").segments[0].folder
    state = _files_state(first)
    added = build_index([files[4]], index_dir=tmp_path / "ix", embedder=EMB, add=True)
    assert added.indexed == [files[4].name] and added.segments_written == 1
    loaded = load_index(tmp_path / "ix")
    assert added.embedded_chunks == sum(1 for c in loaded.chunks if c.doc == files[4].name)
    # the first segment is small too, so both were merged into one, from their stored arrays
    assert added.segments_merged == 2 and len(loaded.segments) == 1
    segment = loaded.segments[0].folder
    state = _files_state(segment)
    removed = build_index(None, index_dir=tmp_path / "ix", embedder=EMB, remove=[files[1].name])
    assert removed.segments_written == 0 and removed.segments_merged == 0 and removed.embedded_chunks == 0
    assert _files_state(segment) == state
    after = load_index(tmp_path / "ix")
    assert after.manifest["segments"][0]["deleted"] == [files[1].name]
    assert files[1].name not in {c.doc for c in after.chunks}
    assert files[1].name not in {d.doc for d in duties_of(tmp_path / "ix")} and files[1].name not in after.documents
    assistant = Assistant.load(tmp_path / "ix")
    words = " ".join(load_index(tmp_path / "ix").chunks[0].text.split()[:8])
    assert all(h.chunk.doc != files[1].name for h in assistant.retrieve(words, k=20))


def test_segmented_build_scores_like_one_segment(tmp_path, corpus_copy, monkeypatch):
    """BM25 statistics and dense search span all segments: a build cut into many segments ranks every
    question exactly as a build in one segment."""
    build_index([corpus_copy], index_dir=tmp_path / "one", embedder=EMB)
    monkeypatch.setattr(build, "SEGMENT_CHUNKS", 40)
    monkeypatch.setattr(build, "SMALL_SEGMENT", 0)  # no merging
    report = build_index([corpus_copy], index_dir=tmp_path / "many", embedder=EMB)
    assert report.segments_written >= 4
    one, many = Assistant.load(tmp_path / "one"), Assistant.load(tmp_path / "many")
    assert len(load_index(tmp_path / "many").segments) == report.segments_written
    assert [c.id for c in one.chunks] == [c.id for c in many.chunks]
    for question in ("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", "ban to chuc thanh uy phai lam gi",
                     "Kết luận số 121-KL/TW", "sắp xếp đơn vị sự nghiệp công lập"):
        for mode in ("bm25", "dense", "hybrid"):
            a = [(h.chunk.id, round(h.score, 5)) for h in one.retrieve(question, k=10, retrieval=mode)]
            b = [(h.chunk.id, round(h.score, 5)) for h in many.retrieve(question, k=10, retrieval=mode)]
            assert a == b, (question, mode)
        assert one.ask(question).answer == many.ask(question).answer


def test_removed_segment_is_rewritten_when_mostly_deleted(tmp_path, corpus_copy, monkeypatch):
    monkeypatch.setattr(build, "SMALL_SEGMENT", 0)
    files = sorted(corpus_copy.glob("*.txt"))
    build_index(files, index_dir=tmp_path / "ix", embedder=EMB)
    chunks = {f.name: sum(1 for c in load_index(tmp_path / "ix").chunks if c.doc == f.name) for f in files}
    biggest = sorted(chunks, key=chunks.get, reverse=True)
    share = 0
    removed = []
    for name in biggest:
        removed.append(name)
        share += chunks[name]
        if share > build.MAX_DELETED_SHARE * sum(chunks.values()):
            break
    report = build_index(None, index_dir=tmp_path / "ix", embedder=EMB, remove=removed)
    loaded = load_index(tmp_path / "ix")
    assert report.segments_merged == 1 and report.embedded_chunks == 0
    assert loaded.manifest["segments"][0]["deleted"] == []
    assert loaded.segments[0].size == len(loaded.chunks) == sum(chunks.values()) - share
    assert len([p for p in (tmp_path / "ix").iterdir() if p.name.startswith("seg-")]) == 1  # old one removed


def test_loaded_assistant_keeps_answering_after_its_segments_are_replaced(tmp_path, corpus_copy):
    """A build merges and removes the segments an already loaded assistant reads (the UI's, while the command
    line adds a document): that assistant still answers from what it loaded, and a reload sees the new document."""
    files = sorted(corpus_copy.glob("*.txt"))
    build_index(files[:2], index_dir=tmp_path / "ix", embedder=EMB)
    assistant = Assistant.load(tmp_path / "ix")
    old_segments = {seg.folder for seg in load_index(tmp_path / "ix").segments}
    build_index(files[2:3], index_dir=tmp_path / "ix", embedder=EMB, add=True)
    assert not any(folder.exists() for folder in old_segments)
    question = "Ban Tổ chức Thành ủy có nhiệm vụ gì?"
    before = assistant.ask(question)
    assert before.citations and all(c.doc in {f.name for f in files[:2]} for c in before.citations)
    assert len(list(assistant.chunks)) == sum(1 for _ in assistant.chunks)
    assert files[2].name in Assistant.load(tmp_path / "ix").documents


def test_library_swaps_in_a_new_assistant_after_upload_and_removal(tmp_path, corpus_copy):
    """The Library (which the UI uses) replaces its assistant by one loaded from the new generation; a question
    already holding the old one still gets an answer from the old documents (no mix of old chunks and new
    retriever)."""
    from ui.service import UIService

    files = sorted(corpus_copy.glob("*.txt"))
    build_index(files[:2], index_dir=tmp_path / "ix", embedder=EMB)
    service = UIService(Library(tmp_path / "ix", upload_dir=tmp_path / "up"))
    old = service.assistant
    report = service.add_files([str(files[2])])
    assert f"Đã thêm «{files[2].name}»" in report
    assert service.assistant is not old and files[2].name in service.assistant.documents
    assert files[2].name not in old.documents
    answer = old.ask("Ban Tổ chức Thành ủy có nhiệm vụ gì?")
    assert answer.citations and {c.doc for c in answer.citations} <= {f.name for f in files[:2]}
    added = service.assistant
    assert service.remove_document(files[0].name).startswith("✅")
    assert service.assistant is not added and files[0].name not in service.assistant.documents
    assert files[0].name in added.documents


def test_parallel_parsing_yields_every_file_in_order_with_a_short_look_ahead(tmp_path):
    """Files parsed in worker processes, at most 3 ahead of the reader: the same documents, in the same order, as
    parsing them here; a bad file is reported in its place."""
    from tools.gencorpus import make_corpus

    from rag.documents.ingest import content_hash

    paths = make_corpus(build.PARALLEL_MIN_FILES + 2, tmp_path / "docs", seed=5)
    bad = tmp_path / "docs" / "zz-empty.txt"
    bad.write_bytes(b"")
    files = [(p, content_hash(p)) for p in [*paths[:4], bad, *paths[4:]]]
    serial = [build.parse_file(p, digest, (TABLE,)) for p, digest in files]
    parallel = list(build._parse_all(files, (TABLE,), workers=2, ahead=3))
    assert len(parallel) == len(files)
    for mine, theirs in zip(parallel, serial):
        if isinstance(theirs, DocumentError):
            assert (mine.code, mine.path) == (theirs.code, theirs.path) and "zz-empty.txt" in mine.path
        else:
            assert mine.name == theirs.name
            assert [c.text for c in mine.chunks] == [c.text for c in theirs.chunks]
            assert mine.tables == theirs.tables and mine.entry == theirs.entry
            assert mine.tables["duties"], "the duty rows are made in the worker"
