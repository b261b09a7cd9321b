"""``reader import-annotations``: put an exported file back into a database.

How it goes, so that what comes back is exactly what was exported:

1. **Read** every row (:func:`read_records` is the one place that knows the file format: it
   yields the header and ``(line, record)`` pairs, so another format plugs in there). A row
   that cannot be read (bad number, offsets that are not a passage, an id beyond SQLite's
   range) is listed with its line and the reason.
2. **Place** each row in *its own* document, never in another one that happens to contain the
   passage: the document with the exported id and title; else one with the same title (a
   library rebuilt from the same files has other ids); else one whose text holds every passage
   of that exported document at its exact offsets (at least :data:`MIN_CONTENT_EVIDENCE`
   characters of them): the same content under another title. Within the document, the
   passage at its offsets, else its nearest occurrence. A row that cannot be placed is listed.
3. **Write** all placed rows in one transaction (``store.annotations.restore``): all of
   them or, if anything fails, none, and the message says so. An annotation already in the
   database is not added again, so importing the same file twice adds nothing; identity is
   the annotation, not its passage: two annotations on one passage both come back.

Any listed row makes ``reader import-annotations`` exit with status 1; the others are restored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.coders import CoderNameError, check_coder_name
from reader.core.errors import StoreError
from reader.core.export import COLUMNS, split_tags, unneutralise
from reader.core.models import RestoredAnnotation
from reader.core.reanchor import occurrences
from reader.core.store import Store

__all__ = ["MIN_CONTENT_EVIDENCE", "RestoreReport", "import_csv", "read_records"]

REQUIRED = ("document_id", "document_title", "start", "end", "passage")

MAX_INTEGER = 2**63 - 1
"""SQLite's largest integer: a bigger id or offset cannot be stored, so the row is refused."""

MIN_CONTENT_EVIDENCE = 12
"""Characters of passages that must sit at their exact offsets before a document under another
title is taken for the exported one: a short passage alone (正文 at 40) can match by chance."""

Record = dict[str, str]


@dataclass
class RestoreReport:
    added: int = 0
    already_present: int = 0
    moved: int = 0
    """Added at a different document or offset than exported (matched by title or content)."""
    missing: list[str] = field(default_factory=list)
    """One line per row that could not be restored, saying why."""


@dataclass(frozen=True)
class _Row:
    line: int
    id: int | None
    document_id: int
    title: str
    start: int
    end: int
    passage: str
    tags: tuple[str, ...]
    comment: str
    created_at: str
    updated_at: str
    orphan: bool
    coder: str = ""
    """Empty in an export from before coders: the current coder's, then."""

    @property
    def document(self) -> tuple[int, str]:
        """The exported document this row belongs to."""
        return self.document_id, self.title


# Reading


def read_records(path: Path) -> tuple[list[str], Iterator[tuple[int, Record]]]:
    """The file's header and its rows as ``(line number, {column: cell})``.

    The one place that knows the file format (CSV, as ``reader export`` writes it, or an xlsx
    export: ``xlsx_import`` gives its rows in the CSV's form). Problems that concern the whole
    file (unreadable, not UTF-8, not CSV) raise StoreError.
    """
    if path.suffix.lower() == ".xlsx":
        from reader.core.xlsx_import import read_xlsx_records

        return read_xlsx_records(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StoreError(f"Cannot read {path} ({error.strerror or error}).") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StoreError(
            f"{path} is not UTF-8 (byte {error.start} is {raw[error.start]:#04x}): reader"
            " exports are UTF-8. If a spreadsheet saved it in another encoding (GBK, Big5),"
            " save it again as “CSV UTF-8”."
        ) from error
    # A long passage or comment is an ordinary cell of a real export: lift the csv module's
    # 131,072-character limit to the size of the whole file.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise StoreError(f"{path}, line 1: not readable as CSV ({error}).") from error
    return header, _csv_rows(path, reader, header)


def _csv_rows(
    path: Path, reader: Iterator[list[str]], header: list[str]
) -> Iterator[tuple[int, Record]]:
    """Each record with the line it starts on (a passage may span several lines)."""
    ended = 1  # the line the previous record ended on
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise StoreError(f"{path}, line {ended + 1}: not readable as CSV ({error}).") from error
        starts, ended = ended + 1, reader.line_num  # type: ignore[attr-defined]
        if any(cells):
            yield starts, dict(zip(header, cells, strict=False))


def _integer(record: Record, column: str, lowest: int) -> int:
    cell = (record.get(column) or "").strip()
    try:
        value = int(cell)
    except ValueError:
        raise ValueError(f"{column} {cell!r} is not a whole number") from None
    if not lowest <= value <= MAX_INTEGER:
        raise ValueError(f"{column} {cell} is out of range ({lowest} to 2^63-1)")
    return value


def _parse(line: int, record: Record) -> _Row:
    """One record as a row; ValueError says what is wrong with it."""
    text = {key: unneutralise(value or "") for key, value in record.items() if key}
    identifier = (record.get("annotation_id") or "").strip()
    start = _integer(record, "start", 0)
    end = _integer(record, "end", 0)
    if end <= start:
        raise ValueError(f"start {start} and end {end} are not a passage")
    passage = text.get("passage", "")
    if not passage:
        raise ValueError("empty passage")
    return _Row(
        line=line,
        id=_integer(record, "annotation_id", 1) if identifier else None,
        document_id=_integer(record, "document_id", 1),
        title=text.get("document_title", ""),
        start=start,
        end=end,
        passage=passage,
        tags=tuple(split_tags(unneutralise(record.get("tags") or ""))),
        comment=text.get("comment", ""),
        created_at=(record.get("created_at") or "").strip(),
        updated_at=(record.get("updated_at") or "").strip(),
        orphan=(record.get("status") or "").strip() == "orphan",
        coder=_coder(text.get("coder", "")),
    )


def _coder(cell: str) -> str:
    """The ``coder`` cell as a name (empty when the export has none); ValueError if unusable."""
    if not cell.strip():
        return ""
    try:
        return check_coder_name(cell)
    except CoderNameError as error:
        raise ValueError(str(error)) from None


# Placing


class _Documents:
    """The library's documents, texts loaded on demand, and which one each exported one is."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.titles: dict[int, str] = {
            summary.id: summary.title for summary in store.documents.summaries()
        }
        self.by_title: dict[str, list[int]] = {}
        for document_id, title in self.titles.items():
            self.by_title.setdefault(title, []).append(document_id)
        self.texts: dict[int, str] = {}

    def text(self, document_id: int) -> str:
        if document_id not in self.texts:
            self.texts[document_id] = self.store.documents.get(document_id).text
        return self.texts[document_id]

    def candidates(self, exported: tuple[int, str], rows: list[_Row]) -> list[int]:
        """The documents here that are the exported one: same id and title, same title, or
        the same content (every passage at its offsets). Empty when it is not here."""
        document_id, title = exported
        if self.titles.get(document_id) == title:
            return [document_id]
        if title in self.by_title:
            return self.by_title[title]
        anchored = sorted(
            (row for row in rows if not row.orphan), key=lambda row: row.start - row.end
        )
        if not anchored or sum(row.end - row.start for row in anchored) < MIN_CONTENT_EVIDENCE:
            return []
        # The longest passage narrows the search in SQLite (no text is loaded for documents
        # that cannot be it); the others confirm it.
        first = anchored[0]
        return [
            candidate
            for candidate in self.store.documents.with_passage_at(first.start, first.passage)
            if all(self._holds(candidate, row) for row in anchored[1:])
        ]

    def _holds(self, document_id: int, row: _Row) -> bool:
        return self.text(document_id)[row.start : row.end] == row.passage

    def place(self, row: _Row, candidates: list[int]) -> tuple[int, int, int] | None:
        """(document_id, start, end) of the row's passage in one of ``candidates``."""
        for document_id in candidates:
            if self._holds(document_id, row):
                return document_id, row.start, row.end
        for document_id in candidates:
            found = _nearest(self.text(document_id), row.passage, row.start)
            if found is not None:
                return document_id, found, found + len(row.passage)
        return None


def _nearest(text: str, passage: str, near: int) -> int | None:
    return min(occurrences(text, passage), key=lambda at: abs(at - near), default=None)


# The whole run


def import_csv(store: Store, path: Path) -> RestoreReport:
    """Restore the annotations in ``path`` (a ``reader export`` file) into ``store``.

    Rows that cannot be read or placed are listed in ``missing``; all the others are written
    in one transaction. Raises StoreError, having restored nothing, when the file cannot be
    read or the write fails.
    """
    report = RestoreReport()
    header, records = read_records(path)
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise StoreError(
            f"{path} is not a reader export: no {', '.join(absent)} column"
            f" (expected {', '.join(COLUMNS)})."
        )
    rows: list[_Row] = []
    for line, record in records:
        try:
            rows.append(_parse(line, record))
        except ValueError as error:
            report.missing.append(f"line {line}: unreadable row ({error})")
    by_document: dict[tuple[int, str], list[_Row]] = {}
    for row in rows:
        by_document.setdefault(row.document, []).append(row)
    documents = _Documents(store)
    placed: list[tuple[_Row, RestoredAnnotation, bool]] = []
    for exported, group in by_document.items():
        candidates = documents.candidates(exported, group)
        for row in group:
            place = documents.place(row, candidates) if candidates else None
            if place is None:
                report.missing.append(_why_not(row, candidates))
                continue
            document_id, start, end = place
            item = RestoredAnnotation(
                id=row.id,
                document_id=document_id,
                start=start,
                end=end,
                tags=row.tags,
                comment=row.comment,
                created_at=row.created_at,
                updated_at=row.updated_at,
                passage=row.passage,
                coder=row.coder,
            )
            placed.append((row, item, place != (row.document_id, row.start, row.end)))
    placed.sort(key=lambda entry: entry[0].line)
    report.missing.sort(key=_line_of)
    if not placed:
        return report
    try:
        results = store.annotations.restore(item for _, item, _ in placed)
    except StoreError as error:
        raise StoreError(f"{error} Nothing was restored from {path}.") from error
    for result, (_, _, moved) in zip(results, placed, strict=True):
        if result is None:
            report.already_present += 1
        else:
            report.added += 1
            report.moved += moved
    return report


def _why_not(row: _Row, candidates: list[int]) -> str:
    where = f"line {row.line}: annotation {row.id or '(no id)'} on “{row.title}” (document"
    if not candidates:
        return (
            f"{where} {row.document_id}): that document is not in this database (no document"
            " has its id and title, its title, or its passages at their offsets);"
            " import it first with reader import"
        )
    shown = ", ".join(f"#{i}" for i in candidates)
    return f"{where} {row.document_id}): its passage is no longer in {shown}"


def _line_of(message: str) -> int:
    number = message.removeprefix("line ").split(":", 1)[0]
    return int(number) if number.isdigit() else 0
