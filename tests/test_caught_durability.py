"""Durability that a SIGKILL cannot see: what the kill harness misses because the process ends
before any of it matters, checked directly.

Each test here fails for a bug of the kind issue 11 lists under "Durability" (planted one at a
time in a copy): ``synchronous=FULL`` removed, a failed COMMIT swallowed, restore committing row
by row (caught by tests/test_restore_cases.py's disk-full restore), a database one schema newer
opened, quick_check skipped before an upgrade.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from test_store_migrations import make_v1

from reader.core.store import Store, StoreError
from reader.core.store.sqlite import known_migrations

SYNCHRONOUS_FULL = 2
"""PRAGMA synchronous answers 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA."""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_writable_connection_waits_for_the_disk(db_path: Path) -> None:
    # WAL with synchronous=NORMAL (SQLite's usual advice) loses the last commits on a power
    # cut; a killed process loses nothing either way, so only asking the connection tells.
    fresh = Store(db_path)
    assert fresh.gateway.one("PRAGMA synchronous")[0] == SYNCHRONOUS_FULL
    assert fresh.gateway.one("PRAGMA journal_mode")[0] == "wal"
    fresh.close()
    reopened = Store(db_path)  # an existing database: no migration runs this time
    assert reopened.gateway.one("PRAGMA synchronous")[0] == SYNCHRONOUS_FULL
    reopened.close()


def test_the_store_asks_for_full_where_sqlite_defaults_to_normal(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This build's default is FULL already, so a store that never asked would pass the test
    # above. SQLite built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (as Android and some
    # distributions ship it) starts WAL connections at NORMAL: connections made so here.
    real_connect = sqlite3.connect

    def connect_as_a_normal_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_as_a_normal_build)
    for _ in range(2):  # a new database, then an existing one
        opened = Store(db_path)
        assert opened.gateway.one("PRAGMA synchronous")[0] == SYNCHRONOUS_FULL
        opened.close()


def test_an_upgraded_database_waits_for_the_disk_too(db_path: Path) -> None:
    make_v1(db_path)
    upgraded = Store(db_path)
    assert upgraded.gateway.one("PRAGMA synchronous")[0] == SYNCHRONOUS_FULL
    upgraded.close()


def test_a_commit_that_fails_is_an_error_and_leaves_nothing(store: Store) -> None:
    # A deferred foreign key is checked at COMMIT: the COMMIT itself fails, after every
    # statement of the transaction succeeded.
    document = store.documents.summaries()[0].id
    before = [(a.id, a.start, a.end) for a in store.annotations.for_document(document)]
    with pytest.raises((sqlite3.IntegrityError, StoreError)), store.transaction():
        store.gateway.execute("PRAGMA defer_foreign_keys = ON")
        store.gateway.execute(
            "insert into annotations (id, document_id, start_offset, end_offset, quote,"
            " comment, status, created_at, updated_at)"
            " values (4242, ?, 0, 2, 'x', 'lost?', 'active', 't', 't')",
            [document],
        )
        store.gateway.execute(
            "insert into annotation_tags (annotation_id, tag_id) values (4242, 999)"
        )
    assert not store.gateway.in_transaction
    assert [(a.id, a.start, a.end) for a in store.annotations.for_document(document)] == before
    # The store is usable afterwards: the next change commits.
    created = store.annotations.create(document, 3, 5, ["后来"], "保存了")
    assert store.annotations.get(created.id).comment == "保存了"


def test_a_database_one_schema_newer_is_refused_untouched(db_path: Path) -> None:
    store = Store(db_path)
    store.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(known_migrations()) + 1}")
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer version of reader"):
        Store(db_path)
    assert digest(db_path) == before


def test_the_current_schema_is_not_taken_for_a_newer_one(db_path: Path) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(known_migrations())
    conn.close()
    Store(db_path).close()  # opens: exactly the schema this reader knows


def damage_a_page(path: Path, table: str) -> None:
    """Claim 200 cells on the table's root page: quick_check sees it, plain reads of other
    tables (and the upgrade's statements) do not."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("select rootpage from sqlite_master where name = ?", [table]).fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    offset = (root - 1) * page_size
    data[offset + 3 : offset + 5] = (200).to_bytes(2, "big")
    path.write_bytes(bytes(data))


def test_a_damaged_older_database_is_not_upgraded(db_path: Path) -> None:
    make_v1(db_path)
    damage_a_page(db_path, "tags")
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    conn.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="damaged") as raised:
        Store(db_path)
    assert "tree page" in str(raised.value)  # quick_check's finding, said to the user
    assert digest(db_path) == before  # not even switched to WAL: left as it was for .recover
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert [row[0] for row in conn.execute("select name from _sqlite_migrations")] == [
        "m001_initial"
    ]
    conn.close()
