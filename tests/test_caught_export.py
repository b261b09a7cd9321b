"""The export is also the backup: every annotation leaves, every text cell is safe, and a failed
export never costs the previous file.

Each test here fails for a bug of the kind issue 11 lists under "The export" (planted one at a
time in a copy): orphans omitted, the title or source not neutralised (titles come from web
pages), ``\\r`` not a trigger in the SQL path, a failed export overwriting the previous file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from reader.core.documents import normalize_text
from reader.core.export import (
    COLUMNS,
    FORMULA_TRIGGERS,
    export_to_file,
    neutralise,
    split_tags,
    unneutralise,
    write_csv,
)
from reader.core.importing import import_file
from reader.core.restore import import_csv
from reader.core.store import Store

ARTICLE = (
    "第一段：长春国际汽车城正式揭牌。\n"
    "第二段：同为长春市委、市政府派出机构。\n"
    "第三段：全面建设双一流的长春国际汽车城。\n"
)


def rows_of(store: Store, **options: object) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    write_csv(store, out, **options)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


@pytest.fixture
def with_orphan(tmp_path: Path) -> tuple[Store, int, int]:
    """A library whose article was re-imported without its second paragraph: the annotation on
    it is an orphan, the one on the first paragraph still active."""
    store = Store(tmp_path / "library.db")
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    document_id = import_file(store, path).document_id
    text = store.documents.get(document_id).text
    kept = text.index("长春国际汽车城正式揭牌")
    gone = text.index("同为长春市委、市政府派出机构")
    active = store.annotations.create(document_id, kept, kept + 11, ["地名"], "留下").id
    orphan = store.annotations.create(document_id, gone, gone + 14, ["机构"], "孤儿").id
    path.write_text(ARTICLE.replace("第二段：同为长春市委、市政府派出机构。\n", ""), "utf-8")
    import_file(store, path)
    assert store.annotations.get(orphan).status == "orphan"
    assert store.annotations.get(active).status == "active"
    yield store, active, orphan
    store.close()


def test_orphans_are_exported_with_their_passage_and_status(
    with_orphan: tuple[Store, int, int],
) -> None:
    store, active, orphan = with_orphan
    rows = {int(row["annotation_id"]): row for row in rows_of(store)}
    assert set(rows) == {active, orphan}
    assert rows[orphan]["status"] == "orphan"
    assert unneutralise(rows[orphan]["passage"]) == "同为长春市委、市政府派出机构"
    assert (rows[orphan]["tags"], rows[orphan]["comment"]) == ("机构", "孤儿")
    assert rows[active]["status"] == "active"
    # With a script too: the orphan's row is there, with nothing converted at stale offsets.
    converted = {int(row["annotation_id"]): row for row in rows_of(store, script="s2t")}
    assert set(converted) == {active, orphan}
    assert converted[orphan]["passage_converted"] == ""
    assert converted[active]["passage_converted"] == "長春國際汽車城正式揭牌"


def test_an_orphan_survives_the_backup_round_trip(
    with_orphan: tuple[Store, int, int], tmp_path: Path
) -> None:
    store, _, _ = with_orphan
    backup = tmp_path / "backup.csv"
    assert export_to_file(store, backup) == 2
    fresh = Store(tmp_path / "fresh.db")
    try:
        path = tmp_path / "again" / "article.txt"
        path.parent.mkdir()
        path.write_text(ARTICLE, encoding="utf-8")  # the version the orphan's offsets are in
        import_file(fresh, path)
        report = import_csv(fresh, backup)
        assert report.missing == []
        assert report.added == 2
        comments = sorted(a.comment for a in fresh.annotations.all())
        assert comments == ["孤儿", "留下"]
    finally:
        fresh.close()


HOSTILE = ['=HYPERLINK("http://x","点我")', "+86 长春", "-2+3", "@SUM(A1)", "\t制表", "\r=1+1"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_text_cell_is_neutralised_as_the_python_rule_says(store: Store, hostile: str) -> None:
    # Titles and sources come from web pages: they are cells like any other.
    document = store.documents.add(
        text=normalize_text(hostile + "正文：长春国际汽车城正式揭牌。"),
        title=hostile + "标题",
        source=hostile + "来源",
        content_hash="hostile-" + str(HOSTILE.index(hostile)),
    )
    annotation = store.annotations.create(document, 0, 8, [hostile + "标签"], hostile + "评论")
    (row,) = rows_of(store, documents=[document])
    stored = store.documents.get(document)
    expected = {
        "document_title": stored.title,
        "document_source": stored.source,
        "passage": stored.text[0:8],
        "comment": hostile + "评论",
    }
    for column, value in expected.items():
        assert row[column] == neutralise(value), column
        assert not row[column].startswith(FORMULA_TRIGGERS), column
        assert unneutralise(row[column]) == value, column
    assert not row["tags"].startswith(FORMULA_TRIGGERS)
    assert split_tags(unneutralise(row["tags"])) == [tag.name for tag in annotation.tags]


def test_a_carriage_return_starts_a_formula_and_is_neutralised_in_every_column(
    store: Store,
) -> None:
    document = store.documents.add(
        text="\r" + "正文。",  # a lone CR is kept in the text (only CRLF becomes LF)
        title="\r标题",
        source="\r来源",
        content_hash="carriage-return",
    )
    stored = store.documents.get(document)
    store.annotations.create(document, 0, 2, ["=标签"], "\r评论")  # tag names are stripped
    (row,) = rows_of(store, documents=[document])
    for column in ("document_title", "document_source", "passage", "comment"):
        assert row[column].startswith("'"), (column, row[column])
    assert unneutralise(row["document_title"]) == stored.title
    assert unneutralise(row["comment"]) == "\r评论"


def write_earlier(target: Path) -> bytes:
    earlier = b"annotation_id,document_id\r\n1,1\r\n"
    target.write_bytes(earlier)
    return earlier


def test_a_failed_export_leaves_the_previous_file_whole(store: Store, tmp_path: Path) -> None:
    document = store.documents.summaries()[0].id
    store.annotations.create(document, 10, 20, ["政策"], "评论")
    target = tmp_path / "annotations.csv"
    earlier = write_earlier(target)
    # Fails after the header is written: an unknown script is found only when converting.
    with pytest.raises(ValueError, match="unknown OpenCC config"):
        export_to_file(store, target, "no-such-script")
    assert target.read_bytes() == earlier
    assert [p.name for p in tmp_path.iterdir() if "csv" in p.name] == ["annotations.csv"]
    # A good export then replaces it whole.
    assert export_to_file(store, target) == 1
    header = next(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert tuple(header) == COLUMNS


def test_a_database_error_mid_export_leaves_the_previous_file_whole(
    store: Store, tmp_path: Path
) -> None:
    document = store.documents.summaries()[0].id
    store.annotations.create(document, 10, 20, ["政策"], "评论")
    target = tmp_path / "annotations.csv"
    earlier = write_earlier(target)
    store.close()  # the export's query fails: the database is gone from under it
    with pytest.raises(Exception):  # noqa: B017 - sqlite's or the store's error
        export_to_file(store, target)
    assert target.read_bytes() == earlier
    assert [p.name for p in tmp_path.iterdir() if "csv" in p.name] == ["annotations.csv"]


def test_every_row_of_every_document_gets_its_own_conversion(store: Store) -> None:
    from reader.core.convert import converter

    documents = [d.id for d in store.documents.summaries()]
    for document in documents:
        for start in (40, 90):
            store.annotations.create(document, start, start + 6, ["地名"], "")
    out = io.StringIO(newline="")
    assert write_csv(store, out, "s2t") == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert [int(row["document_id"]) for row in rows] == sorted(documents * 2)
    engine = converter("s2t")
    for row in rows:
        text = store.documents.get(int(row["document_id"])).text
        converted = engine.convert_mapped(text)
        a, b = converted.offsets.to_dst(int(row["start"]), int(row["end"]))
        assert unneutralise(row["passage_converted"]) == converted.text[a:b]


def test_an_empty_document_filter_exports_nothing(store: Store) -> None:
    store.annotations.create(store.documents.summaries()[0].id, 10, 20, ["政策"], "评论")
    assert rows_of(store, documents=[]) == []
    assert len(rows_of(store)) == 1


def test_the_default_name_and_format_follow_the_target() -> None:
    from datetime import date

    from reader.core.export import default_export_name, export_format

    assert default_export_name(date(2026, 12, 1)) == "annotations-20261201.csv"
    assert default_export_name(date(2026, 12, 1), "xlsx") == "annotations-20261201.xlsx"
    assert export_format("notes.CSV") == "csv"
    assert export_format("notes.XLSX") == "xlsx"
    assert export_format("notes.xlsx", "csv") == "csv"


def test_the_csv_lines_end_in_crlf_even_inside_a_file(store: Store, tmp_path: Path) -> None:
    store.annotations.create(store.documents.summaries()[0].id, 10, 20, ["政策"], "一行")
    target = tmp_path / "out.csv"
    export_to_file(store, target)
    raw = target.read_bytes()
    assert raw.count(b"\r\n") == 2  # after the header and after the row
    assert raw.startswith(b'"annotation_id",') and b'"status","coder"\r\n' in raw
    assert raw.endswith(b'"active","' + store.coder.encode() + b'"\r\n')
