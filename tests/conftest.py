"""Shared fixtures: a real database file with the real sample articles in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import SIMPLIFIED_SEED

from reader.core.documents import normalize_text
from reader.core.library import import_seeds
from reader.core.store import Store


@pytest.fixture
def simplified_text() -> str:
    return normalize_text(SIMPLIFIED_SEED.read_text(encoding="utf-8"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A store on disk holding the two sample articles (simplified first)."""
    opened = Store(db_path)
    import_seeds(opened)
    yield opened
    opened.close()
