"""Shared fixtures: a real database file with the real sample articles in it."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pg_support import ENABLE_COMMAND, Cluster, server_binaries, start_cluster
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
def store(db_target: str) -> Iterator[Store]:
    """A store holding the two sample articles (simplified first): an SQLite file on disk, or
    (in the modules that run on both backends) a fresh PostgreSQL database too."""
    opened = Store(db_target)
    import_seeds(opened)
    yield opened
    opened.close()


# Both backends. The tests of these modules that use a store (through ``store``, ``db_target``
# or ``backend``) run once on SQLite and once on PostgreSQL; a test that also asks for
# ``db_path`` (it reaches the SQLite file itself) or is marked ``sqlite_only`` runs on SQLite.
BOTH_BACKENDS = (
    "test_store_",
    "test_export",
    "test_restore",
    "test_import_files",
    "test_import_reanchor",
    "test_search",
    "test_samples",
    "test_caught_export",
    "test_postgres",
    "test_merge",
    "test_reports",
    "test_coders",
    "test_agreement",
    "test_refiqda",
    "test_export_w3c",
    "test_codebook",
)

POSTGRES_SKIP = "PostgreSQL tests skipped"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if (
        module.startswith(BOTH_BACKENDS)
        and "db_path" not in metafunc.fixturenames
        and metafunc.definition.get_closest_marker("sqlite_only") is None
    ):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql": which database this run of the test uses."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """What ``--db`` takes for this test's own empty project: a file, or a database URL."""
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "annotations.db")


@pytest.fixture
def fresh_target(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Makes another empty project on this test's backend, each call a new one: a file in
    tmp_path, or a new PostgreSQL database (dropped after the test)."""
    made: list[str] = []

    def make() -> str:
        if backend == "postgresql":
            cluster: Cluster = request.getfixturevalue("pg_cluster")
            made.append(cluster.new_database())
            return cluster.url(made[-1])
        return str(tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*.db')))}.db")

    yield make
    if made:
        cluster = request.getfixturevalue("pg_cluster")
        for name in made:
            cluster.drop_database(name)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL server (tests/pg_support.py), started on first use."""
    binaries = server_binaries()
    if binaries is None:
        reason = "no PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: the PostgreSQL tests need a server: {reason}")
        pytest.skip(f"{POSTGRES_SKIP}: {reason}; `{ENABLE_COMMAND}` installs them")
    cluster = start_cluster(binaries)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh PostgreSQL database holding the empty schema, dropped after the test."""
    name = pg_cluster.new_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None] | object:
    """Every skip for want of a PostgreSQL server is reported at one place, so pytest's
    summary folds them into one line instead of one per test."""
    report = yield
    longrepr = getattr(report, "longrepr", None)
    if (
        getattr(report, "skipped", False)
        and isinstance(longrepr, tuple)
        and POSTGRES_SKIP in str(longrepr[2])
    ):
        report.longrepr = (__file__, 0, longrepr[2])  # type: ignore[union-attr]
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if POSTGRES_SKIP in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} PostgreSQL test{'s' if len(skipped) != 1 else ''} skipped: no"
            f" PostgreSQL server on this machine. Run `{ENABLE_COMMAND}` to enable them.",
            yellow=True,
            bold=True,
        )


# Tests write only inside temporary folders they make (we run as root). A file that appears at
# the top of the repository during a run (an SQLite file opened under a database's name, an
# export to a relative path) fails the run, named.
_REPOSITORY = Path(__file__).resolve().parent.parent
_LEFT_BY_TOOLS = {"snapshot_report.html", "mutants", "__pycache__"}
_entries_before: set[str] = set()


def _top_entries() -> set[str]:
    return {
        name
        for name in os.listdir(_REPOSITORY)
        if not name.startswith(".") and name not in _LEFT_BY_TOOLS
        and not name.endswith(".egg-info")
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    _entries_before.update(_top_entries())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = sorted(_top_entries() - _entries_before)
    if left:
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"The tests left {', '.join(left)} in {_REPOSITORY}: a test wrote outside its"
            " temporary folder.",
            red=True,
            bold=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
