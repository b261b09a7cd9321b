"""The xlsx export's header rows are bold on every sheet (found by mutmut on xlsx_export)."""

from __future__ import annotations

import io

import openpyxl

from reader.core.store import Store
from reader.core.xlsx_export import SHEETS, write_xlsx


def test_every_sheets_header_row_is_bold_and_its_data_is_not(store: Store) -> None:
    store.annotations.create(1, 0, 4, ["甲", "乙"], "评论")
    out = io.BytesIO()
    write_xlsx(store, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == list(SHEETS)
    for sheet in book.worksheets:
        header, first = list(sheet.iter_rows(min_row=1, max_row=2))
        assert all(cell.font.b for cell in header), sheet.title
        assert not any(cell.font.b for cell in first), sheet.title


def comment_width(store: Store, comment: str) -> float:
    annotation = store.annotations.create(1, 0, 4, ["甲"], comment)
    out = io.BytesIO()
    write_xlsx(store, out)
    store.annotations.delete(annotation.id)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))[SHEETS[0]]
    (column,) = [c.column_letter for c in sheet[1] if c.value == "comment"]
    return sheet.column_dimensions[column].width


def test_a_columns_width_follows_the_first_line_of_its_cells(store: Store) -> None:
    """A long comment's later lines wrap in the cell; the column fits its first line."""
    one_line = comment_width(store, "短评短评短评")
    assert comment_width(store, "短评短评短评\n" + "很长的第二行" * 8 + "\n第三行") == one_line
    assert comment_width(store, "短评短评短评短评短评短评") > one_line


def test_more_rows_than_one_write_chunk_all_arrive(store: Store) -> None:
    """Rows go to the sheet a thousand at a time: the 1,001st and later must arrive too."""
    text = store.documents.get(1).text
    spans = [(1, i, i + 2) for i in range(0, 2 * 1_205, 2) if "\n" not in text[i : i + 2]]
    created, _ = store.annotations.autocode("批量", spans)
    out = io.BytesIO()
    write_xlsx(store, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    rows = list(book[SHEETS[0]].iter_rows(values_only=True))
    assert len(rows) == 1 + created[1] > 1_001
    header = rows[0]
    starts = [row[header.index("start")] for row in rows[1:]]
    assert starts == sorted(start for _, start, _ in spans)
