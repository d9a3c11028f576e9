"""Write an evaluation result as `latest.json`, `latest.md` (tables, then failures first) and `latest.png`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .runner import failure_text

log = logging.getLogger(__name__)

CHART_METRICS = ("hit@{k}", "fact_coverage", "citation_precision", "abstention_accuracy")


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def summary_columns(meta: dict) -> list[tuple[str, str]]:
    """(key, header) pairs of the summary table, with k and nDCG depth filled in."""
    k, nk = meta.get("k", 5), meta.get("ndcg_k", 10)
    return [
        (f"hit@{k}", f"hit@{k}"), (f"recall@{k}", f"recall@{k}"), ("mrr", "MRR"), (f"ndcg@{nk}", f"nDCG@{nk}"),
        ("complete", "complete"), ("fact_coverage", "facts"), ("answerable_refused", "refused"),
        ("citation_precision", "cit.P"), ("citation_recall", "cit.R"),
        ("abstention_precision", "abst.P"), ("abstention_recall", "abst.R"), ("abstention_accuracy", "abst.acc"),
        ("all_correct", "all ok"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
    ]


def _cell(key: str, value: Any) -> str:
    return _fmt(value, 0) if key.startswith("latency") else _fmt(value)


def format_summary(result: dict) -> str:
    """A fixed-width text table of the overall metrics, one row per system (what `rag eval` prints)."""
    columns = summary_columns(result["meta"])
    rows = [["system", "n"] + [header for _, header in columns]]
    for name, system in result["systems"].items():
        overall = system["overall"]
        rows.append([name, str(overall["n"])] + [_cell(key, overall.get(key)) for key, _ in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def render_markdown(result: dict) -> str:
    """The report as Markdown: summary (all systems), per-tag table (full system), failures first, then passes."""
    meta = result["meta"]
    columns = summary_columns(meta)
    k = meta.get("k", 5)
    lines = [
        "# Evaluation report", "",
        f"Created {meta.get('created', '?')} · {meta.get('n_questions', '?')} questions · k={k} · "
        f"test set `{meta.get('testset', '?')}` · index `{meta.get('index', '?')}` · {meta.get('elapsed_s', '?')} s",
        "", "## Summary", "",
    ]
    rows = []
    for name, system in result["systems"].items():
        overall = system["overall"]
        rows.append([f"{name} — {system['label']}", str(overall["n"])] + [_cell(key, overall.get(key)) for key, _ in columns])
    lines += _md_table(["system", "n"] + [h for _, h in columns], rows)
    lines += [
        "", "hit/recall/MRR/nDCG: answerable questions with evidence; a retrieved chunk is relevant when it comes from an "
        "evidence document and contains the evidence quote. complete: an answerable question answered with every "
        "gold fact (and the right Có/Không for yes/no questions), an unanswerable one refused. facts, refused, cit.P, "
        "cit.R: answerable questions. abst.*: all questions. all ok: share of questions with no failure.", "",
    ]
    full_name = next(iter(result["systems"]))
    full = result["systems"][full_name]
    lines += [f"## By tag ({full_name})", ""]
    tag_cols = [c for c in columns if c[0] in ("complete", f"hit@{k}", f"recall@{k}", "mrr", "fact_coverage",
                                               "citation_precision", "citation_recall", "abstention_accuracy",
                                               "all_correct")]
    tag_rows = [[tag, str(row["n"])] + [_cell(key, row.get(key)) for key, _ in tag_cols] for tag, row in full["by_tag"].items()]
    lines += _md_table(["tag", "n"] + [h for _, h in tag_cols], tag_rows)
    if len(result["systems"]) > 1:
        lines += ["", f"### fact coverage by tag, all systems", ""]
        names = list(result["systems"])
        tags = list(full["by_tag"])
        lines += _md_table(["tag"] + names, [
            [tag] + [_fmt(result["systems"][n]["by_tag"].get(tag, {}).get("fact_coverage")) for n in names] for tag in tags
        ])
    failed = [q for q in full["questions"] if q["failed"]]
    passed = [q for q in full["questions"] if not q["failed"]]
    lines += ["", f"## Failures ({full_name}): {len(failed)} of {len(full['questions'])}", ""]
    for q in failed:
        lines += [f"### {q['id']} — {q['question']}", ""]
        lines.append(f"- tags: {', '.join(q['tags']) or '–'}; answerable: {'yes' if q['answerable'] else 'no'}")
        if q["facts"]:
            lines.append("- expected facts: " + "; ".join(f"“{f}”" for f in q["facts"]))
        for ev in q["evidence"]:
            lines.append(f"- expected evidence: `{ev['doc']}`: “{ev['quote']}”")
        for reason in q["failures"]:
            lines.append(f"- **why:** {failure_text(reason)}")
        state = "abstained" if q["abstained"] else "answered"
        lines.append(f"- got ({state}, {_fmt(q.get('latency_ms'), 0)} ms):")
        lines.append("")
        lines.append("  > " + (_one_line(q.get("answer") or "(empty)", 800)))
        lines.append("")
        for c in q["citations"]:
            page = f", p. {c['page']}" if c.get("page") else ""
            lines.append(f"  - [{c['n']}] `{c['doc']}` — {c['section'] or '(no section)'}{page}: {_one_line(c['text'], 200)}")
        top = q.get("retrieved", [])[:k]
        if top:
            lines.append("  - retrieved top %d: " % len(top) + "; ".join(
                f"{'✓' if r['relevant'] else '✗'} `{r['doc']}` {_one_line(r['section'], 60)}" for r in top))
        lines.append("")
    lines += [f"## Passed ({full_name}): {len(passed)}", ""]
    lines += [f"- {q['id']} — {q['question']}" for q in passed]
    return "\n".join(lines) + "\n"


def render_chart(result: dict, path: str | Path) -> None:
    """Bar chart of hit@k, fact coverage, citation precision and abstention accuracy for every system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = result["meta"].get("k", 5)
    keys = [m.format(k=k) for m in CHART_METRICS]
    labels = [f"hit@{k}", "fact coverage", "citation precision", "abstention accuracy"]
    names = list(result["systems"])
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, name in enumerate(names):
        overall = result["systems"][name]["overall"]
        values = [overall.get(key) or 0.0 for key in keys]
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(keys))]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7, padding=1)
    ax.set_xticks(range(len(keys)), labels)
    ax.set_ylim(0, 1.25)
    ax.set_ylabel("score")
    ax.set_title(f"Evaluation: {result['meta'].get('n_questions', '?')} questions")
    ax.legend(loc="upper center", ncol=max(len(names), 1), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(result: dict, out_dir: str | Path) -> dict[str, Path]:
    """Write latest.json, latest.md and latest.png into `out_dir` (plus a timestamped copy under `runs/`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "latest.json", "md": out / "latest.md", "png": out / "latest.png"}
    data = json.dumps(result, ensure_ascii=False, indent=1)
    paths["json"].write_text(data, encoding="utf-8")
    paths["md"].write_text(render_markdown(result), encoding="utf-8")
    render_chart(result, paths["png"])
    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    stamp = str(result["meta"].get("created", "run")).replace(":", "").replace("+0000", "Z")
    (runs / f"{stamp}.json").write_text(data, encoding="utf-8")
    log.info("wrote %s", ", ".join(str(p) for p in paths.values()))
    return paths
