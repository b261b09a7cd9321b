"""Paths and helpers shared by the tests, imported as a plain module: ``from support import ...``.

(conftest.py holds only fixtures: pytest loads it itself, tests never import it.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
