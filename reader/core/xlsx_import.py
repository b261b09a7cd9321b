"""Reading the annotations sheet of an xlsx export back, in the form of the CSV export's rows.

openpyxl (read-only, so a 100,000-row sheet is streamed, not loaded) reads the sheet named
``annotations`` (else the first one). Each row becomes ``{column: cell}`` with the cells the CSV
export would have written: numbers as whole numbers where they are whole, date-times in the
stored ISO form (UTC), empty cells as "", and text with the CSV's formula guard
(:func:`neutralise`), which ``import-annotations`` removes again. So ``restore`` reads both
formats with one parser.

XML cannot hold control characters, so the writer (like Excel) stores them as ``_xHHHH_``, and a
literal ``_xHHHH_`` as ``_x005F_xHHHH_``; openpyxl gives those escapes back as they are, so
:func:`_text` undoes them. (After Excel re-saves a file, openpyxl has already dropped the
``x005F_`` of a literal one, which then reads as the character it spells: a rare loss.)
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reader.core.errors import StoreError
from reader.core.export import neutralise

__all__ = ["read_xlsx_records"]

SHEET = "annotations"
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def read_xlsx_records(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """``(header, records)``: the header row's names and ``(row number, {name: cell})`` for
    each later row that is not empty. The workbook is closed when the records run out."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise StoreError(f"Cannot read {path} ({error.strerror or error}).") from error
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise StoreError(f"{path} is not a readable xlsx file ({error}).") from error
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(value) for value in next(rows, ())]
    except BaseException:
        workbook.close()
        raise
    return header, _records(workbook, rows, header)


def _records(
    workbook: Any, rows: Iterator[tuple[Any, ...]], header: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for number, values in enumerate(rows, 2):
            if any(value not in (None, "") for value in values):
                yield number, dict(zip(header, map(_cell, values), strict=False))
    finally:
        workbook.close()


def _cell(value: object) -> str:
    """A cell as the CSV export writes it: text guarded, numbers and times as they are."""
    return neutralise(_text(value)) if isinstance(value, str) else _text(value)


def _text(value: object) -> str:
    """A cell's value as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        # Excel keeps days as a float: round away the microseconds it invents.
        seconds = round(value.microsecond / 1e6)
        moment = value.replace(microsecond=0) + timedelta(seconds=seconds)
        return moment.isoformat(timespec="seconds") + "+00:00"
    text = str(value)
    if "_x" in text:
        text = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    return text
