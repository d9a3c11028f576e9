"""CLI for duties: `rag units`, `rag duties [...]`, `rag duties-eval GOLD`. The lead's `rag/cli.py` calls
`register(subparsers)`; `python -m rag.duties_cli ...` works on its own.

Data comes from the index built by `rag index build` (default `index/` or $RAG_INDEX); `--corpus PATH` (a folder
or files) extracts duties directly from the documents instead. Without either, the error says how to build one.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from .duties import (Duty, DutyQuery, duties_from_paths, load_gold, score_duties, select_duties)
from .models import Chunk
from .units import match_unit

log = logging.getLogger(__name__)

DEFAULT_INDEX = "index"


def index_dir_default() -> str:
    """Index folder: $RAG_INDEX or "index"."""
    return os.environ.get("RAG_INDEX", DEFAULT_INDEX)


def load_duties(index_dir: str | Path | None = None) -> list[Duty]:
    """Duties stored in the index by `rag index build` (validated like every index load)."""
    from .store import load_index

    return list(load_index(index_dir).duties)


def load_chunks(index_dir: str | Path | None = None) -> list[Chunk]:
    """Chunks stored in the index, in row order."""
    from .store import load_index

    return load_index(index_dir).chunks


def parse_cli_date(text: str) -> date:
    """DD/MM/YYYY (Vietnamese order) or YYYY-MM-DD."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise argparse.ArgumentTypeError(f"Ngày không hợp lệ: {text!r} (dùng DD/MM/YYYY hoặc YYYY-MM-DD)")


def _get_duties(args) -> list[Duty]:
    if getattr(args, "corpus", None):
        return duties_from_paths(args.corpus)
    # No silent fallback to the documents: without an index the store says how to build one.
    return load_duties(args.index or index_dir_default())


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", default=None, help="thư mục chỉ mục (mặc định $RAG_INDEX hoặc index/)")
    parser.add_argument("--corpus", nargs="+", default=None, help="đọc trực tiếp văn bản (thư mục hoặc tệp)")


def cmd_units(args) -> int:
    """List units with their duty counts (lead / support)."""
    duties = _get_duties(args)
    lead = Counter(u for d in duties for u in d.units_lead)
    support = Counter(u for d in duties for u in d.units_support)
    units = sorted(set(lead) | set(support), key=lambda u: (-(lead[u] + support[u]), u))
    print(f"{'Chủ trì':>7} {'Phối hợp':>8}  Đơn vị")
    for unit in units:
        print(f"{lead[unit]:>7} {support[unit]:>8}  {unit}")
    return 0


def cmd_duties(args) -> int:
    """List duties filtered by unit, dates and document, in one of the export formats."""
    from .duty_export import export_duties, write_export

    duties = _get_duties(args)
    as_of = args.as_of or date.today()
    units: list[str] = []
    if args.unit:
        known = sorted({u for d in duties for u in d.units})
        units = match_unit(args.unit, known)
        if not units:
            print(f"Không có đơn vị nào khớp với {args.unit!r}. Xem danh sách: rag units", file=sys.stderr)
            return 1
    query = DutyQuery(units=units, before=args.before, after=args.after, doc=args.doc, today=as_of)
    if args.doc:
        query.doc = next((d.doc for d in duties if d.doc == args.doc or d.doc.startswith(args.doc)), args.doc)
    selected = select_duties(duties, query)
    if args.output:
        write_export(selected, args.format, args.output, as_of=as_of)
        if args.format == "ics":
            dated = sum(1 for d in selected if d.deadline is not None and (d.deadline.dated or d.recurring))
            print(f"Đã ghi {dated} sự kiện vào {args.output} ({len(selected) - dated} nhiệm vụ không có hạn, "
                  "không đưa vào lịch)")
        else:
            print(f"Đã ghi {len(selected)} nhiệm vụ vào {args.output}")
        return 0
    data = export_duties(selected, args.format, as_of=as_of)
    if isinstance(data, bytes):
        if args.format == "xlsx":
            print("Định dạng xlsx cần -o TỆP", file=sys.stderr)
            return 1
        data = data.decode("utf-8")
    sys.stdout.write(data if data.endswith("\n") else data + "\n")
    return 0


def cmd_duties_eval(args) -> int:
    """Print precision / recall / F1 of extracted (doc, unit, due date) pairs against a gold JSONL."""
    duties = _get_duties(args)
    result = score_duties(duties, load_gold(args.gold))
    print(f"precision={result['precision']:.3f} recall={result['recall']:.3f} f1={result['f1']:.3f} "
          f"(đúng {result['true_positive']} / dự đoán {result['predicted']} / gold {result['gold']} cặp "
          f"(văn bản, đơn vị, hạn))")
    if args.verbose:
        for pair in result["false_positive"]:
            print("  thừa:", pair)
        for pair in result["false_negative"]:
            print("  thiếu:", pair)
    return 0


def register(subparsers) -> None:
    """Add `units`, `duties` and `duties-eval` to an argparse subparsers object."""
    units = subparsers.add_parser("units", help="liệt kê đơn vị và số nhiệm vụ")
    _add_source(units)
    units.set_defaults(func=cmd_units)

    duties = subparsers.add_parser("duties", help="liệt kê nhiệm vụ theo đơn vị / thời hạn")
    _add_source(duties)
    duties.add_argument("--unit", help="tên đơn vị (có hoặc không dấu)")
    duties.add_argument("--before", type=parse_cli_date, help="hạn đến ngày (DD/MM/YYYY)")
    duties.add_argument("--after", type=parse_cli_date, help="hạn từ ngày (DD/MM/YYYY)")
    duties.add_argument("--doc", help="chỉ văn bản này (tên tệp)")
    duties.add_argument("--as-of", dest="as_of", type=parse_cli_date, help="tính trạng thái tại ngày (mặc định hôm nay)")
    duties.add_argument("--format", choices=["table", "json", "csv", "xlsx", "ics"], default="table")
    duties.add_argument("-o", "--output", help="ghi ra tệp")
    duties.add_argument("--score", metavar="GOLD", help="chấm điểm trích xuất với danh sách gold (JSONL)")
    duties.set_defaults(func=lambda a: cmd_duties_eval(_as_eval(a)) if a.score else cmd_duties(a))

    evaluate = subparsers.add_parser("duties-eval", help="precision/recall trích xuất nhiệm vụ so với gold")
    _add_source(evaluate)
    evaluate.add_argument("gold", nargs="?", default="eval/duties_gold.jsonl")
    evaluate.add_argument("-v", "--verbose", action="store_true", help="in các cặp thừa / thiếu")
    evaluate.set_defaults(func=cmd_duties_eval)


def _as_eval(args):
    args.gold = args.score
    args.verbose = getattr(args, "verbose", False)
    return args


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: `python -m rag.duties_cli {units,duties,duties-eval} ...`."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="rag")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
