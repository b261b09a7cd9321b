"""The undo history: every annotation action as before/after snapshots in the database.

Codebook actions (rename, merge, delete, recolour, describe or move a code; a code's or a
document's memo) go in the same log, so ``u`` undoes whatever was done last: their entries
have ``annotation_id`` 0 (NO_ANNOTATION) and snapshots of the codes, links and memos they
changed (reader.core.store.tags.CodebookState) instead of one annotation.

Kept in the database (table ``undo_log``, migration m003) rather than in memory so a restart, a
crash or a second program does not lose the history. Snapshots hold the whole row plus tag
names, so undoing a delete restores the same id, tags and comment. The annotation actions
record here inside their own transaction: the action and its log entry commit together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reader.core.errors import StoreError
from reader.core.models import Annotation, AnnotationStatus, Tag, UndoAction, UndoResult
from reader.core.store.common import now
from reader.core.store.gateway import ConstraintViolation, Gateway, Row
from reader.core.store.tags import CodebookConflict, CodebookState, Tags, make_tag

__all__ = ["NO_ANNOTATION", "UNDO_LIMIT", "History", "LogEntry", "Snapshot"]

UNDO_LIMIT = 10_000
"""Entries kept; older ones are dropped (their ids stay reserved by the high-water mark)."""

TRIM_EVERY = 100
"""How often (entries logged by one session) the coder's history is cut to UNDO_LIMIT."""

Statement = tuple[str, Sequence[object]]
"""A statement and its parameters."""

Snapshot = dict[str, Any]
"""``{"row": {column: value}, "tags": [names]}``: one annotation, whole."""

NO_ANNOTATION = 0
"""The ``annotation_id`` (and, but for a document memo, ``document_id``) of a codebook entry:
ids start at 1, so no annotation or document has it."""

POSITION = ("start_offset", "end_offset", "quote", "prefix", "suffix", "status")


@dataclass(frozen=True)
class LogEntry:
    id: int
    action: UndoAction
    annotation_id: int
    document_id: int
    description: str
    before: Snapshot | None
    after: Snapshot | None
    batch: int | None = None
    """Entries sharing a batch (one auto-coding) are undone and redone as one action."""


class History:
    """Undo and redo of annotation actions, and the ids that undo may bring back."""

    def __init__(self, db: Gateway, tags: Tags, load: Callable[[int], Annotation]) -> None:
        """``load`` reads an annotation back (the annotations job), for the UndoResult."""
        self._db = db
        self._tags = tags
        self._load_annotation = load
        self._columns: list[str] | None = None
        self._read_sqls: dict[bool, str] = {}
        self._grouped: list[int] | None = None
        """The entries logged so far inside one_action(), or None outside it."""
        self._logged = 0
        """Entries this session logged outside one_action(): every TRIM_EVERY, a trim."""

    # What the annotation actions call, inside their transaction

    def snapshot(self, annotation_id: int, *, lock: bool = False) -> Snapshot | None:
        """Everything needed to put the annotation back exactly, or None if it does not exist.

        ``lock``: the row stays locked until the transaction ends, so a concurrent action on
        it (another program, a lead) waits rather than interleaves. On a server, a coder cannot
        lock another coder's annotation (its row-level security): it reads as None."""
        found = self.read(annotation_id, lock=lock)
        return None if found is None else found[0]

    def read(self, annotation_id: int, *, lock: bool = False) -> tuple[Snapshot, list[Tag]] | None:
        """:meth:`snapshot`, and the annotation's tags whole (ids and colours, by name), in
        one query: what an action needs to log the change and to return the annotation."""
        columns = self._annotation_columns()
        row = self._db.one(self._read_sql(lock=lock), [annotation_id])
        if row is None:
            return None
        whole = [make_tag(*tag) for tag in json.loads(row[-1])]
        state = {"row": dict(zip(columns, row[:-1], strict=True)), "tags": [t.name for t in whole]}
        return state, whole

    def inserted(self, row: dict[str, Any], tags: list[str]) -> Snapshot | None:
        """The snapshot of an annotation about to be inserted as ``row`` with ``tags`` (names,
        by name), when ``row`` holds every column; None when some column would take its
        default (a column another program added): then read it once it is there."""
        if set(row) == set(self._annotation_columns()):
            return {"row": row, "tags": tags}
        return None

    def snapshots(self, first: int, last: int) -> list[Snapshot]:
        """:meth:`snapshot` of every annotation with an id in [first, last], in bulk."""
        columns = self._annotation_columns()
        rows = [
            dict(zip(columns, row, strict=True))
            for row in self._db.query(
                f"select {', '.join(_quoted(c) for c in columns)} from annotations"
                " where id between ? and ? order by id",
                [first, last],
            )
        ]
        tags: dict[int, list[str]] = {}
        for annotation_id, name in self._db.query(
            "select at.annotation_id, t.name from annotation_tags at join tags t"
            " on t.id = at.tag_id where at.annotation_id between ? and ? order by t.name",
            [first, last],
        ):
            tags.setdefault(annotation_id, []).append(name)
        return [{"row": row, "tags": tags.get(row["id"], [])} for row in rows]

    def allocate_id(self) -> int:
        """An annotation id no annotation has ever had, so undo can always restore a deleted one."""
        row = self._db.one(self._db.dialect.next_annotation_id())
        assert row is not None
        return int(row[0])

    def reserve_id(self, annotation_id: int) -> None:
        """Never hand out ``annotation_id`` (or a smaller one) again. Only in an exclusive
        transaction (Gateway.transaction)."""
        self._db.execute(self._db.dialect.reserve_annotation_ids(), [annotation_id])

    def id_used(self, annotation_id: int) -> bool:
        """Whether an annotation has this id, or the undo log could bring one back with it."""
        row = self._db.one(
            "select exists(select 1 from annotations where id = ?)"
            " or exists(select 1 from undo_log where annotation_id = ?)",
            [annotation_id, annotation_id],
        )
        return bool(row and row[0])

    def record(
        self,
        action: UndoAction,
        annotation_id: int,
        before: Snapshot | None,
        description: str,
        *,
        after: Snapshot | None,
        writes: Sequence[Statement] = (),
        then: Statement | None = None,
    ) -> list[Row]:
        """Log an action of the current coder, which took the annotation from ``before`` to
        ``after`` (None: it did not exist); it empties that coder's redo stack, as in every
        editor (another coder's redo stack is theirs).

        ``writes``, the action's own changes, go with the entry, and ``then`` after it: its
        rows are returned. A server takes all of them as one statement (Dialect.together), so
        none may touch a row another of them does; a file runs them in that order."""
        state = after or before
        assert state is not None
        return self._log(
            action,
            annotation_id,
            state["row"]["document_id"],
            description,
            before,
            after,
            writes=writes,
            then=then,
        )

    @contextmanager
    def one_action(self, description: str) -> Iterator[None]:
        """Every annotation action inside is one undoable action (a batch in the undo log)
        described by ``description``; call it inside the transaction that makes them."""
        if self._grouped is not None:  # nested: the outer one groups them all
            yield
            return
        self._grouped = []
        try:
            yield
            if self._grouped:
                first = self._grouped[0]
                marks = ", ".join("?" for _ in self._grouped)
                self._db.execute(
                    f"update undo_log set batch = ?, description = ? where id in ({marks})",
                    [first, description, *self._grouped],
                )
        finally:
            self._grouped = None

    def record_batch(self, created: list[Snapshot], *, description: str, stamp: str) -> None:
        """Log the creation of many annotations as one action (batch = the first entry's id)."""
        if not created:
            return
        coder = self._db.coder
        self._db.execute("delete from undo_log where undone = 1 and coder = ?", [coder])
        head = created[0]
        first = self._db.insert(
            "insert into undo_log (action, annotation_id, document_id, description, before,"
            " after, undone, created_at, coder) values (?, ?, ?, ?, null, ?, 0, ?, ?)"
            " returning id",
            [UndoAction.CREATE, head["row"]["id"], head["row"]["document_id"], description,
             _dump(head), stamp, coder],
        )  # fmt: skip
        self._db.execute("update undo_log set batch = ? where id = ?", [first, first])
        self._db.execute_many(
            "insert into undo_log (action, annotation_id, document_id, description, before,"
            " after, undone, created_at, batch, coder) values (?, ?, ?, ?, null, ?, 0, ?, ?, ?)",
            [
                (
                    UndoAction.CREATE,
                    state["row"]["id"],
                    state["row"]["document_id"],
                    description,
                    _dump(state),
                    stamp,
                    first,
                    coder,
                )
                for state in created[1:]
            ],
        )
        self._trim()

    def record_codebook(
        self,
        action: UndoAction,
        before: CodebookState,
        after: CodebookState,
        description: str,
        document_id: int = NO_ANNOTATION,
    ) -> None:
        """Log a codebook action of the current coder (see the module's docstring); it
        empties that coder's redo stack."""
        self._log(action, NO_ANNOTATION, document_id, description, before, after)

    def _log(
        self,
        action: UndoAction,
        annotation_id: int,
        document_id: int,
        description: str,
        before: Snapshot | CodebookState | None,
        after: Snapshot | CodebookState | None,
        *,
        writes: Sequence[Statement] = (),
        then: Statement | None = None,
    ) -> list[Row]:
        """One entry of the current coder, emptying their redo stack, after ``writes`` and
        before ``then`` (see record). Its id is read back only inside one_action(), which
        groups entries: otherwise nothing waits for the server but ``then``."""
        coder = self._db.coder
        clear: Statement = ("delete from undo_log where undone = 1 and coder = ?", [coder])
        insert = (
            "insert into undo_log (action, annotation_id, document_id, description, before,"
            " after, undone, created_at, coder) values (?, ?, ?, ?, ?, ?, 0, ?, ?)"
        )
        values = [action, annotation_id, document_id, description, _dump(before), _dump(after),
                  now(), coder]  # fmt: skip
        if self._grouped is not None:
            for statement, params in (*writes, clear):
                self._db.execute(statement, params)
            self._grouped.append(self._db.insert(insert + " returning id", values))
            return [] if then is None else self._db.query(*then)
        statements = [*writes, clear, (insert, values)]
        if then is not None:
            statements.append(then)
        *first, (last, last_params) = statements
        together = self._db.dialect.together([sql for sql, _ in first], last)
        if together is None:
            for statement, params in first:
                self._db.execute(statement, params)
        else:
            last, last_params = together, [value for _, params in statements for value in params]
        rows: list[Row] = []
        if then is None:
            self._db.execute(last, last_params)
        else:
            rows = self._db.query(last, last_params)
        self._logged += 1
        if self._logged % TRIM_EVERY == 0:
            self._trim()
        return rows

    def _trim(self) -> None:
        """Drop the current coder's entries beyond their newest UNDO_LIMIT, never part of a
        batch (all of it or none). Each coder keeps their own history, however busy others are.
        """
        coder = self._db.coder
        row = self._db.one(
            "select id from undo_log where coder = ? order by id desc limit 1 offset ?",
            [coder, UNDO_LIMIT],
        )
        if row is None:
            return
        cut = int(row[0])
        self._db.execute(
            "delete from undo_log where coder = ? and id <= ? and (batch is null or batch not in"
            " (select batch from undo_log where id > ? and batch is not null))",
            [coder, cut, cut],
        )

    # Undo and redo

    def undo(self) -> UndoResult | None:
        """Undo the current coder's newest annotation action (from any of their sessions), or
        None if there is none. Another coder's actions are theirs to undo."""
        return self._step(undone=False)

    def redo(self) -> UndoResult | None:
        """Redo the current coder's last undone action; None when they undid nothing since
        their last action."""
        return self._step(undone=True)

    def can_undo(self) -> bool:
        return self._latest(undone=False) is not None

    def can_redo(self) -> bool:
        return self._latest(undone=True) is not None

    def _step(self, *, undone: bool) -> UndoResult | None:
        entry: LogEntry | None = None
        try:
            with self._db.transaction():
                entry = self._latest(undone=undone)
                if entry is None:
                    return None
                # A batch (auto-coding) is one action: every entry in it goes back or forward.
                texts: dict[int, str | None] = {}
                steps = (
                    self._undo_created_batch(entry.batch)
                    if entry.batch is not None and not undone and self._creations_only(entry.batch)
                    else self._batch_entries(entry, undone=undone)
                )
                for step in steps:
                    if not step.action.on_codebook:  # codebook steps check their own codes
                        self._check_untouched(step, undone=undone)
                    state = step.after if undone else step.before
                    if step.action.on_codebook:
                        leaving = (step.before if undone else step.after) or {}
                        self._tags.restore(state or {}, leaving, step.description)
                    else:
                        self._restore(step.annotation_id, state, texts)
                    self._db.execute(
                        "update undo_log set undone = ? where id = ?",
                        [0 if undone else 1, step.id],
                    )
                state = entry.after if undone else entry.before
        except _ChangedSince as changed:
            assert entry is not None
            # Another coder changed it since: putting our snapshot back would undo their work
            # too. Drop the step (the whole batch) rather than block every later undo on it.
            with self._db.transaction():
                if entry.batch is None:
                    self._db.execute("delete from undo_log where id = ?", [entry.id])
                else:
                    self._db.execute("delete from undo_log where batch = ?", [entry.batch])
            who = (
                f"{changed.coder} changed that annotation since"
                if changed.coder
                else "that annotation was changed since (by another program)"
            )
            raise StoreError(
                f"Cannot {'redo' if undone else 'undo'} “{entry.description}”: {who}, and that"
                " change would be lost. Skipped it."
            ) from None
        except CodebookConflict as error:
            assert entry is not None
            # Another program (or coder) gave a code in use the name: skip the step rather
            # than block every later undo on it, as for a document that is gone.
            with self._db.transaction():
                self._db.execute("delete from undo_log where id = ?", [entry.id])
            raise StoreError(f"{error} Skipped it.") from error
        except ConstraintViolation as error:
            assert entry is not None
            if entry.action.on_codebook:  # another program changed the codes meanwhile
                raise StoreError(
                    f"Cannot {'redo' if undone else 'undo'} “{entry.description}”: the codebook"
                    " was changed by another program meanwhile. Nothing was changed."
                ) from error
            # Its document is gone: drop the step rather than block every later undo on it.
            with self._db.transaction():
                self._db.execute("delete from undo_log where id = ?", [entry.id])
            raise StoreError(
                f"Cannot {'redo' if undone else 'undo'} “{entry.description}”: its document is"
                " no longer in the library. Skipped it."
            ) from error
        annotation: Annotation | None = (
            self._load_annotation(entry.annotation_id)
            if state is not None and not entry.action.on_codebook
            else None
        )
        verb = "Redid" if undone else "Undid"
        return UndoResult(
            annotation_id=entry.annotation_id,
            document_id=entry.document_id,
            action=entry.action,
            description=f"{verb}: {entry.description}",
            annotation=annotation,
        )

    def _check_untouched(self, step: LogEntry, *, undone: bool) -> None:
        """Raise _ChangedSince when the annotation is not as ``step`` left it (as it was before
        it, for a redo): someone else changed it since. Where it sits is not compared (a new
        version of the text moves annotations; _keep_on_its_text handles that), nor when."""
        expected = step.before if undone else step.after
        current = self.snapshot(step.annotation_id)
        if _same_content(current, expected):
            return
        row = self._db.one(
            "select coder from undo_log where annotation_id = ? and id > ? and coder <> ?"
            " order by id desc limit 1",
            [step.annotation_id, step.id, self._db.coder],
        )
        if row is None and current is None:
            return  # gone with its document: putting it back fails, and says so, below
        raise _ChangedSince(str(row[0]) if row else "")

    def _latest(self, *, undone: bool) -> LogEntry | None:
        """The current coder's entry to undo (newest not undone) or to redo (oldest undone)."""
        order = "asc" if undone else "desc"
        row = self._db.one(
            f"select {_ENTRY_COLUMNS} from undo_log where coder = ? and undone = ?"
            f" order by id {order} limit 1",
            [self._db.coder, 1 if undone else 0],
        )
        return None if row is None else _entry(row)

    def _creations_only(self, batch: int) -> bool:
        """Whether every entry of a batch created its annotation (auto-coding), so undoing it
        is deleting them all; a batch of mixed actions (one_action) steps entry by entry."""
        row = self._db.one(
            "select count(*) from undo_log where batch = ? and action <> ?",
            [batch, UndoAction.CREATE],
        )
        return row is not None and int(row[0]) == 0

    def _undo_created_batch(self, batch: int) -> list[LogEntry]:
        """Undo a batch of creations in three statements (delete tags, delete rows, mark
        undone); returns no entries left to step one by one."""
        ids = "select annotation_id from undo_log where batch = ? and undone = 0"
        self._db.execute(f"delete from annotation_tags where annotation_id in ({ids})", [batch])
        self._db.execute(f"delete from annotations where id in ({ids})", [batch])
        self._db.execute("update undo_log set undone = 1 where batch = ? and undone = 0", [batch])
        return []

    def _batch_entries(self, entry: LogEntry, *, undone: bool) -> list[LogEntry]:
        """The entries to step together with ``entry``: its whole batch, in the order to apply
        them (newest first to undo, oldest first to redo), or ``entry`` alone."""
        if entry.batch is None:
            return [entry]
        order = "asc" if undone else "desc"
        rows = self._db.query(
            f"select {_ENTRY_COLUMNS} from undo_log where batch = ? and undone = ?"
            f" order by id {order}",
            [entry.batch, 1 if undone else 0],
        )
        return [_entry(row) for row in rows]

    def _restore(
        self, annotation_id: int, state: Snapshot | None, texts: dict[int, str | None]
    ) -> None:
        """Make the annotation match ``state``: delete it for None, else insert or overwrite it."""
        if state is None:
            self._tags.detach_all(annotation_id)
            self._db.execute("delete from annotations where id = ?", [annotation_id])
            return
        existing = set(self._annotation_columns())
        row = {key: value for key, value in state["row"].items() if key in existing}
        row["id"] = annotation_id
        row["updated_at"] = now()
        if "coder" in existing and "coder" not in row:
            # A snapshot from before coders (m008): the entry is the current coder's own.
            row["coder"] = self._db.coder
        self._keep_on_its_text(annotation_id, row, texts)
        names = [_quoted(name) for name in row]
        updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != '"id"')
        self._db.execute(
            f"insert into annotations ({', '.join(names)})"
            f" values ({', '.join('?' for _ in names)})"
            f" on conflict(id) do update set {updates}",
            list(row.values()),
        )
        self._tags.attach(annotation_id, state["tags"])
        self.reserve_id(annotation_id)

    def _keep_on_its_text(
        self, annotation_id: int, row: dict[str, Any], texts: dict[int, str | None]
    ) -> None:
        """Never put a snapshot's offsets on a text they were not taken from.

        If the document was re-imported since the snapshot (its passage is no longer at those
        offsets), keep where re-anchoring put the annotation; if it no longer exists, bring it
        back as an orphan with its quote, for the user to re-attach.
        """
        document_id = int(row["document_id"])
        if document_id not in texts:  # one read per document, even for a batch of 10,000
            found = self._db.one("select text from documents where id = ?", [document_id])
            texts[document_id] = None if found is None else found[0]
        text = texts[document_id]
        start, end = row.get("start_offset"), row.get("end_offset")
        if text is not None and text[start:end] == row.get("quote"):
            return
        current = self._db.one(
            f"select {', '.join(POSITION)} from annotations where id = ?", [annotation_id]
        )
        if current is not None:
            row.update(zip(POSITION, current, strict=True))
        else:
            row["status"] = AnnotationStatus.ORPHAN.value

    def _read_sql(self, *, lock: bool) -> str:
        """read's query, made once per store (its columns are the schema's)."""
        if lock in self._read_sqls:
            return self._read_sqls[lock]
        tags = self._db.dialect.json_list(
            "select t.id, t.name, t.color from annotation_tags x join tags t on t.id = x.tag_id"
            " where x.annotation_id = annotations.id order by t.name",
            "id",
            "name",
            "color",
        )
        locking = self._db.dialect.locking_read() if lock else ""
        columns = ", ".join(_quoted(c) for c in self._annotation_columns())
        made = f"select {columns}, {tags} from annotations where id = ?{locking}"
        self._read_sqls[lock] = made
        return made

    def _annotation_columns(self) -> list[str]:
        if self._columns is None:
            self._columns = self._db.columns("annotations")
        return self._columns


_ENTRY_COLUMNS = "id, action, annotation_id, document_id, description, before, after, batch"

_NOT_CONTENT = frozenset({*POSITION, "updated_at"})
"""What an annotation may change without anyone touching it: where it sits (a new version of
its text re-anchors it) and the time stamp undo itself sets."""


class _ChangedSince(Exception):
    """An annotation to undo was changed since by someone else (``coder``; "" when unknown)."""

    def __init__(self, coder: str) -> None:
        super().__init__(coder)
        self.coder = coder


def _same_content(current: Snapshot | None, expected: Snapshot | None) -> bool:
    """Whether two snapshots hold the same annotation content: both absent, or the same tags
    and the same value in every column both have (a snapshot from before a migration lacks
    the newer columns), where it sits and when it changed aside."""
    if current is None or expected is None:
        return current is None and expected is None
    if sorted(current["tags"]) != sorted(expected["tags"]):
        return False
    now_row, then_row = current["row"], expected["row"]
    return all(
        now_row[key] == then_row[key]
        for key in now_row.keys() & then_row.keys()
        if key not in _NOT_CONTENT
    )


def _entry(row: Row) -> LogEntry:
    entry_id, action, annotation_id, document_id, description, before, after, batch = row
    return LogEntry(
        entry_id,
        UndoAction.of(action),
        annotation_id,
        document_id,
        description,
        before=_load(before),
        after=_load(after),
        batch=batch,
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every snapshot: json.dumps with options builds a new one per call."""


def _dump(state: Snapshot | CodebookState | None) -> str | None:
    return None if state is None else _ENCODER.encode(state)


def _load(text: str | None) -> Snapshot | None:
    return None if text is None else json.loads(text)
