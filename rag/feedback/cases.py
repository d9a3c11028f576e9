"""Test cases made from feedback: the official writes the facts a right answer states and picks the passage it
rests on; the case joins the user test set, a JSONL file in the format of eval/*.jsonl (`rag eval --testset`, the
Đánh giá tab). Each case is validated by the test set reader before it is written, so the file always loads."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import MESSAGES, InputError
from ..evaluation.testset import load_testset, parse_case

QUOTE_CHARS = 200  # evidence quotes: the passage's first 200 characters (cut at a word), enough to find it again


def _quote(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0]


def make_case(feedback, *, facts: list[str], evidence: list[dict], answerable: bool = True) -> dict:
    """The test case (a dict in the eval/ format) from one feedback record, the expected facts and the passages
    ({"doc", "text"}) a right answer rests on. Raises `InputError` when a case with an answer has no fact and no
    passage, or a case without one has some."""
    facts = [f.strip() for f in facts if f and f.strip()]
    case = {
        "id": f"fb-{feedback.id}",
        "question": feedback.question,
        "answerable": bool(answerable),
        "facts": facts if answerable else [],
        "evidence": [{"doc": e["doc"], "quote": _quote(e["text"])} for e in evidence if e.get("text")]
        if answerable else [],
        "tags": ["feedback", feedback.rating],
    }
    if feedback.history:
        case["history"] = list(feedback.history)
    if answerable and not case["facts"] and not case["evidence"]:
        raise InputError("feedback_case_empty")
    try:
        parse_case(case)  # the test set reader's own checks
    except ValueError as exc:
        code = getattr(exc, "code", None)
        reason = MESSAGES[code][0].format(**getattr(exc, "params", {})) if code in MESSAGES else "dữ liệu không hợp lệ"
        raise InputError("feedback_case_invalid", reason=reason) from None
    return case


def append_case(path: str | Path, case: dict) -> Path:
    """Add (or replace, by id) a case in the user test set file; the file is re-read to prove it still loads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line).get("id") != case["id"]:
                lines.append(line)
    lines.append(json.dumps(case, ensure_ascii=False))
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    load_testset(path)
    return path
