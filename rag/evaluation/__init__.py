"""Evaluation: a JSONL test set, IR and answer metrics, a runner with baselines, and reports (json, md, png)."""
