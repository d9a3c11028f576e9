"""The `rag` command: a thin layer over the library (parse arguments, call the library, print in Vietnamese)."""

from .main import main

__all__ = ["main"]
