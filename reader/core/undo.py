"""The undo log: every annotation action as before/after snapshots in the database.

Kept in SQLite (table ``undo_log``, migration m003) rather than in memory so a restart, a crash
or a second program does not lose the history. Snapshots hold the whole row plus tag names, so
undoing a delete restores the same id, tags and comment. Only Store calls these, always inside
the transaction of the action itself: the action and its log entry commit together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reader.core.sqlite import Database

__all__ = ["UNDO_LIMIT", "LogEntry", "allocate_id", "latest", "record", "restore", "snapshot"]

UNDO_LIMIT = 10_000
"""Entries kept; older ones are dropped (their ids stay reserved by the high-water mark)."""

Snapshot = dict[str, Any]


@dataclass(frozen=True)
class LogEntry:
    id: int
    action: str
    annotation_id: int
    document_id: int
    description: str
    before: Snapshot | None
    after: Snapshot | None
    batch: int | None = None
    """Entries sharing a batch (one auto-coding) are undone and redone as one action."""


def snapshot(db: Database, annotation_id: int) -> Snapshot | None:
    """Everything needed to put the annotation back exactly, or None if it does not exist."""
    cursor = db.execute("select * from annotations where id = ?", [annotation_id])
    row = cursor.fetchone()
    if row is None:
        return None
    columns = [column[0] for column in cursor.description]
    tags = [
        name
        for (name,) in db.execute(
            "select t.name from annotation_tags at join tags t on t.id = at.tag_id"
            " where at.annotation_id = ? order by t.name",
            [annotation_id],
        )
    ]
    return {"row": dict(zip(columns, row, strict=True)), "tags": tags}


def allocate_id(db: Database) -> int:
    """An annotation id no annotation has ever had, so undo can always restore a deleted one."""
    row = db.execute(
        "select max(coalesce((select max(id) from annotations), 0),"
        " coalesce((select value from store_meta where key = 'annotation_id_high_water'), 0))"
    ).fetchone()
    new_id = int(row[0]) + 1
    reserve_id(db, new_id)
    return new_id


def reserve_id(db: Database, annotation_id: int) -> None:
    db.execute(
        "insert into store_meta (key, value) values ('annotation_id_high_water', ?)"
        " on conflict(key) do update set value = max(value, excluded.value)",
        [annotation_id],
    )


def id_used(db: Database, annotation_id: int) -> bool:
    """Whether an annotation has this id, or the undo log could bring one back with it."""
    return bool(
        db.execute(
            "select exists(select 1 from annotations where id = ?)"
            " or exists(select 1 from undo_log where annotation_id = ?)",
            [annotation_id, annotation_id],
        ).fetchone()[0]
    )


def record(
    db: Database,
    *,
    action: str,
    annotation_id: int,
    document_id: int,
    description: str,
    before: Snapshot | None,
    after: Snapshot | None,
    stamp: str,
) -> None:
    """Log one action; a new action empties the redo stack, as in every editor."""
    db.execute("delete from undo_log where undone = 1")
    cursor = db.execute(
        "insert into undo_log (action, annotation_id, document_id, description, before, after,"
        " undone, created_at) values (?, ?, ?, ?, ?, ?, 0, ?)",
        [
            action,
            annotation_id,
            document_id,
            description,
            _dump(before),
            _dump(after),
            stamp,
        ],
    )
    if cursor.lastrowid and cursor.lastrowid % 100 == 0:
        _trim(db, cursor.lastrowid)


def _trim(db: Database, newest: int) -> None:
    """Drop entries beyond the newest UNDO_LIMIT, never part of a batch (all of it or none)."""
    cut = newest - UNDO_LIMIT
    db.execute(
        "delete from undo_log where id <= ? and (batch is null or batch not in"
        " (select batch from undo_log where id > ? and batch is not null))",
        [cut, cut],
    )


def snapshots(db: Database, first: int, last: int) -> list[Snapshot]:
    """:func:`snapshot` of every annotation with an id in [first, last], in bulk."""
    cursor = db.execute(
        "select * from annotations where id between ? and ? order by id", [first, last]
    )
    columns = [column[0] for column in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    tags: dict[int, list[str]] = {}
    for annotation_id, name in db.execute(
        "select at.annotation_id, t.name from annotation_tags at join tags t on t.id = at.tag_id"
        " where at.annotation_id between ? and ? order by t.name",
        [first, last],
    ):
        tags.setdefault(annotation_id, []).append(name)
    return [{"row": row, "tags": tags.get(row["id"], [])} for row in rows]


def record_batch(db: Database, created: list[Snapshot], *, description: str, stamp: str) -> None:
    """Log the creation of many annotations as one action (batch = the first entry's id)."""
    if not created:
        return
    db.execute("delete from undo_log where undone = 1")
    first = db.execute(
        "insert into undo_log (action, annotation_id, document_id, description, before, after,"
        " undone, created_at) values ('create', ?, ?, ?, null, ?, 0, ?)",
        [created[0]["row"]["id"], created[0]["row"]["document_id"], description,
         _dump(created[0]), stamp],
    ).lastrowid  # fmt: skip
    db.execute("update undo_log set batch = ? where id = ?", [first, first])
    db.conn.executemany(
        "insert into undo_log (action, annotation_id, document_id, description, before, after,"
        " undone, created_at, batch) values ('create', ?, ?, ?, null, ?, 0, ?, ?)",
        [
            (
                state["row"]["id"],
                state["row"]["document_id"],
                description,
                _dump(state),
                stamp,
                first,
            )
            for state in created[1:]
        ],
    )
    newest = db.execute("select max(id) from undo_log").fetchone()[0]
    _trim(db, int(newest))


def undo_created_batch(db: Database, batch: int) -> list[LogEntry]:
    """Undo a batch of creations in three statements (delete tags, delete rows, mark undone);
    returns no entries left to step one by one."""
    ids = "select annotation_id from undo_log where batch = ? and undone = 0"
    db.execute(f"delete from annotation_tags where annotation_id in ({ids})", [batch])
    db.execute(f"delete from annotations where id in ({ids})", [batch])
    db.execute("update undo_log set undone = 1 where batch = ? and undone = 0", [batch])
    return []


def batch_entries(db: Database, entry: LogEntry, *, undone: bool) -> list[LogEntry]:
    """The entries to step together with ``entry``: its whole batch, in the order to apply
    them (newest first to undo, oldest first to redo), or ``entry`` alone."""
    if entry.batch is None:
        return [entry]
    order = "asc" if undone else "desc"
    rows = db.execute(
        "select id, action, annotation_id, document_id, description, before, after, batch"
        f" from undo_log where batch = ? and undone = ? order by id {order}",
        [entry.batch, 1 if undone else 0],
    ).fetchall()
    return [
        LogEntry(*row[:5], before=_load(row[5]), after=_load(row[6]), batch=row[7]) for row in rows
    ]


def latest(db: Database, *, undone: bool) -> LogEntry | None:
    """The entry to undo (newest not undone) or to redo (oldest undone)."""
    order = "asc" if undone else "desc"
    row = db.execute(
        "select id, action, annotation_id, document_id, description, before, after, batch"
        f" from undo_log where undone = ? order by id {order} limit 1",
        [1 if undone else 0],
    ).fetchone()
    if row is None:
        return None
    return LogEntry(*row[:5], before=_load(row[5]), after=_load(row[6]), batch=row[7])


def mark(db: Database, entry_id: int, *, undone: bool) -> None:
    db.execute("update undo_log set undone = ? where id = ?", [1 if undone else 0, entry_id])


def restore(
    db: Database,
    annotation_id: int,
    state: Snapshot | None,
    *,
    write_tags: Callable[[int, Iterable[str]], None],
    stamp: str,
    texts: dict[int, str | None] | None = None,
) -> None:
    """Make the annotation match ``state``: delete it for None, else insert or overwrite it."""
    if state is None:
        db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])
        db.execute("delete from annotations where id = ?", [annotation_id])
        return
    existing = {column[1] for column in db.execute("PRAGMA table_info(annotations)")}
    row = {key: value for key, value in state["row"].items() if key in existing}
    row["id"] = annotation_id
    row["updated_at"] = stamp
    _keep_on_its_text(db, annotation_id, row, {} if texts is None else texts)
    names = list(row)
    updates = ", ".join(f"[{name}] = excluded.[{name}]" for name in names if name != "id")
    db.execute(
        f"insert into annotations ({', '.join(f'[{name}]' for name in names)})"
        f" values ({', '.join('?' for _ in names)})"
        f" on conflict(id) do update set {updates}",
        list(row.values()),
    )
    write_tags(annotation_id, state["tags"])
    reserve_id(db, annotation_id)


POSITION = ("start_offset", "end_offset", "quote", "prefix", "suffix", "status")


def _keep_on_its_text(
    db: Database, annotation_id: int, row: dict[str, Any], texts: dict[int, str | None]
) -> None:
    """Never put a snapshot's offsets on a text they were not taken from.

    If the document was re-imported since the snapshot (its passage is no longer at those
    offsets), keep where re-anchoring put the annotation; if it no longer exists, bring it back
    as an orphan with its quote, for the user to re-attach.
    """
    document_id = row.get("document_id")
    if document_id not in texts:  # one read per document, even for a batch of 10,000
        found = db.execute("select text from documents where id = ?", [document_id]).fetchone()
        texts[document_id] = None if found is None else found[0]
    text = texts[document_id]
    start, end = row.get("start_offset"), row.get("end_offset")
    if text is not None and text[start:end] == row.get("quote"):
        return
    current = db.execute(
        f"select {', '.join(POSITION)} from annotations where id = ?", [annotation_id]
    ).fetchone()
    if current is not None:
        row.update(zip(POSITION, current, strict=True))
    else:
        row["status"] = "orphan"


_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every snapshot: json.dumps with options builds a new one per call."""


def _dump(state: Snapshot | None) -> str | None:
    return None if state is None else _ENCODER.encode(state)


def _load(text: str | None) -> Snapshot | None:
    return None if text is None else json.loads(text)
