"""Feedback records in one SQLite file inside the index folder (`<index>/feedback.sqlite3`).

Why SQLite: several UI processes and the command line may write at once; SQLite serialises writers with its own
file lock (WAL mode, a 10 s busy timeout), so no record is lost, and the file survives index rebuilds (the index's
garbage collection removes only `gen-*`, `seg-*` and `vec-*` folders). Each record keeps what is needed to judge
the answer later, even after the index changed: the question, the conversation's earlier questions, the answer
text, its citations (document, section, page, passage text), the index generation and the time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

FILE_NAME = "feedback.sqlite3"
USER_TESTSET = "user-testset.jsonl"
RATINGS = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  comment TEXT NOT NULL DEFAULT '',
  question TEXT NOT NULL,
  history TEXT NOT NULL DEFAULT '[]',
  answer TEXT NOT NULL,
  citations TEXT NOT NULL DEFAULT '[]',
  generation TEXT,
  case_id TEXT
)"""


def feedback_path(index_dir: str | Path) -> Path:
    """The feedback file of an index."""
    return Path(index_dir) / FILE_NAME


def user_testset_path(index_dir: str | Path) -> Path:
    """The user test set made from feedback (same JSONL format as eval/*.jsonl)."""
    return Path(index_dir) / USER_TESTSET


@dataclass
class Feedback:
    """One rating of one answer."""

    id: int
    time: str
    rating: str
    comment: str
    question: str
    answer: str
    history: list[str] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    generation: str | None = None
    case_id: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class FeedbackStore:
    """Add, comment, list feedback, and remember which test case was made from it."""

    def __init__(self, index_dir: str | Path):
        self.path = feedback_path(index_dir)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(_SCHEMA)
        return db

    def add(self, *, rating: str, question: str, answer: str, citations: list[dict] | None = None,
            generation: str | None = None, history: list[str] | None = None, comment: str = "",
            time: str | None = None) -> int:
        """Store one rating; its id."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        when = time or datetime.now().isoformat(timespec="seconds")
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (time, rating, comment, question, history, answer, citations, generation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (when, rating, comment or "", question, json.dumps(history or [], ensure_ascii=False), answer,
                 json.dumps(citations or [], ensure_ascii=False), generation))
            return int(cursor.lastrowid)

    def set_comment(self, feedback_id: int, comment: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment or "", int(feedback_id)))

    def set_rating(self, feedback_id: int, rating: str) -> None:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, int(feedback_id)))

    def set_case(self, feedback_id: int, case_id: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET case_id = ? WHERE id = ?", (case_id, int(feedback_id)))

    def get(self, feedback_id: int) -> Feedback | None:
        return next(iter(self.list(ids=[int(feedback_id)])), None)

    def list(self, *, rating: str | None = None, ids: list[int] | None = None) -> list[Feedback]:
        """Feedback, newest first (optionally only one rating, or given ids)."""
        if not self.path.exists():
            return []
        query, params = "SELECT id, time, rating, comment, question, answer, history, citations, generation, " \
                        "case_id FROM feedback", []
        where = []
        if rating:
            where.append("rating = ?")
            params.append(rating)
        if ids:
            where.append(f"id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        if where:
            query += " WHERE " + " AND ".join(where)
        with self._lock, self._connect() as db:
            rows = db.execute(query + " ORDER BY id DESC", params).fetchall()
        return [Feedback(id=r[0], time=r[1], rating=r[2], comment=r[3], question=r[4], answer=r[5],
                         history=json.loads(r[6]), citations=json.loads(r[7]), generation=r[8], case_id=r[9])
                for r in rows]
