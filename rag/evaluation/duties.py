"""Scoring duty extraction against a hand-labelled gold list (`rag duties-eval`): precision, recall and F1 of
(document, unit, due date) pairs, as plain functions over plain values."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from ..duties.model import Duty
from ..text.normalize import match_key


def _unit_key(unit: str | None) -> str:
    return match_key(unicodedata.normalize("NFC", unit)) if unit else ""


def duty_pairs(duties: list[Duty]) -> set[tuple[str, str, str | None]]:
    """(doc, unit key, due ISO) for every unit of every duty; "" as unit for duties without one."""
    pairs: set[tuple[str, str, str | None]] = set()
    for duty in duties:
        due = duty.due.isoformat() if duty.due else None
        for unit in duty.units or [""]:
            pairs.add((duty.doc, _unit_key(unit), due))
    return pairs


def score_duties(duties: list[Duty], gold: list[dict]) -> dict:
    """Precision, recall and F1 of extracted (doc, canonical unit, due date) pairs against a gold list.

    Only documents present in the gold list are scored. Returns counts and the unmatched pairs for inspection.
    """
    gold_pairs = {(g["doc"], _unit_key(g.get("unit")), g.get("deadline")) for g in gold}
    docs = {g["doc"] for g in gold}
    predicted = {p for p in duty_pairs(duties) if p[0] in docs}
    tp = len(predicted & gold_pairs)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold_pairs) if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision, "recall": recall, "f1": f1, "true_positive": tp,
        "predicted": len(predicted), "gold": len(gold_pairs),
        "false_positive": sorted(predicted - gold_pairs, key=str), "false_negative": sorted(gold_pairs - predicted, key=str),
    }


def load_gold(path: str | Path) -> list[dict]:
    """Read a JSONL gold list (one duty per line)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows
