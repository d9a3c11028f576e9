#!/usr/bin/env bash
# Install into ./.venv (CPU torch from the pinned wheel first, so no CUDA build is pulled) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
pip install -q torch==2.13.0 -e ".[test]"
python -m pytest -q "$@"
