#!/usr/bin/env bash
# Install into ./.venv, build the index over corpus/ (only new or changed documents are embedded) and open the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
pip install -q torch==2.13.0 -e .
rag index build corpus/
exec rag ui "$@"
