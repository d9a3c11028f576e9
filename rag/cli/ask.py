"""`rag ask "câu hỏi"` and `rag ask --json -` (one question per line on stdin)."""

from __future__ import annotations

import argparse
import json
import sys

from ..answering.citations import format_sources
from ..library import Library
from .main import user_date


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer the question (or each line of stdin) and print the answer with its sources, or JSON."""
    assistant = Library(args.index, embedder=args.embedder).assistant()
    docs = args.doc or None

    def ask(text: str):
        question = assistant.read(text, as_of=args.as_of)
        return question, assistant.ask(question, k=args.k, docs=docs, date_from=args.from_date, date_to=args.to_date)

    def as_json(question, answer) -> str:
        data = answer.to_dict()
        if args.explain:
            data["understanding"] = question.understanding()
        return json.dumps(data, ensure_ascii=False)

    if args.question == ["-"]:
        for line in sys.stdin:
            if line.strip():
                print(as_json(*ask(line.strip())), flush=True)
        return 0
    question, answer = ask(" ".join(args.question))
    if args.json:
        print(as_json(question, answer))
    else:
        if args.explain:
            print("Hiểu câu hỏi:\n" + "\n".join(f"  {line}" for line in question.explain().splitlines()) + "\n")
        print(answer.answer)
        if answer.citations:
            print()
            print(format_sources(answer.citations))
    return 0


def register(sub) -> None:
    """Add `rag ask` to the `rag` command line."""
    ask = sub.add_parser("ask", help="trả lời một câu hỏi kèm trích dẫn nguồn")
    ask.add_argument("question", nargs="+", metavar="CÂU_HỎI", help='câu hỏi, hoặc "-" để đọc mỗi dòng một câu hỏi từ stdin')
    ask.add_argument("--json", action="store_true", help="in mỗi câu trả lời thành một đối tượng JSON")
    ask.add_argument("--index", help="thư mục chỉ mục")
    ask.add_argument("--embedder", help="phải trùng bộ nhúng của chỉ mục")
    ask.add_argument("--doc", action="append", help="chỉ tìm trong văn bản này (dùng nhiều lần được)")
    ask.add_argument("--from-date", type=user_date, help="chỉ văn bản ban hành từ ngày (DD/MM/YYYY)")
    ask.add_argument("--to-date", type=user_date, help="chỉ văn bản ban hành đến ngày (DD/MM/YYYY)")
    ask.add_argument("-k", type=int, default=5, help="số đoạn văn xem xét (mặc định 5)")
    ask.add_argument("--explain", action="store_true", help="in cách trợ lý hiểu câu hỏi (đơn vị, văn bản, thời gian...)")
    ask.add_argument("--as-of", dest="as_of", type=user_date, help="ngày đặt câu hỏi (cho «tháng này», «quá hạn»)")
    ask.set_defaults(func=cmd_ask)
