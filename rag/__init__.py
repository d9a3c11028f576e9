"""Vietnamese directive Q&A: section-aware ingestion, hybrid retrieval and cited extractive answers."""

__version__ = "0.1.0"
