"""Columns of strings as integer codes (the document of each row, the kind of each chunk): one encoder for the
index's segments, the duty table and in-memory retrievers."""

from __future__ import annotations

import numpy as np


def encode_column(values, *, ordered: bool = False) -> tuple[list[str], np.ndarray]:
    """Names and int64 codes of a column of strings: names in order of first appearance, or sorted with `ordered`;
    `codes[i]` is the position of `values[i]` in names."""
    values = list(values)
    names = sorted(set(values)) if ordered else list(dict.fromkeys(values))
    number = {name: i for i, name in enumerate(names)}
    return names, np.asarray([number[v] for v in values], dtype=np.int64)
