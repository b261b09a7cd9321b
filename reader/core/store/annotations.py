"""Annotations: passages of a document with tags and a comment, every change undoable.

Every user action is one transaction, committed before the method returns, so a killed
process loses nothing that was reported as saved; its undo log entry commits with it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Concatenate, NamedTuple, ParamSpec, TypeVar

from reader.core.errors import StoreError
from reader.core.models import Annotation, AnnotationStatus, RestoredAnnotation, Tag, UndoAction
from reader.core.store.common import as_int, as_text, check_span, now, passage_anchor, short
from reader.core.store.documents import Documents
from reader.core.store.gateway import Gateway, Params
from reader.core.store.history import History, Snapshot, Statement
from reader.core.store.tags import Tags, make_tag, tag_names

__all__ = [
    "MAX_KEPT_ID",
    "Annotations",
    "ExportDocument",
    "ExportFilter",
    "ExportRow",
    "ExportTagRow",
]

P = ParamSpec("P")
R = TypeVar("R")

MAX_KEPT_ID = 2**62
"""A restored annotation keeps its exported id only below this, so new ids never overflow."""


_ROW_ORDER = " order by a.document_id, a.start_offset, a.end_offset, a.id"


@dataclass(frozen=True)
class ExportFilter:
    """Which annotations an export takes: with any of ``tags``, in ``documents`` (ids), created
    or changed ``since`` an ISO date, made by one of ``coders``; each only when given."""

    tags: tuple[str, ...] = ()
    documents: tuple[int, ...] | None = None
    since: str | None = None
    coders: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        tags: Iterable[str] = (),
        documents: Iterable[int] | None = None,
        since: str | None = None,
        coders: Iterable[str] = (),
    ) -> ExportFilter:
        return cls(
            tuple(name for name in tags if name),
            None if documents is None else tuple(documents),
            since or None,
            tuple(name for name in coders if name),
        )

    def sql(self) -> tuple[str, list[object]]:
        """The ``where`` clause (or "") and its parameters, on ``a`` (annotations)."""
        where: list[str] = []
        params: list[object] = []
        if self.tags:
            where.append(
                "a.id in (select x.annotation_id from annotation_tags x join tags t"
                f" on t.id = x.tag_id where t.name in ({', '.join('?' for _ in self.tags)}))"
            )
            params.extend(self.tags)
        if self.documents is not None:
            marks = ", ".join("?" for _ in self.documents) or "null"
            where.append(f"a.document_id in ({marks})")
            params.extend(self.documents)
        if self.since:
            where.append("a.updated_at >= ?")
            params.append(self.since)
        if self.coders:
            where.append(f"a.coder in ({', '.join('?' for _ in self.coders)})")
            params.extend(self.coders)
        return (" where " + " and ".join(where) if where else ""), params


class ExportTagRow(NamedTuple):
    annotation_id: int
    document_id: int
    tag: str


class ExportDocument(NamedTuple):
    document_id: int
    title: str
    source: str
    published: str
    path: str
    script: str
    encoding: str
    characters: int
    imported_at: str
    annotations: int
    """How many of its annotations the export takes."""


class ExportRow(NamedTuple):
    """One annotation as exported: a tuple, so a csv writer takes it as it is."""

    annotation_id: int
    document_id: int
    document_title: str
    document_source: str
    start: int
    end: int
    passage: str
    tags: str | None
    """Tag names joined by ``"; "`` (see export.join_tags), or None without tags."""
    comment: str
    created_at: str
    updated_at: str
    status: str
    coder: str


_ANNOTATION_FIELDS = (
    "id", "document_id", "start_offset", "end_offset", "quote", "comment", "created_at",
    "updated_at", "status", "coder",
)  # fmt: skip
_ANNOTATION_COLUMNS = ", ".join(f"a.{name}" for name in _ANNOTATION_FIELDS)
"""What an Annotation is made of (with its tags), in _annotation's order."""


def _annotation(row: Sequence[object], tags: Iterable[Tag]) -> Annotation:
    return Annotation(
        id=as_int(row[0], "An annotation's id"),
        document_id=as_int(row[1], f"The document of annotation {row[0]}"),
        start=as_int(row[2], f"The start of annotation {row[0]}"),
        end=as_int(row[3], f"The end of annotation {row[0]}"),
        quote=as_text(row[4]),
        comment=as_text(row[5]),
        tags=tuple(tags),
        created_at=as_text(row[6]),
        updated_at=as_text(row[7]),
        status=AnnotationStatus.of(row[8]),
        coder=as_text(row[9]),
    )


def _changed(before: Snapshot, tags: list[str] | None = None, **columns: object) -> Snapshot:
    """The snapshot ``before`` with ``columns`` set (and ``tags``, names by name, if given)."""
    return {
        "row": {**before["row"], **columns},
        "tags": list(before["tags"]) if tags is None else tags,
    }


def _by_name(tag: Tag) -> str:
    return tag.name


def _from_state(state: Snapshot, tags: Iterable[Tag]) -> Annotation:
    """The Annotation whose snapshot this is, with its tags whole."""
    return _annotation([state["row"][name] for name in _ANNOTATION_FIELDS], tags)


def _retried(
    method: Callable[Concatenate[Annotations, P], R],
) -> Callable[Concatenate[Annotations, P], R]:
    """An action that is one transaction: run once more after a server restart that lost it
    before its commit (Gateway.retrying), rather than tell the user to try again."""

    @functools.wraps(method)
    def run(self: Annotations, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._db.retrying(lambda: method(self, *args, **kwargs))

    return run


class Annotations:
    def __init__(self, db: Gateway, documents: Documents, tags: Tags, history: History) -> None:
        self._db = db
        self._documents = documents
        self._tags = tags
        self._history = history

    # Reading

    def get(self, annotation_id: int) -> Annotation:
        found = self._history.read(annotation_id)
        if found is None:
            raise StoreError(f"no annotation with id {annotation_id}")
        return _from_state(*found)

    def for_document(self, document_id: int) -> list[Annotation]:
        """The document's annotations in text order."""
        return list(self._select("a.document_id = ?", [document_id]))

    def all(self) -> Iterator[Annotation]:
        return self._select("1 = 1", [])

    def coded_spans(
        self, coders: Sequence[str], documents: Sequence[int] | None = None
    ) -> Iterator[tuple[str, int, int, int, tuple[str, ...]]]:
        """(coder, document id, start, end, tag names) of every active annotation of
        ``coders`` (in ``documents`` when given), untagged ones too: what agreement reads,
        in one query rather than an Annotation per row."""
        where = f"a.status = ? and a.coder in ({', '.join('?' for _ in coders) or 'null'})"
        params: list[object] = [AnnotationStatus.ACTIVE, *coders]
        if documents is not None:
            where += f" and a.document_id in ({', '.join('?' for _ in documents) or 'null'})"
            params.extend(documents)
        current: tuple[int, str, int, int, int] | None = None
        names: list[str] = []
        for batch in self._db.stream(
            "select a.id, a.coder, a.document_id, a.start_offset, a.end_offset, t.name"
            " from annotations a left join annotation_tags x on x.annotation_id = a.id"
            f" left join tags t on t.id = x.tag_id where {where} order by a.id, t.name",
            params,
        ):
            for annotation_id, coder, document_id, start, end, name in batch:
                if current is None or current[0] != annotation_id:
                    if current is not None:
                        yield (*current[1:], tuple(names))
                    current = (annotation_id, as_text(coder), document_id, start, end)
                    names = []
                if name is not None:
                    names.append(as_text(name))
        if current is not None:
            yield (*current[1:], tuple(names))

    def by_coders(self, coders: Sequence[str], tag: str) -> list[Annotation]:
        """The active annotations of ``coders`` that carry ``tag``, in text order."""
        marks = ", ".join("?" for _ in coders) or "null"
        return list(
            self._select(
                f"a.status = ? and a.coder in ({marks}) and a.id in (select x.annotation_id"
                " from annotation_tags x join tags t on t.id = x.tag_id where t.name = ?)",
                [AnnotationStatus.ACTIVE, *coders, tag],
            )
        )

    def tag_counts_by_coder(self, coders: Sequence[str]) -> list[tuple[str, str, int]]:
        """(tag, coder, active annotations of that coder carrying it) for ``coders``."""
        marks = ", ".join("?" for _ in coders) or "null"
        return [
            (as_text(name), as_text(coder), int(count))
            for name, coder, count in self._db.query(
                "select t.name, a.coder, count(*) from annotations a"
                " join annotation_tags x on x.annotation_id = a.id join tags t on t.id = x.tag_id"
                f" where a.status = ? and a.coder in ({marks}) group by t.name, a.coder"
                " order by t.name, a.coder",
                [AnnotationStatus.ACTIVE, *coders],
            )
        ]

    def coders(self) -> list[tuple[str, int]]:
        """Every coder with annotations here and how many, by name."""
        return [
            (as_text(coder), int(count))
            for coder, count in self._db.query(
                "select coder, count(*) from annotations group by coder order by coder"
            )
        ]

    def _select(self, where: str, params: Params) -> Iterator[Annotation]:
        tags_by_annotation: dict[int, list[Tag]] = {}
        for annotation_id, tag_id, name, color in self._db.query(
            "select at.annotation_id, t.id, t.name, t.color from annotation_tags at"
            " join tags t on t.id = at.tag_id join annotations a on a.id = at.annotation_id"
            f" where {where} order by t.name",
            params,
        ):
            tags_by_annotation.setdefault(annotation_id, []).append(make_tag(tag_id, name, color))
        for row in self._db.query(
            f"select {_ANNOTATION_COLUMNS} from annotations a"
            f" where {where} order by a.document_id, a.start_offset, a.end_offset, a.id",
            params,
        ):
            yield _annotation(row, tags_by_annotation.get(row[0], ()))

    # Changing (each one undoable)

    @_retried
    def create(
        self,
        document_id: int,
        start: int,
        end: int,
        tags: Iterable[str] = (),
        comment: str = "",
        *,
        coder: str | None = None,
    ) -> Annotation:
        """A new annotation, by the current coder, or by ``coder`` when given (the
        disagreement browser gives one coder the other's passage); undoing it is the current
        coder's action either way."""
        stamp = now()
        names = tag_names(tags)
        with self._db.transaction(concurrent=True):
            # Read the passage inside the transaction: a re-import committed meanwhile must
            # not give the quote of one version and the offsets of another.
            anchor = self._documents.anchor(document_id, start, end)
            annotation_id = self._history.allocate_id()
            row = self._row(
                annotation_id, document_id, start, end, anchor, comment, stamp, stamp, coder
            )
            writes = [self._insert_statement(row)]
            after = self._history.inserted(row, sorted(names))
            if after is None:  # a column another program added: read its default back
                self._db.execute(*writes.pop())
                after = {**(self._history.snapshot(annotation_id) or {}), "tags": sorted(names)}
            self._history.record(
                UndoAction.CREATE,
                annotation_id,
                None,
                f"new annotation “{short(anchor[0])}”",
                after=after,
                writes=writes,
            )
            attached = self._tags.attach(annotation_id, names, new=True)
        return _from_state(after, attached)

    # Each change below reads the annotation once, locked, builds what it logs and returns
    # from that and what it changed, and sends its changes with the log entry: on a server
    # every statement costs a round trip's work on both sides.

    @_retried
    def set_tags(self, annotation_id: int, names: Iterable[str]) -> Annotation:
        wanted = tag_names(names)
        with self._db.transaction(concurrent=True):
            before, current = self._before_whole(annotation_id)
            kept = [tag for tag in current if tag.name in wanted]
            dropped = [tag.id for tag in current if tag.name not in wanted]
            added = [name for name in wanted if name not in {tag.name for tag in kept}]
            stamp = now()
            after_tags = sorted(wanted)
            after = _changed(before, updated_at=stamp, tags=after_tags)
            writes: list[Statement] = [
                ("update annotations set updated_at = ? where id = ?", [stamp, annotation_id])
            ]
            if dropped:
                writes.append(
                    (
                        "delete from annotation_tags where annotation_id = ? and tag_id in"
                        f" ({', '.join('?' for _ in dropped)})",
                        [annotation_id, *dropped],
                    )
                )
            rows = self._history.record(
                UndoAction.TAGS,
                annotation_id,
                before,
                f"tags of “{short(before['row']['quote'])}” → {', '.join(after_tags) or 'none'}",
                after=after,
                writes=writes,
                # Disjoint from the links dropped: one statement on a server may do both.
                then=self._tags.link_existing(annotation_id, added) if added else None,
            )
            attached = kept + self._tags.linked(annotation_id, added, rows)
        return _from_state(after, sorted(attached, key=_by_name))

    @_retried
    def set_comment(self, annotation_id: int, comment: str) -> Annotation:
        with self._db.transaction(concurrent=True):
            before, tags = self._before_whole(annotation_id)
            stamp = now()
            after = _changed(before, comment=comment, updated_at=stamp)
            self._history.record(
                UndoAction.COMMENT,
                annotation_id,
                before,
                f"comment on “{short(before['row']['quote'])}”",
                after=after,
                writes=[
                    (
                        "update annotations set comment = ?, updated_at = ? where id = ?",
                        [comment, stamp, annotation_id],
                    )
                ],
            )
        return _from_state(after, tags)

    @_retried
    def set_range(self, annotation_id: int, start: int, end: int) -> Annotation:
        """Move the passage to [start, end) of its document: quote, prefix and suffix follow.

        A passage placed by hand is anchored again, so an orphan becomes active.
        """
        with self._db.transaction(concurrent=True):
            before, tags = self._before_whole(annotation_id)
            quote, prefix, suffix = self._documents.anchor(before["row"]["document_id"], start, end)
            stamp = now()
            after = _changed(
                before,
                start_offset=start,
                end_offset=end,
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                status=str(AnnotationStatus.ACTIVE),
                updated_at=stamp,
            )
            self._history.record(
                UndoAction.RANGE,
                annotation_id,
                before,
                f"passage moved to “{short(quote)}”",
                after=after,
                writes=[
                    (
                        "update annotations set start_offset = ?, end_offset = ?, quote = ?,"
                        " prefix = ?, suffix = ?, status = ?, updated_at = ? where id = ?",
                        [
                            start,
                            end,
                            quote,
                            prefix,
                            suffix,
                            AnnotationStatus.ACTIVE,
                            stamp,
                            annotation_id,
                        ],
                    )
                ],
            )
        return _from_state(after, tags)

    @_retried
    def delete(self, annotation_id: int) -> bool:
        """Delete it; the undo log keeps all of it, so undo brings back the same id and tags.

        False when there was no such annotation (deleted meanwhile, perhaps elsewhere).
        """
        with self._db.transaction(concurrent=True):
            found = self._locked(annotation_id)
            if found is None:
                return False
            before = found[0]
            self._history.record(
                UndoAction.DELETE,
                annotation_id,
                before,
                f"deleted “{short(before['row']['quote'])}”",
                after=None,
                # Its links and itself in one statement on a server: the foreign key is
                # checked at the statement's end.
                writes=[
                    ("delete from annotation_tags where annotation_id = ?", [annotation_id]),
                    ("delete from annotations where id = ?", [annotation_id]),
                ],
            )
        return True

    def _before_whole(self, annotation_id: int) -> tuple[Snapshot, list[Tag]]:
        """The annotation as it is, locked for this transaction, with its tags whole; a
        sentence when there is none, or when it is another coder's and this coder may not
        change it."""
        found = self._locked(annotation_id)
        if found is None:
            raise StoreError(f"no annotation with id {annotation_id}")
        return found

    def _locked(self, annotation_id: int) -> tuple[Snapshot, list[Tag]] | None:
        """The annotation, locked, if it exists and this coder may change it."""
        found = self._history.read(annotation_id, lock=True)
        if found is None:
            # Row-level security hides another coder's row from a locking read: say whose.
            unlocked = self._history.snapshot(annotation_id)
            if unlocked is not None:
                self._may_change(unlocked)
            return None
        self._may_change(found[0])
        return found

    def _may_change(self, state: Snapshot) -> None:
        """A coder on a server changes only their own annotations: its row-level security
        would silently skip another coder's row, so say so instead (the gateway's
        ``owns_only``: a PostgreSQL coder's; never on SQLite)."""
        if not getattr(self._db, "owns_only", False):
            return
        owner = as_text(state["row"].get("coder", ""))
        if owner != self._db.coder:
            raise StoreError(
                f"This annotation is {owner}'s: a coder changes only their own (the project's"
                " lead can change anyone's). Nothing was changed."
            )

    def _row(
        self,
        annotation_id: int,
        document_id: int,
        start: int,
        end: int,
        anchor: tuple[str, str, str],
        comment: str,
        created_at: str,
        updated_at: str,
        coder: str | None = None,
    ) -> dict[str, object]:
        """The row of a new annotation on [start, end), whose passage_anchor is ``anchor``, by
        ``coder`` (None: the current coder)."""
        quote, prefix, suffix = anchor
        return {
            "id": annotation_id,
            "document_id": document_id,
            "start_offset": start,
            "end_offset": end,
            "quote": quote,
            "prefix": prefix,
            "suffix": suffix,
            "comment": comment,
            "status": str(AnnotationStatus.ACTIVE),
            "created_at": created_at,
            "updated_at": updated_at,
            "coder": coder or self._db.coder,
        }

    @staticmethod
    def _insert_statement(row: dict[str, object]) -> Statement:
        return (
            f"insert into annotations ({', '.join(row)}) values ({', '.join('?' for _ in row)})",
            list(row.values()),
        )

    # Restoring an export

    def restore(self, items: Iterable[RestoredAnnotation]) -> list[int | None]:
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
        with self._db.transaction():
            for item in items:
                existing = self._restored_already(item, claimed)
                if existing is not None:
                    claimed.add(existing)
                    results.append(None)
                    continue
                if item.document_id not in texts:
                    texts[item.document_id] = self._documents.get(item.document_id).text
                text = texts[item.document_id]
                check_span(text, item.start, item.end)
                if item.passage and text[item.start : item.end] != item.passage:
                    raise StoreError(
                        f"Document {item.document_id} changed while restoring (another program"
                        " imported a new version): run the import again."
                    )
                wanted = item.id
                if wanted is None or wanted > MAX_KEPT_ID or self._history.id_used(wanted):
                    annotation_id = self._history.allocate_id()
                else:
                    annotation_id = wanted
                    self._history.reserve_id(wanted)
                stamp = now()
                self._db.execute(
                    *self._insert_statement(
                        self._row(
                            annotation_id,
                            item.document_id,
                            item.start,
                            item.end,
                            passage_anchor(text, item.start, item.end),
                            item.comment,
                            item.created_at or stamp,
                            item.updated_at or stamp,
                            item.coder or None,
                        )
                    )
                )
                self._tags.attach(annotation_id, item.tags, new=True)
                claimed.add(annotation_id)
                results.append(annotation_id)
        return results

    def _restored_already(self, item: RestoredAnnotation, claimed: set[int]) -> int | None:
        """The annotation here that is ``item`` (see restore), if any."""
        rows = self._db.query(
            "select id, comment, created_at, coder from annotations where document_id = ?"
            " and start_offset = ? and end_offset = ?",
            [item.document_id, item.start, item.end],
        )
        # Two coders' annotations on one passage are two annotations, however alike.
        coder = item.coder or self._db.coder
        free = [row for row in rows if row[0] not in claimed and row[3] == coder]
        for annotation_id, _, _, _ in free:
            if annotation_id == item.id:
                return int(annotation_id)
        wanted_tags = {name.strip() for name in item.tags if name.strip()}
        for annotation_id, comment, created_at, _ in free:
            if comment != item.comment or (item.created_at and created_at != item.created_at):
                continue
            if set(self._tags.names_of(annotation_id)) == wanted_tags:
                return int(annotation_id)
        return None

    # Auto-coding (issue 15): many annotations as one undoable action

    def spans(
        self, tags: Sequence[str] | None = None, *, coder: str | None = None
    ) -> dict[int, list[tuple[int, int]]]:
        """Active annotations' [start, end) per document, sorted; only those carrying one of
        ``tags`` when given, only ``coder``'s when given."""
        sql = "select a.document_id, a.start_offset, a.end_offset from annotations a"
        params: list[object] = [AnnotationStatus.ACTIVE]
        if tags is not None:
            sql += (
                " where a.status = ? and a.id in (select x.annotation_id from"
                " annotation_tags x join tags t on t.id = x.tag_id where t.name in"
                f" ({', '.join('?' for _ in tags) or 'null'}))"
            )
            params.extend(tags)
        else:
            sql += " where a.status = ?"
        if coder is not None:
            sql += " and a.coder = ?"
            params.append(coder)
        spans: dict[int, list[tuple[int, int]]] = {}
        for document_id, start, end in self._db.query(
            sql + " order by a.document_id, a.start_offset, a.end_offset", params
        ):
            spans.setdefault(int(document_id), []).append((int(start), int(end)))
        return spans

    def autocode(
        self, tag: str, spans: Iterable[tuple[int, int, int]], description: str = ""
    ) -> tuple[dict[int, int], int]:
        """Create one annotation tagged ``tag`` per (document id, start, end): one transaction
        and one undoable action (a batch in the undo log), all by the current coder. A span
        where that coder already has an active annotation carrying ``tag`` on exactly that
        passage is skipped.

        Returns (annotations created per document id, number skipped). Rows are written in bulk
        with consecutive ids, so 10,000 passages take a fraction of a second.
        """
        name = tag.strip()
        if not name:
            raise StoreError("a tag name cannot be empty")
        stamp = now()
        coder = self._db.coder
        with self._db.transaction():
            tag_id = self._tags.ensure(name)
            # Only the current coder's own codings count as done: another coder's are theirs.
            seen = {
                (int(d), int(s), int(e))
                for d, s, e in self._db.query(
                    "select a.document_id, a.start_offset, a.end_offset from annotations a"
                    " join annotation_tags x on x.annotation_id = a.id"
                    " where x.tag_id = ? and a.status = ? and a.coder = ?",
                    [tag_id, AnnotationStatus.ACTIVE, coder],
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
            first = self._history.allocate_id()
            last = first + len(wanted) - 1
            self._history.reserve_id(last)
            texts: dict[int, str] = {}
            rows = []
            for annotation_id, (document_id, start, end) in enumerate(wanted, first):
                if document_id not in texts:
                    texts[document_id] = self._documents.text(document_id)
                text = texts[document_id]
                check_span(text, start, end)
                rows.append((annotation_id, document_id, start, end,
                             *passage_anchor(text, start, end), stamp, stamp, coder))  # fmt: skip
                created[document_id] = created.get(document_id, 0) + 1
            self._db.execute_many(
                "insert into annotations (id, document_id, start_offset, end_offset, quote,"
                " prefix, suffix, comment, status, created_at, updated_at, coder)"
                f" values (?, ?, ?, ?, ?, ?, ?, '', '{AnnotationStatus.ACTIVE}', ?, ?, ?)",
                rows,
            )
            self._db.execute_many(
                "insert into annotation_tags (annotation_id, tag_id) values (?, ?)",
                [(annotation_id, tag_id) for annotation_id in range(first, last + 1)],
            )
            total = len(wanted)
            plural = "s" if total != 1 else ""
            self._history.record_batch(
                self._history.snapshots(first, last),
                description=description or f"auto-coded {total} passage{plural} “{name}”",
                stamp=stamp,
            )
        return created, skipped

    # Exporting (one query per sheet; the rows are typed tuples a csv writer takes as they are)

    def export_rows(
        self, selection: ExportFilter | None = None, *, guard: Sequence[str] = ()
    ) -> Iterator[list[ExportRow]]:
        """Every selected annotation (orphans too) with its document's title and source, in
        text order of each document, in batches.

        The tags cell is the names joined by ``"; "``, each escaped as export.join_tags does
        (a backslash before a backslash and ``;``, and before a leading ``'``). Text cells
        that start with one of the ``guard`` characters get a leading ``'`` (the CSV's formula
        guard; the tags cell as one cell): done in the query, so a 100,000-row export runs at
        the speed of the csv module itself.
        """
        where, params = (selection or ExportFilter()).sql()
        cell = self._guarded(guard)
        dialect = self._db.dialect
        escaped_name = (
            "case when substr(t.name, 1, 1) = '''' then '\\' else '' end"
            " || replace(replace(t.name, '\\', '\\\\'), ';', '\\;')"
        )
        # The outer select reads the joined cell from a derived table, so the subquery runs
        # once per row although the guard looks at the cell twice.
        joined = dialect.group_concat("name", "; ", order_by="sort_name")
        tag_cell = (
            f"(select {cell('cell')} from (select {joined} as cell"
            f" from (select {escaped_name} as name, t.name as sort_name from annotation_tags x"
            " join tags t on t.id = x.tag_id where x.annotation_id = a.id order by t.name)"
            " as names) as joined)"
        )
        sql = (
            f"select a.id, a.document_id, {cell('d.title')}, {cell('d.source')},"
            f" a.start_offset, a.end_offset, {cell('a.quote')}, {tag_cell},"
            f" {cell('a.comment')}, a.created_at, a.updated_at, a.status, {cell('a.coder')}"
            " from annotations a join documents d on d.id = a.document_id" + where + _ROW_ORDER
        )
        make = ExportRow._make
        for batch in self._db.stream(sql, params):
            yield [make(row) for row in batch]

    def export_counts(self, selection: ExportFilter | None = None) -> tuple[int, int]:
        """(selected annotations, their tag rows): a sheet's size before it is written."""
        where, params = (selection or ExportFilter()).sql()
        annotations = self._db.one("select count(*) from annotations a" + where, params)
        tag_rows = self._db.one(
            "select count(*) from annotation_tags x join annotations a on a.id = x.annotation_id"
            + where,
            params,
        )
        return (int(annotations[0]) if annotations else 0, int(tag_rows[0]) if tag_rows else 0)

    def export_tag_rows(
        self, selection: ExportFilter | None = None
    ) -> Iterator[list[ExportTagRow]]:
        """One row per (selected annotation, tag), in the order of export_rows, then by name."""
        where, params = (selection or ExportFilter()).sql()
        make = ExportTagRow._make
        for batch in self._db.stream(
            "select x.annotation_id, a.document_id, t.name from annotation_tags x"
            " join annotations a on a.id = x.annotation_id join tags t on t.id = x.tag_id"
            + where
            + _ROW_ORDER
            + ", t.name",
            params,
        ):
            yield [make(row) for row in batch]

    def export_documents(self, selection: ExportFilter | None = None) -> list[ExportDocument]:
        """The selected documents (every one without a documents filter), each with its length
        and how many of its annotations the selection exports."""
        selection = selection or ExportFilter()
        where, params = selection.sql()
        exported = "(select count(*) from annotations a" + (where or " where 1 = 1") + " and"
        sql = (
            "select d.id, d.title, d.source, d.published, d.path, d.script, d.encoding,"
            f" length(d.text), d.imported_at, {exported} a.document_id = d.id) from documents d"
        )
        chosen: list[object] = []
        if selection.documents is not None:
            sql += f" where d.id in ({', '.join('?' for _ in selection.documents) or 'null'})"
            chosen = list(selection.documents)
        rows = self._db.query(sql + " order by d.id", [*params, *chosen])
        return [ExportDocument._make(row) for row in rows]

    def _guarded(self, guard: Sequence[str]) -> Callable[[str], str]:
        """The SQL for a text cell with a leading ``'`` when it starts with a guard character."""
        if not guard:
            return str
        codes = ", ".join(str(ord(char)) for char in guard)
        first = self._db.dialect.first_code_point

        def cell(column: str) -> str:
            return f"case when {first(column)} in ({codes}) then '''' || {column} else {column} end"

        return cell
