"""Someone else's annotations.db is input too: views, triggers, bad values, stale WAL reads."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.importing import import_seeds
from reader.core.store import TAG_COLORS, Store, StoreError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "theirs.db"
    store = Store(path)
    import_seeds(store)
    document = store.documents.summaries()[0].id
    store.annotations.create(document, 0, 4, ["政策"], "评论")
    store.close()
    return path


def raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_a_trigger_on_our_tables_is_refused_before_it_can_run(seeded: Path) -> None:
    raw(
        seeded,
        "create table loot (quote text)",
        "create trigger steal after insert on annotations begin"
        " insert into loot values (new.quote); end",
    )
    before = digest(seeded)
    with pytest.raises(StoreError, match="trigger 'steal' on annotations"):
        Store(seeded)
    result = CliRunner().invoke(cli, ["export", "--db", str(seeded), "-o", "-"])
    assert result.exit_code == 1 and "trigger" in result.output
    assert "Traceback" not in result.output
    assert digest(seeded) == before


def test_a_view_in_place_of_our_table_is_refused(seeded: Path) -> None:
    raw(
        seeded,
        "alter table tags rename to real_tags",
        "create view tags as select id, name, color from real_tags",
    )
    with pytest.raises(StoreError, match="tags is a view, not a table"):
        Store(seeded)


def test_trusted_schema_is_off(seeded: Path) -> None:
    store = Store(seeded)
    assert store.gateway.one("PRAGMA trusted_schema")[0] == 0
    store.close()


def test_a_missing_column_is_a_sentence_not_a_crash(seeded: Path) -> None:
    raw(seeded, "alter table annotations drop column comment")
    before = digest(seeded)
    with pytest.raises(StoreError, match="annotations has no comment column"):
        Store(seeded)
    result = CliRunner().invoke(cli, ["export", "--db", str(seeded), "-o", "-"])
    assert result.exit_code == 1 and "has no comment column" in result.output
    assert digest(seeded) == before


def test_a_bad_tag_colour_never_leaves_the_store(seeded: Path) -> None:
    raw(seeded, "update tags set color = 'bold blink red'")
    store = Store(seeded)
    (tag,) = store.tags.all()
    assert tag.color == TAG_COLORS[tag.id % len(TAG_COLORS)]
    annotation = next(store.annotations.all())
    assert annotation.tags[0].color == tag.color
    assert any("bold blink red" in notice for notice in store.notices)
    store.close()
    result = CliRunner().invoke(cli, ["export", "--db", str(seeded), "-o", "-"])
    assert result.exit_code == 0 and "not #rrggbb" in result.output


def test_a_bad_tag_colour_opens_in_the_app(seeded: Path) -> None:
    """The front end only ever gets colours it can parse (this crashed with ColorParseError)."""
    from rich.style import Style

    raw(seeded, "update tags set color = 'bold blink red'")
    store = Store(seeded)
    for tag in store.tags.all():
        Style(bgcolor=tag.color)  # raises ColorParseError for 'bold blink red'
    store.close()


async def test_the_app_says_what_the_store_repaired(seeded: Path) -> None:
    """A replaced colour is a notice in the app too, not only on the command line."""
    from reader.ui.app import make_app

    raw(seeded, "update tags set color = 'bold blink red'")
    store = Store(seeded)
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        shown = [notification.message for notification in app._notifications]
        assert any("bold blink red" in message for message in shown), shown
    store.close()


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Make a folder unwritable even for root (chattr +i)."""
    locked: list[Path] = []

    def lock(path: Path) -> None:
        os.chmod(path, 0o555)
        if os.access(path, os.W_OK):
            chattr = shutil.which("chattr")
            if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
                os.chmod(path, 0o755)
                pytest.skip("cannot make a folder read-only here (root without chattr)")
        locked.append(path)

    yield lock
    for path in locked:
        if shutil.which("chattr"):
            subprocess.run(["chattr", "-i", str(path)], stderr=subprocess.DEVNULL)
        os.chmod(path, 0o755)


def test_a_read_only_folder_with_a_wal_and_no_shm_reads_every_commit(
    tmp_path: Path, make_read_only: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """immutable=1 ignored the -wal: export printed 1 of 6 committed annotations, exit 0."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    work = tmp_path / "work"
    work.mkdir()
    store = Store(work / "a.db")
    import_seeds(store)
    document = store.documents.summaries()[0].id
    store.annotations.create(document, 0, 2, ["一"])
    store.gateway.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.gateway.execute("PRAGMA wal_autocheckpoint = 0")
    for index in range(1, 6):
        store.annotations.create(document, index * 10, index * 10 + 2, ["后来"])
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    # What a copied folder looks like while the writer is still open: db and -wal, no -shm.
    shutil.copyfile(work / "a.db", shipped / "a.db")
    shutil.copyfile(work / "a.db-wal", shipped / "a.db-wal")
    store.close()
    make_read_only(shipped)
    before = digest(shipped / "a.db"), digest(shipped / "a.db-wal")
    reader = Store(shipped / "a.db")
    assert reader.read_only
    assert len(list(reader.annotations.all())) == 6
    copy = reader.gateway.private_copy
    assert copy is not None and copy.exists()
    reader.close()
    assert not copy.exists()
    result = CliRunner().invoke(cli, ["export", "--db", str(shipped / "a.db"), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.output.count("后来") == 5
    assert list(private.iterdir()) == []  # the private copy is gone after the command
    assert (digest(shipped / "a.db"), digest(shipped / "a.db-wal")) == before
    assert sorted(p.name for p in shipped.iterdir()) == ["a.db", "a.db-wal"]


def test_values_of_the_wrong_type_reach_no_front_end(seeded: Path) -> None:
    raw(
        seeded,
        "update documents set title = 42, source = null where id = 1",
        "update tags set name = x'e694bfe7ad96'",
        "update annotations set comment = 7",
    )
    store = Store(seeded)
    summary = store.documents.summaries()[0]
    assert (summary.title, summary.source) == ("42", "")
    assert store.documents.get(1).title == "42"
    (annotation,) = store.annotations.all()
    assert annotation.comment == "7" and annotation.tags[0].name == "政策"
    raw(seeded, "update annotations set start_offset = 'abc'")
    with pytest.raises(StoreError, match="The start of annotation 1 is 'abc', not a whole number"):
        list(store.annotations.all())
    store.close()
