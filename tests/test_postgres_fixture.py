"""Without a PostgreSQL server the PostgreSQL cases are skipped, and the run says so once, with
the command that enables them; in CI (CI=true) a missing server fails the run instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pg_support import ENABLE_COMMAND
from support import ROOT

SELECTION = [
    "tests/test_store_postgres.py::test_the_schema_and_its_history_are_sqlites",
    "tests/test_samples.py::test_importing_the_samples_twice_adds_nothing",
]
"""One PostgreSQL-only test, and one test of both backends (its SQLite run passes)."""


def run_without_a_server(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READER_PG_BIN": str(tmp_path / "no-server-here")}
    env.pop("CI", None)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", *SELECTION, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_without_a_server_they_are_skipped_and_said_once(tmp_path: Path) -> None:
    result = run_without_a_server(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 2 skipped" in result.stdout
    assert result.stdout.count(f"Run `{ENABLE_COMMAND}` to enable them") == 1
    assert "2 PostgreSQL tests skipped" in result.stdout


def test_in_ci_a_missing_server_fails(tmp_path: Path) -> None:
    result = run_without_a_server(tmp_path, ci=True)
    assert result.returncode != 0
    assert "CI: the PostgreSQL tests need a server" in result.stdout
