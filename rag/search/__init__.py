"""Search: BM25 over our Vietnamese tokens (`lexical`), FAISS over e5 vectors (`dense`, `embedders`), fused by
reciprocal rank (`fusion`) in the `Retriever` (`retrieval`). Takes a `Query`; knows nothing of answers or duties."""
