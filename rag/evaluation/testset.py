"""The evaluation test set: one JSON object per line (JSONL), loaded into `TestCase` objects.

Format (see `eval/README.md`): `id`, `question`, `answerable` (bool), `facts` (strings the answer must state),
`evidence` (list of `{doc, quote}`: a cited or retrieved passage from `doc` must contain `quote`), `tags`; optional
`history` (earlier questions of the conversation), `verdict` (yes/no questions) and `as_of` (the day it is asked).
A malformed line raises `TestsetError` naming the file and the line number.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import TestsetError

log = logging.getLogger(__name__)


@dataclass
class Evidence:
    """A passage the answer must rest on: `quote` must occur in a chunk of document `doc` (matched by file stem)."""

    doc: str
    quote: str

    @property
    def doc_stem(self) -> str:
        """The document's file name without extension: `x.txt`, `x.pdf` and `x.docx` are one document."""
        return doc_stem(self.doc)


@dataclass
class TestCase:
    """One question of the test set with what a correct answer must contain."""

    __test__ = False  # not a pytest test class

    id: str
    question: str
    answerable: bool
    facts: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # earlier questions of the conversation (follow-ups)
    verdict: str | None = None  # yes/no questions: "có", "không" or "không nêu", what the answer must open with
    as_of: str | None = None  # ISO date the question is asked on ("tháng này", "quá hạn")

    def to_dict(self) -> dict:
        """The case as the JSON object it was read from."""
        data = {
            "id": self.id,
            "question": self.question,
            "answerable": self.answerable,
            "facts": list(self.facts),
            "evidence": [{"doc": e.doc, "quote": e.quote} for e in self.evidence],
            "tags": list(self.tags),
        }
        for key in ("history", "verdict", "as_of"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


def doc_stem(name: str) -> str:
    """File name without folder and extension, lower-cased: the key that matches a document across formats."""
    return Path(str(name)).stem.lower()


VERDICTS = ("có", "không", "không nêu")
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "question": str,
    "answerable": bool,
    "facts": list,
    "evidence": list,
    "tags": list,
}


class _Invalid(ValueError):
    """One problem of one line (the loader adds the file and the line number)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _check_strings(values: list, what: str) -> list[str]:
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise _Invalid("testset_bad_string", what=what, i=i, value=repr(value))
    return list(values)


def parse_case(obj: object) -> TestCase:
    """Validate one decoded JSON object and build a `TestCase`. Raises `ValueError` (coded) describing the problem."""
    if not isinstance(obj, dict):
        raise _Invalid("testset_not_object", kind=type(obj).__name__)
    for name, kind in _FIELDS.items():
        if name not in obj:
            raise _Invalid("testset_missing_field", field=name)
        if not isinstance(obj[name], kind):
            raise _Invalid("testset_field_type", field=name, kind=kind.__name__, got=type(obj[name]).__name__)
    if not obj["id"].strip() or not obj["question"].strip():
        raise _Invalid("testset_empty_field")
    facts = _check_strings(obj["facts"], "facts")
    tags = _check_strings(obj["tags"], "tags")
    evidence: list[Evidence] = []
    for i, item in enumerate(obj["evidence"]):
        if not isinstance(item, dict) or any(not isinstance(item.get(k), str) or not item[k].strip()
                                             for k in ("doc", "quote")):
            raise _Invalid("testset_bad_evidence", i=i)
        evidence.append(Evidence(doc=item["doc"], quote=item["quote"]))
    if obj["answerable"] and not (facts or evidence):
        raise _Invalid("testset_needs_fact")
    if not obj["answerable"] and (facts or evidence):
        raise _Invalid("testset_unanswerable_facts")
    history = _check_strings(obj.get("history") or [], "history")
    verdict = obj.get("verdict")
    if verdict is not None and verdict not in VERDICTS:
        raise _Invalid("testset_field_type", field="verdict", kind=" | ".join(VERDICTS), got=repr(verdict))
    as_of = obj.get("as_of")
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except (TypeError, ValueError):
            raise _Invalid("testset_field_type", field="as_of", kind="YYYY-MM-DD", got=repr(as_of)) from None
    return TestCase(
        id=obj["id"], question=obj["question"], answerable=obj["answerable"], facts=facts, evidence=evidence, tags=tags,
        history=history, verdict=verdict, as_of=as_of,
    )


def load_testset(path: str | Path) -> list[TestCase]:
    """Read a JSONL test set. Blank lines are skipped; a malformed line raises `TestsetError` with its line number."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TestsetError(str(path), None, "testset_not_found") from None
    except UnicodeDecodeError as exc:
        raise TestsetError(str(path), None, "testset_not_utf8", detail=exc.reason) from None
    cases: list[TestCase] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestsetError(str(path), number, "testset_json", detail=exc.msg, column=exc.colno) from None
        try:
            case = parse_case(obj)
        except _Invalid as exc:
            raise TestsetError(str(path), number, exc.code, **exc.params) from None
        if case.id in seen:
            raise TestsetError(str(path), number, "testset_duplicate_id", id=case.id, first=seen[case.id])
        seen[case.id] = number
        cases.append(case)
    if not cases:
        raise TestsetError(str(path), None, "testset_empty")
    log.info("loaded %d test cases from %s", len(cases), path)
    return cases
