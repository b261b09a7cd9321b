"""Exports read back exactly (csv module and pandas) and restore with import-annotations."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.export import unneutralise, write_csv
from reader.core.importing import import_seeds
from reader.core.restore import import_csv
from reader.core.store import Store

AWKWARD = [
    "多行\n评论",
    "Windows 换行\r\n第二行",
    '引号 "quoted" 和 ""双引号""',
    "逗号, 分号; 制表\t符",
    "=1+1",
    "'单引号开头",
    "",
]


TAGS = (["甲", "乙"], ["#话题", "=公式", "'引号", "-负面"])


def export(store: Store, path: Path, **options: object) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(store, out, **options)  # type: ignore[arg-type]


@pytest.fixture
def awkward(store: Store) -> Store:
    document = store.documents.summaries()[0].id
    text = store.documents.get(document).text
    newline_at = text.index("\n", 200)
    for index, comment in enumerate(AWKWARD):
        store.annotations.create(
            document, newline_at - 5 - index, newline_at + 6 + index, TAGS[index % 2], comment
        )
    return store


def test_round_trip_through_csv_module_and_pandas(awkward: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    export(awkward, target, excel=True)
    expected = {a.id: a for a in awkward.annotations.all()}
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.read_csv(target, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(rows[0].keys())
    assert len(frame) == len(rows) == len(expected)
    for row, (_, pandas_row) in zip(rows, frame.iterrows(), strict=True):
        annotation = expected[int(row["annotation_id"])]
        for column, value in (("comment", annotation.comment), ("passage", annotation.quote)):
            assert "\n" in annotation.quote
            assert unneutralise(row[column]) == value
            assert unneutralise(pandas_row[column]) == value


def test_import_twice_adds_nothing(awkward: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    export(awkward, target)
    report = import_csv(awkward, target)
    assert (report.added, report.already_present, report.missing) == (0, len(AWKWARD), [])


def test_restore_into_a_new_library_with_other_ids(
    awkward: Store, tmp_path: Path, fresh_target: Callable[[], str]
) -> None:
    target = tmp_path / "out.csv"
    export(awkward, target, excel=True)
    before = {
        (a.quote, a.comment, tuple(t.name for t in a.tags)) for a in awkward.annotations.all()
    }
    fresh = Store(fresh_target())
    fresh.documents.add(text="先占一个编号的文档。", title="别的文档")
    import_seeds(fresh)  # the same articles, now with other ids
    report = import_csv(fresh, target)
    assert (report.added, report.moved, report.missing) == (len(AWKWARD), len(AWKWARD), [])
    after = {(a.quote, a.comment, tuple(t.name for t in a.tags)) for a in fresh.annotations.all()}
    assert after == before
    assert import_csv(fresh, target).added == 0
    fresh.close()


def test_restore_keeps_ids_and_dates_when_free(
    awkward: Store, tmp_path: Path, fresh_target: Callable[[], str]
) -> None:
    target = tmp_path / "out.csv"
    export(awkward, target)
    fresh = Store(fresh_target())
    import_seeds(fresh)
    import_csv(fresh, target)
    original = {a.id: (a.start, a.created_at) for a in awkward.annotations.all()}
    restored = {a.id: (a.start, a.created_at) for a in fresh.annotations.all()}
    assert restored == original
    created = fresh.annotations.create(fresh.documents.summaries()[0].id, 0, 3)
    assert created.id > max(original)
    fresh.close()


def test_missing_documents_are_reported_with_exit_status(
    awkward: Store, tmp_path: Path, fresh_target: Callable[[], str]
) -> None:
    target = tmp_path / "out.csv"
    export(awkward, target)
    lonely = fresh_target()
    alone = Store(lonely)
    alone.documents.add(text="只有一篇无关的文章。", title="无关")
    alone.close()
    result = CliRunner().invoke(cli, ["import-annotations", str(target), "--db", str(lonely)])
    assert result.exit_code == 1
    assert result.output.count("not restored: line") == len(AWKWARD)
    assert "0 added" in result.output and f"{len(AWKWARD)} not restored" in result.output
    result = CliRunner().invoke(cli, ["import-annotations", str(target), "--db", str(lonely)])
    assert result.exit_code == 1


def test_a_csv_that_is_not_an_export_is_refused(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,value\na,1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-annotations", str(other), "--db", str(db_path)])
    assert result.exit_code == 1 and "not a reader export" in result.output
