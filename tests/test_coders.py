"""Coders (issue 10 §2): every annotation records who made it; undo is one's own; export and
restore carry the coder. On real SQLite files, two sessions on one file as two coders."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from reader.cli import cli
from reader.core.coders import CoderNameError, check_coder_name, default_coder
from reader.core.importing import import_seeds
from reader.core.store import Store
from reader.core.store.migrations import migrations


@pytest.fixture
def pair(db_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two sessions on one file: anna's and bo's (as two apps on one project would be)."""
    anna = Store(db_path, coder="anna")
    import_seeds(anna)
    bo = Store(db_path, coder="bo")
    yield anna, bo
    anna.close()
    bo.close()


def first_document(store: Store) -> int:
    return store.documents.summaries()[0].id


def test_names_are_checked_in_one_place() -> None:
    assert check_coder_name("  李四 ") == "李四"
    for bad, why in (("", "empty"), ("  ", "empty"), ("a,b", "comma"), ("a\x1bb", "control"),
                     ("x" * 65, "at most")):  # fmt: skip
        with pytest.raises(CoderNameError, match=why):
            check_coder_name(bad)


def test_the_default_coder_is_the_environment_then_the_os_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "os-user")
    assert default_coder({}) == "os-user"
    assert default_coder({"READER_CODER": " 王五 "}) == "王五"
    assert default_coder({"READER_CODER": "   "}) == "os-user"  # blank is unset
    with pytest.raises(CoderNameError):
        default_coder({"READER_CODER": "a,b"})

    def no_user() -> str:
        raise OSError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert default_coder({}) == "coder"


def test_every_annotation_records_its_coder(pair: tuple[Store, Store]) -> None:
    anna, bo = pair
    document_id = first_document(anna)
    mine = anna.annotations.create(document_id, 0, 4, ["政策"])
    theirs = bo.annotations.create(document_id, 2, 6, ["政策"], "bo's")
    assert (mine.coder, theirs.coder) == ("anna", "bo")
    assert {a.id: a.coder for a in anna.annotations.for_document(document_id)} == {
        mine.id: "anna",
        theirs.id: "bo",
    }
    assert anna.annotations.coders() == [("anna", 1), ("bo", 1)]
    # Changing another coder's annotation keeps it theirs (the change is in the changer's log).
    anna.annotations.set_comment(theirs.id, "anna's note")
    assert anna.annotations.get(theirs.id).coder == "bo"


def test_undo_and_redo_take_back_only_ones_own_actions(pair: tuple[Store, Store]) -> None:
    anna, bo = pair
    document_id = first_document(anna)
    first = anna.annotations.create(document_id, 0, 4, ["甲"])
    second = bo.annotations.create(document_id, 10, 14, ["乙"])
    anna.annotations.set_comment(first.id, "anna")
    # bo's newest action is newer than anna's, but anna's undo takes back her own.
    bo.annotations.set_tags(second.id, ["乙", "丙"])
    result = anna.history.undo()
    assert result is not None and result.annotation_id == first.id
    assert anna.annotations.get(first.id).comment == ""
    assert [t.name for t in anna.annotations.get(second.id).tags] == ["丙", "乙"]
    # bo's undo: his tags, not anna's comment.
    assert bo.history.undo() is not None
    assert [t.name for t in bo.annotations.get(second.id).tags] == ["乙"]
    # A new action of bo's does not empty anna's redo stack.
    bo.annotations.set_comment(second.id, "bo")
    assert anna.history.can_redo() and not bo.history.can_redo()
    assert anna.history.redo() is not None
    assert anna.annotations.get(first.id).comment == "anna"
    # Each undoes down to their own first action and no further.
    while anna.history.undo() is not None:
        pass
    assert [a.id for a in anna.annotations.for_document(document_id)] == [second.id]
    assert bo.history.can_undo()
    while bo.history.undo() is not None:
        pass
    assert anna.annotations.for_document(document_id) == []


def test_undoing_a_delete_brings_the_annotation_back_with_its_coder(
    pair: tuple[Store, Store],
) -> None:
    anna, bo = pair
    theirs = bo.annotations.create(first_document(bo), 3, 9, ["乙"])
    anna.annotations.delete(theirs.id)  # the disagreement browser's "keep A's" does this
    assert not bo.history.can_redo()
    assert anna.history.undo() is not None
    assert anna.annotations.get(theirs.id).coder == "bo"


def test_auto_coding_is_the_coders_own_and_skips_only_their_codings(
    pair: tuple[Store, Store],
) -> None:
    anna, bo = pair
    document_id = first_document(anna)
    spans = [(document_id, 0, 2), (document_id, 5, 7)]
    assert anna.annotations.autocode("地名", spans) == ({document_id: 2}, 0)
    # bo codes the same passages: anna's codings are not his.
    assert bo.annotations.autocode("地名", spans) == ({document_id: 2}, 0)
    assert bo.annotations.autocode("地名", spans) == ({}, 2)
    assert anna.annotations.coders() == [("anna", 2), ("bo", 2)]
    assert bo.annotations.spans(["地名"], coder="bo") == {document_id: [(0, 2), (5, 7)]}
    assert anna.history.undo() is not None  # anna's batch only
    assert anna.annotations.coders() == [("bo", 2)]


def make_v7(path: Path) -> None:
    """A database as reader left it before coders: every migration up to m007, with an
    annotation, a tag and an undo log entry."""
    db = Database(path)
    migrations.apply(db, stop_before="m008_coders")
    db.execute(
        "insert into documents (id, title, text, script, content_hash) values"
        " (1, '长春', '长春国际汽车城正式揭牌，一汽集团参与共建。', 'simplified', 'h')"
    )
    db.execute(
        "insert into annotations (id, document_id, start_offset, end_offset, quote, comment,"
        " status, created_at, updated_at) values (5, 1, 0, 2, '长春', 'old', 'active', 't', 't')"
    )
    # Its creation, as m003's undo log recorded it (snapshots without a coder).
    db.execute(
        "insert into undo_log (action, annotation_id, document_id, description, before, after,"
        " undone, created_at) values ('create', 5, 1, 'new', null, ?, 0, 't')",
        [
            '{"row": {"id": 5, "document_id": 1, "start_offset": 0, "end_offset": 2, "quote":'
            ' "长春", "prefix": "", "suffix": "", "comment": "old", "status": "active",'
            ' "created_at": "t", "updated_at": "t"}, "tags": []}'
        ],
    )
    db.close()


def test_an_older_database_gives_its_annotations_to_the_coder_who_upgrades_it(
    db_path: Path,
) -> None:
    make_v7(db_path)
    store = Store(db_path, coder="李四")
    assert store.annotations.get(5).coder == "李四"
    # The upgrader's old actions are still theirs to undo, and redo brings the coder back.
    other = Store(db_path, coder="bo")
    assert not other.history.can_undo()
    other.close()
    assert store.history.undo() is not None
    assert store.annotations.for_document(1) == []
    assert store.history.redo() is not None
    assert store.annotations.get(5).coder == "李四"
    store.close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("select distinct coder from undo_log").fetchall() == [("李四",)]


def test_export_has_a_coder_column_and_filter(pair: tuple[Store, Store], tmp_path: Path) -> None:
    anna, bo = pair
    document_id = first_document(anna)
    anna.annotations.create(document_id, 0, 4, ["甲"])
    bo.annotations.create(document_id, 2, 6, ["乙"])
    bo.annotations.create(document_id, 8, 9, ["乙"])
    anna.close()
    bo.close()
    db = str(tmp_path / "annotations.db")
    everyone = CliRunner().invoke(cli, ["export", "--db", db, "-o", "-"])
    assert everyone.exit_code == 0, everyone.output
    rows = list(csv.DictReader(io.StringIO(everyone.stdout)))
    assert [row["coder"] for row in rows] == ["anna", "bo", "bo"]
    only_bo = CliRunner().invoke(cli, ["export", "--db", db, "-o", "-", "--coder", "bo"])
    assert [row["coder"] for row in csv.DictReader(io.StringIO(only_bo.stdout))] == ["bo", "bo"]
    both = CliRunner().invoke(
        cli, ["export", "--db", db, "-o", "-", "--coder", "bo", "--coder", "anna"]
    )
    assert len(list(csv.DictReader(io.StringIO(both.stdout)))) == 3
    nobody = CliRunner().invoke(cli, ["export", "--db", db, "-o", "-", "--coder", "carl"])
    assert list(csv.DictReader(io.StringIO(nobody.stdout))) == []


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_restore_gives_each_annotation_back_to_its_coder(
    pair: tuple[Store, Store], tmp_path: Path, suffix: str
) -> None:
    anna, bo = pair
    document_id = first_document(anna)
    # The same passage, tags and comment by two coders: two annotations, both come back.
    anna.annotations.create(document_id, 0, 4, ["甲"], "同")
    bo.annotations.create(document_id, 0, 4, ["甲"], "同")
    bo.annotations.create(document_id, 6, 9, ["乙"])
    anna.close()
    bo.close()
    exported = tmp_path / f"coded.{suffix}"
    db = str(tmp_path / "annotations.db")
    assert CliRunner().invoke(cli, ["export", "--db", db, "-o", str(exported)]).exit_code == 0
    target = tmp_path / "restored.db"
    fresh = Store(target, coder="carl")
    import_seeds(fresh)
    fresh.close()
    runner = CliRunner()
    restored = runner.invoke(
        cli, ["import-annotations", str(exported), "--db", str(target), "--coder", "carl"]
    )
    assert restored.exit_code == 0, restored.output
    assert "3 added" in restored.output
    again = runner.invoke(cli, ["import-annotations", str(exported), "--db", str(target)])
    assert "0 added" in again.output and "3 already present" in again.output
    store = Store(target, coder="carl")
    assert sorted((a.start, a.coder) for a in store.annotations.all()) == [
        (0, "anna"),
        (0, "bo"),
        (6, "bo"),
    ]
    assert not store.history.can_undo()  # a restore is not an action of carl's
    store.close()


@pytest.mark.sqlite_only  # coders by name: on PostgreSQL the coder is the role
def test_an_export_from_before_coders_restores_as_the_current_coder(
    store: Store, tmp_path: Path
) -> None:
    document_id = first_document(store)
    text = store.documents.get(document_id).text
    old = tmp_path / "old.csv"
    old.write_text(
        '"annotation_id","document_id","document_title","document_source","start","end",'
        '"passage","tags","comment","created_at","updated_at","status"\r\n'
        f'9,{document_id},"{store.documents.get(document_id).title}","",0,4,"{text[0:4]}",'
        '"甲","","2025-01-01T00:00:00+00:00","2025-01-01T00:00:00+00:00","active"\r\n',
        encoding="utf-8",
    )
    store.close()
    db = store.target
    result = CliRunner().invoke(cli, ["import-annotations", str(old), "--db", db, "--coder", "王"])
    assert result.exit_code == 0, result.output
    reopened = Store(db)
    assert [a.coder for a in reopened.annotations.all()] == ["王"]
    reopened.close()


def test_an_unusable_coder_cell_is_listed_not_guessed(store: Store, tmp_path: Path) -> None:
    document_id = first_document(store)
    document = store.documents.get(document_id)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        '"annotation_id","document_id","document_title","document_source","start","end",'
        '"passage","tags","comment","created_at","updated_at","status","coder"\r\n'
        f'9,{document_id},"{document.title}","",0,4,"{document.text[0:4]}",'
        '"甲","","","","active","a,b"\r\n',
        encoding="utf-8",
    )
    store.close()
    result = CliRunner().invoke(
        cli, ["import-annotations", str(bad), "--db", str(tmp_path / "annotations.db")]
    )
    assert result.exit_code == 1
    assert "line 2: unreadable row (a coder name cannot contain a comma" in result.output


def test_the_command_line_codes_as_coder_then_reader_coder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "annotations.db")
    seeds = Store(db)
    import_seeds(seeds)
    seeds.close()
    runner = CliRunner()
    named = runner.invoke(cli, ["autocode", "长春", "--tag", "地名", "--db", db, "--coder", "李"])
    assert named.exit_code == 0, named.output
    monkeypatch.setenv("READER_CODER", "环境")
    from_env = runner.invoke(cli, ["autocode", "长春", "--tag", "地名", "--db", db])
    assert from_env.exit_code == 0, from_env.output
    store = Store(db, coder="x")
    counts = dict(store.annotations.coders())
    store.close()
    assert set(counts) == {"李", "环境"} and counts["李"] == counts["环境"] > 0
    bad = runner.invoke(cli, ["autocode", "长春", "--tag", "地名", "--db", db, "--coder", "a,b"])
    assert bad.exit_code == 2 and "a coder name cannot contain a comma" in bad.output
    monkeypatch.setenv("READER_CODER", "x,y")
    env_bad = runner.invoke(cli, ["autocode", "长春", "--tag", "地名", "--db", db])
    assert env_bad.exit_code == 1 and "READER_CODER: a coder name cannot" in env_bad.output
