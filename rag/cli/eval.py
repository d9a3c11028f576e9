"""`rag eval`: run the test set against the index and write the reports; `register(subparsers)` adds the command."""

from __future__ import annotations

import argparse
import logging
import sys

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `eval` sub-command to the main `rag` parser; it calls `main(args)`."""
    parser = subparsers.add_parser(
        "eval", help="đánh giá độ chính xác trên bộ câu hỏi kiểm thử",
        description="Chạy bộ câu hỏi kiểm thử, tính các chỉ số và ghi báo cáo (latest.json, latest.md, latest.png).",
    )
    parser.add_argument("--testset", default="eval/test.jsonl", help="tệp JSONL bộ câu hỏi (mặc định: %(default)s)")
    parser.add_argument("--k", type=int, default=5, help="số đoạn trích dẫn / truy hồi được chấm (mặc định: %(default)s)")
    parser.add_argument("--out", default="eval/reports", help="thư mục ghi báo cáo (mặc định: %(default)s)")
    parser.add_argument("--baselines", action="store_true",
                        help="chạy thêm các hệ so sánh: chỉ BM25, chỉ vector, cắt đoạn cố định 1000/200 ký tự")
    parser.add_argument("--index", default=None, help="thư mục chỉ mục (mặc định: $RAG_INDEX hoặc index/)")
    parser.add_argument("--docs", nargs="*", default=None,
                        help="tệp/thư mục văn bản cho hệ cắt đoạn cố định (mặc định: các tệp đã ghi trong chỉ mục)")
    parser.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")
    parser.set_defaults(func=main)
    return parser


def main(args: argparse.Namespace) -> int:
    """Run the evaluation described by parsed `args`; print the summary table; return the exit code."""
    from ..evaluation.report import format_summary, write_report
    from ..evaluation.runner import run_eval
    from ..evaluation.testset import load_testset
    from ..library import Library

    testset = load_testset(args.testset)
    library = Library(args.index)
    assistant = library.assistant()
    result = run_eval(assistant, testset, k=args.k, progress=not args.no_progress, baselines=args.baselines,
                      documents=args.docs)
    result["meta"].update(testset=str(args.testset), index=str(library.index_dir))
    paths = write_report(result, args.out)
    print(format_summary(result))
    print()
    print("Báo cáo: " + ", ".join(str(p) for p in paths.values()))
    return 0
