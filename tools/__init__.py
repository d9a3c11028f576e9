"""Developer tooling: benchmarks, the generated corpus, fuzzing, tokenizer comparison, the test-set split.
Never imported by the runtime package (`rag bench` dispatches here only when that command is run)."""
