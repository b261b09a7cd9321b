"""Broken environments: clear StoreErrors, non-zero CLI exits, read-only fallbacks, and the
user's file never overwritten or truncated (checked with checksums)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from reader.cli import cli
from reader.core.importing import import_seeds
from reader.core.store import Store, StoreError
from reader.core.store.migrations import migrations


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def saved_db(tmp_path: Path) -> Path:
    """A real database, closed cleanly (no -wal left): seeds and 60 annotations."""
    path = tmp_path / "real.db"
    store = Store(path)
    import_seeds(store)
    for document in store.documents.summaries():
        for index in range(30):
            store.annotations.create(document.id, index * 40, index * 40 + 12, ["地名"], "评论")
    store.close()
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder unwritable even for root (chmod, else chattr +i)."""
    locked: list[Path] = []

    def lock(path: Path) -> None:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
        if os.access(path, os.W_OK):  # root ignores permission bits
            chattr = shutil.which("chattr")
            if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
                pytest.skip("cannot make a file read-only here (root without chattr)")
        locked.append(path)

    yield lock
    for path in locked:
        if shutil.which("chattr"):
            subprocess.run(["chattr", "-i", str(path)], stderr=subprocess.DEVNULL)
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def read_everything(store: Store) -> None:
    for summary in store.documents.summaries():
        store.documents.get(summary.id)
        store.annotations.for_document(summary.id)
    store.tags.all()
    assert store.gateway.one("PRAGMA integrity_check") == ("ok",)


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_a_text_file_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("这不是数据库，是我的笔记。\n" * 50, encoding="utf-8")
    before = digest(notes)
    with pytest.raises(StoreError, match="not a reader database"):
        Store(notes)
    code, output = run_cli("export", "--db", str(notes), "-o", str(tmp_path / "x.csv"))
    assert code == 1 and "not a reader database" in output
    code, output = run_cli("import-annotations", str(notes), "--db", str(notes))
    assert code == 1
    assert digest(notes) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


@pytest.mark.parametrize("damage", ["garbled pages", "truncated"])
def test_a_damaged_database_gives_a_clear_error_and_stays_as_it_was(
    saved_db: Path, damage: str
) -> None:
    data = bytearray(saved_db.read_bytes())
    page = 4096
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        for start in range(2 * page, len(data) - page, 3 * page):
            data[start + 8 : start + page] = bytes((start + i) % 251 for i in range(page - 8))
    saved_db.write_bytes(bytes(data))
    before = digest(saved_db)
    with pytest.raises(StoreError, match="damaged"):
        store = Store(saved_db)
        read_everything(store)
    code, output = run_cli("export", "--db", str(saved_db), "-o", str(saved_db.parent / "o.csv"))
    assert code == 1 and "damaged" in output and "Traceback" not in output
    assert digest(saved_db) == before
    assert saved_db.stat().st_size == len(data)


def test_a_read_only_file_opens_read_only(
    saved_db: Path, make_read_only: Callable[[Path], None]
) -> None:
    make_read_only(saved_db)
    before = digest(saved_db)
    store = Store(saved_db)
    assert store.read_only
    read_everything(store)
    document = store.documents.summaries()[0].id
    with pytest.raises(StoreError, match="read-only"):
        store.annotations.create(document, 0, 3)
    store.preferences.set_position(document, 10)  # preferences are skipped, not refused
    assert store.preferences.position(document) == 0
    with pytest.raises(StoreError, match="read-only"):
        store.history.undo()
    store.close()
    out = saved_db.parent / "export.csv"
    code, output = run_cli("export", "--db", str(saved_db), "-o", str(out))
    assert code == 0, output
    assert out.read_text(encoding="utf-8").count("地名") == 60
    assert digest(saved_db) == before


def test_a_read_only_folder_opens_read_only(
    saved_db: Path, make_read_only: Callable[[Path], None]
) -> None:
    before = digest(saved_db)
    make_read_only(saved_db.parent)
    store = Store(saved_db)
    assert store.read_only
    read_everything(store)
    store.preferences.update(script="traditional")
    assert store.preferences.load().script is None
    with pytest.raises(StoreError, match="read-only"):
        store.annotations.delete(next(store.annotations.all()).id)
    store.close()
    with pytest.raises(StoreError, match="not writable"):
        Store(saved_db.parent / "new.db")
    assert digest(saved_db) == before


def test_an_older_read_only_database_is_not_migrated(
    tmp_path: Path, make_read_only: Callable[[Path], None]
) -> None:
    path = tmp_path / "v1.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_document_versions")
    db.close()
    make_read_only(path)
    before = digest(path)
    with pytest.raises(StoreError, match="needs an upgrade"):
        Store(path)
    assert digest(path) == before


def test_a_missing_folder_is_reported_not_created(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "annotations.db"
    with pytest.raises(StoreError, match="does not exist"):
        Store(path)
    assert not (tmp_path / "no").exists()
    code, output = run_cli("import-annotations", __file__, "--db", str(path))
    assert code == 1 and "does not exist" in output
    assert not (tmp_path / "no").exists()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)


def test_a_full_disk_loses_nothing_already_saved(saved_db: Path) -> None:
    store = Store(saved_db)
    pages = store.gateway.one("PRAGMA page_count")[0]
    store.gateway.execute(f"PRAGMA max_page_count = {pages + 40}")
    document = store.documents.summaries()[0].id
    saved = []
    with pytest.raises(StoreError, match="full") as raised:
        for index in range(1000):
            saved.append(
                store.annotations.create(document, index, index + 5, ["满"], "长" * 4000).id
            )
    assert "Free some space" in str(raised.value)
    assert 0 < len(saved) < 1000
    with pytest.raises(StoreError, match="full"):
        store.annotations.set_comment(saved[0], "长" * 100_000)
    assert store.annotations.get(saved[0]).comment == "长" * 4000
    store.close()
    reopened = Store(saved_db)
    read_everything(reopened)
    ids = {a.id for a in reopened.annotations.all()}
    assert set(saved) <= ids and len(ids) == 60 + len(saved)
    assert reopened.history.undo() is not None  # the log is as consistent as the data
    reopened.close()
