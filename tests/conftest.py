"""Shared fixtures: a real database file with the real sample articles in it."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import SIMPLIFIED_SEED

from reader.core.documents import normalize_text
from reader.core.importing import import_seeds
from reader.core.store import Store


@pytest.fixture
def simplified_text() -> str:
    return normalize_text(SIMPLIFIED_SEED.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_coder_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The coder of every test is the OS user unless the test names one (--coder, Store(...,
    coder=), READER_CODER set by the test itself): never a READER_CODER the shell happens to
    have."""
    monkeypatch.delenv("READER_CODER", raising=False)


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


# Mutation testing (make mutation): mutmut forks each mutant's test run from a process that has
# already run the tests once, so whatever reader.core computed once and kept (functools caches,
# tables built at import) holds the original code's results and the mutant never runs. Under
# mutmut, each mutant's session starts by forgetting them. Outside mutmut this does nothing.
_RELOADED_FOR_MUTANTS = ("reader.core.display", "reader.core.export")
"""Modules whose import builds tables from their own functions and that define no classes (a
reloaded class would not be the class other modules hold)."""


_SLOW_UNDER_MUTMUT = (
    "tests/test_caught_ui.py",  # Textual apps: seconds each
    "tests/test_find_bar.py",
    "tests/test_serve",  # a web server and a browser
    "tests/test_durability.py::test_killed_writers_lose_nothing_confirmed",  # 50 s of processes
    "tests/test_concurrency.py",  # processes and threads racing: seconds each
    "tests/test_import_hygiene.py",  # fresh interpreters, which never see the mutant
)
"""Left out of mutation runs (with every tests/*_ui.py): each would cost its seconds for every
mutant it reaches."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    kept, slow = [], []
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        is_slow = item.nodeid.startswith(_SLOW_UNDER_MUTMUT) or path.endswith("_ui.py")
        (slow if is_slow else kept).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = kept


@pytest.fixture(autouse=True, scope="session")
def _forget_what_the_original_code_computed() -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")  # read now: this module outlives a fork
    if not mutant.startswith("reader.core."):
        return
    module_name = mutant.rsplit(".", 1)[0]
    if module_name in _RELOADED_FOR_MUTANTS and module_name in sys.modules:
        importlib.reload(sys.modules[module_name])
    for name, module in list(sys.modules.items()):
        if not name.startswith("reader.core"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, dict) and hasattr(type(value), "__missing__"):
                value.clear()  # a dict that fills itself (graphemes.char_cells)
            elif inspect.isfunction(value) or hasattr(value, "cache_clear"):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


@pytest.fixture(autouse=True)
def _no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app reads $XDG_CONFIG_HOME/reader/config.toml: point it at an empty folder of the
    test's own, so a developer's settings (a theme, a keymap) never change what a test sees."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
