"""Schema versions: newer databases are refused untouched, older ones upgrade in one go."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from reader.core.store import Store, StoreError
from reader.core.store import migrations as migrations_module
from reader.core.store.migrations import migrations
from reader.core.store.sqlite import known_migrations


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_v1(path: Path) -> None:
    """A database as the first release of reader left it: m001 only, rollback journal."""
    db = Database(path)
    migrations.apply(db, stop_before="m002_document_versions")
    db.execute(
        "insert into documents (id, title, text, script, content_hash) values"
        " (1, '长春', '长春国际汽车城正式揭牌，一汽集团参与共建。', 'simplified', 'h')"
    )
    for annotation_id in (1, 7):
        db.execute(
            "insert into annotations (id, document_id, start_offset, end_offset, quote, comment,"
            " status, created_at, updated_at) values (?, 1, 0, 2, '长春', 'old', 'active', 't',"
            " 't')",
            [annotation_id],
        )
    db.execute("insert into tags (id, name, color) values (1, '地名', '#fff')")
    db.execute("insert into annotation_tags values (7, 1)")
    db.close()


def test_new_database_is_marked_with_its_version(db_path: Path) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(known_migrations())
    names = [row[0] for row in conn.execute("select name from _sqlite_migrations order by id")]
    assert names == known_migrations()
    assert names[:3] == ["m001_initial", "m002_document_versions", "m003_undo_log"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_older_database_upgrades_in_place_keeping_everything(db_path: Path) -> None:
    make_v1(db_path)
    store = Store(db_path)
    assert {a.id for a in store.annotations.all()} == {1, 7}
    assert [t.name for t in store.annotations.get(7).tags] == ["地名"]
    assert store.documents.get(1).text.startswith("长春")
    created = store.annotations.create(1, 3, 5)
    assert created.id == 8  # the high-water mark started at the largest existing id
    store.annotations.delete(7)
    store.history.undo()
    assert store.annotations.get(7).comment == "old"
    store.close()


def test_failed_upgrade_rolls_back_every_step(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_v1(db_path)

    def m999_broken(db: Database) -> None:
        db.execute("create table half_done (x)")
        raise RuntimeError("migration bug")

    broken = migrations._Migration("m999_broken", m999_broken)
    monkeypatch.setattr(migrations, "_migrations", [*migrations._migrations, broken])
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(db_path)
    conn = sqlite3.connect(db_path)
    tables = {row[0] for row in conn.execute("select name from sqlite_master")}
    assert "half_done" not in tables
    assert "document_versions" not in tables and "undo_log" not in tables
    assert [row[0] for row in conn.execute("select name from _sqlite_migrations")] == [
        "m001_initial"
    ]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


@pytest.mark.parametrize("how", ["unknown migration", "higher version"])
def test_newer_database_is_refused_and_left_byte_for_byte(db_path: Path, how: str) -> None:
    store = Store(db_path)
    document = store.documents.add(text="未来的数据库", title="future")
    store.annotations.create(document, 0, 2)
    store.close()
    conn = sqlite3.connect(db_path)
    if how == "unknown migration":
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at)"
            " values ('reader', 'm042_from_the_future', 'later')"
        )
    else:
        conn.execute(f"PRAGMA user_version = {len(known_migrations()) + 5}")
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer version of reader") as raised:
        Store(db_path)
    assert "untouched" in str(raised.value)
    assert digest(db_path) == before
    with pytest.raises(StoreError):
        Store(db_path, read_only=True)
    assert digest(db_path) == before


def test_migrations_are_only_ever_appended() -> None:
    source = Path(migrations_module.__file__).read_text(encoding="utf-8")
    positions = [source.index(f"def {name}(") for name in known_migrations()]
    assert positions == sorted(positions)
    assert known_migrations()[:3] == ["m001_initial", "m002_document_versions", "m003_undo_log"]
