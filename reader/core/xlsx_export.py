"""xlsx export: the CSV's rows as a real spreadsheet, where text stays text.

Three sheets:

- ``annotations``: the CSV's columns (``COLUMNS``, plus ``passage_converted`` with a script).
  Every text cell is a string cell (never a formula, number or date, and so never needs the
  CSV's apostrophe guard), ids and offsets are numbers, ``created_at``/``updated_at`` are
  date-times (UTC). The ``tags`` cell is :func:`join_tags` of the names, unguarded.
- ``annotation_tags``: one row per (annotation, tag): ``annotation_id, document_id, tag``.
  A long table rather than ``tag_1 … tag_n`` columns: every tag is in one column, so a pivot
  table, a filter, ``COUNTIF`` or pandas' ``value_counts`` counts and selects by tag directly,
  and the columns are the same in every export (``tag_n`` would depend on the most tags any
  one annotation has).
- ``documents``: one row per document the export covers, with how many annotations of the
  export are on it (0 included).

Each sheet has its header row frozen, an autofilter, and column widths measured in the units
a spreadsheet uses (a Chinese character counts two).

The workbook is XlsxWriter's: package, styles, header rows, widths, frozen panes, the documents
sheet. Its per-cell Python calls cost about 6 µs each, which for 100,000 annotations (1.2
million cells, plus the tag rows) is several times the whole CSV export, so the data rows of the
two big sheets are serialised here, in the XML XlsxWriter's constant_memory mode writes for the
same cells (``tests/test_export_xlsx.py`` compares them byte for byte; the one difference is
noted at ``_LITERAL_ESCAPE``), and spliced into XlsxWriter's sheet before ``</sheetData>``.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from reader.core.export import COLUMNS, with_converted_passages
from reader.core.store import ExportFilter, Store

__all__ = ["CELL_LIMIT", "SHEETS", "write_xlsx"]

CELL_LIMIT = 32_767
"""Excel's most characters in one cell; XlsxWriter cuts longer strings there."""

SHEETS = ("annotations", "annotation_tags", "documents")

NUMBER, TEXT, DATETIME = "number", "text", "datetime"

_KINDS = {
    "annotation_id": NUMBER,
    "document_id": NUMBER,
    "start": NUMBER,
    "end": NUMBER,
    "created_at": DATETIME,
    "updated_at": DATETIME,
    "imported_at": DATETIME,
    "characters": NUMBER,
    "annotations": NUMBER,
}
"""Every other column is text."""

TAG_COLUMNS = ("annotation_id", "document_id", "tag")
DOCUMENT_COLUMNS = (
    "document_id",
    "title",
    "source",
    "published",
    "path",
    "script",
    "encoding",
    "characters",
    "imported_at",
    "annotations",
)

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_WIDTH = 60
"""Widest column, in character widths: long passages and comments run on past it."""
WIDTH_SAMPLE = 1_000
"""Rows measured for the column widths (more only costs time)."""


def write_xlsx(
    store: Store,
    out: IO[bytes],
    script: str | None = None,
    *,
    tags: Iterable[str] = (),
    documents: Sequence[int] | None = None,
    since: str | None = None,
    coders: Iterable[str] = (),
    excel: bool = False,
    cut_cells: list[str] | None = None,
) -> int:
    """Write the annotations as an xlsx workbook to ``out`` (a binary file); returns the row
    count. Options and filters as :func:`reader.core.export.write_csv` (``excel`` is accepted
    and changes nothing: an xlsx file needs no byte order mark). A text longer than Excel's
    32,767 characters is cut there (the CSV keeps it whole); ``cut_cells`` gets one line for
    each.
    """
    selection = ExportFilter.of(tags, documents, since, coders)
    with store.read_snapshot():  # the counts, the rows and the tag rows from one snapshot
        return _write_workbook(store, out, script, selection, cut_cells)


def _write_workbook(
    store: Store,
    out: IO[bytes],
    script: str | None,
    selection: ExportFilter,
    cut_cells: list[str] | None,
) -> int:
    import xlsxwriter

    columns = (*COLUMNS, "passage_converted") if script else COLUMNS
    annotation_count, tag_count = store.annotations.export_counts(selection)
    # The rows without the CSV's formula guard: an xlsx cell is text, never a formula.
    cursor = _flat(store.annotations.export_rows(selection))
    first_rows = list(itertools.islice(cursor, WIDTH_SAMPLE))
    head: list[Sequence[Any]] = list(first_rows)
    rows: Iterator[Sequence[Any]] = _chain(first_rows, cursor)
    if script:
        rows = (
            (*row, converted)
            for row, converted in with_converted_passages(store, _chain(first_rows, cursor), script)
        )
        # Widths only: about as wide as the passage.
        head = [(*row, row.passage) for row in first_rows]

    package = io.BytesIO()
    # in_memory: no temporary files; strings_to_*: write() never turns text into anything else
    # (only the header and the documents sheet go through XlsxWriter's cells anyway).
    workbook = xlsxwriter.Workbook(
        package,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            # Top-aligned cells: a cell with a line break shows its first line, not its last.
            # As the default format, so that the text cells need no style of their own.
            "default_format_properties": {"valign": "top"},
        },
    )
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    date_style = date_format._get_xf_index()  # the s="" of a date cell in the spliced rows

    _prepare_sheet(workbook, SHEETS[0], columns, head, annotation_count, bold)
    tag_cursor = _flat(store.annotations.export_tag_rows(selection))
    tag_head = list(itertools.islice(tag_cursor, WIDTH_SAMPLE))
    _prepare_sheet(workbook, SHEETS[1], TAG_COLUMNS, tag_head, tag_count, bold)
    document_rows = store.annotations.export_documents(selection)
    _write_documents(workbook, document_rows, bold, date_format)
    workbook.close()

    spliced = {  # XlsxWriter names the sheets' parts in the order they were added
        "xl/worksheets/sheet1.xml": (_kinds(columns), rows, annotation_count),
        "xl/worksheets/sheet2.xml": (_kinds(TAG_COLUMNS), _chain(tag_head, tag_cursor), tag_count),
    }
    written = 0
    with (
        zipfile.ZipFile(package) as source,
        # Level 1: a third of the default level's time, for a file about a fifth larger.
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename not in spliced:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                continue
            kinds, sheet_rows, row_count = spliced[info.filename]
            count = _splice_rows(target, info, data.decode("utf-8"), kinds, sheet_rows,
                                 row_count, date_style, cut_cells)  # fmt: skip
            if info.filename == "xl/worksheets/sheet1.xml":
                written = count
    return written


def _flat(batches: Iterable[list[Any]]) -> Iterator[Any]:
    for batch in batches:
        yield from batch


def _chain(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest


def _kinds(columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(_KINDS.get(name, TEXT) for name in columns)


def _prepare_sheet(
    workbook: Any,
    name: str,
    columns: Sequence[str],
    sample: Sequence[Sequence[Any]],
    row_count: int,
    bold: Any,
) -> Any:
    """A sheet with its header, widths, frozen header row and autofilter (no data rows)."""
    sheet = workbook.add_worksheet(name)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column, bold)
    for index, width in enumerate(_widths(columns, sample)):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row_count, 1), len(columns) - 1)
    return sheet


def _write_documents(
    workbook: Any,
    rows: Sequence[Sequence[Any]],
    bold: Any,
    date_format: Any,
) -> None:
    """The documents sheet, through XlsxWriter's own cells (a few thousand rows at most)."""
    sheet = _prepare_sheet(workbook, SHEETS[2], DOCUMENT_COLUMNS, rows, len(rows), bold)
    kinds = _kinds(DOCUMENT_COLUMNS)
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


def _widths(columns: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths in the width of a '0', with a Chinese character as two."""
    widths: list[float] = []
    for index, (name, kind) in enumerate(zip(columns, _kinds(columns), strict=True)):
        if kind == DATETIME:
            widths.append(len("2026-01-01 00:00:00") + 2)
            continue
        widest = max((_display_width(str(row[index] or "")) for row in sample), default=0)
        widths.append(min(max(widest, _display_width(name)) + 2, MAX_WIDTH))
    return widths


def _display_width(text: str) -> int:
    line = text.split("\n", 1)[0][: MAX_WIDTH * 2]
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# The cell XML of XlsxWriter's constant_memory mode (worksheet._write_cell with
# xmlwriter._xml_inline_string / _xml_number_element), for strings, numbers and dates.
_ESCAPE_NEEDED = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff&<>]")
_LITERAL_ESCAPE = re.compile("_(?=x[0-9a-fA-F]{4}_)")
"""Every "_" that starts an _xHHHH_, overlapping ones too: XlsxWriter's non-overlapping
"(_x[0-9a-fA-F]{4}_)" leaves the second of "_x005F_x0041_" as it is, which then reads back as
"A" (the only place where these rows differ from XlsxWriter's)."""
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_EXCEL_EPOCH = datetime(1899, 12, 31)
_EXACT = 10**15
_LETTERS = [chr(65 + i) for i in range(26)] + [chr(65 + i // 26 - 1) + chr(65 + i % 26)
                                               for i in range(26, 26 * 27)]  # fmt: skip


def _text_cell(ref: str, text: str) -> str:
    if _ESCAPE_NEEDED.search(text):
        # A control character becomes _xHHHH_, and a literal _xHHHH_ gets its "_" escaped so
        # that it reads back as itself (openpyxl and Excel undo both).
        text = _LITERAL_ESCAPE.sub("_x005F_", text)
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        space = text[0].isspace() or text[-1].isspace()
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:
        space = text[0].isspace() or text[-1].isspace()
    if space:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _utc(stamp: object) -> datetime | None:
    """A stored ISO time as a naive UTC datetime (a spreadsheet has no time zones)."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _excel_serial(moment: datetime) -> float:
    """Days since Excel's epoch, computed in the order XlsxWriter does (same float bits)."""
    delta = moment - _EXCEL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
    if moment.date() == _EXCEL_EPOCH.date() + timedelta(days=1):
        serial -= 1  # XlsxWriter's reading of 1900-01-01 as a time of day
    if serial > 59:
        serial += 1  # Excel's phantom 1900-02-29
    return serial


@dataclass
class _RowWriter:
    kinds: tuple[str, ...]
    date_style: int
    """The style index (s="") of a date cell."""
    cut_cells: list[str] | None

    def __post_init__(self) -> None:
        self.serials: dict[str, str | None] = {}
        self.columns = list(zip(_LETTERS, self.kinds, strict=False))

    def row(self, number: int, values: Sequence[Any]) -> str:
        """One ``<row>``; the innermost loop of the export, so it keeps to local names."""
        cells = [f'<row r="{number}">']
        append = cells.append
        needs_escape = _ESCAPE_NEEDED.search
        for (letter, kind), value in zip(self.columns, values, strict=True):
            if value is None or value == "":
                continue  # XlsxWriter writes no cell for an empty string without a format
            if (
                kind is TEXT
                and type(value) is str
                and len(value) <= CELL_LIMIT
                and not needs_escape(value)
                and not value[0].isspace()
                and not value[-1].isspace()
            ):  # the common case, _text_cell's result without the call
                append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>')
            elif kind is NUMBER and type(value) is int and -_EXACT < value < _EXACT:
                # What "%.16G" makes of such an int, at a third of the cost.
                append(f'<c r="{letter}{number}"><v>{value}</v></c>')
            elif kind is NUMBER and not isinstance(value, str):
                append(f'<c r="{letter}{number}"><v>{value:.16G}</v></c>')
            elif kind is DATETIME and (serial := self._serial(value)) is not None:
                append(f'<c r="{letter}{number}" s="{self.date_style}"><v>{serial}</v></c>')
            else:
                append(self._text(letter, number, str(value)))
        append("</row>")
        return "".join(cells)

    def _serial(self, stamp: str) -> str | None:
        """The cell value of a stored time (most rows share a few stamps: cached)."""
        serial = self.serials.get(stamp, "")
        if serial == "":
            moment = _utc(stamp)
            serial = None if moment is None else f"{_excel_serial(moment):.16G}"
            self.serials[stamp] = serial
        return serial

    def _text(self, letter: str, number: int, text: str) -> str:
        if len(text) > CELL_LIMIT:
            if self.cut_cells is not None:
                self.cut_cells.append(
                    f"row {number}, column {letter}: {len(text):,} characters,"
                    f" cut to Excel's {CELL_LIMIT:,}"
                )
            text = text[:CELL_LIMIT]
        return _text_cell(f"{letter}{number}", text)


def _splice_rows(
    target: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    sheet_xml: str,
    kinds: tuple[str, ...],
    rows: Iterable[Sequence[Any]],
    row_count: int,
    date_style: int,
    cut_cells: list[str] | None,
) -> int:
    """XlsxWriter's sheet (header only) with ``rows`` added after the header, its
    ``<dimension>`` set to ``row_count`` data rows; returns how many rows were written."""
    before, marker, after = sheet_xml.partition("</sheetData>")
    if not marker:
        raise ValueError(f"{info.filename}: no </sheetData> in XlsxWriter's sheet")
    last = _LETTERS[len(kinds) - 1] + str(row_count + 1)
    before = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', before, count=1)
    writer = _RowWriter(kinds, date_style, cut_cells)
    count = 0
    # By name, so the member gets the archive's compression level (a ZipInfo would not).
    with target.open(info.filename, "w", force_zip64=True) as stream:
        stream.write(before.encode("utf-8"))
        chunk: list[str] = []
        for values in rows:
            count += 1
            chunk.append(writer.row(count + 1, values))
            if len(chunk) == 1_000:
                chunk = _flush(stream, chunk)
        _flush(stream, chunk)
        stream.write((marker + after).encode("utf-8"))
    return count


def _flush(stream: Any, chunk: list[str]) -> list[str]:
    stream.write("".join(chunk).encode("utf-8"))
    return []
