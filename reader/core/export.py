"""CSV export: one row per annotation, RFC 4180 (CRLF), UTF-8, safe to open in a spreadsheet.

Every text field is quoted and numbers are bare (``csv.QUOTE_NONNUMERIC``): an import dialog
that splits on ``;`` and tab as well as ``,`` (LibreOffice Calc's default) then keeps
``产业; 政策`` in one cell, and Python's csv module and pandas read the file as before.

Formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice and Google Sheets. Following OWASP's advice,
such cells get a leading single quote ``'``. So that the change can always be undone (by
``reader import-annotations`` or :func:`unneutralise`), cells that already start with ``'``
get one too: strip exactly one leading ``'`` from any text cell to get the original back.
The ``tags`` cell is ``neutralise(join_tags(names))``: guarded as one cell, like the others.

The rows come from one joined query (Annotations.export_rows) whose cells the database already
neutralises, so a 100,000-row export runs at the speed of the csv module itself.
``xlsx_export`` writes the same rows as an .xlsx workbook, where no guard is needed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from reader.core.models import AnnotationStatus
from reader.core.safefile import replacing
from reader.core.store import ExportFilter, ExportRow, Store

__all__ = [
    "COLUMNS",
    "FORMATS",
    "FORMULA_TRIGGERS",
    "csv_writer",
    "default_export_name",
    "export_format",
    "export_to_file",
    "find_documents",
    "join_tags",
    "neutralise",
    "split_tags",
    "unneutralise",
    "write_csv",
]

COLUMNS = (
    "annotation_id",
    "document_id",
    "document_title",
    "document_source",
    "start",
    "end",
    "passage",
    "tags",
    "comment",
    "created_at",
    "updated_at",
    "status",
)
"""``status`` is ``active``, or ``orphan`` for an annotation whose passage a changed text no
longer holds: its start/end refer to the earlier version and only its passage is certain."""

TEXT_COLUMNS = ("document_title", "document_source", "passage", "tags", "comment")
"""The columns that may hold user text, and so are neutralised (ids and dates cannot start
with a trigger)."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TAG_SEPARATOR = "; "

_ESCAPED = (*FORMULA_TRIGGERS, "'")


def neutralise(cell: str) -> str:
    """The cell as written to CSV: a leading ``'`` when it could start a formula (or a ``'``)."""
    return "'" + cell if cell.startswith(_ESCAPED) else cell


def unneutralise(cell: str) -> str:
    """The original text of an exported cell: :func:`neutralise` reversed."""
    return cell[1:] if cell.startswith("'") else cell


def join_tags(names: Iterable[str]) -> str:
    """The ``tags`` cell: names joined by ``"; "``, escaped so that any name comes back whole.

    A backslash or a semicolon inside a name gets a backslash before it (the tag ``a; b`` is
    written ``a\\; b``), and so does an apostrophe at the start of a name, which old exports
    used as the formula guard of each name. :func:`split_tags` reverses it.
    """
    return TAG_SEPARATOR.join(_escape_tag(name) for name in names)


def _escape_tag(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace(";", "\\;")
    return "\\" + escaped if escaped.startswith("'") else escaped


def split_tags(cell: str) -> list[str]:
    """The tag names of a ``tags`` cell whose formula guard is already removed (unneutralise).

    Reads :func:`join_tags` cells and those of earlier exports too, which neutralised each
    name on its own (``'-负面; '=标签``): an unescaped apostrophe starting a later name is that
    old guard and is dropped.
    """
    names: list[str] = []
    current: list[str] = []
    index, length = 0, len(cell)
    at_start = True
    while index < length:
        char = cell[index]
        if char == "\\" and index + 1 < length:
            current.append(cell[index + 1])
            index += 2
        elif char == ";":
            names.append("".join(current))
            current = []
            index += 2 if cell.startswith(" ", index + 1) else 1
            at_start = True
            continue
        elif char == "'" and at_start and names:
            index += 1
        else:
            current.append(char)
            index += 1
        at_start = False
    names.append("".join(current))
    return [name.strip() for name in names if name.strip()]


def find_documents(store: Store, spec: str) -> list[int]:
    """Documents matching ``--document``: an id, else every title containing ``spec``."""
    return store.documents.matching(spec)


def write_csv(
    store: Store,
    out: IO[str],
    script: str | None = None,
    *,
    tags: Iterable[str] = (),
    documents: Sequence[int] | None = None,
    since: str | None = None,
    excel: bool = False,
) -> int:
    """Write the annotations to ``out`` (opened with ``newline=""``); returns the row count.

    ``script`` adds a ``passage_converted`` column in that OpenCC config. Filters: ``tags``
    (annotations with any of them), ``documents`` (ids), ``since`` (an ISO date: annotations
    created or changed on or after it). ``excel`` starts the file with a UTF-8 byte order mark,
    without which Excel reads UTF-8 as the local code page and garbles every Chinese character.
    """
    batches = store.annotations.export_rows(ExportFilter.of(tags, documents, since), guard=_ESCAPED)
    if excel:
        out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow([*COLUMNS, "passage_converted"] if script else COLUMNS)
    if script:
        return _write_converted(store, writer, _rows(batches), script)
    count = 0
    for rows in batches:
        writer.writerows(rows)
        count += len(rows)
    return count


def _rows(batches: Iterable[list[ExportRow]]) -> Iterator[ExportRow]:
    for batch in batches:
        yield from batch


FORMATS = ("csv", "xlsx")


def export_format(target: Path | str, requested: str | None = None) -> str:
    """``requested`` when given, else ``xlsx`` for a target ending in ``.xlsx``, else ``csv``."""
    if requested:
        return requested
    return "xlsx" if str(target).lower().endswith(".xlsx") else "csv"


def csv_writer(out: IO[str]) -> Any:
    """The CSV of every table we write: RFC 4180 (CRLF), every text field quoted, numbers bare.

    QUOTE_NONNUMERIC quotes every str (and None, as ""), and leaves the ints bare, so a
    spreadsheet's import dialog that also splits on ``;`` or tab keeps each cell whole.
    """
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)


def default_export_name(today: date | None = None, file_format: str = "csv") -> str:
    return f"annotations-{(today or date.today()):%Y%m%d}.{file_format}"


def export_to_file(
    store: Store,
    target: Path,
    script: str | None = None,
    *,
    file_format: str | None = None,
    **filters: Any,
) -> int:
    """:func:`write_csv` (or ``xlsx_export.write_xlsx`` when ``file_format`` is ``xlsx``, or
    is not given and ``target`` ends in ``.xlsx``) into ``target`` through
    :func:`reader.core.safefile.replacing`.

    A failed export (disk full, a database error) leaves neither half a file under the real
    name nor a damaged earlier export: the old file stays until the new one is complete. A
    symlink is written through, a FIFO or device written to directly, a folder refused.
    """
    if export_format(target, file_format) == "xlsx":
        from reader.core.xlsx_export import write_xlsx

        with replacing(target, "wb") as binary:
            return write_xlsx(store, binary, script, **filters)
    with replacing(target) as out:
        return write_csv(store, out, script, **filters)


def _write_converted(store: Store, writer: Any, rows: Iterable[ExportRow], script: str) -> int:
    count = 0
    for row, converted in with_converted_passages(store, rows, script):
        writer.writerow([*row, neutralise(converted)])
        count += 1
    return count


def with_converted_passages(
    store: Store, rows: Iterable[ExportRow], script: str
) -> Iterator[tuple[ExportRow, str]]:
    """Each export row (in ``COLUMNS`` order) with its passage converted to ``script``."""
    from reader.core.convert import converter

    engine = converter(script)
    current: tuple[int, Any] | None = None
    for row in rows:
        document_id, start, end = row.document_id, row.start, row.end
        # Convert the whole document once: a passage converted out of context can segment
        # differently from the same passage read in place.
        if current is None or current[0] != document_id:
            current = (document_id, engine.convert_mapped(store.documents.get(document_id).text))
        if row.status != AnnotationStatus.ACTIVE:  # stale offsets: nothing to convert there
            yield row, ""
        else:
            converted = current[1]
            a, b = converted.offsets.to_dst(start, end)
            yield row, converted.text[a:b]
