"""The schema's history. Change the schema only by adding a migration at the end."""

from __future__ import annotations

from contextvars import ContextVar

from reader.core.store.sqlite_utils_shim import Database, Migrations

migrations = Migrations("reader")

upgrading_coder: ContextVar[str | None] = ContextVar("upgrading_coder", default=None)
"""The coder opening the database while it is upgraded (set by the backend around the
migrations): m008 gives the annotations made before coders existed to this coder."""


@migrations()
def m001_initial(db: Database) -> None:
    db.table("documents").create(
        {
            "id": int,
            "title": str,
            "source": str,
            "published": str,
            "path": str,
            "text": str,
            "script": str,
            "encoding": str,
            "content_hash": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"text"},
        defaults={"title": "", "source": "", "published": "", "path": "", "encoding": "utf-8"},
    )
    db.table("documents").create_index(["content_hash"])
    db.table("tags").create({"id": int, "name": str, "color": str}, pk="id", not_null={"name"})
    db.table("tags").create_index(["name"], unique=True)
    db.table("annotations").create(
        {
            "id": int,
            "document_id": int,
            "start_offset": int,
            "end_offset": int,
            "quote": str,
            "prefix": str,
            "suffix": str,
            "comment": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        defaults={"comment": "", "status": "active", "prefix": "", "suffix": ""},
    )
    db.table("annotations").create_index(["document_id", "start_offset"])
    db.table("annotation_tags").create(
        {"annotation_id": int, "tag_id": int},
        pk=("annotation_id", "tag_id"),
        foreign_keys=[("annotation_id", "annotations", "id"), ("tag_id", "tags", "id")],
    )
    db.table("annotation_tags").create_index(["tag_id"])
    db.table("settings").create({"key": str, "value": str}, pk="key")
    db.table("reading_positions").create(
        {"document_id": int, "offset": int, "updated_at": str},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )


@migrations()
def m002_document_versions(db: Database) -> None:
    """Re-importing a changed file makes a new version: the documents row keeps the current text
    (and its stable id, which annotations point at); earlier texts move to document_versions so
    nothing a user imported is ever lost. Saved web pages also name an author."""
    db.table("documents").add_column("version", int, not_null_default=1)
    db.table("documents").add_column("author", str, not_null_default="")
    db.table("documents").create_index(["path"])
    db.table("document_versions").create(
        {
            "id": int,
            "document_id": int,
            "version": int,
            "text": str,
            "content_hash": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"text"},
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("document_versions").create_index(["document_id", "version"], unique=True)


@migrations()
def m003_undo_log(db: Database) -> None:
    """Undo history that survives a restart, and an id counter that never hands out an id twice.

    Each row holds full before/after snapshots (JSON) of one annotation, so undoing a delete
    brings back the same id, tags and comment. ``undone = 1`` rows are the redo stack.
    SQLite reuses the largest rowid after a delete; the high-water mark in ``store_meta`` stops
    a new annotation from taking the id a deleted (and still undoable) one had.
    """
    db.execute(
        """
        create table undo_log (
            id integer primary key autoincrement,
            action text not null,
            annotation_id integer not null,
            document_id integer not null,
            description text not null default '',
            before text,
            after text,
            undone integer not null default 0,
            created_at text not null
        )
        """
    )
    db.execute("create index undo_log_undone on undo_log (undone, id)")
    db.execute("create index undo_log_annotation on undo_log (annotation_id)")
    db.execute("create table store_meta (key text primary key, value)")
    db.execute(
        "insert into store_meta (key, value) values"
        " ('annotation_id_high_water', (select coalesce(max(id), 0) from annotations))"
    )


@migrations()
def m004_annotation_counts_index(db: Database) -> None:
    """Count each document's active annotations from an index alone.

    The library lists every document with its count; with 100,000 annotations the count read
    each annotation row (90 ms per listing) until this index covered it (18 ms).
    """
    db.execute("create index annotations_document_status on annotations (document_id, status)")


@migrations()
def m005_search_index(db: Database) -> None:
    """The search index (issue 15): every document's text folded to one script.

    ``search_index.folded`` is the current text of the document through reader.core.folding
    (TW/HK variants reversed, then Traditional to Simplified, one character for one), stored as
    UTF-8. Same length in characters as the original, so a match's offsets in it are offsets
    into ``documents.text``; UTF-8 is self-synchronising, so a byte match is a character match.
    Written in the same transaction as the import or new version that changes the text.
    """
    from reader.core.folding import fold

    db.execute(
        "create table search_index (document_id integer primary key"
        " references documents(id) on delete cascade, folded blob not null)"
    )
    for document_id, text in db.execute("select id, text from documents").fetchall():
        db.execute(
            "insert into search_index (document_id, folded) values (?, ?)",
            [document_id, fold(text).encode("utf-8")],
        )


@migrations()
def m006_undo_batches(db: Database) -> None:
    """Auto-coding (issue 15) creates many annotations as one undoable action: rows of the undo
    log that share a ``batch`` are undone and redone together."""
    db.execute("alter table undo_log add column batch integer")
    db.execute("create index undo_log_batch on undo_log (batch)")


@migrations()
def m007_char_index(db: Database) -> None:
    """The character-position index (issue 15, reader.core.char_index): for each document and
    each folded character, the code-point offsets where it occurs (uint32, ascending), so a
    literal query reads only its characters' positions instead of scanning the library; and
    the byte offset in the original's UTF-8 of every 256th character, so a match's context is
    read from the middle of a long text. It replaces m005's folded copy of every text, which
    only a scan could use (regular expressions now fold the originals as they read them)."""
    from reader.core.store.search_index import index_rows

    db.execute(
        "create table search_chars (char integer not null, document_id integer not null"
        " references documents(id) on delete cascade, count integer not null,"
        " positions blob not null, primary key (char, document_id))"
    )
    db.execute("create index search_chars_document on search_chars (document_id)")
    db.execute(
        "create table search_marks (document_id integer primary key"
        " references documents(id) on delete cascade, byte_marks blob not null)"
    )
    for document_id, text in db.execute("select id, text from documents").fetchall():
        rows, byte_marks = index_rows(document_id, text)
        db.conn.executemany(
            "insert into search_chars (char, document_id, count, positions) values (?, ?, ?, ?)",
            rows,
        )
        db.execute(
            "insert into search_marks (document_id, byte_marks) values (?, ?)",
            [document_id, byte_marks],
        )
    db.execute("drop table search_index")


@migrations()
def m008_coders(db: Database) -> None:
    """Every annotation records its coder (issue 10 §2), and every undo log entry the coder who
    did it, so undo takes back only one's own actions.

    The annotations and undo entries already there get the coder who opens the file first with
    this version (``--coder``, else READER_CODER, else the OS user): a database made before
    coders existed was one person's file, and the person upgrading it is that person; this way
    they can still undo what they did before the upgrade. (A migration with no coder given,
    as when the schema is checked, uses the same default the command line does.)
    """
    from reader.core.coders import default_coder

    coder = upgrading_coder.get() or default_coder()
    db.execute("alter table annotations add column coder text not null default ''")
    db.execute("alter table undo_log add column coder text not null default ''")
    db.execute("update annotations set coder = ?", [coder])
    db.execute("update undo_log set coder = ?", [coder])
    db.execute("create index annotations_coder on annotations (coder, document_id)")
    db.execute("create index undo_log_coder on undo_log (coder, undone, id)")


@migrations()
def m009_team(db: Database) -> None:
    """A PostgreSQL project's roles, grants and row-level security (issue 10 §3; the SQL is in
    reader.core.store.postgres_schema). A file has one person at a time: nothing to do here,
    but the name is recorded, so both backends have one history."""


@migrations()
def m010_codebook(db: Database) -> None:
    """The codebook (issue 9): a code sits under a parent code (``parent_id``, NULL at the top
    level), has a description (what it means) and a memo (the analyst's notes); a document
    has a memo. No foreign key on ``parent_id``: the store checks it (no cycles) and a parent
    another program removed reads as the top level. Codebook actions are undone through the
    same undo log (``annotation_id`` 0: they are not on one annotation)."""
    db.execute("alter table tags add column parent_id integer")
    db.execute("alter table tags add column description text not null default ''")
    db.execute("alter table tags add column memo text not null default ''")
    db.execute("alter table documents add column memo text not null default ''")
    db.execute("create index tags_parent on tags (parent_id)")


@migrations()
def m011_concurrent_coding(db: Database) -> None:
    """On PostgreSQL, what lets a team's coders write side by side: annotation ids from a
    sequence, a cheaper check of a coder's right to a tag row, uncompressed texts
    (reader.core.store.postgres_schema). A file has one writer at a time and keeps its
    high-water mark in ``store_meta``: nothing to do here, but the name is recorded, so both
    backends have one history."""
