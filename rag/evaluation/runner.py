"""Run the test set through an assistant (and baselines) and compute per-question, overall and per-tag metrics.

`run_eval(assistant, testset)` asks every question, times `ask`, retrieves the top chunks, and scores:
retrieval (hit@k, recall@k, MRR, nDCG@10; a chunk is relevant when it comes from an evidence document and
contains that evidence quote), answers (fact coverage), citations (precision, recall) and abstention. With
`baselines=True` the same questions also run through BM25 only, dense only, and fixed-size 1000/200 chunks.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from ..text.normalize import fold, match_key
from . import metrics
from .testset import TestCase, doc_stem

log = logging.getLogger(__name__)

NDCG_K = 10
FULL = "full"
SYSTEMS = {
    FULL: "Full system (hybrid, structure-aware chunks, duty table)",
    "noduty": "Ablation: full system without the duty table",
    "bm25": "Baseline: BM25 only (no duty table)",
    "dense": "Baseline: dense only (no duty table)",
    "fixed": "Baseline: fixed-size chunks 1000/200 (hybrid, no duty table)",
}


# Why a question failed: code -> (Vietnamese, English); "{}" is the detail (missing facts, k, the error).
FAILURES: dict[str, tuple[str, str]] = {
    "abstained_answerable": ("từ chối trả lời dù văn bản có thông tin", "abstained on an answerable question"),
    "answered_unanswerable": ("trả lời câu hỏi mà văn bản không nêu", "answered a question the corpus cannot answer"),
    "missing_facts": ("câu trả lời thiếu ý: {}", "missing facts: {}"),
    "no_evidence_retrieved": ("không tìm thấy đoạn bằng chứng trong {} đoạn đầu", "no evidence passage in the top {} retrieved"),
    "evidence_not_cited": ("chưa trích dẫn đoạn bằng chứng: {}", "evidence not cited: {}"),
    "wrong_verdict": ("câu trả lời không mở đầu bằng «{}»", "the answer does not open with the verdict «{}»"),
    "ask_error": ("lỗi khi trả lời câu hỏi", "error in ask: {}"),
    "retrieve_error": ("lỗi khi tìm đoạn văn", "error in retrieve: {}"),
}


def opens_with_verdict(answer: str, verdict: str) -> bool:
    """Does a yes/no answer open with its verdict, "Có.", "Không." or "Văn bản không nêu" followed by punctuation
    or the end of the line? ("Có thể ..." does not count: it is not a verdict.)"""
    first = fold(answer.split("\n", 1)[0]).strip()
    wanted = {"có": "co", "không": "khong", "không nêu": "van ban khong neu"}[verdict]
    return re.match(rf"{wanted}\s*(?:[.,:;!—–-]|$)", first) is not None


def failure(code: str, detail: str = "") -> dict:
    """One failure reason of a question, as stored in the results."""
    return {"code": code, "detail": detail}


def failure_text(item: dict, *, language: str = "en") -> str:
    """A failure reason in English (reports) or Vietnamese (`language="vi"`, the UI)."""
    template = FAILURES[item["code"]][0 if language == "vi" else 1]
    return template.format(item.get("detail", ""))


class _Keyed:
    """A text with its match key computed once (`contains` semantics without re-normalising per quote)."""

    __slots__ = ("key",)

    def __init__(self, text: str):
        self.key = f" {match_key(text)} "

    def has(self, needle_key: str) -> bool:
        return bool(needle_key) and f" {needle_key} " in self.key


def evidence_found(doc: str, text: str | _Keyed, case: TestCase) -> set[int]:
    """Indices of the case's evidence items that a passage of `doc` contains (document matched by file stem)."""
    keyed = text if isinstance(text, _Keyed) else _Keyed(text)
    stem = doc_stem(doc)
    return {i for i, ev in enumerate(case.evidence) if ev.doc_stem == stem and keyed.has(match_key(ev.quote))}


def _count_relevant(chunks: list, keyed: dict[str, _Keyed], case: TestCase) -> int:
    return sum(1 for chunk in chunks if evidence_found(chunk.doc, keyed[chunk.id], case))


def evaluate_case(assistant: Any, case: TestCase, *, k: int = 5, retrieval: str = "hybrid",
                  keyed_chunks: dict[str, _Keyed] | None = None, ndcg_k: int = NDCG_K, use_duties: bool = True) -> dict:
    """Ask one question and retrieve for it; return a plain dict of the results and the per-question metrics."""
    record: dict[str, Any] = {
        "id": case.id, "question": case.question, "tags": list(case.tags), "answerable": case.answerable,
        "facts": list(case.facts), "evidence": [{"doc": e.doc, "quote": e.quote} for e in case.evidence],
        "failures": [],
    }
    quotes = [e.quote for e in case.evidence]
    extra = {} if use_duties else {"use_duties": False}  # baselines answer by retrieval alone
    if case.as_of:
        extra["as_of"] = date.fromisoformat(case.as_of)
    # Answer (timed), after the earlier questions of its conversation.
    try:
        conversation = None
        for earlier in case.history:
            conversation = assistant.ask(earlier, k=k, retrieval=retrieval, conversation=conversation,
                                         **extra).conversation
        if conversation is not None:
            extra["conversation"] = conversation
        question = assistant.read(case.question, **{key: v for key, v in extra.items() if key != "use_duties"})
        started = time.perf_counter()
        answer = assistant.ask(question, k=k, retrieval=retrieval, **extra)
        record["latency_ms"] = (time.perf_counter() - started) * 1000
    except Exception as exc:  # one broken question must not stop the run
        log.exception("ask failed for %s", case.id)
        record.update(latency_ms=None, answer="", abstained=False, citations=[], error=repr(exc))
        record["failures"].append(failure("ask_error", repr(exc)))
        answer = None
        question = case.question
    if answer is not None:
        record["answer"] = answer.answer
        record["abstained"] = bool(answer.abstained)
        record["citations"] = [
            {"n": c.n, "doc": c.doc, "section": c.section, "page": c.page, "text": c.text} for c in answer.citations
        ]
    cited_texts = [c["text"] for c in record["citations"]]
    # Retrieval.
    depth = max(k, ndcg_k)
    try:
        hits = assistant.retrieve(question, k=depth, retrieval=retrieval)
    except Exception as exc:
        log.exception("retrieve failed for %s", case.id)
        hits = []
        record["failures"].append(failure("retrieve_error", repr(exc)))
    found = [evidence_found(h.chunk.doc, (keyed_chunks or {}).get(h.chunk.id) or h.chunk.text, case) for h in hits]
    relevance = [bool(f) for f in found]
    record["retrieved"] = [
        {"doc": h.chunk.doc, "section": h.chunk.section, "score": round(float(h.score), 6), "relevant": rel}
        for h, rel in zip(hits, relevance)
    ]
    answered = not record["abstained"]
    record["abstention_correct"] = record["abstained"] == (not case.answerable)
    if case.answerable and case.evidence:
        n_relevant = None
        if keyed_chunks is not None:
            n_relevant = max(_count_relevant(assistant.chunks, keyed_chunks, case), sum(relevance[:ndcg_k]))
        record["hit"] = metrics.hit_at_k(relevance, k)
        record["recall"] = metrics.recall_at_k(found, len(case.evidence), k)
        record["mrr"] = metrics.mrr(relevance)
        record["ndcg"] = metrics.ndcg_at_k(relevance, ndcg_k, n_relevant)
    else:
        record.update(hit=None, recall=None, mrr=None, ndcg=None)
    if case.answerable:
        text = record["answer"] if answered else ""
        record["fact_coverage"] = metrics.fact_coverage(text, case.facts)
        record["missing_facts"] = metrics.missing_facts(text, case.facts)
        record["citation_precision"] = metrics.citation_precision(cited_texts, quotes, case.facts) if answered else None
        record["citation_recall"] = metrics.citation_recall(cited_texts if answered else [], quotes)
        if not answered:
            record["failures"].append(failure("abstained_answerable"))
        if record["missing_facts"] and answered:
            record["failures"].append(failure("missing_facts", "; ".join(record["missing_facts"])))
        record["verdict_correct"] = None if not case.verdict else answered and opens_with_verdict(text, case.verdict)
        if record["verdict_correct"] is False:
            record["failures"].append(failure("wrong_verdict", case.verdict))
        record["complete"] = float(answered and not record["missing_facts"] and record["verdict_correct"] is not False)
        if record["hit"] == 0.0:
            record["failures"].append(failure("no_evidence_retrieved", str(k)))
        if record["citation_recall"] is not None and record["citation_recall"] < 1 and answered:
            uncited = [q for q in quotes if metrics.citation_recall(cited_texts, [q]) == 0]
            record["failures"].append(failure("evidence_not_cited", "; ".join(uncited)))
    else:
        record.update(fact_coverage=None, missing_facts=[], citation_precision=None, citation_recall=None,
                      verdict_correct=None, complete=float(not answered))
        if answered:
            record["failures"].append(failure("answered_unanswerable"))
    record["failed"] = bool(record["failures"])
    return record


def summarize(records: list[dict], *, k: int = 5, ndcg_k: int = NDCG_K) -> dict:
    """Aggregate per-question records into one row of metrics (means skip questions where a metric is undefined)."""
    pairs = [(r["abstained"], r["answerable"]) for r in records]
    precision, recall = metrics.abstention_precision_recall(pairs)
    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    return {
        "n": len(records),
        "n_answerable": sum(1 for r in records if r["answerable"]),
        "n_unanswerable": sum(1 for r in records if not r["answerable"]),
        f"hit@{k}": metrics.mean(r["hit"] for r in records),
        f"recall@{k}": metrics.mean(r["recall"] for r in records),
        "mrr": metrics.mean(r["mrr"] for r in records),
        f"ndcg@{ndcg_k}": metrics.mean(r["ndcg"] for r in records),
        "complete": metrics.mean(r["complete"] for r in records),
        "answerable_refused": metrics.mean(float(r["abstained"]) for r in records if r["answerable"]),
        "fact_coverage": metrics.mean(r["fact_coverage"] for r in records),
        "citation_precision": metrics.mean(r["citation_precision"] for r in records),
        "citation_recall": metrics.mean(r["citation_recall"] for r in records),
        "abstention_precision": precision,
        "abstention_recall": recall,
        "abstention_accuracy": metrics.abstention_accuracy(pairs),
        "all_correct": metrics.mean(0.0 if r["failed"] else 1.0 for r in records),
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
    }


def by_tag(records: list[dict], *, k: int = 5, ndcg_k: int = NDCG_K) -> dict[str, dict]:
    """`summarize` for each tag (a question with several tags counts in each), plus `answerable`/`unanswerable`."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        for tag in record["tags"]:
            groups.setdefault(tag, []).append(record)
        groups.setdefault("answerable" if record["answerable"] else "(not answerable)", []).append(record)
    return {tag: summarize(groups[tag], k=k, ndcg_k=ndcg_k) for tag in sorted(groups)}


def _document_paths(assistant: Any, documents: Iterable[str | Path] | None) -> list[Path]:
    """Files behind the assistant's index, for the fixed-size baseline: given explicitly, else from index metadata."""
    from ..documents.ingest import collect_files

    if documents:
        return collect_files(list(documents))
    for holder in (assistant, getattr(assistant, "index", None)):
        docs = getattr(holder, "documents", None) if holder is not None else None
        if isinstance(docs, dict):
            paths = [Path(d["path"]) for d in docs.values() if isinstance(d, dict) and d.get("path")]
            if paths and all(p.exists() for p in paths):
                return paths
    return collect_files(["corpus"])


def fixed_size_assistant(assistant: Any, documents: Iterable[str | Path] | None = None) -> Any:
    """An in-memory assistant over 1000-character chunks (200 overlap) of each document's plain text."""
    from ..answering.assistant import Assistant
    from ..documents.chunking import fixed_size_chunks
    from ..documents.ingest import load_document

    chunks = []
    for path in _document_paths(assistant, documents):
        parsed = load_document(path)
        text = " ".join(line.text for line in parsed.raw.lines)
        chunks.extend(fixed_size_chunks(path.name, parsed.meta.display_title, text, size=1000, overlap=200))
    log.info("fixed-size baseline: %d chunks", len(chunks))
    return Assistant.from_chunks(chunks, embedder=assistant.embedder)


def run_eval(assistant: Any, testset: list[TestCase], *, k: int = 5, progress: bool = True, baselines: bool = False,
             documents: Iterable[str | Path] | None = None, ndcg_k: int = NDCG_K) -> dict:
    """Evaluate `assistant` on `testset`; with `baselines`, also BM25 only, dense only and fixed-size chunks.

    Returns a plain dict: `meta` (settings, timing), and for each system under `systems`: `label`, `overall`,
    `by_tag` and `questions` (per-question records with the answer, citations and failure reasons).
    `documents` (files or folders) feeds the fixed-size baseline; by default the files recorded in the index.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    plan: list[tuple[str, Any, str, bool]] = [(FULL, assistant, "hybrid", True)]
    if baselines:
        plan += [("noduty", assistant, "hybrid", False), ("bm25", assistant, "bm25", False),
                 ("dense", assistant, "dense", False)]
        plan.append(("fixed", fixed_size_assistant(assistant, documents), "hybrid", False))
    result: dict[str, Any] = {
        "meta": {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "n_questions": len(testset), "k": k, "ndcg_k": ndcg_k, "baselines": baselines,
        },
        "systems": {},
    }
    bar = tqdm(total=len(plan) * len(testset), disable=not progress, unit="q", desc="eval")
    for name, system, mode, use_duties in plan:
        bar.set_description(f"eval {name}")
        keyed = {c.id: _Keyed(c.text) for c in getattr(system, "chunks", None) or []} or None
        records = []
        for case in testset:
            records.append(evaluate_case(system, case, k=k, retrieval=mode, keyed_chunks=keyed, ndcg_k=ndcg_k,
                                         use_duties=use_duties))
            bar.update(1)
        result["systems"][name] = {
            "label": SYSTEMS[name], "retrieval": mode, "chunks": len(getattr(system, "chunks", None) or []),
            "overall": summarize(records, k=k, ndcg_k=ndcg_k), "by_tag": by_tag(records, k=k, ndcg_k=ndcg_k),
            "questions": records,
        }
    bar.close()
    result["meta"]["elapsed_s"] = round(time.perf_counter() - started, 2)
    return result
