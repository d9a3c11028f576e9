"""The index: immutable segments of documents (`segment`, read back through `rows`) listed by generations that are
swapped in atomically (`store`), written by `build`. Stores search structures and feature tables; knows nothing of
what a feature table means (the duty feature declares its own)."""
