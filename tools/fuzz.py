#!/usr/bin/env python
"""Time-bounded fuzzing of the document readers and the section parser, driven by hypothesis.

    python -m tools.fuzz --seconds 600 --target text|pdf|docx|sections|cli|all [--out fuzz-failures]
    python scripts/fuzz.py --target cli --seconds 600

Targets:
  text      mutated bytes of the sample .txt files (UTF-8, UTF-16, CP1258 copies) through `read_document`
  pdf       mutated bytes of PDFs rendered from the sample corpus (plus a scanned and an encrypted PDF)
  docx      mutated bytes of rendered .docx files, and mutated XML members re-zipped into a valid archive
  sections  `rag.documents.sections.parse_structure` (and chunking/metadata via `rag.documents.ingest.parse_raw`) on random
            `TextLine` lists built from directive-like fragments, markers and random text
  cli       end to end: `rag index add FILE` in a fresh process on mutated .txt/.pdf/.docx seeds and adversarial
            files (one long line, one long word, NUL bytes, deep numbering, many appendices, a FIFO, a link to
            /dev/zero, odd names with newlines, tabs, NFD letters). A failure is a timeout (--cli-timeout, default
            60 s), an exit status other than 0/1, a traceback on stderr, a non-zero exit without a Vietnamese
            "Lỗi"/"LỖI" line, or an index that no longer loads.

A reader may only raise `DocumentError`; anything else (or an input that takes longer than --timeout seconds)
is a failure. Readable inputs are also parsed (`parse_raw`); a parser exception is a failure too. Failing inputs
are saved to the output folder with their traceback; the summary lists inputs tried and failures by type.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import logging
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rag.documents.ingest import parse_raw  # noqa: E402
from rag.documents.models import TextLine  # noqa: E402
from rag.errors import DocumentError  # noqa: E402
from rag.documents.readers import read_document  # noqa: E402
from rag.documents.sections import parse_structure  # noqa: E402

log = logging.getLogger(__name__)

TARGETS = ("text", "pdf", "docx", "sections", "cli")
CORPUS = ROOT / "corpus"


class InputTimeout(Exception):
    """An input took longer than the per-input time limit (a hang or a pathological slowdown)."""


def _alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise InputTimeout("input took longer than the time limit")


# ---------------------------------------------------------------------------------------------- seeds

def _seed_texts() -> list[tuple[str, bytes]]:
    seeds = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        seeds.append((".txt", text.encode("utf-8")))
        seeds.append((".md", text[:4000].encode("utf-16")))
        seeds.append((".txt", text[:4000].encode("cp1258", errors="replace")))
    return seeds


def _seed_pdfs(work: Path) -> list[tuple[str, bytes]]:
    from tests.support.render import make_encrypted_pdf, make_scanned_pdf, render_pdf  # noqa: PLC0415

    seeds = []
    small = sorted(CORPUS.glob("*.txt"), key=lambda p: p.stat().st_size)[:2]
    for i, txt in enumerate(small):
        out = work / f"seed{i}.pdf"
        render_pdf(txt, out)
        seeds.append((".pdf", out.read_bytes()))
    make_scanned_pdf(work / "scan.pdf", pages=1)
    seeds.append((".pdf", (work / "scan.pdf").read_bytes()))
    make_encrypted_pdf(work / "enc.pdf")
    seeds.append((".pdf", (work / "enc.pdf").read_bytes()))
    return seeds


def _seed_docx(work: Path) -> list[tuple[str, bytes]]:
    from tests.support.render import render_docx  # noqa: PLC0415

    seeds = []
    small = sorted(CORPUS.glob("*.txt"), key=lambda p: p.stat().st_size)[:2]
    for i, txt in enumerate(small):
        out = work / f"seed{i}.docx"
        render_docx(txt, out)
        seeds.append((".docx", out.read_bytes()))
    return seeds


# ---------------------------------------------------------------------------------------------- mutations

_OPS = ("flip", "insert", "delete", "truncate", "number", "duplicate", "overwrite")


@st.composite
def mutations(draw):
    """A short list of byte-level mutations: (op, relative position, relative length, payload, number)."""
    n = draw(st.integers(1, 6))
    return [
        (
            draw(st.sampled_from(_OPS)),
            draw(st.floats(0, 1, allow_nan=False)),
            draw(st.floats(0, 0.2, allow_nan=False)),
            draw(st.binary(min_size=1, max_size=16)),
            draw(st.sampled_from([0, 1, -1, 2**31, 2**63, 10**9, 65535, 255, 7])),
        )
        for _ in range(n)
    ]


def mutate(data: bytes, muts) -> bytes:
    """Apply byte-level mutations to `data`."""
    import re

    buf = bytearray(data)
    for op, pos, rel, payload, number in muts:
        if not buf:
            buf = bytearray(payload)
            continue
        i = int(pos * (len(buf) - 1))
        length = max(1, int(rel * len(buf)))
        if op == "flip":
            buf[i] ^= payload[0] or 0xFF
        elif op == "insert":
            buf[i:i] = payload
        elif op == "delete":
            del buf[i:i + length]
        elif op == "truncate":
            del buf[max(i, 1):]
        elif op == "duplicate":
            buf[i:i] = buf[i:i + length]
        elif op == "overwrite":
            buf[i:i + len(payload)] = payload
        elif op == "number":  # change a number near i (PDF lengths, counts, offsets, xref entries)
            m = re.compile(rb"\d+").search(bytes(buf), i)
            if m:
                buf[m.start():m.end()] = str(number).encode()
    return bytes(buf)


def mutate_zip_member(data: bytes, member_index: int, muts) -> bytes:
    """Re-zip a .docx with one XML member mutated (the archive itself stays valid)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in src.namelist() if n.endswith((".xml", ".rels"))]
    target = names[member_index % len(names)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == target:
                content = mutate(content, muts)
            dst.writestr(name, content)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- section lines

_FRAGMENTS = [
    "I.", "II.", "IV.", "1.", "2.", "1.1.", "1.2.1.", "3.2", "(1)", "(12)", "a)", "đ)", "-", "–", "•", "+",
    "Phân công thực hiện:", "Mục tiêu:", "Nơi nhận:", "T/M BAN THƯỜNG VỤ", "KT. BÍ THƯ", "-----", "***",
    "<sup>(1)</sup>", "<sup>(2)</sup> Theo", "**", "#", "##", "\\*", "Thực hiện Kết luận số 121-KL/TW,",
    "Ban Tổ chức Thành ủy chủ trì", "hoàn thành trước ngày 31/8/2025", "của", "và", "Số 12-CTr/TU",
    "Hải Phòng, ngày 06 tháng 02 năm 2025", "CHƯƠNG TRÌNH HÀNH ĐỘNG", "KẾ HOẠCH", "V/v triển khai",
]


@st.composite
def text_lines(draw):
    """A list of TextLine built from directive fragments, random text, pages and heading flags."""
    n = draw(st.integers(0, 60))
    lines = []
    for _ in range(n):
        parts = draw(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=40)), max_size=5))
        page = draw(st.one_of(st.none(), st.integers(-2, 50)))
        lines.append(TextLine(" ".join(parts), page, draw(st.booleans())))
    return lines


# ---------------------------------------------------------------------------------------------- adversarial files

_ADVERSARIAL = ("long-line", "long-word", "nul", "deep-numbering", "appendices", "markers-only", "bidi",
                "crlf-bom", "table-flood", "fifo", "zero")
_NAMES = ("van-ban", "tên có dấu", "ten\nxuong-dong", "ten\tcot", "te\u0302n-nfd", "a" * 150, "-bat-dau-gach",
          "..hai-cham", "dấu cách ")


def _adversarial(kind: str) -> bytes:
    """One adversarial .txt file (a few hundred KB at most: each input runs a whole `rag index add`)."""
    base = (CORPUS / "haiphong-thanhuy-cv-trien-khai-kl183.txt").read_text(encoding="utf-8")
    rnd = random.Random(kind)
    if kind == "long-line":
        return (" ".join(base.split()) * 30).encode("utf-8")
    if kind == "long-word":
        return ("".join(rnd.choice("abcdđeêghiklmnoôơ") for _ in range(300_000))).encode("utf-8")
    if kind == "nul":
        return base.encode("utf-8").replace(b"\n", b"\x00\n", 50)
    if kind == "deep-numbering":
        return "\n".join(".".join(["1"] * (i % 40 + 1)) + ". Ban Tổ chức Thành ủy chủ trì" for i in range(3000)
                         ).encode("utf-8")
    if kind == "appendices":
        return (base + "\n".join(f"PHỤ LỤC {i}\n| STT | Nội dung | Cơ quan chủ trì |\n| {i} | Việc {i} | Ban Tổ chức |"
                                 for i in range(2000))).encode("utf-8")
    if kind == "markers-only":
        return "\n".join(rnd.choice(["I.", "1.", "(1)", "a)", "-", "Nơi nhận:", "T/M", "PHỤ LỤC", "|", "**"])
                         for _ in range(20_000)).encode("utf-8")
    if kind == "bidi":
        return ("\u202e\u2066" + base.replace(" ", " \u200b\u202d ")).encode("utf-8")
    if kind == "crlf-bom":
        return b"\xef\xbb\xbf" + base.replace("\n", "\r\n").encode("utf-8")
    if kind == "table-flood":
        return ("| a | b |\n" + "| " + " | ".join(["x"] * 5000) + " |\n") .encode("utf-8") * 50
    return base.encode("utf-8")


# ---------------------------------------------------------------------------------------------- runner

class Fuzzer:
    """Runs one target for a time budget and records failures."""

    def __init__(self, target: str, out_dir: Path, timeout: float, work: Path):
        self.target = target
        self.out_dir = out_dir / target
        self.timeout = timeout
        self.work = work
        self.tried = 0
        self.readable = 0
        self.failures: collections.Counter[str] = collections.Counter()
        self.saved: list[Path] = []
        self.slowest = 0.0
        if target == "text":
            self.seeds = _seed_texts()
        elif target == "pdf":
            self.seeds = _seed_pdfs(work)
        elif target == "docx":
            self.seeds = _seed_docx(work)
        elif target == "cli":
            self.seeds = _seed_texts() + _seed_pdfs(work) + _seed_docx(work)
        else:
            self.seeds = []
        self.cli_timeout = 60.0

    def _fail(self, kind: str, payload: bytes, suffix: str, tb: str) -> None:
        self.failures[kind] += 1
        digest = hashlib.sha1(payload).hexdigest()[:12]
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{kind.replace(':', '_')}-{digest}{suffix}"
        if self.failures[kind] <= 20:  # keep a few of each kind
            path.write_bytes(payload)
            path.with_suffix(path.suffix + ".traceback.txt").write_text(tb, encoding="utf-8")
            self.saved.append(path)

    def _guarded(self, func, *args):
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        started = time.perf_counter()
        try:
            return func(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.slowest = max(self.slowest, time.perf_counter() - started)

    def check_file(self, payload: bytes, suffix: str) -> None:
        """Read one mutated file; record anything but DocumentError (and parser exceptions on readable ones)."""
        self.tried += 1
        path = self.work / f"input{suffix}"
        path.write_bytes(payload)
        try:
            raw = self._guarded(read_document, path)
        except DocumentError:
            return
        except InputTimeout:
            self._fail("reader:Timeout", payload, suffix, traceback.format_exc())
            return
        except BaseException as exc:  # noqa: BLE001 - that is what we look for
            if isinstance(exc, KeyboardInterrupt):
                raise
            self._fail(f"reader:{type(exc).__name__}", payload, suffix, traceback.format_exc())
            return
        self.readable += 1
        try:
            self._guarded(parse_raw, raw)
        except InputTimeout:
            self._fail("parser:Timeout", payload, suffix, traceback.format_exc())
        except Exception as exc:  # noqa: BLE001
            self._fail(f"parser:{type(exc).__name__}", payload, suffix, traceback.format_exc())

    def check_cli(self, payload: bytes | None, name: str, special: str = "") -> None:
        """`rag index add` of one file in a fresh process (special: "fifo" or "zero" makes that file instead)."""
        import os  # noqa: PLC0415
        import subprocess  # noqa: PLC0415

        self.tried += 1
        folder = self.work / f"in{self.tried}"
        folder.mkdir()
        path = folder / name
        if special == "fifo":
            os.mkfifo(path)
        elif special == "zero":
            path.symlink_to("/dev/zero")
        else:
            path.write_bytes(payload or b"")
        index = self.work / f"index{self.tried // 50}"
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
        started = time.perf_counter()
        shown = payload if payload is not None else special.encode()
        try:
            proc = subprocess.run([sys.executable, "-m", "rag", "index", "add", str(path), "--index", str(index),
                                   "--embedder", "hash:384", "-q"], env=env, capture_output=True, text=True,
                                  timeout=self.cli_timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            self._fail("cli:Timeout", shown, path.suffix, f"{name!r}: no answer in {self.cli_timeout} s")
            return
        finally:
            self.slowest = max(self.slowest, time.perf_counter() - started)
            if special:
                path.unlink(missing_ok=True)
        detail = f"{name!r} exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        if proc.returncode == 0:
            self.readable += 1
        if "Traceback" in proc.stderr:
            self._fail("cli:Traceback", shown, path.suffix, detail)
        elif proc.returncode not in (0, 1):
            self._fail(f"cli:exit{proc.returncode}", shown, path.suffix, detail)
        elif proc.returncode == 1 and not any(line.startswith(("Lỗi", "LỖI")) for line in proc.stderr.splitlines()):
            self._fail("cli:NoMessage", shown, path.suffix, detail)
        if (index / "CURRENT").exists() and self.tried % 10 == 0:  # an index was written: it must load
            from rag.index.store import load_index  # noqa: PLC0415

            try:
                load_index(index)
            except Exception as exc:  # noqa: BLE001
                self._fail(f"cli:IndexBroken:{type(exc).__name__}", shown, path.suffix, traceback.format_exc())
        shutil.rmtree(folder, ignore_errors=True)

    def check_lines(self, lines: list[TextLine]) -> None:
        """Parse random lines; any exception is a failure (saved as a repr of the line list)."""
        from rag.documents.models import RawDocument  # noqa: PLC0415

        self.tried += 1
        payload = repr([(line.text, line.page, line.heading) for line in lines]).encode("utf-8")
        try:
            self._guarded(parse_structure, lines)
            self._guarded(parse_raw, RawDocument(path="fuzz.txt", lines=lines, kind="txt"))
        except InputTimeout:
            self._fail("parser:Timeout", payload, ".py", traceback.format_exc())
        except Exception as exc:  # noqa: BLE001
            self._fail(f"parser:{type(exc).__name__}", payload, ".py", traceback.format_exc())

    def batch(self, n: int) -> None:
        """Run `n` hypothesis-generated inputs."""
        config = settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck), derandomize=False)
        if self.target == "sections":
            @config
            @given(text_lines())
            def run(lines):
                self.check_lines(lines)
        elif self.target == "cli":
            @config
            @given(st.integers(0, 10**6), mutations(), st.sampled_from(_ADVERSARIAL), st.integers(0, 3),
                   st.sampled_from(_NAMES))
            def run(seed_index, muts, adversarial, mode, name):
                if adversarial in ("fifo", "zero") and mode == 0:
                    self.check_cli(None, "dac-biet.txt", special=adversarial)
                    return
                if mode <= 1 and adversarial not in ("fifo", "zero"):
                    suffix, payload = ".txt", _adversarial(adversarial)
                else:
                    suffix, data = self.seeds[seed_index % len(self.seeds)]
                    payload = mutate(data, muts)
                self.check_cli(payload, name + suffix)
        else:
            @config
            @given(st.integers(0, 10**6), mutations(), st.integers(0, 50), st.booleans())
            def run(seed_index, muts, member, zip_level):
                suffix, data = self.seeds[seed_index % len(self.seeds)]
                if self.target == "docx" and zip_level:
                    payload = mutate_zip_member(data, member, muts)
                else:
                    payload = mutate(data, muts)
                self.check_file(payload, suffix)
        run()

    def run_for(self, seconds: float) -> None:
        """Fuzz until the time budget is spent."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.batch(25)

    def summary(self) -> str:
        """A one-paragraph text summary of this target's run."""
        lines = [f"[{self.target}] inputs tried: {self.tried}"
                 + (f", readable: {self.readable}" if self.target != "sections" else "")
                 + f", slowest input: {self.slowest:.2f}s, failures: {sum(self.failures.values())}"]
        for kind, count in self.failures.most_common():
            lines.append(f"  {kind}: {count}")
        if self.saved:
            lines.append(f"  failing inputs saved in {self.out_dir}")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Fuzz the chosen targets for the given time each; exit 1 when any failure was found."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="time budget per target")
    parser.add_argument("--target", choices=TARGETS + ("all",), default="all")
    parser.add_argument("--out", default=str(ROOT / "fuzz-failures"), help="folder for failing inputs")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-input time limit in seconds")
    parser.add_argument("--cli-timeout", type=float, default=60.0, help="time limit of one `rag index add` (cli)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # readers log warnings on every damaged input
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    targets = TARGETS if args.target == "all" else (args.target,)
    total_failures = 0
    with tempfile.TemporaryDirectory(prefix="rag-fuzz-") as tmp:
        for target in targets:
            work = Path(tmp) / target
            work.mkdir()
            fuzzer = Fuzzer(target, Path(args.out), args.timeout, work)
            fuzzer.cli_timeout = args.cli_timeout
            started = time.monotonic()
            fuzzer.run_for(args.seconds)
            print(fuzzer.summary() + f"\n  elapsed: {time.monotonic() - started:.0f}s", flush=True)
            total_failures += sum(fuzzer.failures.values())
    print(f"TOTAL failures: {total_failures}")
    return 1 if total_failures else 0


if __name__ == "__main__":
    random.seed(0)
    raise SystemExit(main())
