"""Measure BM25 tokenizations on the dev test set: syllables, syllables+bigrams (ours), pyvi word segmentation.

pyvi is not a dependency (unmaintained); install it only to run this comparison: `pip install pyvi`.
Usage: python -m tools.compare_tokenizers [--index index] [--testset eval/dev.jsonl]
"""

from __future__ import annotations

import argparse

import bm25s
import numpy as np

from rag.evaluation.runner import evidence_found
from rag.evaluation.testset import load_testset
from rag.text.normalize import fold, tokenize
from rag.index.store import load_index


def pyvi_tokens(text: str) -> list[str]:
    """Word segmentation with pyvi (compound words joined by "_"), then folded like our tokens."""
    from pyvi import ViTokenizer

    return [fold(w) for w in ViTokenizer.tokenize(text).split() if any(ch.isalnum() for ch in w)]


def evaluate(name: str, tokenizer, chunks, cases, k: int = 5) -> dict:
    """hit@k and MRR of BM25 alone with one tokenizer."""
    model = bm25s.BM25()
    model.index([tokenizer(c.index_text()) or [""] for c in chunks], show_progress=False)
    hits, rr = [], []
    for case in cases:
        tokens = [t for t in tokenizer(case.question) if t in model.vocab_dict]
        scores = model.get_scores(tokens) if tokens else np.zeros(len(chunks))
        order = np.argsort(-scores)[:k]
        relevant = [bool(evidence_found(chunks[i].doc, chunks[i].text, case)) and scores[i] > 0 for i in order]
        hits.append(any(relevant))
        rr.append(next((1 / (r + 1) for r, ok in enumerate(relevant) if ok), 0.0))
    return {"tokenizer": name, "hit@5": float(np.mean(hits)), "MRR": float(np.mean(rr))}


def main() -> None:
    """Print one line per tokenizer."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--index")
    parser.add_argument("--testset", default="eval/dev.jsonl")
    args = parser.parse_args()
    chunks = load_index(args.index).chunks
    cases = [c for c in load_testset(args.testset) if c.answerable]
    variants = [
        ("syllables", lambda t: tokenize(t, bigrams=False)),
        ("syllables+bigrams (used)", tokenize),
    ]
    try:
        import pyvi  # noqa: F401

        variants.append(("pyvi words", pyvi_tokens))
        variants.append(("pyvi words+syllables", lambda t: pyvi_tokens(t) + tokenize(t, bigrams=False)))
    except ImportError:
        print("pyvi not installed: pip install pyvi to include word segmentation")
    for name, tokenizer in variants:
        result = evaluate(name, tokenizer, chunks, cases)
        print(f"{result['tokenizer']:<28} hit@5={result['hit@5']:.3f}  MRR={result['MRR']:.3f}  (n={len(cases)})")


if __name__ == "__main__":
    main()
