"""`rag`: the command line. Each sub-command lives in its own module with a `register(subparsers)` function;
errors are printed as their Vietnamese message (chosen by code), with exit status 1 and no traceback."""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import import_module

from ..errors import InputError, RagError, coded
from ..text.arguments import VietnameseParser
from ..text.dates import parse_user_date

log = logging.getLogger(__name__)

COMMANDS = ["rag.cli.index", "rag.cli.ask", "rag.cli.duties", "rag.cli.eval", "rag.cli.feedback"]


def user_date(text: str):
    """An argparse type for dates typed as DD/MM/YYYY (or YYYY-MM-DD), with the Vietnamese message on error."""
    try:
        return parse_user_date(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.message_vi) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rag` with every sub-command."""
    parser = VietnameseParser(prog="rag", description="Hỏi đáp văn bản chỉ đạo, trả lời kèm trích dẫn nguồn.")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết (tiếng Anh)")
    sub = parser.add_subparsers(dest="command", required=True, title="lệnh", metavar="LỆNH",
                                parser_class=VietnameseParser)
    for name in COMMANDS:
        import_module(name).register(sub)
    sub.add_parser("ui", help="mở giao diện web (rag ui --help để xem tùy chọn)")
    sub.add_parser("bench", help="đo tốc độ và bộ nhớ (công cụ cho nhà phát triển; rag bench --help)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rag` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["ui"]:  # the UI parses its own options (--host, --port, --auth, ...)
        from ui.app import main as ui_main

        return int(ui_main(argv[1:]) or 0)
    if argv[:1] == ["bench"]:  # developer tooling: not part of the runtime package, imported only here
        from tools.bench import main as bench_main

        return int(bench_main(argv[1:]) or 0)
    parser = build_parser()
    # Options may sit between positionals ("rag index build -q corpus/"): argparse leaves the later
    # positionals over, and they belong to the list of paths.
    args, extra = parser.parse_known_args(argv)
    if extra:
        if isinstance(getattr(args, "paths", None), list) and not any(e.startswith("-") for e in extra):
            args.paths.extend(extra)
        else:
            parser.error(f"tham số không nhận ra: {' '.join(extra)}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except RagError as exc:
        log.info("%s", exc.message_en)
        print(f"Lỗi: {exc.message_vi}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `rag ask ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # no traceback for users: a coded Vietnamese message; the traceback goes to the log
        log.debug("unexpected error", exc_info=True)
        error = coded(exc)
        log.info("%s", error.message_en)
        print(f"Lỗi: {error.message_vi}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
