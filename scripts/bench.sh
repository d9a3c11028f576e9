#!/usr/bin/env bash
# Run the performance and scale benchmark (issue 6) and keep its output.
#   scripts/bench.sh                      # sample, 1000 and 10000 documents
#   scripts/bench.sh --sizes sample,1000  # any `rag bench` options
# Sizes 1000/10000 use the hash:384 STAND-IN embedder for passages (labelled in the output).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${RAG_BENCH_OUT:-bench-$(date +%Y%m%d-%H%M%S)}"
python -m tools.bench "$@" --json "$out.json" | tee "$out.txt"
echo "figures: $out.txt, $out.json"
