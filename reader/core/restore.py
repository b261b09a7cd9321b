"""``reader import-annotations``: put an exported CSV (or xlsx) back into a database.

Documents are matched by id and title when the passage is still at the exported offsets, else
by content: the same passage at the same offsets in another document (a library rebuilt from the
same files gets new ids), else the passage's nearest occurrence. A row whose document cannot be
found is reported, never dropped silently. Importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.errors import StoreError
from reader.core.export import COLUMNS, split_tags, unneutralise
from reader.core.models import RestoredAnnotation
from reader.core.reanchor import occurrences
from reader.core.store import Store

__all__ = ["RestoreReport", "import_csv"]

BATCH = 500
"""Rows per transaction: short enough that the app's writes never wait long for the lock."""

REQUIRED = ("document_id", "document_title", "start", "end", "passage")


@dataclass
class RestoreReport:
    added: int = 0
    already_present: int = 0
    moved: int = 0
    """Added at a different document or offset than exported (matched by content)."""
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


class _Documents:
    """The library's documents, texts loaded on demand, and where each exported one went."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.titles: dict[int, str] = dict(
            store.db.execute("select id, title from documents order by id").fetchall()
        )
        self.by_title: dict[str, list[int]] = {}
        for document_id, title in self.titles.items():
            self.by_title.setdefault(title, []).append(document_id)
        self.texts: dict[int, str] = {}
        self.matched: dict[tuple[int, str], int] = {}

    def text(self, document_id: int) -> str:
        if document_id not in self.texts:
            self.texts[document_id] = self.store.get_document(document_id).text
        return self.texts[document_id]

    def locate(self, row: _Row) -> tuple[int, int, int] | None:
        """(document_id, start, end) where the row's passage is in this library, or None."""
        key = (row.document_id, row.title)
        same = row.document_id if self.titles.get(row.document_id) == row.title else None
        preferred = [self.matched.get(key), same, *self.by_title.get(row.title, ())]
        likely = [i for i in dict.fromkeys(preferred) if i is not None]
        for candidates in (likely, [i for i in self.titles if i not in likely]):
            place = self._search(candidates, row)
            if place is not None:
                self.matched[key] = place[0]
                return place
        return None

    def _search(self, candidates: list[int], row: _Row) -> tuple[int, int, int] | None:
        for document_id in candidates:
            if self.text(document_id)[row.start : row.end] == row.passage:
                return document_id, row.start, row.end
        for document_id in candidates:
            found = _nearest(self.text(document_id), row.passage, row.start)
            if found is not None:
                return document_id, found, found + len(row.passage)
        return None


def _nearest(text: str, passage: str, near: int) -> int | None:
    return min(occurrences(text, passage), key=lambda at: abs(at - near), default=None)


def _rows(path: Path, report: RestoreReport) -> Iterator[_Row]:
    if path.suffix.lower() == ".xlsx":  # an xlsx export's text cells carry no formula guard
        from reader.core.xlsx_import import read_xlsx_records

        with read_xlsx_records(path) as (header, records):
            yield from _parse(path, header, records, report, guarded=False)
        return
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise StoreError(f"Cannot read {path} ({error.strerror or error}).") from error
    with handle:
        reader = csv.DictReader(handle)
        records = ((reader.line_num, record) for record in reader)
        yield from _parse(path, reader.fieldnames or [], records, report, guarded=True)


def _parse(
    path: Path,
    header: Sequence[str],
    records: Iterable[tuple[int, dict[str, str]]],
    report: RestoreReport,
    guarded: bool,
) -> Iterator[_Row]:
    """Rows from (line, record) pairs; ``guarded``: text cells carry the CSV's formula guard."""
    absent = [name for name in REQUIRED if name not in header]
    if absent:
        raise StoreError(
            f"{path} is not a reader export: no {', '.join(absent)} column"
            f" (expected {', '.join(COLUMNS)})."
        )
    clean = unneutralise if guarded else str
    for line, record in records:
        try:
            text = {key: clean(value or "") for key, value in record.items() if key}
            identifier = (record.get("annotation_id") or "").strip()
            yield _Row(
                line=line,
                id=int(identifier) if identifier.isdigit() else None,
                document_id=int(record["document_id"]),
                title=text["document_title"],
                start=int(record["start"]),
                end=int(record["end"]),
                passage=text["passage"],
                tags=tuple(split_tags(clean(record.get("tags") or ""))),
                comment=text.get("comment", ""),
                created_at=record.get("created_at") or "",
                updated_at=record.get("updated_at") or "",
            )
        except (TypeError, ValueError) as error:
            report.missing.append(f"line {line}: unreadable row ({error})")


def import_csv(store: Store, path: Path) -> RestoreReport:
    """Restore the annotations in ``path`` (a ``reader export`` CSV) into ``store``."""
    report = RestoreReport()
    documents = _Documents(store)
    batch: list[tuple[RestoredAnnotation, bool]] = []
    for row in _rows(path, report):
        if row.end <= row.start or not row.passage:
            report.missing.append(f"line {row.line}: empty passage")
            continue
        place = documents.locate(row)
        if place is None:
            report.missing.append(
                f"line {row.line}: annotation {row.id} on “{row.title}” (document"
                f" {row.document_id}): no document here contains its passage"
            )
            continue
        document_id, start, end = place
        moved = place != (row.document_id, row.start, row.end)
        batch.append(
            (
                RestoredAnnotation(
                    id=row.id,
                    document_id=document_id,
                    start=start,
                    end=end,
                    tags=row.tags,
                    comment=row.comment,
                    created_at=row.created_at,
                    updated_at=row.updated_at,
                ),
                moved,
            )
        )
        if len(batch) >= BATCH:
            _flush(store, batch, report)
    _flush(store, batch, report)
    return report


def _flush(
    store: Store, batch: list[tuple[RestoredAnnotation, bool]], report: RestoreReport
) -> None:
    results = store.restore_annotations(item for item, _ in batch)
    for result, (_, moved) in zip(results, batch, strict=True):
        if result is None:
            report.already_present += 1
        else:
            report.added += 1
            report.moved += moved
    batch.clear()
