"""Choose the abstention thresholds on a test set instead of guessing them.

For every question that the duty table does not answer, we record the two abstention signals of the retrieval
answer (best cosine, question-content coverage of the top passages) and grid-search the pair of thresholds that
maximises abstention accuracy, breaking ties towards answering (fewer false refusals).
Run: `python -m rag.evaluation.abstention --index index --testset eval/dev.jsonl`.
"""

from __future__ import annotations

import argparse
import logging

from ..answering.answer import AbstainPolicy, should_abstain
from .testset import load_testset

log = logging.getLogger(__name__)


def collect_signals(assistant, testset, *, k: int = 5) -> list[dict]:
    """(answerable, cosine, coverage) for each question answered by retrieval (not by the duty table)."""
    rows = []
    for case in testset:
        answer = assistant.ask(case.question, k=k)
        if answer.mode == "duties":
            continue
        question = assistant.read(case.question)
        hits = assistant.retrieve(question, k=k)
        _, signals = should_abstain(question, hits, AbstainPolicy())
        rows.append({"id": case.id, "answerable": case.answerable, **signals})
    return rows


def choose_thresholds(rows: list[dict]) -> tuple[AbstainPolicy, float]:
    """Grid-search (min_cosine, min_coverage) maximising abstention accuracy; ties go to the laxer policy."""
    best: tuple[float, float, float] | None = None
    for cos_step in range(70, 93):
        min_cos = cos_step / 100
        for cov_step in range(20, 95, 5):
            min_cov = cov_step / 100
            correct = sum((r["cosine"] < min_cos or r["coverage"] < min_cov or r["quantity_missing"] > 0)
                          != r["answerable"] for r in rows)
            accuracy = correct / max(len(rows), 1)
            key = (accuracy, -min_cos, -min_cov)
            if best is None or key > (best[0], -best[1], -best[2]):
                best = (accuracy, min_cos, min_cov)
    assert best is not None
    return AbstainPolicy(min_cosine=best[1], min_coverage=best[2]), best[0]


def main(argv: list[str] | None = None) -> int:
    """Print the signals and the chosen thresholds."""
    from ..answering.assistant import Assistant

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index")
    parser.add_argument("--testset", default="eval/dev.jsonl")
    args = parser.parse_args(argv)
    assistant = Assistant.load(args.index)
    rows = collect_signals(assistant, load_testset(args.testset))
    for row in sorted(rows, key=lambda r: r["coverage"]):
        print(f"{row['id']:<22} answerable={row['answerable']!s:<5} cosine={row['cosine']:.3f} coverage={row['coverage']:.3f}")
    policy, accuracy = choose_thresholds(rows)
    print(f"chosen: min_cosine={policy.min_cosine:.2f} min_coverage={policy.min_coverage:.2f} "
          f"(abstention accuracy on retrieval-answered questions {accuracy:.3f}, n={len(rows)})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
