"""The annotation store: the only module that writes SQL.

Every user action is one transaction, committed before the method returns, so a killed
process loses nothing that was reported as saved.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from reader.core.migrations import migrations
from reader.core.models import Annotation, Document, DocumentSummary, Tag

__all__ = ["QUOTE_CONTEXT", "TAG_COLORS", "Store", "StoreError"]

TAG_COLORS = (
    "#f4d35e", "#8ecae6", "#f4a261", "#a7c957", "#e5989b", "#b8b8ff",
    "#90e0ef", "#ffb4a2", "#cdb4db", "#ffd6a5", "#caffbf", "#9bf6ff",
)  # fmt: skip
"""Light backgrounds that keep dark text readable; new tags take the next one in turn."""

QUOTE_CONTEXT = 32
"""Characters of text kept before and after each passage, to re-anchor it if the text changes."""


class StoreError(Exception):
    """A database problem explained in words a user can act on."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """One annotations database on disk."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.db = Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 5000")
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            migrations.apply(self.db)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a usable reader database ({error})") from error

    def close(self) -> None:
        self.db.close()

    # Documents

    def add_document(
        self,
        *,
        text: str,
        title: str,
        source: str = "",
        published: str = "",
        path: str = "",
        script: str = "simplified",
        encoding: str = "utf-8",
        content_hash: str = "",
    ) -> int:
        with self.db.atomic():
            table = self.db["documents"]
            table.insert(
                {
                    "title": title,
                    "source": source,
                    "published": published,
                    "path": path,
                    "text": text,
                    "script": script,
                    "encoding": encoding,
                    "content_hash": content_hash,
                    "imported_at": now(),
                }
            )
            return int(table.last_pk)

    def document_count(self) -> int:
        return self.db["documents"].count

    def find_document_by_hash(self, content_hash: str) -> int | None:
        row = self.db.execute(
            "select id from documents where content_hash = ? limit 1", [content_hash]
        ).fetchone()
        return int(row[0]) if row else None

    def list_documents(self) -> list[DocumentSummary]:
        rows = self.db.execute(
            """
            select d.id, d.title, d.source, d.published, d.path, d.script,
                   (select count(*) from annotations a
                    where a.document_id = d.id and a.status = 'active') as annotation_count
            from documents d order by d.id
            """
        ).fetchall()
        return [DocumentSummary(*row) for row in rows]

    def get_document(self, document_id: int) -> Document:
        row = self.db.execute(
            "select id, title, source, published, path, script, text, encoding, content_hash"
            " from documents where id = ?",
            [document_id],
        ).fetchone()
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        return Document(*row)

    # Tags

    def list_tags(self) -> list[Tag]:
        rows = self.db.execute("select id, name, color from tags order by name").fetchall()
        return [Tag(*row) for row in rows]

    def _ensure_tag(self, name: str) -> int:
        row = self.db.execute("select id from tags where name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        count = self.db.execute("select count(*) from tags").fetchone()[0]
        cursor = self.db.execute(
            "insert into tags (name, color) values (?, ?)",
            [name, TAG_COLORS[count % len(TAG_COLORS)]],
        )
        return int(cursor.lastrowid)

    # Annotations

    def create_annotation(
        self,
        document_id: int,
        start: int,
        end: int,
        tags: Iterable[str] = (),
        comment: str = "",
    ) -> Annotation:
        text = self.get_document(document_id).text
        if not 0 <= start < end <= len(text):
            raise StoreError(f"passage [{start}, {end}) is outside the document")
        stamp = now()
        with self.db.atomic():
            cursor = self.db.execute(
                "insert into annotations (document_id, start_offset, end_offset, quote, prefix,"
                " suffix, comment, status, created_at, updated_at)"
                " values (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                [
                    document_id,
                    start,
                    end,
                    text[start:end],
                    text[max(0, start - QUOTE_CONTEXT) : start],
                    text[end : end + QUOTE_CONTEXT],
                    comment,
                    stamp,
                    stamp,
                ],
            )
            annotation_id = int(cursor.lastrowid)
            self._write_tags(annotation_id, tags)
        return self.get_annotation(annotation_id)

    def _write_tags(self, annotation_id: int, names: Iterable[str]) -> None:
        self.db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])
        for name in dict.fromkeys(name.strip() for name in names if name.strip()):
            self.db.execute(
                "insert into annotation_tags (annotation_id, tag_id) values (?, ?)",
                [annotation_id, self._ensure_tag(name)],
            )

    def set_tags(self, annotation_id: int, names: Iterable[str]) -> Annotation:
        with self.db.atomic():
            self._write_tags(annotation_id, names)
            self._touch(annotation_id)
        return self.get_annotation(annotation_id)

    def set_comment(self, annotation_id: int, comment: str) -> Annotation:
        with self.db.atomic():
            self.db.execute(
                "update annotations set comment = ? where id = ?", [comment, annotation_id]
            )
            self._touch(annotation_id)
        return self.get_annotation(annotation_id)

    def delete_annotation(self, annotation_id: int) -> None:
        with self.db.atomic():
            self.db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])
            self.db.execute("delete from annotations where id = ?", [annotation_id])

    def _touch(self, annotation_id: int) -> None:
        self.db.execute(
            "update annotations set updated_at = ? where id = ?", [now(), annotation_id]
        )

    def get_annotation(self, annotation_id: int) -> Annotation:
        found = list(self._annotations("a.id = ?", [annotation_id]))
        if not found:
            raise StoreError(f"no annotation with id {annotation_id}")
        return found[0]

    def annotations_for(self, document_id: int) -> list[Annotation]:
        """The document's annotations in text order."""
        return list(self._annotations("a.document_id = ?", [document_id]))

    def all_annotations(self) -> Iterator[Annotation]:
        return self._annotations("1 = 1", [])

    def _annotations(self, where: str, params: list[object]) -> Iterator[Annotation]:
        tags_by_annotation: dict[int, list[Tag]] = {}
        for annotation_id, tag_id, name, color in self.db.execute(
            "select at.annotation_id, t.id, t.name, t.color from annotation_tags at"
            " join tags t on t.id = at.tag_id join annotations a on a.id = at.annotation_id"
            f" where {where} order by t.name",
            params,
        ):
            tags_by_annotation.setdefault(annotation_id, []).append(Tag(tag_id, name, color))
        for row in self.db.execute(
            "select a.id, a.document_id, a.start_offset, a.end_offset, a.quote, a.comment,"
            " a.created_at, a.updated_at, a.status from annotations a"
            f" where {where} order by a.document_id, a.start_offset, a.end_offset, a.id",
            params,
        ).fetchall():
            yield Annotation(
                id=row[0],
                document_id=row[1],
                start=row[2],
                end=row[3],
                quote=row[4],
                comment=row[5],
                tags=tuple(tags_by_annotation.get(row[0], ())),
                created_at=row[6],
                updated_at=row[7],
                status=row[8],
            )

    # Settings and reading positions

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("select value from settings where key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "insert into settings (key, value) values (?, ?)"
                " on conflict(key) do update set value = excluded.value",
                [key, value],
            )

    def reading_position(self, document_id: int) -> int:
        row = self.db.execute(
            "select offset from reading_positions where document_id = ?", [document_id]
        ).fetchone()
        return int(row[0]) if row else 0

    def set_reading_position(self, document_id: int, offset: int) -> None:
        with self.db.atomic():
            self.db.execute(
                "insert into reading_positions (document_id, offset, updated_at) values (?, ?, ?)"
                " on conflict(document_id) do update set offset = excluded.offset,"
                " updated_at = excluded.updated_at",
                [document_id, offset, now()],
            )
