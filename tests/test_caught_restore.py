"""What import-annotations tells a user about the rows it could not restore, exactly, and the
edges of what it reads (short rows, the largest id): found by mutmut on reader.core.restore."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reader.core.export import COLUMNS
from reader.core.restore import MAX_INTEGER, import_csv
from reader.core.store import Store


def write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in COLUMNS})


@pytest.fixture
def twins(tmp_path: Path) -> Store:
    """Two documents under one title (a library imported the same page twice) and a third."""
    store = Store(tmp_path / "twins.db")
    store.documents.add(text="第一篇：长春国际汽车城正式揭牌。", title="同名文章")
    store.documents.add(text="第二篇：全面建设双一流大学。", title="同名文章")
    store.documents.add(text="另一篇完全不同的文章。", title="别的文章")
    return store


def test_each_row_not_restored_is_listed_in_line_order_saying_why(
    twins: Store, tmp_path: Path
) -> None:
    good = {
        "document_id": 3,
        "document_title": "别的文章",
        "start": 0,
        "end": 3,
        "passage": "另一篇",
    }
    rows: list[dict[str, object]] = [
        # line 2: its title is here twice, its passage in neither document
        {"document_id": 9, "document_title": "同名文章", "start": 0, "end": 2, "passage": "不在"},
        # line 3: no document with that id, title or content; an id of its own
        {
            "annotation_id": 41,
            "document_id": 8,
            "document_title": "不在这里",
            "start": 0,
            "end": 2,
            "passage": "正文",
        },
        {**good, "start": ""},  # line 4: unreadable (an empty offset)
        *[  # lines 5-10
            {**good, "start": start, "end": end, "passage": "另一篇完全不同的文章。"[start:end]}
            for start, end in [(0, 3), (3, 5), (5, 7), (7, 9), (9, 11), (0, 2)]
        ],
        {**good, "end": "三"},  # line 11: unreadable (not a number)
        {**good, "start": 3, "end": 3},  # line 12: unreadable (an empty span)
        {**good, "document_id": 7, "document_title": "也不在"},  # line 13: not here
    ]
    target = tmp_path / "rows.csv"
    write_rows(target, rows)
    report = import_csv(twins, target)
    assert report.missing == [
        "line 2: annotation (no id) on “同名文章” (document 9): its passage is no longer in #1, #2",
        "line 3: annotation 41 on “不在这里” (document 8): that document is not in this database"
        " (no document has its id and title, its title, or its passages at their offsets);"
        " import it first with reader import",
        "line 4: unreadable row (start '' is not a whole number)",
        "line 11: unreadable row (end '三' is not a whole number)",
        "line 12: unreadable row (start 3 and end 3 are not a passage)",
        "line 13: annotation (no id) on “也不在” (document 7): that document is not in this"
        " database (no document has its id and title, its title, or its passages at their"
        " offsets); import it first with reader import",
    ]
    assert (report.added, report.already_present) == (6, 0)


def test_a_row_shorter_than_the_header_is_read_with_empty_cells(
    twins: Store, tmp_path: Path
) -> None:
    """A spreadsheet may drop a row's trailing empty cells (comment, dates, status, tags)."""
    header = ["document_id", "document_title", "start", "end", "passage", "comment", "tags"]
    target = tmp_path / "short.csv"
    target.write_text(
        ",".join(header) + "\r\n3,别的文章,3,5,完全\r\n3,别的文章,0,3,另一篇,有评论,甲\r\n",
        encoding="utf-8",
    )
    report = import_csv(twins, target)
    assert (report.added, report.missing) == (2, [])
    restored = sorted(
        (a.start, a.comment, [t.name for t in a.tags]) for a in twins.annotations.all()
    )
    assert restored == [(0, "有评论", ["甲"]), (3, "", [])]


def test_the_largest_id_sqlite_holds_is_read_one_more_is_refused(
    twins: Store, tmp_path: Path
) -> None:
    row = {
        "document_id": 3,
        "document_title": "别的文章",
        "start": 0,
        "end": 3,
        "passage": "另一篇",
    }
    target = tmp_path / "ids.csv"
    write_rows(target, [{**row, "annotation_id": MAX_INTEGER}, {**row, "annotation_id": 2**63}])
    report = import_csv(twins, target)
    assert report.missing == [
        f"line 3: unreadable row (annotation_id {2**63} is out of range (1 to 2^63-1))"
    ]
    assert len(list(twins.annotations.all())) == 1


def test_a_row_that_stops_before_its_passage_is_unreadable(twins: Store, tmp_path: Path) -> None:
    target = tmp_path / "cut.csv"
    target.write_text(
        "document_id,document_title,start,end,passage\r\n3,别的文章,0,3\r\n", encoding="utf-8"
    )
    assert import_csv(twins, target).missing == ["line 2: unreadable row (empty passage)"]


def test_a_document_under_another_title_is_known_by_all_its_passages(
    store: Store, tmp_path: Path
) -> None:
    from reader.core.export import write_csv

    document = store.documents.get(1)
    store.annotations.create(1, 100, 110, ["甲"])
    store.annotations.create(1, 300, 306, ["乙"])
    target = tmp_path / "out.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        write_csv(store, out)
    renamed = Store(tmp_path / "renamed.db")
    renamed.documents.add(text=document.text, title="换了标题")
    report = import_csv(renamed, target)
    assert (report.added, report.missing) == (2, [])
    assert sorted((a.start, a.end) for a in renamed.annotations.all()) == [(100, 110), (300, 306)]
    renamed.close()


def test_an_export_without_a_known_ending_is_csv() -> None:
    from reader.core.export import export_format

    assert export_format("annotations.txt") == "csv"
    assert export_format("Annotations.XLSX") == "xlsx"
    assert export_format("annotations.txt", "jsonld") == "jsonld"
