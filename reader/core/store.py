"""The annotation store: the only module that writes SQL.

Every user action is one transaction, committed before the method returns, so a killed
process loses nothing that was reported as saved.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.core import undo
from reader.core.dbfile import guard_errors, open_database
from reader.core.errors import StoreError
from reader.core.models import (
    Annotation,
    Document,
    DocumentSummary,
    RestoredAnnotation,
    Tag,
    UndoResult,
)

__all__ = ["QUOTE_CONTEXT", "TAG_COLORS", "Store", "StoreError", "passage_anchor"]

TAG_COLORS = (
    "#f4d35e", "#8ecae6", "#f4a261", "#a7c957", "#e5989b", "#b8b8ff",
    "#90e0ef", "#ffb4a2", "#cdb4db", "#ffd6a5", "#caffbf", "#9bf6ff",
)  # fmt: skip
"""Light backgrounds that keep dark text readable; new tags take the next one in turn."""

SEARCH_MMAP_SIZE = 1 << 30
"""Bytes of the database file mapped while a search reads the folded texts."""

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
"""The only colour form the store hands out: anything else in the file is someone's data."""

MAX_KEPT_ID = 2**62
"""A restored annotation keeps its exported id only below this, so new ids never overflow."""

QUOTE_CONTEXT = 32
"""Characters of text kept before and after each passage, to re-anchor it if the text changes."""


def write_char_index(conn: sqlite3.Connection, document_id: int, text: str) -> None:
    """Write the search index rows of one document, replacing any it had: its character
    positions and byte marks (reader.core.char_index). For the store's transaction and for the
    migration that builds the index."""
    from reader.core.char_index import build

    index = build(text)
    conn.execute("delete from search_chars where document_id = ?", [document_id])
    conn.executemany(
        "insert into search_chars (char, document_id, count, positions) values (?, ?, ?, ?)",
        [(char, document_id, len(positions) // 4, positions) for char, positions in index.lists],
    )
    conn.execute(
        "insert into search_marks (document_id, byte_marks) values (?, ?)"
        " on conflict(document_id) do update set byte_marks = excluded.byte_marks",
        [document_id, index.byte_marks],
    )


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


def passage_anchor(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(quote, prefix, suffix) of a passage: what re-anchoring looks for if the text changes."""
    return (
        text[start:end],
        text[max(0, start - QUOTE_CONTEXT) : start],
        text[end : end + QUOTE_CONTEXT],
    )


def tag_color(tag_id: int, stored: object) -> str:
    """The tag's stored colour when it is ``#rrggbb``, else the palette colour for its id.

    The colour is handed to a front end as a style; a file from elsewhere could hold
    ``bold blink red`` or no colour at all, which must never reach one as a style.
    """
    if isinstance(stored, str) and COLOR.fullmatch(stored):
        return stored.lower()
    return TAG_COLORS[tag_id % len(TAG_COLORS)]


def _str(value: object) -> str:
    """A stored text value as text: another program may have put NULL, a number or a blob
    where we keep text, and a front end must never be handed anything but a string."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _int(value: object, what: str) -> int:
    """A stored whole number, or a sentence saying which value is not one."""
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise StoreError(
            f"{what} is {value!r}, not a whole number: this database was changed by another"
            " program. Restore a backup, or correct that row with sqlite3."
        ) from None


def _tag(tag_id: int, name: object, color: object) -> Tag:
    return Tag(tag_id, _str(name), tag_color(tag_id, color))


def _check_span(text: str, start: int, end: int) -> None:
    if not 0 <= start < end <= len(text):
        raise StoreError(f"passage [{start}, {end}) is outside the document")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _short(quote: str, limit: int = 16) -> str:
    """A passage shortened for a one-line description."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@guard_errors
class Store:
    """One annotations database on disk.

    Safe to open from two programs at once (WAL, a busy timeout, write transactions that
    take the lock up front); see reader.core.dbfile for what happens with broken files.
    Public methods raise StoreError, never a raw "database is locked" or "disk full".
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.db = open_database(self.path, read_only=read_only)
        self.read_only: bool = self.db.read_only
        """True when the file or folder is not writable (or asked for): writes raise StoreError."""
        self.notices: list[str] = self._notices()
        """Sentences about what was found on opening and worked around (for the front end)."""

    def _notices(self) -> list[str]:
        notices: list[str] = []
        if self.db.private_copy is not None:
            notices.append(
                f"{self.path} is in a read-only folder with changes still in its -wal file:"
                " reading a private copy of both (read-only)."
            )
        bad = self.db.execute(
            "select color from tags where color is null or typeof(color) != 'text'"
            " or color not glob '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]"
            "[0-9a-fA-F]' or length(color) != 7"
        ).fetchall()
        if bad:
            example = next((row[0] for row in bad if row[0] is not None), None)
            shown = f" (such as {str(example)!r})" if example is not None else ""
            notices.append(
                f"{len(bad)} tag{'s' if len(bad) != 1 else ''} in {self.path} had a colour"
                f" that is not #rrggbb{shown}: shown in palette colours instead."
            )
        return notices

    def data_version(self) -> int:
        """A number that changes when another connection commits (PRAGMA data_version).

        Cheap enough to poll every second: a front end compares it with the last value it saw
        and reloads when another program (an import, a second window) changed the database.
        Its own commits do not change it.
        """
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

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
        author: str = "",
    ) -> int:
        with self.db.atomic():
            table = self.db["documents"]
            table.insert(
                {
                    "title": title,
                    "author": author,
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
            document_id = int(table.last_pk)
            self._index_text(document_id, text)
            return document_id

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
        return [
            DocumentSummary(row[0], *(_str(value) for value in row[1:6]), row[6]) for row in rows
        ]

    def get_document(self, document_id: int) -> Document:
        row = self.db.execute(
            "select id, title, source, published, path, script, text, encoding, content_hash,"
            " version, author from documents where id = ?",
            [document_id],
        ).fetchone()
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        return Document(
            row[0],
            *(_str(value) for value in row[1:9]),
            _int(row[9], f"The version of document {document_id}"),
            _str(row[10]),
        )

    def documents_with_passage_at(self, start: int, passage: str) -> list[int]:
        """The documents whose text holds ``passage`` at code-point offset ``start``."""
        rows = self.db.execute(
            "select id from documents where substr(text, ?, ?) = ? order by id",
            [start + 1, len(passage), passage],
        ).fetchall()
        return [int(row[0]) for row in rows]

    # Document versions (re-import of a changed file)

    def find_document_by_path(self, path: str) -> int | None:
        """The document last imported from ``path``: where a changed file's new version goes."""
        row = self.db.execute(
            "select id from documents where path = ? order by id desc limit 1", [path]
        ).fetchone()
        return int(row[0]) if row else None

    def add_document_version(
        self,
        document_id: int,
        *,
        text: str,
        content_hash: str,
        title: str,
        source: str = "",
        published: str = "",
        script: str = "simplified",
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

        with self.db.atomic():
            row = self.db.execute(
                "select text, content_hash, version, imported_at from documents where id = ?",
                [document_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"no document with id {document_id}")
            old_text, old_hash, version, imported_at = row
            self.db.execute(
                "insert into document_versions"
                " (document_id, version, text, content_hash, imported_at) values (?, ?, ?, ?, ?)",
                [document_id, version, old_text, old_hash, imported_at],
            )
            self.db.execute(
                "update documents set text = ?, content_hash = ?, version = ?, title = ?,"
                " source = ?, published = ?, script = ?, encoding = ?, author = ?,"
                " imported_at = ? where id = ?",
                [
                    text, content_hash, version + 1, title, source, published, script,
                    encoding, author, now(), document_id,
                ],
            )  # fmt: skip
            self._index_text(document_id, text)
            kept = moved = orphaned = 0
            for annotation_id, start, end, quote, prefix, suffix in self.db.execute(
                "select id, start_offset, end_offset, quote, prefix, suffix from annotations"
                " where document_id = ? and status = 'active'",
                [document_id],
            ).fetchall():
                placed = reanchor(text, Anchor(quote, prefix or "", suffix or "", start))
                if placed is None:
                    orphaned += 1
                    self.db.execute(
                        "update annotations set status = 'orphan', updated_at = ? where id = ?",
                        [now(), annotation_id],
                    )
                    continue
                if (placed.start, placed.end) == (start, end) and placed.exact:
                    kept += 1
                else:
                    moved += 1
                self.db.execute(
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

    def document_versions(self, document_id: int) -> list[tuple[int, str, str]]:
        """Earlier versions as (version, content_hash, imported_at), oldest first."""
        return [
            (int(version), content_hash, imported_at)
            for version, content_hash, imported_at in self.db.execute(
                "select version, content_hash, imported_at from document_versions"
                " where document_id = ? order by version",
                [document_id],
            ).fetchall()
        ]

    def document_version_text(self, document_id: int, version: int) -> str:
        """The text of any version, current or earlier: nothing a re-import replaced is lost."""
        row = self.db.execute(
            "select text from document_versions where document_id = ? and version = ?"
            " union all select text from documents where id = ? and version = ?",
            [document_id, version, document_id, version],
        ).fetchone()
        if row is None:
            raise StoreError(f"document {document_id} has no version {version}")
        return row[0]

    # Tags

    def list_tags(self) -> list[Tag]:
        rows = self.db.execute("select id, name, color from tags order by name").fetchall()
        return [_tag(*row) for row in rows]

    def ensure_tag(self, name: str, color: str | None = None) -> Tag:
        """The tag called ``name``, made if missing (in ``color`` when that is #rrggbb, else
        the palette's next colour); an existing tag keeps its colour."""
        with self.db.atomic():
            tag_id = self._ensure_tag(name, color)
            row = self.db.execute(
                "select id, name, color from tags where id = ?", [tag_id]
            ).fetchone()
        return _tag(*row)

    def transaction(self) -> AbstractContextManager[Any]:
        """Several changes as one: all of them are saved, or (on any exception) none."""
        return self.db.atomic()

    def _ensure_tag(self, name: str, color: str | None = None) -> int:
        row = self.db.execute("select id from tags where name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        if color is None or not COLOR.fullmatch(color):
            count = self.db.execute("select count(*) from tags").fetchone()[0]
            color = TAG_COLORS[count % len(TAG_COLORS)]
        cursor = self.db.execute(
            "insert into tags (name, color) values (?, ?)", [name, color.lower()]
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
        stamp = now()
        with self.db.atomic():
            # Read the text inside the transaction: a re-import committed meanwhile must not
            # give the quote of one version and the offsets of another.
            text = self.get_document(document_id).text
            annotation_id = undo.allocate_id(self.db)
            self._insert(annotation_id, document_id, text, start, end, comment, stamp, stamp)
            self._write_tags(annotation_id, tags)
            self._log("create", annotation_id, None, f"new annotation “{_short(text[start:end])}”")
        return self.get_annotation(annotation_id)

    def _insert(
        self,
        annotation_id: int,
        document_id: int,
        text: str,
        start: int,
        end: int,
        comment: str,
        created_at: str,
        updated_at: str,
    ) -> None:
        _check_span(text, start, end)
        self.db.execute(
            "insert into annotations (id, document_id, start_offset, end_offset, quote,"
            " prefix, suffix, comment, status, created_at, updated_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            [
                annotation_id,
                document_id,
                start,
                end,
                *passage_anchor(text, start, end),
                comment,
                created_at,
                updated_at,
            ],
        )

    def _write_tags(self, annotation_id: int, names: Iterable[str]) -> None:
        self.db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])
        for name in dict.fromkeys(name.strip() for name in names if name.strip()):
            self.db.execute(
                "insert into annotation_tags (annotation_id, tag_id) values (?, ?)",
                [annotation_id, self._ensure_tag(name)],
            )

    def set_tags(self, annotation_id: int, names: Iterable[str]) -> Annotation:
        names = list(names)
        with self.db.atomic():
            before = self._before(annotation_id)
            self._write_tags(annotation_id, names)
            self._touch(annotation_id)
            wanted = sorted({name.strip() for name in names if name.strip()})
            self._log(
                "tags",
                annotation_id,
                before,
                f"tags of “{_short(before['row']['quote'])}” → {', '.join(wanted) or 'none'}",
            )
        return self.get_annotation(annotation_id)

    def set_comment(self, annotation_id: int, comment: str) -> Annotation:
        with self.db.atomic():
            before = self._before(annotation_id)
            self.db.execute(
                "update annotations set comment = ? where id = ?", [comment, annotation_id]
            )
            self._touch(annotation_id)
            self._log(
                "comment", annotation_id, before, f"comment on “{_short(before['row']['quote'])}”"
            )
        return self.get_annotation(annotation_id)

    def set_range(self, annotation_id: int, start: int, end: int) -> Annotation:
        """Move the passage to [start, end) of its document: quote, prefix and suffix follow.

        A passage placed by hand is anchored again, so an orphan becomes active.
        """
        with self.db.atomic():
            before = self._before(annotation_id)
            text = self.get_document(before["row"]["document_id"]).text
            _check_span(text, start, end)
            self.db.execute(
                "update annotations set start_offset = ?, end_offset = ?, quote = ?, prefix = ?,"
                " suffix = ?, status = 'active' where id = ?",
                [
                    start,
                    end,
                    *passage_anchor(text, start, end),
                    annotation_id,
                ],
            )
            self._touch(annotation_id)
            self._log(
                "range", annotation_id, before, f"passage moved to “{_short(text[start:end])}”"
            )
        return self.get_annotation(annotation_id)

    def delete_annotation(self, annotation_id: int) -> None:
        """Delete it; the undo log keeps all of it, so undo brings back the same id and tags."""
        with self.db.atomic():
            before = undo.snapshot(self.db, annotation_id)
            if before is None:
                return
            self.db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])
            self.db.execute("delete from annotations where id = ?", [annotation_id])
            self._log(
                "delete", annotation_id, before, f"deleted “{_short(before['row']['quote'])}”"
            )

    def _touch(self, annotation_id: int) -> None:
        self.db.execute(
            "update annotations set updated_at = ? where id = ?", [now(), annotation_id]
        )

    # Undo and redo

    def _before(self, annotation_id: int) -> undo.Snapshot:
        state = undo.snapshot(self.db, annotation_id)
        if state is None:
            raise StoreError(f"no annotation with id {annotation_id}")
        return state

    def _log(
        self, action: str, annotation_id: int, before: undo.Snapshot | None, description: str
    ) -> None:
        """Log an action; called inside the action's transaction so both commit or neither."""
        after = undo.snapshot(self.db, annotation_id)
        state = after or before
        assert state is not None
        undo.record(
            self.db,
            action=action,
            annotation_id=annotation_id,
            document_id=state["row"]["document_id"],
            description=description,
            before=before,
            after=after,
            stamp=now(),
        )

    def undo(self) -> UndoResult | None:
        """Undo the newest annotation action (from any session), or None if there is none."""
        return self._step(undone=False)

    def redo(self) -> UndoResult | None:
        """Redo the last undone action; None when nothing was undone since the last action."""
        return self._step(undone=True)

    def can_undo(self) -> bool:
        return undo.latest(self.db, undone=False) is not None

    def can_redo(self) -> bool:
        return undo.latest(self.db, undone=True) is not None

    def _step(self, *, undone: bool) -> UndoResult | None:
        try:
            with self.db.atomic():
                entry = undo.latest(self.db, undone=undone)
                if entry is None:
                    return None
                # A batch (auto-coding) is one action: every entry in it goes back or forward.
                texts: dict[int, str | None] = {}
                steps = (
                    undo.undo_created_batch(self.db, entry.batch)
                    if entry.batch is not None and not undone and entry.action == "create"
                    else undo.batch_entries(self.db, entry, undone=undone)
                )
                for step in steps:
                    state = step.after if undone else step.before
                    undo.restore(
                        self.db, step.annotation_id, state, write_tags=self._write_tags,
                        stamp=now(), texts=texts,
                    )  # fmt: skip
                    undo.mark(self.db, step.id, undone=not undone)
                state = entry.after if undone else entry.before
        except sqlite3.IntegrityError as error:
            # Its document is gone: drop the step rather than block every later undo on it.
            with self.db.atomic():
                self.db.execute("delete from undo_log where id = ?", [entry.id])
            raise StoreError(
                f"Cannot {'redo' if undone else 'undo'} “{entry.description}”: its document is"
                " no longer in the library. Skipped it."
            ) from error
        annotation = self.get_annotation(entry.annotation_id) if state is not None else None
        verb = "Redid" if undone else "Undid"
        return UndoResult(
            annotation_id=entry.annotation_id,
            document_id=entry.document_id,
            action=entry.action,
            description=f"{verb}: {entry.description}",
            annotation=annotation,
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
            tags_by_annotation.setdefault(annotation_id, []).append(_tag(tag_id, name, color))
        for row in self.db.execute(
            "select a.id, a.document_id, a.start_offset, a.end_offset, a.quote, a.comment,"
            " a.created_at, a.updated_at, a.status from annotations a"
            f" where {where} order by a.document_id, a.start_offset, a.end_offset, a.id",
            params,
        ).fetchall():
            yield Annotation(
                id=row[0],
                document_id=row[1],
                start=_int(row[2], f"The start of annotation {row[0]}"),
                end=_int(row[3], f"The end of annotation {row[0]}"),
                quote=_str(row[4]),
                comment=_str(row[5]),
                tags=tuple(tags_by_annotation.get(row[0], ())),
                created_at=_str(row[6]),
                updated_at=_str(row[7]),
                status=_str(row[8]),
            )

    def restore_annotations(self, items: Iterable[RestoredAnnotation]) -> list[int | None]:
        """Put exported annotations back, all in one transaction; not an undoable action.

        Returns, per item, the new annotation's id, or None when that annotation is already
        here (so importing the same export twice adds nothing). Identity is the annotation,
        not its passage: it is already here when an annotation with its id sits on the same
        passage of that document, or one with the same passage, tags, comment and creation
        time does (each existing annotation stands for one item only). The exported id is
        kept when no annotation here has it or may get it back through undo.
        """
        results: list[int | None] = []
        texts: dict[int, str] = {}
        claimed: set[int] = set()
        with self.db.atomic():
            for item in items:
                existing = self._restored_already(item, claimed)
                if existing is not None:
                    claimed.add(existing)
                    results.append(None)
                    continue
                if item.document_id not in texts:
                    texts[item.document_id] = self.get_document(item.document_id).text
                text = texts[item.document_id]
                _check_span(text, item.start, item.end)
                if item.passage and text[item.start : item.end] != item.passage:
                    raise StoreError(
                        f"Document {item.document_id} changed while restoring (another program"
                        " imported a new version): run the import again."
                    )
                wanted = item.id
                if wanted is None or wanted > MAX_KEPT_ID or undo.id_used(self.db, wanted):
                    annotation_id = undo.allocate_id(self.db)
                else:
                    annotation_id = wanted
                    undo.reserve_id(self.db, wanted)
                stamp = now()
                self._insert(
                    annotation_id,
                    item.document_id,
                    text,
                    item.start,
                    item.end,
                    item.comment,
                    item.created_at or stamp,
                    item.updated_at or stamp,
                )
                self._write_tags(annotation_id, item.tags)
                claimed.add(annotation_id)
                results.append(annotation_id)
        return results

    def _restored_already(self, item: RestoredAnnotation, claimed: set[int]) -> int | None:
        """The annotation here that is ``item`` (see restore_annotations), if any."""
        rows = self.db.execute(
            "select id, comment, created_at from annotations where document_id = ?"
            " and start_offset = ? and end_offset = ?",
            [item.document_id, item.start, item.end],
        ).fetchall()
        free = [row for row in rows if row[0] not in claimed]
        for annotation_id, _, _ in free:
            if annotation_id == item.id:
                return annotation_id
        wanted_tags = {name.strip() for name in item.tags if name.strip()}
        for annotation_id, comment, created_at in free:
            if comment != item.comment or (item.created_at and created_at != item.created_at):
                continue
            names = {
                name
                for (name,) in self.db.execute(
                    "select t.name from annotation_tags x join tags t on t.id = x.tag_id"
                    " where x.annotation_id = ?",
                    [annotation_id],
                )
            }
            if names == wanted_tags:
                return annotation_id
        return None

    # Settings and reading positions

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("select value from settings where key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Remember a preference; on a read-only store, quietly not (it is not the user's work,
        and refusing would stop them reading a file they cannot write)."""
        if self.read_only:
            return
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
        """Remember where the reader is; skipped on a read-only store, like set_setting."""
        if self.read_only:
            return
        with self.db.atomic():
            self.db.execute(
                "insert into reading_positions (document_id, offset, updated_at) values (?, ?, ?)"
                " on conflict(document_id) do update set offset = excluded.offset,"
                " updated_at = excluded.updated_at",
                [document_id, offset, now()],
            )

    # Search (issue 15): the folded-text index and auto-coding

    def _index_text(self, document_id: int, text: str) -> None:
        """Write the document's search index (folded text, character positions); called
        inside the transaction that changes the text."""
        write_char_index(self.db.conn, document_id, text)

    @contextmanager
    def _mapped(self) -> Iterator[None]:
        """Memory-mapped reads while scanning or seeking: a long value is a chain of overflow
        pages that SQLite walks to reach an offset, a memory access mapped and a read() call
        otherwise. (Not for the position lists: each is read whole, and switching the mapping
        on and off per document cost more than it saved, measured.)"""
        previous = self.db.execute("PRAGMA mmap_size").fetchone()[0]
        self.db.execute(f"PRAGMA mmap_size = {SEARCH_MMAP_SIZE}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA mmap_size = {int(previous)}")

    # The character-position index (reader.core.char_index): counts and matches of literal
    # queries read only the positions of the query's characters.

    def char_counts(
        self, chars: Sequence[int], document_ids: Sequence[int] | None = None
    ) -> dict[int, dict[int, int]]:
        """document id -> {folded code point: occurrences} for the documents (of
        ``document_ids``, or all) that hold every one of ``chars``, in id order."""
        wanted = sorted(set(chars))
        sql = (
            "select document_id, char, count from search_chars"
            f" where char in ({', '.join('?' for _ in wanted) or 'null'})"
        )
        params: list[object] = list(wanted)
        if document_ids is not None:
            sql += f" and document_id in ({', '.join('?' for _ in document_ids) or 'null'})"
            params.extend(document_ids)
        found: dict[int, dict[int, int]] = {}
        for document_id, char, count in self.db.execute(sql, params):
            found.setdefault(int(document_id), {})[int(char)] = int(count)
        return {doc: counts for doc, counts in sorted(found.items()) if len(counts) == len(wanted)}

    def char_count(self, char: int, document_ids: Sequence[int] | None = None) -> int:
        """Occurrences of one folded code point in the library (or in ``document_ids``)."""
        sql = "select coalesce(sum(count), 0) from search_chars where char = ?"
        params: list[object] = [char]
        if document_ids is not None:
            sql += f" and document_id in ({', '.join('?' for _ in document_ids) or 'null'})"
            params.extend(document_ids)
        return int(self.db.execute(sql, params).fetchone()[0])

    def char_positions(self, document_id: int, chars: Sequence[int]) -> dict[int, bytes]:
        """folded code point -> its positions in the document (uint32, ascending)."""
        wanted = sorted(set(chars))
        rows = self.db.execute(
            "select char, positions from search_chars where document_id = ?"
            f" and char in ({', '.join('?' for _ in wanted) or 'null'})",
            [document_id, *wanted],
        ).fetchall()
        # Whole uint32s only: a damaged or hand-edited row must not stop the search.
        return {int(char): bytes(data[: len(data) // 4 * 4]) for char, data in rows}

    def document_windows(self, document_id: int, spans: Sequence[tuple[int, int]]) -> list[str]:
        """text[start:end] for each span, read from the middle of the stored UTF-8 by the byte
        marks of the search index (none of the text before it is read or decoded)."""
        from reader.core.char_index import MARK_EVERY

        row = self.db.execute(
            "select byte_marks from search_marks where document_id = ?", [document_id]
        ).fetchone()
        if row is None or self._encoding() != "UTF-8":
            return self.document_slices(document_id, spans)
        data = bytes(row[0])
        marks = array("I", data[: len(data) // 4 * 4])  # stored little-endian (char_index)
        if sys.byteorder == "big":
            marks.byteswap()
        if not len(marks):
            return self.document_slices(document_id, spans)
        pieces = []
        with (
            self._mapped(),
            self.db.conn.blobopen("documents", "text", document_id, readonly=True) as blob,
        ):
            size = len(blob)
            for start, end in spans:
                start = max(start, 0)
                mark = min(start // MARK_EVERY, len(marks) - 1)
                skip = start - mark * MARK_EVERY
                offset = min(marks[mark], size)
                blob.seek(offset)
                raw = blob.read(min((skip + end - start) * 4, size - offset))
                text = raw.decode("utf-8", "ignore")  # a character cut at the end is dropped
                pieces.append(text[skip : skip + max(end - start, 0)])
        return pieces

    def _encoding(self) -> str:
        if not hasattr(self, "_text_encoding"):
            self._text_encoding = str(self.db.execute("PRAGMA encoding").fetchone()[0])
        return self._text_encoding

    def search_folded(self, document_ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        """(document id, folded text) of every document, or of these, by id: the originals
        folded as they are read (an array gather, reader.core.char_index.fold_text), for
        regular expressions, which the character positions cannot answer."""
        from reader.core.char_index import fold_text

        for document_id, text in self.search_originals(document_ids):
            yield document_id, fold_text(text)

    def index_stamps(self, document_ids: Sequence[int] | None = None) -> dict[int, tuple[int, str]]:
        """(version, imported_at) per document, by id: changes whenever its text does."""
        sql = "select id, version, imported_at from documents"
        params: list[object] = []
        if document_ids is not None:
            sql += f" where id in ({', '.join('?' for _ in document_ids) or 'null'})"
            params.extend(document_ids)
        return {
            int(document_id): (int(version), imported_at)
            for document_id, version, imported_at in self.db.execute(sql + " order by id", params)
        }

    def document_titles(self, document_ids: Iterable[int]) -> dict[int, str]:
        ids = list(document_ids)
        marks = ", ".join("?" for _ in ids) or "null"
        rows = self.db.execute(
            f"select id, title from documents where id in ({marks})", ids
        ).fetchall()
        return {int(document_id): title for document_id, title in rows}

    def document_slices(self, document_id: int, spans: Sequence[tuple[int, int]]) -> list[str]:
        """text[start:end] of the document for each span, cut by SQLite (code points)."""
        return [
            row[0] if row else ""
            for row in (
                self.db.execute(
                    "select substr(text, ?, ?) from documents where id = ?",
                    [start + 1, max(end - start, 0), document_id],
                ).fetchone()
                for start, end in spans
            )
        ]

    def document_text(self, document_id: int) -> str:
        row = self.db.execute("select text from documents where id = ?", [document_id]).fetchone()
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        return row[0]

    def match_documents(self, spec: str) -> list[int]:
        """Documents a ``--document`` option names: an id, else every title containing it."""
        if spec.strip().isdigit():
            row = self.db.execute("select id from documents where id = ?", [int(spec)]).fetchone()
            if row:
                return [int(row[0])]
        rows = self.db.execute(
            "select id from documents where instr(lower(title), lower(?)) > 0 order by id", [spec]
        ).fetchall()
        return [int(row[0]) for row in rows]

    def annotation_spans(
        self, tags: Sequence[str] | None = None
    ) -> dict[int, list[tuple[int, int]]]:
        """Active annotations' [start, end) per document, sorted; only those carrying one of
        ``tags`` when given."""
        sql = "select a.document_id, a.start_offset, a.end_offset from annotations a"
        params: list[object] = []
        if tags is not None:
            sql += (
                " where a.status = 'active' and a.id in (select x.annotation_id from"
                " annotation_tags x join tags t on t.id = x.tag_id where t.name in"
                f" ({', '.join('?' for _ in tags) or 'null'}))"
            )
            params.extend(tags)
        else:
            sql += " where a.status = 'active'"
        spans: dict[int, list[tuple[int, int]]] = {}
        for document_id, start, end in self.db.execute(
            sql + " order by a.document_id, a.start_offset, a.end_offset", params
        ):
            spans.setdefault(int(document_id), []).append((int(start), int(end)))
        return spans

    def autocode(
        self, tag: str, spans: Iterable[tuple[int, int, int]], description: str = ""
    ) -> tuple[dict[int, int], int]:
        """Create one annotation tagged ``tag`` per (document id, start, end): one transaction
        and one undoable action (a batch in the undo log). A span that already has an active
        annotation carrying ``tag`` on exactly that passage is skipped.

        Returns (annotations created per document id, number skipped). Rows are written with
        executemany and consecutive ids, so 10,000 passages take a fraction of a second.
        """
        name = tag.strip()
        if not name:
            raise StoreError("a tag name cannot be empty")
        stamp = now()
        with self.db.atomic():
            tag_id = self._ensure_tag(name)
            seen = {
                (int(d), int(s), int(e))
                for d, s, e in self.db.execute(
                    "select a.document_id, a.start_offset, a.end_offset from annotations a"
                    " join annotation_tags x on x.annotation_id = a.id"
                    " where x.tag_id = ? and a.status = 'active'",
                    [tag_id],
                )
            }
            wanted: list[tuple[int, int, int]] = []
            skipped = 0
            for span in spans:
                if span in seen:
                    skipped += 1
                else:
                    seen.add(span)
                    wanted.append(span)
            created: dict[int, int] = {}
            if not wanted:
                return created, skipped
            first = undo.allocate_id(self.db)
            undo.reserve_id(self.db, first + len(wanted) - 1)
            texts: dict[int, str] = {}
            rows = []
            for annotation_id, (document_id, start, end) in enumerate(wanted, first):
                if document_id not in texts:
                    texts[document_id] = self.document_text(document_id)
                text = texts[document_id]
                _check_span(text, start, end)
                rows.append((annotation_id, document_id, start, end,
                             *passage_anchor(text, start, end), stamp, stamp))  # fmt: skip
                created[document_id] = created.get(document_id, 0) + 1
            self.db.conn.executemany(
                "insert into annotations (id, document_id, start_offset, end_offset, quote,"
                " prefix, suffix, comment, status, created_at, updated_at)"
                " values (?, ?, ?, ?, ?, ?, ?, '', 'active', ?, ?)",
                rows,
            )
            last = first + len(wanted) - 1
            self.db.conn.executemany(
                "insert into annotation_tags (annotation_id, tag_id) values (?, ?)",
                [(annotation_id, tag_id) for annotation_id in range(first, last + 1)],
            )
            total = len(wanted)
            plural = "s" if total != 1 else ""
            undo.record_batch(
                self.db,
                undo.snapshots(self.db, first, last),
                description=description or f"auto-coded {total} passage{plural} “{name}”",
                stamp=stamp,
            )
        return created, skipped

    def search_originals(
        self, document_ids: Sequence[int] | None = None
    ) -> Iterator[tuple[int, str]]:
        """(document id, stored original text) of every document, or of these, by id."""
        sql = "select id, text from documents"
        params: list[object] = []
        if document_ids is not None:
            sql += f" where id in ({', '.join('?' for _ in document_ids) or 'null'})"
            params.extend(document_ids)
        cursor = self.db.execute(sql + " order by id", params)
        while rows := cursor.fetchmany(16):
            for document_id, text in rows:
                yield int(document_id), text
