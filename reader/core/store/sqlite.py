"""The SQLite backend: opening the file without ever damaging it, and explaining what goes wrong.

The rules, in order: look at the file before SQLite does (a file that is not a database is
refused, not "initialised"); refuse a database from a newer reader before any write (so it
stays byte-for-byte as it was); fall back to read-only when the file or its folder cannot be
written; upgrade an older schema in one transaction; and turn SQLite's terse errors into
sentences a user can act on. :class:`SQLiteGateway` is the store's Gateway on such a file; what
only SQLite has (``PRAGMA data_version``, ``BEGIN IMMEDIATE``, WAL, ``synchronous``) stays here.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

from reader.core.errors import StoreError
from reader.core.store.gateway import ConstraintViolation, Params, Row
from reader.core.store.migrations import migrations
from reader.core.store.sqlite_utils_shim import Database

__all__ = [
    "BUSY_TIMEOUT_S",
    "SQLiteDialect",
    "SQLiteGateway",
    "TxDatabase",
    "explain",
    "open_database",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 15.0
"""How long a write waits for another program's write (an export or an import) to finish.
Long enough for an import of a large CSV batch, short enough that a stuck program is reported."""


def known_migrations() -> list[str]:
    return [migration.name for migration in migrations._migrations]


class TxDatabase(Database):
    """sqlite-utils' Database whose transactions take the write lock up front.

    A deferred ``BEGIN`` that reads and then writes fails at once with "database is locked"
    when another process committed in between (WAL cannot upgrade a stale snapshot, and the
    busy timeout does not help); ``BEGIN IMMEDIATE`` waits its turn instead. A read-only store
    refuses here, before SQLite is asked, so every writer gets the same clear message.
    """

    read_only: bool = False
    path: Path = Path()

    @contextlib.contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        if self.read_only:
            raise StoreError(
                f"{self.path} is open read-only (the file or its folder is not writable):"
                " changes cannot be saved. Make it writable, or copy it somewhere you can write."
            )
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def explain(error: sqlite3.Error, path: Path) -> StoreError:
    """SQLite's message, rewritten as what happened and what to do about it."""
    message = str(error)
    lower = message.lower()
    if "locked" in lower or "busy" in lower:
        text = (
            f"{path} is busy: another program kept it locked for over {BUSY_TIMEOUT_S:.0f} s."
            " Nothing was changed; try again when it has finished."
        )
    elif "readonly" in lower or "read-only" in lower:
        text = f"{path} cannot be written (read-only file, folder or disk). Nothing was changed."
    elif "full" in lower:
        text = (
            f"The disk holding {path} is full: the change was not saved (the database is"
            " intact). Free some space and try again."
        )
    elif "malformed" in lower or "not a database" in lower or "corrupt" in lower:
        text = (
            f"{path} is damaged ({message}). It was left as it is: restore a backup, or try"
            " `sqlite3 FILE .recover` on a copy."
        )
    elif "unable to open" in lower:
        text = f"Cannot open {path} ({message}): check that the path and its folder exist."
    elif "disk i/o" in lower:
        text = f"Reading or writing {path} failed ({message}): check the disk. Nothing was changed."
    else:
        text = f"{path}: database error ({message})"
    return StoreError(text)


def _translatable(error: BaseException) -> bool:
    # IntegrityError and ProgrammingError are bugs in our SQL, not the user's environment.
    return type(error) in (sqlite3.OperationalError, sqlite3.DatabaseError)


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{mode}"


def _connect(uri: str) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; TxDatabase.atomic() opens them explicitly.
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def _check_file(path: Path) -> bool:
    """Refuse what cannot be opened safely; True when the database file already exists."""
    folder = path.parent
    if not folder.is_dir():
        raise StoreError(
            f"The folder {folder} does not exist: create it first (mkdir -p {folder})"
            " or choose another --db path. Nothing was created."
        )
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file: choose a file name.")
    if not path.exists():
        if not os.access(folder, os.W_OK):
            raise StoreError(f"Cannot create {path}: the folder {folder} is not writable.")
        return False
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise StoreError(f"Cannot read {path} ({error.strerror or error}).") from error
    if header and header != SQLITE_MAGIC:
        raise StoreError(
            f"{path} is not a reader database (not an SQLite file). It was left untouched:"
            " choose another --db path."
        )
    return True


def open_connection(path: Path, *, read_only: bool) -> tuple[sqlite3.Connection, bool]:
    """Connect without writing anything; returns the connection and whether it is read-only."""
    exists = _check_file(path)
    writable = (
        not read_only
        and (not exists or os.access(path, os.W_OK))
        and os.access(path.parent, os.W_OK)
    )
    if writable:
        return _connect(_uri(path, "mode=rw" if exists else "mode=rwc")), False
    try:
        conn = _connect(_uri(path, "mode=ro"))
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn, True
    except sqlite3.OperationalError:
        # A WAL database in a read-only folder cannot get its -shm file; nobody can write
        # there, so reading it as immutable is safe.
        conn = _connect(_uri(path, "mode=ro&immutable=1"))
        return conn, True


def refuse_newer(db: Database, path: Path) -> None:
    """A database that a newer reader has migrated is refused before anything is written."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    known = known_migrations()
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if version > len(known) or unknown:
        detail = f"unknown changes {', '.join(unknown)}" if unknown else f"schema {version}"
        raise StoreError(
            f"{path} was written by a newer version of reader ({detail}; this one knows"
            f" schema {len(known)}). It was left untouched: upgrade reader to open it."
        )


def migrate(db: TxDatabase, path: Path) -> None:
    """Bring an older database up to date in one transaction: all of it or none of it."""
    if not migrations.pending(db):
        return
    if db.read_only:
        raise StoreError(
            f"{path} was made by an older reader and needs an upgrade, but it is read-only."
            " Make it writable (or copy it somewhere writable) and open it again."
        )
    tables = db.execute("select count(*) from sqlite_master where type = 'table'").fetchone()[0]
    if tables:
        # Never rewrite a damaged file: an upgrade would spread the damage.
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            first = problems[0].replace("*** in database main ***", "").strip().splitlines()[0]
            raise StoreError(
                f"{path} is damaged ({first}). It was left as it is: restore a backup, or try"
                " `sqlite3 FILE .recover` on a copy."
            )
    with db.atomic():
        migrations.apply(db)
        db.execute(f"PRAGMA user_version = {len(known_migrations())}")


def open_database(path: Path, *, read_only: bool = False) -> TxDatabase:
    """Open, check and (if writable) upgrade the database at ``path``."""
    conn, is_read_only = open_connection(path, read_only=read_only)
    try:
        db = TxDatabase(conn)
        db.read_only = is_read_only
        db.path = path
        db.execute("select count(*) from sqlite_master").fetchone()
        refuse_newer(db, path)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        if not is_read_only:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = wal")
            # FULL: a commit is on disk (not only in the OS cache) before the method returns.
            db.execute("PRAGMA synchronous = FULL")
        migrate(db, path)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as error:
        conn.close()
        if not _translatable(error):
            raise
        raise explain(error, path) from error
    return db


class SQLiteDialect:
    """SQLite's spelling of the expressions that differ between databases."""

    def group_concat(self, expression: str, separator: str) -> str:
        return f"group_concat({expression}, {_literal(separator)})"

    def first_code_point(self, expression: str) -> str:
        # unicode() compares the first code point as an integer, cheaper than cutting a
        # one-character string per cell.
        return f"unicode({expression})"

    def contains(self, haystack: str, needle: str) -> str:
        return f"instr({haystack}, {needle}) > 0"

    def greatest(self, *expressions: str) -> str:
        return f"max({', '.join(expressions)})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class SQLiteGateway:
    """The store's Gateway on one SQLite file (see reader.core.store.gateway).

    Safe to open from two programs at once (WAL, a busy timeout, write transactions that take
    the lock up front). Every SQLite error a user can act on becomes a StoreError sentence.
    """

    dialect = SQLiteDialect()

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.location = str(path)
        self._db = open_database(path, read_only=read_only)

    @property
    def read_only(self) -> bool:
        return self._db.read_only

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError as error:
            raise ConstraintViolation(str(error)) from error
        except sqlite3.Error as error:
            if not _translatable(error):
                raise
            raise explain(error, self.path) from error

    def execute(self, sql: str, params: Params = ()) -> None:
        with self._translated():
            self._db.execute(sql, list(params))

    def execute_many(self, sql: str, rows: Iterator[Params] | Sequence[Params]) -> None:
        with self._translated():
            self._db.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        with self._translated():
            return self._db.execute(sql, list(params)).fetchall()

    def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> Iterator[list[Row]]:
        with self._translated():
            cursor = self._db.execute(sql, list(params))
            while rows := cursor.fetchmany(batch):
                yield rows

    def one(self, sql: str, params: Params = ()) -> Row | None:
        with self._translated():
            row: Row | None = self._db.execute(sql, list(params)).fetchone()
            return row

    def insert(self, sql: str, params: Params = ()) -> int:
        with self._translated():
            cursor = self._db.execute(sql, list(params))
            row = cursor.fetchone()
            cursor.close()  # a RETURNING statement completes when its cursor is done
        return int(row[0])

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.query(f"PRAGMA table_info({_literal(table)})")]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._translated(), self._db.atomic():
            yield

    def change_token(self) -> int:
        """PRAGMA data_version: changes when another connection commits, not on our own."""
        row = self.one("PRAGMA data_version")
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        self._db.close()
