"""The xlsx export: cell types and values as openpyxl reads them, the sheets, the rows spliced in
XlsxWriter's own XML, the CLI, the app, and import-annotations reading it back."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from payloads import ALL as HOSTILE

from reader.cli import cli
from reader.core.export import COLUMNS, export_to_file, join_tags, unneutralise
from reader.core.importing import import_seeds
from reader.core.restore import import_csv
from reader.core.store import Store
from reader.core.xlsx_export import (  # the row writer is what the byte test compares
    _KINDS,
    CELL_LIMIT,
    DATE_FORMAT,
    DATETIME,
    DOCUMENT_COLUMNS,
    NUMBER,
    SHEETS,
    TAG_COLUMNS,
    TEXT,
    _RowWriter,
    write_xlsx,
)
from reader.core.xlsx_import import read_xlsx_records
from reader.ui.app import make_app

LONG_COMMENT = "长评论，" * 500  # 2,000 characters
COMMENTS = [
    "=1+1",
    "0431",
    "2021-09-29",
    "1/2",
    "3.14",
    LONG_COMMENT,
    "第一行\n第二行",
    "中文评论：政府机构与经济发展",
    "'已有单引号开头",
    "-1",
    '=HYPERLINK("http://example.invalid")',
    "\t制表符开头",
    "",
]
TAG_SETS = (["政府机构", "经济发展"], ["=标签", "-负面", "a; b"], ["'引号"], [])


@pytest.fixture
def awkward(store: Store) -> Store:
    """One annotation per awkward comment, on real passages of the sample articles."""
    simplified, traditional = (d.id for d in store.documents.summaries())
    for index, comment in enumerate(COMMENTS):
        document = simplified if index % 2 else traditional
        start = 40 + 37 * index
        store.annotations.create(
            document, start, start + 8 + index, TAG_SETS[index % len(TAG_SETS)], comment
        )
    return store


def export(store: Store, target: Path, **options: object) -> int:
    return export_to_file(store, target, **options)  # type: ignore[arg-type]


def test_cells_have_the_right_types_and_values(awkward: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    assert export(awkward, target) == len(COMMENTS)
    workbook = openpyxl.load_workbook(target)  # not read-only: types, panes and widths too
    assert workbook.sheetnames == list(SHEETS)
    sheet = workbook["annotations"]
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header] == list(COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{len(COMMENTS) + 1}"
    expected = {a.id: a for a in awkward.annotations.all()}
    column = {name: index for index, name in enumerate(COLUMNS)}
    comments = []
    for row in rows:
        values = {name: row[index] for name, index in column.items()}
        annotation = expected[values["annotation_id"].value]
        for name in ("annotation_id", "document_id", "start", "end"):
            assert values[name].data_type == "n" and type(values[name].value) is int
        assert (values["start"].value, values["end"].value) == (annotation.start, annotation.end)
        for name in ("created_at", "updated_at"):
            assert values[name].is_date and values[name].number_format == DATE_FORMAT
            stored = datetime.fromisoformat(getattr(annotation, name))
            assert values[name].value == stored.replace(tzinfo=None)
        for name in ("document_title", "document_source", "passage", "tags", "status", "coder"):
            cell = values[name]  # an empty text is an empty cell, as in any spreadsheet
            assert cell.data_type == "s" or cell.value is None, (name, cell.value)
        assert values["coder"].value == annotation.coder == awkward.coder
        document = awkward.documents.get(annotation.document_id)
        assert (values["document_source"].value or "") == document.source
        assert values["passage"].value == document.text[annotation.start : annotation.end]
        assert values["document_title"].value == document.title
        names = [tag.name for tag in annotation.tags]
        assert (values["tags"].value or "") == join_tags(sorted(names))
        comment = values["comment"]
        if annotation.comment:
            assert comment.data_type == "s" and comment.value == annotation.comment
        else:
            assert comment.value is None
        comments.append(comment.value or "")
    # Exactly the text typed: no apostrophe, no formula, no number, no date.
    assert sorted(comments) == sorted(COMMENTS)
    assert "=1+1" in comments and "0431" in comments and "2021-09-29" in comments
    assert "1/2" in comments and LONG_COMMENT in comments and "第一行\n第二行" in comments
    # Widths that fit Chinese: a character of a title counts two.
    title = awkward.documents.summaries()[0].title
    assert sheet.column_dimensions["C"].width >= min(2 * len(title), 60)
    assert sheet.column_dimensions["A"].width >= len("annotation_id")


def test_the_tags_and_documents_sheets(awkward: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    export(awkward, target)
    workbook = openpyxl.load_workbook(target)
    tag_rows = list(workbook["annotation_tags"].iter_rows(values_only=True))
    assert tag_rows[0] == TAG_COLUMNS
    expected = sorted(
        (a.id, a.document_id, tag.name) for a in awkward.annotations.all() for tag in a.tags
    )
    assert sorted(tag_rows[1:]) == expected
    assert ("a; b" in {tag for _, _, tag in tag_rows[1:]}) and workbook["annotation_tags"][
        "C2"
    ].data_type == "s"
    documents = list(workbook["documents"].iter_rows(values_only=True))
    assert documents[0] == DOCUMENT_COLUMNS
    counts = {d.id: d.annotation_count for d in awkward.documents.summaries()}
    assert {row[0]: row[-1] for row in documents[1:]} == counts
    first = documents[1]
    stored = awkward.documents.get(first[0])
    assert first[1] == stored.title and first[7] == len(stored.text)
    assert isinstance(first[DOCUMENT_COLUMNS.index("imported_at")], datetime)
    assert workbook["documents"].freeze_panes == "A2"
    assert workbook["annotation_tags"].column_dimensions["C"].width >= 2 * len("政府机构")


def test_filters_and_script_column(awkward: Store, tmp_path: Path) -> None:
    target = tmp_path / "only.xlsx"
    traditional = awkward.documents.summaries()[1].id
    count = export(awkward, target, script="s2twp", tags=["政府机构"], documents=[traditional])
    workbook = openpyxl.load_workbook(target, read_only=True)
    header, *rows = list(workbook["annotations"].iter_rows(values_only=True))
    assert header[-1] == "passage_converted" and len(rows) == count
    assert {row[1] for row in rows} == {traditional}
    assert all(row[-1] for row in rows)
    documents = list(workbook["documents"].iter_rows(values_only=True))[1:]
    assert [(row[0], row[-1]) for row in documents] == [(traditional, count)]
    workbook.close()


ROW_VALUES: list[tuple[object, ...]] = [
    (1, 0, "普通文本", "2026-01-02T03:04:05+00:00"),
    (2, 10**15 + 7, " leading space", "2020-02-29T23:59:59+00:00"),
    (3, -5, "trailing\n", "1900-01-01T00:00:00+00:00"),
    (4, 4, "\u3000全角空格开头", "not a date"),
    (5, 5, "<b>&amp;</b> & < >", None),
    (6, 6, "_x0041_ stays _x0041_", ""),
    (7, 7, "控制\x00\x01\x08\x0b\x0c\x0e\x1f字符\r\n\t", "2026-12-01T00:18:24+08:00"),
    (8, 8, "\ufffe\uffff", "2026-12-01T00:18:24"),
    (9, 9, "x" * (CELL_LIMIT + 10), "2026-12-01T00:18:24.500000+00:00"),
    (10, 2**40, "", "2026-12-01T00:18:24+00:00"),
    (11, 11, None, "2026-12-01T00:18:24+00:00"),
    (12, 12, "=1+1", "2026-12-01T00:18:24+00:00"),
    *((100 + i, i, text, "2026-12-01T00:18:24+00:00") for i, text in enumerate(HOSTILE)),
]


def xlsxwriter_rows(kinds: tuple[str, ...], rows: list[tuple[object, ...]]) -> tuple[str, int]:
    """The <row> elements XlsxWriter's constant_memory mode writes for ``rows`` through its
    public cell methods, and the style index of its date format."""
    from reader.core.xlsx_export import _utc

    package = io.BytesIO()
    workbook = xlsxwriter.Workbook(package, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    for y, row in enumerate(rows, 1):
        for x, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is None or value == "":
                continue
            if kind == NUMBER:
                sheet.write_number(y, x, value)
            elif kind == DATETIME and (moment := _utc(value)) is not None:
                sheet.write_datetime(y, x, moment, date_format)
            else:
                sheet.write_string(y, x, str(value))
    workbook.close()
    with zipfile.ZipFile(package) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    match = re.search("<sheetData>(.*)</sheetData>", xml, re.S)
    assert match is not None
    return match.group(1), date_format._get_xf_index()


def test_spliced_rows_are_exactly_xlsxwriters_own_cells() -> None:
    kinds = (NUMBER, NUMBER, TEXT, DATETIME)
    expected, date_style = xlsxwriter_rows(kinds, ROW_VALUES)
    cut: list[str] = []
    writer = _RowWriter(kinds, date_style, cut)
    ours = "".join(writer.row(number, row) for number, row in enumerate(ROW_VALUES, 2))
    assert ours == expected
    assert len(cut) == 1 and "cut to Excel's 32,767" in cut[0]
    assert {_KINDS[name] for name in ("annotation_id", "start", "created_at")} == {
        NUMBER,
        DATETIME,
    }


def test_hostile_text_reads_back_as_itself(store: Store, tmp_path: Path) -> None:
    document = store.documents.summaries()[0].id
    texts = [*HOSTILE, "_x0041_", "_x005F_x0041_", "控制\x01字符", " 前后空格 ", "\ufffe"]
    for index, text in enumerate(texts):
        store.annotations.create(document, 10 + index, 20 + index, [text.strip() or "t"], text)
    target = tmp_path / "hostile.xlsx"
    export(store, target)
    header, records = read_xlsx_records(target)
    assert header == list(COLUMNS)
    # The records are in the CSV's form: text with its formula guard, which restore removes.
    read = [(unneutralise(r["comment"]), unneutralise(r["tags"])) for _, r in records]
    assert sorted(comment for comment, _ in read) == sorted(texts)
    assert sorted(tags for _, tags in read) == sorted(join_tags([t.strip() or "t"]) for t in texts)


def test_cli_format_option_and_cut_cells(
    awkward: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    by_suffix = tmp_path / "coded.xlsx"
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", str(by_suffix)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(by_suffix)
    named = tmp_path / "coded.data"
    result = runner.invoke(
        cli, ["export", "--db", str(db_path), "-o", str(named), "--format", "xlsx"]
    )
    assert result.exit_code == 0 and zipfile.is_zipfile(named)
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", str(by_suffix), "--excel"])
    assert result.exit_code == 2 and "--excel is for CSV" in result.output
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", "-", "--format", "xlsx"])
    assert result.exit_code == 0
    streamed = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes), read_only=True)
    assert len(list(streamed["annotations"].iter_rows())) == len(COMMENTS) + 1
    streamed.close()
    monkeypatch.chdir(tmp_path)  # the default name is in the current folder
    result = runner.invoke(cli, ["export", "--db", str(db_path), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    [default] = tmp_path.glob("annotations-*.xlsx")
    assert zipfile.is_zipfile(default)
    annotation = next(iter(awkward.annotations.all()))
    awkward.annotations.set_comment(annotation.id, "长" * (CELL_LIMIT + 1))
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", str(by_suffix)])
    assert result.exit_code == 0 and "cut: row" in result.output
    assert "the CSV export keeps it whole" in result.output


def test_import_annotations_accepts_the_xlsx_back(
    awkward: Store, db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.xlsx"
    export(awkward, target)
    runner = CliRunner()
    result = runner.invoke(cli, ["import-annotations", str(target), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert f"{len(COMMENTS)} already present" in result.output
    before = {
        (a.quote, a.comment, tuple(t.name for t in a.tags), a.created_at)
        for a in awkward.annotations.all()
    }
    fresh_path = tmp_path / "fresh.db"
    fresh = Store(fresh_path)
    fresh.documents.add(text="先占一个编号的文档。", title="别的文档")
    import_seeds(fresh)  # the same articles, now with other ids
    fresh.close()
    result = runner.invoke(cli, ["import-annotations", str(target), "--db", str(fresh_path)])
    assert result.exit_code == 0, result.output
    assert f"{len(COMMENTS)} added" in result.output
    fresh = Store(fresh_path)
    after = {
        (a.quote, a.comment, tuple(t.name for t in a.tags), a.created_at)
        for a in fresh.annotations.all()
    }
    assert after == before
    assert import_csv(fresh, target).added == 0
    fresh.close()


def test_a_file_that_is_not_an_xlsx_is_refused(db_path: Path, tmp_path: Path) -> None:
    Store(db_path).close()
    fake = tmp_path / "fake.xlsx"
    fake.write_text("annotation_id,document_id\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-annotations", str(fake), "--db", str(db_path)])
    assert result.exit_code == 1 and "not a readable xlsx file" in result.output
    other = tmp_path / "other.xlsx"
    workbook = xlsxwriter.Workbook(str(other))
    workbook.add_worksheet().write_row(0, 0, ["name", "value"])
    workbook.close()
    result = CliRunner().invoke(cli, ["import-annotations", str(other), "--db", str(db_path)])
    assert result.exit_code == 1 and "not a reader export" in result.output


def test_write_xlsx_to_a_stream_and_an_empty_export(store: Store) -> None:
    out = io.BytesIO()
    assert write_xlsx(store, out) == 0
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert [c.value for c in workbook["annotations"][1]] == list(COLUMNS)
    assert workbook["annotations"].max_row == 1


async def test_the_app_exports_xlsx_for_an_xlsx_path(store: Store, tmp_path: Path) -> None:
    document = store.documents.summaries()[0]
    text = store.documents.get(document.id).text
    start = text.index("全局谋划")
    store.annotations.create(document.id, start, start + 4, ["规划"], "=1+1")
    app = make_app(store)
    target = tmp_path / "from-app.xlsx"
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()  # the export is written by a worker
        await pilot.pause()
    workbook = openpyxl.load_workbook(target, read_only=True)
    header, row = list(workbook["annotations"].iter_rows(values_only=True))
    workbook.close()
    values = dict(zip(header, row, strict=True))
    assert values["passage"] == "全局谋划" and values["comment"] == "=1+1"
    assert values["tags"] == "规划"


def test_xlsx_goes_through_the_safe_writer(awkward: Store, tmp_path: Path) -> None:
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    assert export(awkward, link) == len(COMMENTS)
    assert link.is_symlink() and zipfile.is_zipfile(real)
    assert not [p.name for p in tmp_path.iterdir() if "partial" in p.name]
