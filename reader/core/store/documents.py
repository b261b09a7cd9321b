"""Documents: the texts in the library, their earlier versions, and re-anchoring on a new one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from reader.core.errors import StoreError
from reader.core.models import AnnotationStatus, Document, DocumentSummary, Script
from reader.core.store.common import (
    QUOTE_CONTEXT,
    as_int,
    as_text,
    check_bounds,
    now,
    passage_anchor,
)
from reader.core.store.gateway import Gateway, Row
from reader.core.store.search_index import SearchIndex

__all__ = ["DocumentVersion", "Documents", "VersionReport"]


@dataclass(frozen=True)
class VersionReport:
    """What a re-import did to a document's annotations."""

    version: int
    kept: int
    """Still exactly where they were."""
    moved: int
    """Placed at a new offset (or on a slightly changed passage)."""
    orphaned: int
    """Could not be placed: status 'orphan', quote kept."""


class DocumentVersion(NamedTuple):
    """An earlier version of a document (the current one is the Document itself)."""

    version: int
    content_hash: str
    imported_at: str


_COLUMNS = (
    "id, title, source, published, path, script, text, encoding, content_hash, version, author"
)


def _document(row: Row) -> Document:
    document_id, title, source, published, path, script, text, *rest = row
    encoding, content_hash, version, author = rest
    return Document(
        document_id, as_text(title), as_text(source), as_text(published), as_text(path),
        Script.of(script), as_text(text), as_text(encoding), as_text(content_hash),
        as_int(version, f"The version of document {document_id}"), as_text(author),
    )  # fmt: skip


class Documents:
    def __init__(self, db: Gateway, search_index: SearchIndex) -> None:
        self._db = db
        self._search_index = search_index

    def add(
        self,
        *,
        text: str,
        title: str,
        source: str = "",
        published: str = "",
        path: str = "",
        script: Script = Script.SIMPLIFIED,
        encoding: str = "utf-8",
        content_hash: str = "",
        author: str = "",
    ) -> int:
        """Store a new document; returns its id."""
        with self._db.transaction():
            document_id = self._db.insert(
                "insert into documents (title, author, source, published, path, text, script,"
                " encoding, content_hash, imported_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " returning id",
                [
                    title, author, source, published, path, text, script, encoding,
                    content_hash, now(),
                ],
            )  # fmt: skip
            self._search_index.index(document_id, text)
            return document_id

    def count(self) -> int:
        row = self._db.one("select count(*) from documents")
        return int(row[0]) if row else 0

    def get(self, document_id: int) -> Document:
        row = self._db.one(f"select {_COLUMNS} from documents where id = ?", [document_id])
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        return _document(row)

    def find_by_hash(self, content_hash: str) -> int | None:
        row = self._db.one(
            "select id from documents where content_hash = ? limit 1", [content_hash]
        )
        return int(row[0]) if row else None

    def find_by_path(self, path: str) -> int | None:
        """The document last imported from ``path``: where a changed file's new version goes."""
        row = self._db.one(
            "select id from documents where path = ? order by id desc limit 1", [path]
        )
        return int(row[0]) if row else None

    def matching(self, spec: str) -> list[int]:
        """Documents a user names: an id, else every title containing ``spec`` (any case)."""
        if spec.strip().isdigit():
            row = self._db.one("select id from documents where id = ?", [int(spec)])
            if row:
                return [int(row[0])]
        contains = self._db.dialect.contains("lower(title)", "lower(?)")
        rows = self._db.query(f"select id from documents where {contains} order by id", [spec])
        return [int(row[0]) for row in rows]

    def with_passage_at(self, start: int, passage: str) -> list[int]:
        """The documents whose text holds ``passage`` at code-point offset ``start``."""
        rows = self._db.query(
            "select id from documents where substr(text, ?, ?) = ? order by id",
            [start + 1, len(passage), passage],
        )
        return [int(row[0]) for row in rows]

    def titles(self, document_ids: Iterable[int] | None = None) -> dict[int, str]:
        """The title of every document (or of these) by id, in id order."""
        sql, params = "select id, title from documents", []
        if document_ids is not None:
            ids = list(document_ids)
            sql += f" where id in ({', '.join('?' for _ in ids) or 'null'})"
            params = ids
        return {
            int(document_id): as_text(title)
            for document_id, title in self._db.query(sql + " order by id", params)
        }

    def text(self, document_id: int) -> str:
        """The current text alone (get() reads the whole row)."""
        row = self._db.one("select text from documents where id = ?", [document_id])
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        return as_text(row[0])

    def anchor(self, document_id: int, start: int, end: int) -> tuple[str, str, str]:
        """passage_anchor of [start, end) of the current text (checked to lie inside it),
        reading only that stretch and its context, not the whole text."""
        first = max(0, start - QUOTE_CONTEXT)
        row = self._db.one(
            "select substr(text, ?, ?) from documents where id = ?",
            [first + 1, max(end - first, 0) + QUOTE_CONTEXT, document_id],
        )
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        window = as_text(row[0])
        # first + len(window): the text's length where the slice ended early, else past end.
        check_bounds(first + len(window), start, end)
        return passage_anchor(window, start - first, end - first)

    def slices(self, document_id: int, spans: Sequence[tuple[int, int]]) -> list[str]:
        """text[start:end] of the document for each span, cut by the database (code points),
        so a long text is not read whole for a few lines of context."""
        slices: list[str] = []
        for start, end in spans:
            row = self._db.one(
                "select substr(text, ?, ?) from documents where id = ?",
                [start + 1, max(end - start, 0), document_id],
            )
            slices.append(as_text(row[0]) if row else "")
        return slices

    def summaries(self) -> list[DocumentSummary]:
        """What the library lists: every document but its text, with its active annotations."""
        rows = self._db.query(
            """
            select d.id, d.title, d.source, d.published, d.path, d.script,
                   (select count(*) from annotations a
                    where a.document_id = d.id and a.status = ?) as annotation_count
            from documents d order by d.id
            """,
            [AnnotationStatus.ACTIVE],
        )
        return [
            DocumentSummary(
                document_id,
                as_text(title),
                as_text(source),
                as_text(published),
                as_text(path),
                Script.of(script),
                count,
            )
            for document_id, title, source, published, path, script, count in rows
        ]

    # Versions (re-import of a changed file)

    def add_version(
        self,
        document_id: int,
        *,
        text: str,
        content_hash: str,
        title: str,
        source: str = "",
        published: str = "",
        script: Script = Script.SIMPLIFIED,
        encoding: str = "utf-8",
        author: str = "",
    ) -> VersionReport:
        """Make ``text`` the document's current version and move its annotations onto it.

        One transaction: the old text goes to document_versions, every active annotation is
        re-anchored (reader.core.reanchor) inside it so none created meanwhile is missed, and
        what cannot be placed becomes an orphan that keeps its quote and last offsets.
        """
        # Imported here: rapidfuzz costs every `reader` start (export included) ~20 ms.
        from reader.core.reanchor import Anchor, reanchor

        with self._db.transaction():
            row = self._db.one(
                "select text, content_hash, version, imported_at from documents where id = ?",
                [document_id],
            )
            if row is None:
                raise StoreError(f"no document with id {document_id}")
            old_text, old_hash, version, imported_at = row
            self._db.execute(
                "insert into document_versions"
                " (document_id, version, text, content_hash, imported_at) values (?, ?, ?, ?, ?)",
                [document_id, version, old_text, old_hash, imported_at],
            )
            self._db.execute(
                "update documents set text = ?, content_hash = ?, version = ?, title = ?,"
                " source = ?, published = ?, script = ?, encoding = ?, author = ?,"
                " imported_at = ? where id = ?",
                [
                    text, content_hash, version + 1, title, source, published, script,
                    encoding, author, now(), document_id,
                ],
            )  # fmt: skip
            self._search_index.index(document_id, text)
            kept = moved = orphaned = 0
            for annotation_id, start, end, quote, prefix, suffix in self._db.query(
                "select id, start_offset, end_offset, quote, prefix, suffix from annotations"
                " where document_id = ? and status = ?",
                [document_id, AnnotationStatus.ACTIVE],
            ):
                placed = reanchor(text, Anchor(quote, prefix or "", suffix or "", start))
                if placed is None:
                    orphaned += 1
                    self._db.execute(
                        "update annotations set status = ?, updated_at = ? where id = ?",
                        [AnnotationStatus.ORPHAN, now(), annotation_id],
                    )
                    continue
                if (placed.start, placed.end) == (start, end) and placed.exact:
                    kept += 1
                else:
                    moved += 1
                self._db.execute(
                    "update annotations set start_offset = ?, end_offset = ?, quote = ?,"
                    " prefix = ?, suffix = ? where id = ?",
                    [
                        placed.start,
                        placed.end,
                        *passage_anchor(text, placed.start, placed.end),
                        annotation_id,
                    ],
                )
        return VersionReport(version + 1, kept, moved, orphaned)

    def versions(self, document_id: int) -> list[DocumentVersion]:
        """Earlier versions, oldest first."""
        return [
            DocumentVersion(int(version), content_hash, imported_at)
            for version, content_hash, imported_at in self._db.query(
                "select version, content_hash, imported_at from document_versions"
                " where document_id = ? order by version",
                [document_id],
            )
        ]

    def version_text(self, document_id: int, version: int) -> str:
        """The text of any version, current or earlier: nothing a re-import replaced is lost."""
        row = self._db.one(
            "select text from document_versions where document_id = ? and version = ?"
            " union all select text from documents where id = ? and version = ?",
            [document_id, version, document_id, version],
        )
        if row is None:
            raise StoreError(f"document {document_id} has no version {version}")
        return str(row[0])
