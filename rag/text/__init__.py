"""Text: pure functions over Vietnamese strings (normalization and tokens, unit names, deadline phrases, dates).

No I/O and no knowledge of documents, indexes or answers; every other part of `rag` may import this.
"""
