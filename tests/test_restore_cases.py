"""import-annotations puts back exactly what was exported: identity, documents, counts, and
files that are large, in another encoding or out of range."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.export import COLUMNS, join_tags, neutralise, write_csv
from reader.core.importing import import_seeds
from reader.core.restore import import_csv
from reader.core.store import Store, StoreError


def export(store: Store, path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(store, out)


def write_rows(path: Path, rows: list[dict[str, object]], encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in COLUMNS})


def restore(csv_path: Path, db_path: Path | str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import-annotations", str(csv_path), "--db", str(db_path)])
    return result.exit_code, result.output


@pytest.fixture
def fresh(fresh_target: Callable[[], str]) -> Store:
    store = Store(fresh_target())
    import_seeds(store)
    return store


def test_two_annotations_on_one_passage_both_come_back(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    document = store.documents.summaries()[0].id
    store.annotations.create(document, 10, 20, ["政策"], "第一")
    store.annotations.create(document, 10, 20, ["人物"], "第二")
    target = tmp_path / "out.csv"
    export(store, target)
    report = import_csv(fresh, target)
    assert (report.added, report.already_present, report.missing) == (2, 0, [])
    restored = sorted((a.comment, a.tags[0].name) for a in fresh.annotations.all())
    assert restored == [("第一", "政策"), ("第二", "人物")]
    again = import_csv(fresh, target)
    assert (again.added, again.already_present) == (0, 2)
    into_itself = import_csv(store, target)
    assert (into_itself.added, into_itself.already_present) == (0, 2)


def test_the_same_content_twice_in_one_export_is_two_annotations(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    document = store.documents.summaries()[0].id
    for _ in range(2):
        store.annotations.create(document, 30, 34, ["重复"], "同样")
    target = tmp_path / "out.csv"
    export(store, target)
    fresh.annotations.create(fresh.documents.summaries()[0].id, 0, 1)  # takes id 1: other ids
    assert import_csv(fresh, target).added == 2
    assert import_csv(fresh, target).added == 0
    assert len(fresh.annotations.for_document(fresh.documents.summaries()[0].id)) == 3


def test_a_row_of_a_document_not_here_is_listed_never_attached_elsewhere(
    tmp_path: Path, fresh_target: Callable[[], str]
) -> None:
    db = fresh_target()
    other = Store(db)
    other.documents.add(text="这是一篇正文很长的无关文章。", title="无关文章")
    other.close()
    target = tmp_path / "rows.csv"
    write_rows(
        target,
        [
            {
                "annotation_id": 7,
                "document_id": 1,
                "document_title": "另一篇",
                "start": 4,
                "end": 6,
                "passage": "正文",
                "tags": "甲",
            }
        ],
    )
    code, output = restore(target, db)
    assert code == 1
    assert "line 2" in output and "另一篇" in output and "not in this database" in output
    assert "0 added" in output
    assert list(Store(db).annotations.all()) == []


def test_the_same_content_under_another_title_is_found(
    store: Store, tmp_path: Path, fresh_target: Callable[[], str]
) -> None:
    document = store.documents.get(store.documents.summaries()[0].id)
    store.annotations.create(document.id, 100, 120, ["甲"])
    target = tmp_path / "out.csv"
    export(store, target)
    renamed = Store(fresh_target())
    renamed.documents.add(text="占位。", title="占位")
    renamed.documents.add(text=document.text, title="同一篇，换了标题")
    report = import_csv(renamed, target)
    assert (report.added, report.moved, report.missing) == (1, 1, [])
    (restored,) = renamed.annotations.all()
    assert (restored.document_id, restored.start, restored.quote) == (
        2,
        100,
        document.text[100:120],
    )


def test_bad_rows_are_listed_with_exact_counts_and_the_rest_restored(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    document = store.documents.get(store.documents.summaries()[0].id)
    one_line = [i for i in range(0, len(document.text) - 3) if "\n" not in document.text[i : i + 3]]
    rows: list[dict[str, object]] = [
        {
            "document_id": document.id,
            "document_title": document.title,
            "start": i,
            "end": i + 3,
            "passage": document.text[i : i + 3],
            "tags": "批量",
        }
        for i in one_line[:600]
    ]
    rows.append({**rows[0], "start": -4, "end": -1})
    rows.append({**rows[1], "annotation_id": 2**63})
    target = tmp_path / "rows.csv"
    write_rows(target, rows)
    code, output = restore(target, fresh.target)
    assert code == 1, output
    assert "line 602: unreadable row (start -4 is out of range" in output
    assert "line 603: unreadable row (annotation_id 9223372036854775808 is out of range" in output
    assert "Traceback" not in output
    assert "600 added" in output and "2 not restored" in output
    assert len(list(fresh.annotations.all())) == 600


@pytest.mark.sqlite_only  # a full disk, as SQLite's max_page_count makes one
def test_a_failed_write_restores_nothing_and_says_so(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    document = store.documents.summaries()[0].id
    for index in range(300):
        store.annotations.create(document, index, index + 2, ["满"], "长" * 2000)
    target = tmp_path / "out.csv"
    export(store, target)
    pages = fresh.gateway.one("PRAGMA page_count")[0]
    fresh.gateway.execute(f"PRAGMA max_page_count = {pages + 30}")
    with pytest.raises(StoreError, match=r"full.*Nothing was restored"):
        import_csv(fresh, target)
    assert list(fresh.annotations.all()) == []


def test_cells_over_131072_characters_restore(store: Store, fresh: Store, tmp_path: Path) -> None:
    document = store.documents.summaries()[0].id
    long_comment = "很长的评论。" * 40_000  # 240,000 characters
    store.annotations.create(document, 5, 9, ["长"], long_comment)
    target = tmp_path / "out.csv"
    export(store, target)
    code, output = restore(target, fresh.target)
    assert code == 0, output
    (restored,) = fresh.annotations.all()
    assert restored.comment == long_comment


def test_a_gbk_csv_gets_one_line(store: Store, tmp_path: Path) -> None:
    document = store.documents.get(store.documents.summaries()[0].id)
    target = tmp_path / "gbk.csv"
    write_rows(
        target,
        [
            {
                "document_id": document.id,
                "document_title": document.title,
                "start": 0,
                "end": 4,
                "passage": document.text[:4],
                "tags": "政策",
            }
        ],
        encoding="gbk",
    )
    code, output = restore(target, store.target)
    assert code == 1 and "Traceback" not in output
    assert "is not UTF-8 (byte" in output and "CSV UTF-8" in output
    assert len(output.strip().splitlines()) == 1


def test_a_tag_cell_with_separators_in_names_round_trips(store: Store, tmp_path: Path) -> None:
    document = store.documents.get(store.documents.summaries()[0].id)
    names = ["a; b", "=公式", "'引号", "反\\斜杠"]
    target = tmp_path / "rows.csv"
    write_rows(
        target,
        [
            {
                "document_id": document.id,
                "document_title": document.title,
                "start": 0,
                "end": 4,
                "passage": document.text[:4],
                "tags": neutralise(join_tags(names)),
            }
        ],
    )
    report = import_csv(store, target)
    assert report.added == 1
    (restored,) = store.annotations.all()
    assert sorted(tag.name for tag in restored.tags) == sorted(names)
