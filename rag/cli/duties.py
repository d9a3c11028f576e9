"""`rag units`, `rag duties [...]`, `rag duties-eval GOLD`: a unit's duties and deadlines, and duty scoring.

Data comes from the index built by `rag index build` (default `index/` or $RAG_INDEX); `--corpus PATH` (a folder
or files) extracts duties directly from the documents instead. Without either, the error says how to build one.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date

from ..duties.extract import duties_from_paths
from ..duties.query import DutyQuery, as_table
from ..evaluation.duties import load_gold, score_duties
from ..library import Library
from ..text.dates import DateWindow
from ..text.units import closest_units
from .main import user_date


def _duties(args):
    """The duty table of the index, or of the documents given with --corpus."""
    if getattr(args, "corpus", None):
        return as_table(duties_from_paths(args.corpus))
    return Library(args.index).duty_table()


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", default=None, help="thư mục chỉ mục (mặc định $RAG_INDEX hoặc index/)")
    parser.add_argument("--corpus", nargs="+", default=None, help="đọc trực tiếp văn bản (thư mục hoặc tệp)")


def cmd_units(args) -> int:
    """List units with their duty counts (lead / support)."""
    duties = list(_duties(args))
    lead = Counter(u for d in duties for u in d.units_lead)
    support = Counter(u for d in duties for u in d.units_support)
    units = sorted(set(lead) | set(support), key=lambda u: (-(lead[u] + support[u]), u))
    print(f"{'Chủ trì':>7} {'Phối hợp':>8}  Đơn vị")
    for unit in units:
        print(f"{lead[unit]:>7} {support[unit]:>8}  {unit}")
    return 0


def cmd_duties(args) -> int:
    """List duties filtered by unit, dates and document, in one of the export formats."""
    from ..duties.export import export_duties, write_export

    table = _duties(args)
    as_of = args.as_of or date.today()
    units: list[str] = []
    if args.unit:
        units = _units_named(args.unit, table, args)
        if not units:
            suggestions = _suggestions(args.unit, table.known_units)
            hint = f" Có phải: {'; '.join(suggestions)}?" if suggestions else ""
            print(f"Không có đơn vị nào khớp đúng với «{args.unit}».{hint} Xem danh sách: rag units", file=sys.stderr)
            return 1
    window = DateWindow(before=args.before, after=args.after) if args.before or args.after else None
    doc = None
    if args.doc:
        doc = next((name for name in table.doc_names if name == args.doc or name.startswith(args.doc)), args.doc)
    selected = table.select(DutyQuery(units=units, window=window, doc=doc, today=as_of))[0]
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


def _units_named(text: str, table, args) -> list[str]:
    """The units a typed name stands for, the way questions are read: abbreviations ("btc tu hp"), short names,
    with or without diacritics; "TU" by the place when one is named."""
    from ..answering.analysis import IndexFacts, analyze
    from ..text.normalize import fold

    from ..index.store import load_index

    documents = {} if getattr(args, "corpus", None) else load_index(Library(args.index).index_dir).documents
    facts = IndexFacts.build(documents, table.known_units)
    return analyze(text, fold(text), facts).units


def _suggestions(text: str, known_units) -> list[str]:
    """Units whose name starts with what was typed ("ban to chuc" -> every Ban Tổ chức), else the closest."""
    from ..text.abbreviations import expand
    from ..text.normalize import match_key

    typed = expand(text)[0]
    starting = [u for u in known_units if match_key(u).startswith(match_key(typed))]
    return starting[:8] or closest_units(typed, known_units)


def cmd_duties_eval(args) -> int:
    """Print precision / recall / F1 of extracted (doc, unit, due date) pairs against a gold JSONL."""
    result = score_duties(list(_duties(args)), load_gold(args.gold))
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
    """Add `units`, `duties` and `duties-eval` to the `rag` command line."""
    units = subparsers.add_parser("units", help="liệt kê đơn vị và số nhiệm vụ")
    _add_source(units)
    units.set_defaults(func=cmd_units)

    duties = subparsers.add_parser("duties", help="liệt kê nhiệm vụ theo đơn vị / thời hạn")
    _add_source(duties)
    duties.add_argument("--unit", help="tên đơn vị (có hoặc không dấu)")
    duties.add_argument("--before", type=user_date, help="hạn đến ngày (DD/MM/YYYY)")
    duties.add_argument("--after", type=user_date, help="hạn từ ngày (DD/MM/YYYY)")
    duties.add_argument("--doc", help="chỉ văn bản này (tên tệp)")
    duties.add_argument("--as-of", dest="as_of", type=user_date, help="tính trạng thái tại ngày (mặc định hôm nay)")
    duties.add_argument("--format", choices=["table", "json", "csv", "xlsx", "ics"], default="table",
                        help="định dạng: table, json, csv, xlsx, ics (mặc định table)")
    duties.add_argument("-o", "--output", help="ghi ra tệp")
    duties.add_argument("--score", metavar="GOLD", help="chấm điểm trích xuất với danh sách gold (JSONL)")
    duties.set_defaults(func=lambda a: cmd_duties_eval(_as_eval(a)) if a.score else cmd_duties(a))

    evaluate = subparsers.add_parser("duties-eval", help="precision/recall trích xuất nhiệm vụ so với gold")
    _add_source(evaluate)
    evaluate.add_argument("gold", nargs="?", default="eval/duties_gold.jsonl", help="tệp gold (JSONL)")
    evaluate.add_argument("-v", "--verbose", action="store_true", help="in các cặp thừa / thiếu")
    evaluate.set_defaults(func=cmd_duties_eval)


def _as_eval(args):
    args.gold = args.score
    args.verbose = getattr(args, "verbose", False)
    return args
