"""The test set file: loader errors name file and line; the dev set's quotes exist in their documents."""

import json
from collections import Counter
from pathlib import Path

import pytest

from rag.evaluation.testset import TestsetError, doc_stem, load_testset
from rag.text.normalize import contains

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "eval" / "dev.jsonl"
TEST = ROOT / "eval" / "test.jsonl"
CORPUS = ROOT / "corpus"

GOOD = {"id": "q1", "question": "Ai ký?", "answerable": True, "facts": ["Đỗ Mạnh Hiến"],
        "evidence": [{"doc": "a.txt", "quote": "Đỗ Mạnh Hiến"}], "tags": ["meta"]}


def _write(tmp_path, lines):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_good_file(tmp_path):
    path = _write(tmp_path, [json.dumps(GOOD, ensure_ascii=False), "",
                             json.dumps(GOOD | {"id": "q2", "answerable": False, "facts": [], "evidence": []})])
    cases = load_testset(path)
    assert [c.id for c in cases] == ["q1", "q2"]
    assert cases[0].evidence[0].doc_stem == "a"
    assert cases[0].to_dict() == GOOD


@pytest.mark.parametrize("line, problem", [
    ("{not json", "invalid JSON"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "facts"}), "missing field 'facts'"),
    (json.dumps(GOOD | {"answerable": "yes"}), "field 'answerable' must be bool"),
    (json.dumps(GOOD | {"facts": "31/8/2025"}), "field 'facts' must be list"),
    (json.dumps(GOOD | {"evidence": [{"doc": "a.txt"}]}), "evidence[0] must be an object with non-empty 'doc' and 'quote'"),
    (json.dumps(GOOD | {"tags": [1]}), "tags[0]"),
    (json.dumps(GOOD | {"answerable": False}), "unanswerable question must have empty"),
    (json.dumps([1, 2]), "expected a JSON object"),
])
def test_malformed_line_names_file_and_line(tmp_path, line, problem):
    path = _write(tmp_path, [json.dumps(GOOD), line])
    with pytest.raises(TestsetError) as info:
        load_testset(path)
    assert info.value.line == 2
    assert str(info.value).startswith(f"{path}:2: ")
    assert problem in str(info.value)
    assert info.value.code.startswith("testset_") and info.value.message_vi.startswith(f"{path}:2: ")


def test_duplicate_id_and_missing_file(tmp_path):
    path = _write(tmp_path, [json.dumps(GOOD), json.dumps(GOOD)])
    with pytest.raises(TestsetError, match="duplicate id 'q1'"):
        load_testset(path)
    with pytest.raises(TestsetError, match="file not found"):
        load_testset(tmp_path / "nope.jsonl")


def test_doc_stem_matches_formats():
    assert doc_stem("corpus/x.txt") == doc_stem("x.pdf") == doc_stem("X.docx") == "x"


# --- the dev test set ----------------------------------------------------------------------------------

def _corpus_text() -> dict[str, str]:
    return {p.stem: " ".join(p.read_text(encoding="utf-8").splitlines()) for p in CORPUS.glob("*.txt")}


@pytest.mark.parametrize("path", [DEV, TEST], ids=["dev", "test"])
def test_quotes_and_facts_are_in_their_documents(path):
    docs = _corpus_text()
    for case in load_testset(path):
        for ev in case.evidence:
            assert ev.doc_stem in docs, f"{case.id}: unknown document {ev.doc}"
            assert contains(docs[ev.doc_stem], ev.quote), f"{case.id}: quote not found in {ev.doc}: {ev.quote}"
        for fact in case.facts:
            assert any(contains(docs[ev.doc_stem], fact) for ev in case.evidence), f"{case.id}: fact {fact!r}"


def test_coverage_of_the_question_kinds():
    dev, test = load_testset(DEV), load_testset(TEST)
    cases = dev + test
    assert len(cases) >= 250 and len(test) >= 100
    assert not {c.id for c in dev} & {c.id for c in test}, "a question is in both splits"
    tags = Counter(t for c in cases for t in c.tags)
    kinds = ("unit place level document-ref abbreviation follow-up window recurring fact-number fact-date signer "
             "yes-no list-docs compare multi-part vague no-accent typo unanswerable-near-topic out-of-domain").split()
    for tag in kinds:
        assert tags[tag] >= 10 or (tag == "out-of-domain" and tags[tag] >= 6), (tag, tags[tag])
    assert tags["unanswerable-near-topic"] >= 30
    assert {doc_stem(e.doc) for c in cases for e in c.evidence} == set(_corpus_text())
    for c in cases:
        assert ("unanswerable" in c.tags) == (not c.answerable), c.id
        if "multi-doc" in c.tags or "compare" in c.tags and c.answerable:
            assert len({e.doc_stem for e in c.evidence}) >= 1, c.id
        if "no-accent" in c.tags:
            assert c.question.isascii(), c.id
        if "follow-up" in c.tags:
            assert c.history, c.id
        if "yes-no" in c.tags:
            assert c.verdict in ("có", "không", "không nêu"), c.id
