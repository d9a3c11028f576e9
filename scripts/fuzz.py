"""`python scripts/fuzz.py ...` runs the fuzzer, which lives in `tools/fuzz.py` (`python -m tools.fuzz ...`)."""

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
runpy.run_module("tools.fuzz", run_name="__main__")
