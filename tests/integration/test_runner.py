"""The runner's arithmetic and the reports, on a tiny fake assistant (no index, no embedder)."""

import json
from types import SimpleNamespace

import pytest

from rag.evaluation.report import format_summary, render_markdown, write_report
from rag.evaluation.runner import opens_with_verdict, run_eval, summarize
from rag.evaluation.testset import Evidence, TestCase
from rag.answering.models import Answer, Citation
from rag.documents.models import Chunk

CHUNKS = [
    Chunk(id="a#0", doc="a.txt", doc_title="A", section="5. Giao Ban Tổ chức Thành ủy",
          text="(1) Bổ sung cán bộ lãnh đạo cho cấp xã (hoàn thành trước ngày 31/8/2025)."),
    Chunk(id="a#1", doc="a.txt", doc_title="A", section="9.", text="Văn phòng Thành ủy định kỳ báo cáo."),
    Chunk(id="b#0", doc="b.pdf", doc_title="B", section="1.", text="Ban Tổ chức Tỉnh ủy định kỳ báo cáo Ban Thường vụ."),
    Chunk(id="c#0", doc="c.txt", doc_title="C", section="1.", text="Một đoạn không liên quan."),
]
BY_ID = {c.id: c for c in CHUNKS}

CASES = [
    TestCase("q1", "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", True, ["31/8/2025", "bổ sung cán bộ lãnh đạo"],
             [Evidence("a.txt", "bổ sung cán bộ lãnh đạo cho cấp xã")], ["unit", "deadline"]),
    # evidence in b.docx: matched by stem with the indexed b.pdf
    TestCase("q2", "ban to chuc tinh uy lam gi", True, ["định kỳ báo cáo"],
             [Evidence("b.docx", "Ban Tổ chức Tỉnh ủy định kỳ báo cáo")], ["no-accent"]),
    TestCase("q3", "Quảng Ninh?", False, [], [], ["unanswerable"]),
    TestCase("q4", "Ngân sách?", False, [], [], ["unanswerable"]),
]

# question id -> (ranked chunk ids, answer text, cited chunk ids, abstained)
SCRIPT = {
    "q1": (["c#0", "a#0", "a#1"], "Bổ sung cán bộ lãnh đạo cho cấp xã, trước ngày 31/8/2025 [1].", ["a#0", "a#1"], False),
    "q2": (["c#0", "a#1", "a#0"], "Không tìm thấy.", [], True),  # evidence not retrieved, abstained wrongly
    "q3": (["c#0"], "Không có thông tin.", [], True),  # right abstention
    "q4": (["c#0"], "Văn phòng Thành ủy định kỳ báo cáo [1].", ["a#1"], False),  # should have abstained
}


class FakeAssistant:
    chunks = CHUNKS
    embedder = None

    def __init__(self):
        self.modes = []
        self.duty_flags = []

    def _case(self, question):
        return next(c.id for c in CASES if c.question == question)

    def read(self, question):  # the runner reads each question once and passes it to ask and retrieve
        return question

    def retrieve(self, question, *, k=10, retrieval="hybrid"):
        ranked, *_ = SCRIPT[self._case(question)]
        return [SimpleNamespace(chunk=BY_ID[i], score=1.0 / (r + 1)) for r, i in enumerate(ranked[:k])]

    def ask(self, question, *, k=5, retrieval="hybrid", use_duties=True):
        self.modes.append(retrieval)
        self.duty_flags.append(use_duties)
        _, text, cited, abstained = SCRIPT[self._case(question)]
        citations = [Citation(n=n, chunk_id=i, doc=BY_ID[i].doc, title="", section=BY_ID[i].section, page=None,
                              text=BY_ID[i].text, score=0.5) for n, i in enumerate(cited, 1)]
        return Answer(question=question, answer=text, abstained=abstained, citations=citations)


@pytest.fixture(scope="module")
def result():
    return run_eval(FakeAssistant(), CASES, k=5, progress=False)


def test_per_question(result):
    q = {r["id"]: r for r in result["systems"]["full"]["questions"]}
    # complete: every fact stated (q1); an answerable question refused (q2) or an unanswerable one answered (q4) is not
    assert [q[i]["complete"] for i in ("q1", "q2", "q3", "q4")] == [1.0, 0.0, 1.0, 0.0]
    assert q["q1"]["hit"] == 1.0 and q["q1"]["mrr"] == 0.5 and q["q1"]["recall"] == 1.0
    assert q["q1"]["ndcg"] == pytest.approx(1 / 1.5849625, rel=1e-6)  # relevant at rank 2, one relevant chunk
    assert q["q1"]["fact_coverage"] == 1.0
    assert q["q1"]["citation_precision"] == 0.5  # a#1 holds neither quote nor fact
    assert q["q1"]["citation_recall"] == 1.0
    assert not q["q1"]["failed"]
    assert q["q2"]["hit"] == 0.0 and q["q2"]["mrr"] == 0.0
    assert q["q2"]["fact_coverage"] == 0.0 and q["q2"]["citation_recall"] == 0.0
    assert q["q2"]["failed"] and any(f["code"] == "abstained_answerable" for f in q["q2"]["failures"])
    assert q["q3"]["abstention_correct"] and not q["q3"]["failed"]
    assert q["q4"]["failed"] and q["q4"]["hit"] is None and q["q4"]["fact_coverage"] is None


def test_overall_and_tags(result):
    overall = result["systems"]["full"]["overall"]
    assert overall["n"] == 4 and overall["n_answerable"] == 2
    assert overall["hit@5"] == 0.5
    assert overall["mrr"] == 0.25
    assert overall["fact_coverage"] == 0.5
    assert overall["citation_precision"] == 0.5  # only q1 answered with citations
    assert overall["citation_recall"] == 0.5
    assert overall["abstention_precision"] == 0.5  # abstained on q2 (wrong) and q3 (right)
    assert overall["abstention_recall"] == 0.5  # q3 yes, q4 no
    assert overall["abstention_accuracy"] == 0.5
    assert overall["all_correct"] == 0.5
    assert overall["latency_p50_ms"] is not None
    tags = result["systems"]["full"]["by_tag"]
    assert tags["unit"]["hit@5"] == 1.0 and tags["no-accent"]["hit@5"] == 0.0
    assert tags["unanswerable"]["abstention_accuracy"] == 0.5


def test_bm25_and_dense_baselines_use_the_retrieval_mode(monkeypatch):
    import rag.evaluation.runner as runner

    fake = FakeAssistant()
    monkeypatch.setattr(runner, "fixed_size_assistant", lambda assistant, documents=None: FakeAssistant())
    out = run_eval(fake, CASES, progress=False, baselines=True)
    assert list(out["systems"]) == ["full", "noduty", "bm25", "dense", "fixed"]
    assert set(fake.modes) == {"hybrid", "bm25", "dense"}
    # only the full system uses the duty table; the ablation and the baselines answer by retrieval alone
    assert fake.duty_flags == [True] * len(CASES) + [False] * (3 * len(CASES))


def test_summarize_empty_metrics():
    record = {"abstained": True, "answerable": False, "hit": None, "recall": None, "mrr": None, "ndcg": None,
              "fact_coverage": None, "citation_precision": None, "citation_recall": None, "failed": False,
              "latency_ms": 3.0, "tags": [], "complete": 1.0}
    row = summarize([record])
    assert row["hit@5"] is None and row["abstention_accuracy"] == 1.0 and row["abstention_recall"] == 1.0
    assert row["complete"] == 1.0 and row["answerable_refused"] is None


def test_reports(result, tmp_path):
    result = dict(result, meta=dict(result["meta"], testset="t.jsonl", index="idx"))
    paths = write_report(result, tmp_path)
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["meta"]["n_questions"] == 4
    md = paths["md"].read_text(encoding="utf-8")
    assert md.index("## Summary") < md.index("## By tag") < md.index("## Failures") < md.index("## Passed")
    assert "### q2" in md and "expected evidence: `b.docx`" in md
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"
    table = format_summary(result)
    assert table.splitlines()[0].split()[:3] == ["system", "n", "hit@5"]
    assert "full" in table
    assert render_markdown(result).startswith("# Evaluation report")


def test_yes_no_answers_open_with_their_verdict():
    assert opens_with_verdict("Có. Theo Công văn ... [1]", "có")
    assert opens_with_verdict("Không — văn bản giao việc này cho Ban Tổ chức Thành ủy [1]", "không")
    assert opens_with_verdict("Văn bản không nêu.\nCác đoạn gần nhất: ...", "không nêu")
    assert not opens_with_verdict("Có thể tham khảo ...", "có")
    assert not opens_with_verdict("Không. ...", "có") and not opens_with_verdict("Theo Công văn ...", "không")
