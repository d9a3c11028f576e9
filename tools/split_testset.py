"""Split the question pool (eval/pool/*.jsonl, written by reading the documents) into `dev` and `test`.

Deterministic: within each stratum (a question's rarest tag), questions are ordered by a hash of their id and the
first 40% go to `test`, the rest to `dev`. The test split is frozen once written: rules and thresholds are chosen on
`dev` only. Prints counts, never the questions (whoever tunes the system must not read the test split).
Run once: python -m tools.split_testset  (wrote eval/test.jsonl and the pool's dev part, which eval/dev.jsonl holds
after the 89 questions of the first dev set)
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_SHARE = 0.4


def main() -> int:
    pool = []
    for path in sorted((ROOT / "eval" / "pool").glob("*.jsonl")):
        pool += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    frequency = Counter(t for q in pool for t in q["tags"])
    strata: dict[str, list[dict]] = defaultdict(list)
    for q in pool:
        strata[min(q["tags"], key=lambda t: (frequency[t], t))].append(q)
    dev, test = [], []
    for _, questions in sorted(strata.items()):
        questions.sort(key=lambda q: hashlib.sha256(q["id"].encode()).hexdigest())
        n_test = round(len(questions) * TEST_SHARE)
        test += questions[:n_test]
        dev += questions[n_test:]
    for name, part in (("dev-new", dev), ("test", test)):
        part.sort(key=lambda q: q["id"])
        text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in part)
        (ROOT / "eval" / f"{name}.jsonl").write_text(text, encoding="utf-8")
    tags_test = Counter(t for q in test for t in q["tags"])
    print(f"pool {len(pool)}: dev {len(dev)}, test {len(test)}")
    print("test questions per tag:", dict(sorted(tags_test.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
