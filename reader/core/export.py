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

The rows come from one joined query whose cells SQLite already neutralises, so a 100,000-row
export runs at the speed of the csv module itself. ``xlsx_export`` writes the same rows as an
.xlsx workbook, where no guard is needed.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from reader.core.dbfile import explain
from reader.core.safefile import replacing
from reader.core.store import Store

__all__ = [
    "COLUMNS",
    "FORMATS",
    "FORMULA_TRIGGERS",
    "annotation_filter",
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


def _sql_neutralise(column: str) -> str:
    """The SQL for :func:`neutralise`: unicode() compares the first code point as an integer,
    cheaper than cutting a one-character string per cell."""
    codes = ", ".join(str(ord(c)) for c in _ESCAPED)
    return f"case when unicode({column}) in ({codes}) then '''' || {column} else {column} end"


# join_tags in SQL: each name escaped (a backslash before "\" and ";", and before a leading
# "'"), the names joined by "; ", and the whole cell neutralised once. The outer select reads
# the joined cell from a derived table, so the subquery runs once per row although the guard
# looks at the cell twice.
ESCAPED_TAG_NAME_SQL = (
    "case when substr(t.name, 1, 1) = '''' then '\\' else '' end"
    " || replace(replace(t.name, '\\', '\\\\'), ';', '\\;')"
)
_TAGS = (
    "(select " + _sql_neutralise("cell") + " from (select group_concat(name, '; ') as cell"
    " from (select " + ESCAPED_TAG_NAME_SQL + " as name from annotation_tags x"
    " join tags t on t.id = x.tag_id where x.annotation_id = a.id order by t.name)))"
)

_SELECT = f"""
select a.id, a.document_id, {_sql_neutralise("d.title")}, {_sql_neutralise("d.source")},
       a.start_offset, a.end_offset, {_sql_neutralise("a.quote")}, {_TAGS},
       {_sql_neutralise("a.comment")}, a.created_at, a.updated_at, a.status
from annotations a join documents d on d.id = a.document_id
"""
ROW_ORDER_SQL = " order by a.document_id, a.start_offset, a.end_offset, a.id"


def find_documents(store: Store, spec: str) -> list[int]:
    """Documents matching ``--document``: an id, else every title containing ``spec``."""
    if spec.strip().isdigit():
        row = store.db.execute("select id from documents where id = ?", [int(spec)]).fetchone()
        if row:
            return [int(row[0])]
    rows = store.db.execute(
        "select id from documents where instr(lower(title), lower(?)) > 0 order by id", [spec]
    ).fetchall()
    return [int(row[0]) for row in rows]


def annotation_filter(
    tags: Iterable[str] = (), documents: Sequence[int] | None = None, since: str | None = None
) -> tuple[str, list[object]]:
    """The ``where`` clause (or "") and its parameters for the export filters, on ``a``
    (annotations): ``tags`` (any of them), ``documents`` (ids), ``since`` (an ISO date)."""
    where: list[str] = []
    params: list[object] = []
    tag_names = [name for name in tags if name]
    if tag_names:
        where.append(
            "a.id in (select x.annotation_id from annotation_tags x join tags t"
            f" on t.id = x.tag_id where t.name in ({', '.join('?' for _ in tag_names)}))"
        )
        params.extend(tag_names)
    if documents is not None:
        where.append(f"a.document_id in ({', '.join('?' for _ in documents) or 'null'})")
        params.extend(documents)
    if since:
        where.append("a.updated_at >= ?")
        params.append(since)
    return (" where " + " and ".join(where) if where else ""), params


def write_csv(
    store: Store,
    out: TextIO,
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
    where, params = annotation_filter(tags, documents, since)
    sql = _SELECT + where + ROW_ORDER_SQL
    if excel:
        out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow([*COLUMNS, "passage_converted"] if script else COLUMNS)
    try:
        cursor = store.db.execute(sql, params)
        if script:
            return _write_converted(store, writer, cursor, script)
        count = 0
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
            count += len(rows)
        return count
    except sqlite3.Error as error:
        if type(error) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            raise
        raise explain(error, store.path) from error


FORMATS = ("csv", "xlsx", "w3c", "qdpx")
SUFFIXES = {"csv": "csv", "xlsx": "xlsx", "w3c": "jsonld", "qdpx": "qdpx"}
"""Each format's file name ending; a target ending so chooses that format."""
PROJECT_FILTERS = ("tags", "documents", "since")
"""The filters the W3C and REFI-QDA exports take (the rest are about CSV and xlsx cells)."""


def export_format(target: Path | str, requested: str | None = None) -> str:
    """``requested`` when given, else the format whose ending ``target`` has (``.xlsx``,
    ``.jsonld``, ``.qdpx``), else ``csv``."""
    if requested:
        return requested
    name = str(target).lower()
    return next((fmt for fmt, suffix in SUFFIXES.items() if name.endswith("." + suffix)), "csv")


def csv_writer(out: TextIO) -> Any:
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
    ``documents`` and ``since`` (and carry the original text, whatever ``script``).

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


def _write_converted(store: Store, writer: Any, rows: Iterable[Sequence], script: str) -> int:
    count = 0
    for row, converted in with_converted_passages(store, rows, script):
        writer.writerow([*row, neutralise(converted)])
        count += 1
    return count


def with_converted_passages(
    store: Store, rows: Iterable[Sequence[Any]], script: str
) -> Iterator[tuple[Sequence[Any], str]]:
    """Each export row (in ``COLUMNS`` order) with its passage converted to ``script``."""
    from reader.core.convert import converter

    engine = converter(script)
    current: tuple[int, Any] | None = None
    status = COLUMNS.index("status")
    for row in rows:
        document_id, start, end = row[1], row[4], row[5]
        # Convert the whole document once: a passage converted out of context can segment
        # differently from the same passage read in place.
        if current is None or current[0] != document_id:
            current = (document_id, engine.convert_mapped(store.get_document(document_id).text))
        if row[status] != "active":  # stale offsets: nothing to convert there
            yield row, ""
        else:
            converted = current[1]
            a, b = converted.offsets.to_dst(start, end)
            yield row, converted.text[a:b]
