"""`rag feedback list|export`: the ratings given in the UI, and the user test set made from them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RATING_VI = {"up": "đúng", "down": "chưa đúng"}


def cmd_feedback(args: argparse.Namespace) -> int:
    """rag feedback list|export."""
    from ..feedback import FeedbackStore, user_testset_path
    from ..index.store import index_dir_from

    index_dir = index_dir_from(args.index)
    store = FeedbackStore(index_dir)
    if args.action == "list":
        records = store.list(rating={"dung": "up", "sai": "down"}.get(args.rating or ""))
        for r in records:
            case = f"\tcâu kiểm thử {r.case_id}" if r.case_id else ""
            comment = f"\tgóp ý: {r.comment}" if r.comment else ""
            print(f"{r.id}\t{r.time.replace('T', ' ')}\t{RATING_VI[r.rating]}\t{r.question}{comment}{case}")
        print(f"{len(records)} phản hồi (tệp {store.path})")
        return 0
    source = user_testset_path(index_dir)
    if args.all:  # every rating as JSON lines, for a spreadsheet or another tool
        lines = [json.dumps(r.to_dict(), ensure_ascii=False) for r in reversed(store.list())]
        what = "phản hồi"
    else:
        lines = [line for line in (source.read_text(encoding="utf-8").splitlines() if source.exists() else [])
                 if line.strip()]
        what = "câu hỏi kiểm thử"
    text = "\n".join(lines) + ("\n" if lines else "")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Đã ghi {len(lines)} {what} vào {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(sub) -> None:
    """Add `rag feedback` to the `rag` command line."""
    parser = sub.add_parser(
        "feedback", help="phản hồi 👍/👎 về câu trả lời và bộ câu hỏi kiểm thử làm từ phản hồi",
        description="list: liệt kê phản hồi (mới nhất trước); export: ghi bộ câu hỏi kiểm thử của người dùng "
                    "(định dạng JSONL như eval/, chạy được bằng: rag eval --testset TỆP), hoặc mọi phản hồi "
                    "với --all.")
    parser.add_argument("action", choices=["list", "export"], help="list hoặc export")
    parser.add_argument("--index", help="thư mục chỉ mục (mặc định: $RAG_INDEX hoặc ./index)")
    parser.add_argument("--rating", choices=["dung", "sai"], help="list: chỉ các phản hồi «đúng» hoặc «sai»")
    parser.add_argument("--out", help="export: ghi vào tệp này thay vì ra màn hình")
    parser.add_argument("--all", action="store_true", help="export: mọi phản hồi (JSONL) thay vì bộ câu hỏi")
    parser.set_defaults(func=cmd_feedback)
