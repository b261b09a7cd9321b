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
