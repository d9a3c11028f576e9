"""The same corpus as .txt, .pdf and .docx must score the same: hit@5 and fact coverage within 0.03.

Renders every corpus file with `tests/support/render.py`, builds an index over each rendering in a tmp folder (default
embedder), runs the dev test set through each, and checks that PDF citations carry page numbers. Slow: the
first build embeds the whole corpus with the real embedder (several minutes on these machines).
"""

from pathlib import Path

import pytest

from rag.evaluation.runner import run_eval
from rag.evaluation.testset import load_testset
from tests.support.render import render_docx, render_pdf

pytestmark = pytest.mark.slow  # builds indexes with the real embedder: minutes

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "corpus").glob("*.txt"))
TESTSET = ROOT / "eval" / "dev.jsonl"
TOLERANCE = 0.03
META_SECTION = "Thông tin văn bản"


def _run(paths: list[Path], index_dir: Path, embedder) -> dict:
    from rag import Assistant, Library

    report = Library(index_dir, embedder=embedder).build(paths)
    assert not report.errors, report.errors
    assert sorted(report.indexed) == sorted(p.name for p in paths)
    assistant = Assistant.load(index_dir, embedder=embedder)
    return run_eval(assistant, load_testset(TESTSET), k=5, progress=False)["systems"]["full"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    from rag.search.embedders import load_embedder

    embedder = load_embedder()
    # One index folder rebuilt per format: each build replaces the document set, and chunks whose text was
    # embedded before are not embedded again, so the PDF and DOCX builds cost parsing, not embedding.
    index_dir = tmp_path_factory.mktemp("index")
    out: dict[str, dict] = {"txt": _run(CORPUS, index_dir, embedder)}
    for kind, render in (("pdf", render_pdf), ("docx", render_docx)):
        folder = tmp_path_factory.mktemp(f"docs-{kind}")
        paths = []
        for txt in CORPUS:
            target = folder / f"{txt.stem}.{kind}"
            render(txt, target)
            paths.append(target)
        out[kind] = _run(paths, index_dir, embedder)
        assert {Path(q["doc"]).suffix for r in out[kind]["questions"] for q in r["retrieved"]} == {f".{kind}"}
    return out


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_scores_match_plain_text(runs, kind):
    base, other = runs["txt"]["overall"], runs[kind]["overall"]
    for key, field in (("hit@5", "hit"), ("fact_coverage", "fact_coverage")):
        differ = [q["id"] for q, t in zip(runs[kind]["questions"], runs["txt"]["questions"]) if q[field] != t[field]]
        assert abs(other[key] - base[key]) <= TOLERANCE, (
            f"{kind} {key} = {other[key]:.3f}, txt = {base[key]:.3f}; questions that differ: {', '.join(differ)}"
        )


def test_pdf_citations_carry_pages(runs):
    # the document-information chunk ("Thông tin văn bản": number, signer, recipients) describes the whole file
    citations = [c for q in runs["pdf"]["questions"] for c in q["citations"] if c["section"] != META_SECTION]
    assert citations, "the PDF run cited nothing"
    without = [c for c in citations if not c.get("page")]
    assert not without, f"{len(without)} of {len(citations)} PDF citations have no page, e.g. {without[0]}"
    txt_citations = [c for q in runs["txt"]["questions"] for c in q["citations"]]
    assert all(c.get("page") is None for c in txt_citations)
