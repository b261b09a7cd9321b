"""Shared fixtures: a real database file with the real sample articles in it."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from reader.core.documents import normalize_text
from reader.core.library import import_seeds
from reader.core.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SIMPLIFIED_SEED = SEEDS / "changchun-auto-city-simplified.txt"
TRADITIONAL_SEED = SEEDS / "changchun-auto-city-traditional.txt"


def load_benchmark(name: str) -> ModuleType:
    """A script from benchmarks/ as a module, so tests can run its harness on a smaller scale."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


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
