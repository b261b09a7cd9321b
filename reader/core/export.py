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
from collections.abc import Container, Iterable, Iterator, Sequence
from datetime import date
from itertools import groupby
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
    "coder",
)
"""``status`` is ``active``, or ``orphan`` for an annotation whose passage a changed text no
longer holds: its start/end refer to the earlier version and only its passage is certain.
``coder`` is who made it (last, so the columns before it are where they always were)."""

TEXT_COLUMNS = ("document_title", "document_source", "passage", "tags", "comment", "coder")
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
    coders: Iterable[str] = (),
    excel: bool = False,
    annotation_ids: Container[int] | None = None,
) -> int:
    """Write the annotations to ``out`` (opened with ``newline=""``); returns the row count.

    ``script`` adds a ``passage_converted`` column in that OpenCC config. Filters: ``tags``
    (annotations with any of them), ``documents`` (ids), ``since`` (an ISO date: annotations
    created or changed on or after it), ``coders`` (made by one of them), ``annotation_ids``
    (only these: the app's view of coded passages). ``excel`` starts the file with a UTF-8 byte
    order mark, without which Excel reads UTF-8 as the local code page and garbles every
    Chinese character.
    """
    selection = ExportFilter.of(tags, documents, since, coders)
    batches = store.annotations.export_rows(selection, guard=_ESCAPED)
    if annotation_ids is not None:
        chosen = annotation_ids
        batches = ([row for row in batch if row.annotation_id in chosen] for batch in batches)
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


FORMATS = ("csv", "xlsx", "w3c", "qdpx")
SUFFIXES = {"csv": "csv", "xlsx": "xlsx", "w3c": "jsonld", "qdpx": "qdpx"}
"""Each format's file name ending; a target ending so chooses that format."""
PROJECT_FILTERS = ("tags", "documents", "since", "coders")
"""The filters the W3C and REFI-QDA exports take (the rest are about CSV and xlsx cells)."""


def export_format(target: Path | str, requested: str | None = None) -> str:
    """``requested`` when given, else the format whose ending ``target`` has (``.xlsx``,
    ``.jsonld``, ``.qdpx``), else ``csv``."""
    if requested:
        return requested
    name = str(target).lower()
    return next((fmt for fmt, suffix in SUFFIXES.items() if name.endswith("." + suffix)), "csv")


def csv_writer(out: IO[str]) -> Any:
    """The CSV of every table we write: RFC 4180 (CRLF), every text field quoted, numbers bare.

    QUOTE_NONNUMERIC quotes every str (and None, as ""), and leaves the ints bare, so a
    spreadsheet's import dialog that also splits on ``;`` or tab keeps each cell whole.
    """
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)


def default_export_name(today: date | None = None, file_format: str = "csv") -> str:
    return f"annotations-{(today or date.today()):%Y%m%d}.{SUFFIXES.get(file_format, file_format)}"


def export_to_file(
    store: Store,
    target: Path,
    script: str | None = None,
    *,
    file_format: str | None = None,
    **filters: Any,
) -> int:
    """:func:`write_csv` (or ``xlsx_export.write_xlsx`` when ``file_format`` is ``xlsx``,
    W3C Web Annotation JSON-LD for ``w3c``, a REFI-QDA archive for ``qdpx``; when not given,
    chosen by ``target``'s ending) into ``target`` through
    :func:`reader.core.safefile.replacing`. ``w3c`` and ``qdpx`` take the filters ``tags``,
    ``documents``, ``since`` and ``coders`` (and carry the original text, whatever ``script``).

    A failed export (disk full, a database error) leaves neither half a file under the real
    name nor a damaged earlier export: the old file stays until the new one is complete. A
    symlink is written through, a FIFO or device written to directly, a folder refused.
    """
    chosen = export_format(target, file_format)
    if chosen in ("w3c", "qdpx"):
        project_filters = {k: v for k, v in filters.items() if k in PROJECT_FILTERS}
        if chosen == "w3c":
            from reader.core.w3c import export_w3c

            return export_w3c(store, target, **project_filters)
        from reader.core.refiqda import export_qdpx

        return export_qdpx(store, target, **project_filters)
    if chosen == "xlsx":
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
    from reader.core.convert import Converted, PassageConverter, converter

    engine = converter(script)
    sentences: dict[str, Converted | None] = {}
    # Rows come ordered by document. Each passage converts as it reads in place: from its
    # sentences, not alone (a passage converted out of context can segment differently), and
    # not from the whole document unless its passages cover much of it.
    for document_id, group in groupby(rows, key=lambda row: row.document_id):
        document_rows = list(group)
        active = [row for row in document_rows if row.status == AnnotationStatus.ACTIVE]
        passages: PassageConverter | None = None
        if active:
            passages = engine.passages(store.documents.get(document_id).text, sentences)
            passages.plan((row.start, row.end) for row in active)
        for row in document_rows:
            if row.status != AnnotationStatus.ACTIVE or passages is None:
                yield row, ""  # stale offsets: nothing to convert
            else:
                yield row, passages.convert(row.start, row.end)
