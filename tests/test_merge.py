"""reader merge: a coder's SQLite file brought into a project (a file or a PostgreSQL server),
idempotently, with conflicts listed and never resolved by guessing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reader.cli import cli
from reader.core.importing import import_seeds
from reader.core.merge import merge
from reader.core.models import RestoredAnnotation
from reader.core.store import Store

EXTRA_TEXT = "离线编码员带来的一篇新文章：长春的汽车产业。"


def coder_file(tmp_path: Path) -> tuple[Store, dict[str, int]]:
    """An offline coder's file: the samples, one more document, three annotations."""
    offline = Store(tmp_path / "li.db", coder="li")
    import_seeds(offline)
    extra = offline.documents.add(text=EXTRA_TEXT, title="新文章")
    first = offline.documents.summaries()[0].id
    made = {
        "tagged": offline.annotations.create(first, 10, 20, ["政策", "地名"], "").id,
        "commented": offline.annotations.create(first, 30, 36, [], "值得注意").id,
        "extra": offline.annotations.create(extra, 0, 4, ["人物"], "新的").id,
    }
    return offline, made


def contents(store: Store) -> list[tuple[str, int, int, tuple[str, ...], str, str]]:
    titles = dict(store.documents.titles())
    return sorted(
        (
            titles[a.document_id],
            a.start,
            a.end,
            tuple(sorted(t.name for t in a.tags)),
            a.comment,
            a.coder,
        )
        for a in store.annotations.all()
    )


def test_a_merge_brings_documents_and_annotations_and_twice_adds_nothing(
    store: Store, tmp_path: Path
) -> None:
    offline, _ = coder_file(tmp_path)
    before_documents = store.documents.count()
    report = merge(offline, store)
    assert (report.documents_matched, report.documents_added) == (2, 1)
    assert (report.annotations_added, report.already_present, report.conflicts) == (3, 0, [])
    assert store.documents.count() == before_documents + 1
    assert contents(store) == contents(offline)
    assert {a.coder for a in store.annotations.all()} == {"li"}  # carried, not the merger's
    new_document = next(s.id for s in store.documents.summaries() if s.title == "新文章")
    assert store.documents.text(new_document) == EXTRA_TEXT

    again = merge(offline, store)
    assert (again.documents_added, again.annotations_added, again.already_present) == (0, 0, 3)
    assert contents(store) == contents(offline)
    offline.close()


def test_a_changed_annotation_is_a_conflict_listed_and_left_alone(
    store: Store, tmp_path: Path
) -> None:
    offline, made = coder_file(tmp_path)
    merge(offline, store)
    offline.annotations.set_comment(made["commented"], "改了主意")
    merged_before = contents(store)
    report = merge(offline, store)
    assert report.annotations_added == 0
    assert len(report.conflicts) == 1
    described = report.conflicts[0].describe()
    assert "值得注意" in described and "改了主意" in described
    assert contents(store) == merged_before  # nothing guessed
    offline.close()


def test_annotations_already_in_the_project_are_not_doubled(store: Store, tmp_path: Path) -> None:
    offline, _ = coder_file(tmp_path)
    first = store.documents.summaries()[0].id
    store.annotations.restore(
        [
            RestoredAnnotation(None, first, 10, 20, ("地名", "政策"), "", coder="li"),  # li's
            RestoredAnnotation(None, first, 30, 36, (), "值得注意", coder="wang"),  # not li's
        ]
    )
    report = merge(offline, store)
    assert (report.annotations_added, report.already_present) == (2, 1)
    assert report.conflicts == []  # two coders on one passage are two annotations
    offline.close()


def test_the_merge_command_reports_and_is_idempotent(db_target: str, tmp_path: Path) -> None:
    offline, _ = coder_file(tmp_path)
    offline.close()
    runner = CliRunner()
    first = runner.invoke(cli, ["merge", str(tmp_path / "li.db"), "--db", db_target])
    assert first.exit_code == 0, first.output
    assert "3 annotations added, 0 already there; 3 documents imported" in first.output
    second = runner.invoke(cli, ["merge", str(tmp_path / "li.db"), "--db", db_target])
    assert second.exit_code == 0, second.output
    assert "0 annotations added, 3 already there; 0 documents imported, 3 matched" in (
        second.output
    )
