"""SIGKILL a process in the middle of annotation writes: nothing reported saved is lost.

The harness itself is benchmarks/kill_harness.py (run it for the full >= 1,000 writes); here a
smaller run: 200 confirmed writes, at least 5 kills.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType

import pytest
from support import load_benchmark


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    return load_benchmark("kill_harness")


def test_killed_writers_lose_nothing_confirmed(tmp_path: Path, harness: ModuleType) -> None:
    db = tmp_path / "annotations.db"
    report = harness.run(db, writes=200, min_delay=0.0, max_delay=0.08, seed=5, min_kills=5)
    print(report.summary())
    assert report.problems == []
    assert report.kills >= 5
    assert report.confirmed >= 200
    assert report.found == report.confirmed
    assert report.attempted - report.confirmed == report.in_flight_applied + report.in_flight_absent
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("select count(*) from annotations").fetchone()[0] > 0


def test_the_checker_notices_a_lost_write(tmp_path: Path, harness: ModuleType) -> None:
    """The harness must be able to fail: a confirmed write missing from the file is reported."""
    model = {1: (1, 0, 5, ("产业",), "评论"), 2: (1, 6, 9, (), "")}
    state = {1: (1, 0, 5, ("产业",), "评论")}
    assert harness.lost_writes(model, state) == 1
    assert harness.apply(model, {"op": "delete", "id": 2}) == state
    assert harness.apply(model, {"op": "comment", "id": 1, "comment": "x"})[1][4] == "x"
