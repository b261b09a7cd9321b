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
import functools
import os
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from reader.core.errors import StoreError
from reader.core.store.gateway import ConstraintViolation, Params, Row
from reader.core.store.migrations import migrations, upgrading_coder
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
SCAN_MMAP_SIZE = 1 << 30
BULK_CACHE_KIB = 256 * 1024
"""The page cache's ceiling during bulk writes (the default is 2 MiB): the search index of a
thousand articles is ~60 MB of pages a random insert may touch; SQLite takes only what it
uses and frees it when the ceiling is set back."""
"""Bytes of the database file mapped while a search seeks into the stored texts."""

BUSY_TIMEOUT_S = 15.0
"""How long a write waits for another program's write (an export or an import) to finish.
Long enough for an import of a large CSV batch, short enough that a stuck program is reported."""

T = TypeVar("T")


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
    private_copy: Path | None = None
    """The folder holding a private copy of a WAL database read from a read-only folder."""

    def close(self) -> None:
        super().close()
        if self.private_copy is not None:
            shutil.rmtree(self.private_copy, ignore_errors=True)
            self.private_copy = None

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
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    # Someone else's database is input too: views, triggers and defaults in its schema must
    # not call functions with side effects when we read or write our tables.
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


_IN_USE: dict[tuple[int, int], int] = {}
"""(device, inode) of each database file this process has connections open on, and how many.

POSIX advisory locks belong to a process and a file, and closing *any* descriptor of the file
drops all of them ("How To Corrupt An SQLite Database File", 2.2). Reading the header of a
file our own connections hold open (a worker opening a second Store) would cancel their locks;
the next program to close its connection then takes itself for the last one and deletes the
-wal and -shm files under us, and our later commits are lost. A file in use here is an SQLite
file already: its header is not read again."""
_IN_USE_LOCK = threading.Lock()


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _hold(key: tuple[int, int] | None) -> None:
    if key is not None:
        with _IN_USE_LOCK:
            _IN_USE[key] = _IN_USE.get(key, 0) + 1


def _release(key: tuple[int, int] | None) -> None:
    if key is not None:
        with _IN_USE_LOCK:
            left = _IN_USE.get(key, 0) - 1
            if left > 0:
                _IN_USE[key] = left
            else:
                _IN_USE.pop(key, None)


def _in_use(path: Path) -> bool:
    key = _file_key(path)
    with _IN_USE_LOCK:
        return key is not None and key in _IN_USE


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
    if _in_use(path):
        return True  # our own connections have it open (see _IN_USE): never open it apart
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


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def open_connection(path: Path, *, read_only: bool) -> tuple[sqlite3.Connection, bool, Path | None]:
    """Connect without writing anything.

    Returns the connection, whether it is read-only, and the folder of a private copy when
    the database had to be copied to be read correctly (see :func:`_private_copy`).
    """
    exists = _check_file(path)
    writable = (
        not read_only
        and (not exists or os.access(path, os.W_OK))
        and os.access(path.parent, os.W_OK)
    )
    if writable:
        return _connect(_uri(path, "mode=rw" if exists else "mode=rwc")), False, None
    try:
        conn = _connect(_uri(path, "mode=ro"))
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn, True, None
    except sqlite3.OperationalError:
        pass
    # A WAL database in a folder where its -shm file cannot be created. Without a -wal file the
    # main file holds every commit (and nobody can write here to add one): reading it as
    # immutable is exact. With a -wal file, immutable would ignore the commits in it and answer
    # from an older state, so read a private copy of both files instead.
    if not _sidecar(path, "-wal").exists():
        return _connect(_uri(path, "mode=ro&immutable=1")), True, None
    folder = _private_copy(path)
    try:
        conn = _connect(_uri(folder / path.name, "mode=ro"))
        conn.execute("select count(*) from sqlite_master").fetchone()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return conn, True, folder


def _private_copy(path: Path) -> Path:
    """Copy the database and its -wal file into a new private folder, so SQLite can read the
    WAL there (it needs a -shm file beside them, which the read-only folder cannot hold)."""
    folder = Path(tempfile.mkdtemp(prefix="reader-readonly-"))
    try:
        # Nobody can commit here meanwhile: a writer would need the -shm file the folder
        # cannot hold, so the two files are final.
        shutil.copyfile(_sidecar(path, "-wal"), _sidecar(folder / path.name, "-wal"))
        shutil.copyfile(path, folder / path.name)
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise StoreError(
            f"{path} has committed changes still in {path.name}-wal and its folder is"
            f" read-only, so it must be read from a copy; copying it failed"
            f" ({error.strerror or error}). Copy {path.name} and {path.name}-wal together to"
            " a writable folder and open the copy."
        ) from error
    return folder


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


@functools.cache
def expected_columns() -> dict[str, frozenset[str]]:
    """Every column of every table of ours, as the migrations build them."""
    reference = Database(memory=True, execute_plugins=False)
    migrations.apply(reference)
    columns = {
        table: frozenset(column.name for column in reference[table].columns)
        for table in reference.table_names()
    }
    reference.close()
    return columns


def our_tables() -> frozenset[str]:
    """The tables the migrations create: the ones that must be plain tables, trigger-free."""
    return frozenset(expected_columns())


def check_structure(db: Database, path: Path) -> None:
    """Refuse a file whose tables of ours are views or virtual tables, or carry triggers.

    A view or a trigger can answer reads with other data, or run on our writes; we create
    neither, so any is someone else's doing. Checked before anything is written.
    """
    ours = our_tables()
    problems: list[str] = []
    for kind, name, table, sql in db.execute(
        "select type, name, tbl_name, coalesce(sql, '') from sqlite_master"
    ).fetchall():
        if kind == "trigger" and table in ours:
            problems.append(f"a trigger {name!r} on {table}")
        elif name in ours and kind != "table":
            problems.append(f"{name} is a {kind}, not a table")
        elif name in ours and not sql.lstrip().upper().startswith("CREATE TABLE"):
            problems.append(f"{name} is not a plain table")
    if problems:
        raise StoreError(
            f"{path} is not a database reader made: {'; '.join(problems)}. It was left"
            " untouched; open it only if you trust where it came from, after removing those"
            " (sqlite3 FILE .schema shows them)."
        )


def check_columns(db: Database, path: Path) -> None:
    """Refuse a database whose tables lack columns we read (a clear sentence, not a crash)."""
    present = set(db.table_names())
    problems: list[str] = []
    for table, wanted in expected_columns().items():
        if table not in present:
            problems.append(f"no {table} table")
            continue
        missing = sorted(wanted - {column.name for column in db[table].columns})
        if missing:
            problems.append(f"{table} has no {', '.join(missing)} column")
    if problems:
        raise StoreError(
            f"{path} is not a complete reader database ({'; '.join(problems)})."
            " It was left as it was: choose another --db path, or restore a backup."
        )


def refuse_damaged(db: TxDatabase, path: Path) -> None:
    """Refuse a damaged file that needs an upgrade, before anything is written to it.

    Runs before the switch to WAL too: that switch rewrites the header, and a damaged file
    must be left byte for byte as it was for ``.recover``.
    """
    if db.read_only or not migrations.pending(db):
        return
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


def migrate(db: TxDatabase, path: Path, coder: str | None = None) -> None:
    """Bring an older database up to date in one transaction: all of it or none of it.

    ``coder`` is who is opening it: the coder of what was annotated before coders existed."""
    if not migrations.pending(db):
        check_columns(db, path)
        return
    if db.read_only:
        raise StoreError(
            f"{path} was made by an older reader and needs an upgrade, but it is read-only."
            " Make it writable (or copy it somewhere writable) and open it again."
        )
    token = upgrading_coder.set(coder)
    try:
        with db.atomic():
            migrations.apply(db)
            db.execute(f"PRAGMA user_version = {len(known_migrations())}")
            check_columns(db, path)  # a refusal here rolls the upgrade back
    finally:
        upgrading_coder.reset(token)


def open_database(path: Path, *, read_only: bool = False, coder: str | None = None) -> TxDatabase:
    """Open, check and (if writable) upgrade the database at ``path`` (``coder`` opens it)."""
    conn, is_read_only, private_copy = open_connection(path, read_only=read_only)
    # No sqlite-utils plugins: scanning every installed package for them cost each start
    # 10-40 ms, and nothing of ours should change with what else is installed.
    db = TxDatabase(conn, execute_plugins=False)
    db.private_copy = private_copy
    if private_copy is not None:
        # Removed on close, or at exit when a program never closes its store.
        weakref.finalize(db, shutil.rmtree, private_copy, True)
    try:
        db.read_only = is_read_only
        db.path = path
        db.execute("select count(*) from sqlite_master").fetchone()
        check_structure(db, path)
        refuse_newer(db, path)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        refuse_damaged(db, path)
        if not is_read_only:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = wal")
            # FULL: a commit is on disk (not only in the OS cache) before the method returns.
            db.execute("PRAGMA synchronous = FULL")
        migrate(db, path, coder)
    except StoreError:
        db.close()
        raise
    except sqlite3.Error as error:
        db.close()
        if not _translatable(error):
            raise
        raise explain(error, path) from error
    return db


HIGH_WATER = "annotation_id_high_water"
"""store_meta's key for the largest annotation id handed out (m003)."""


class SQLiteDialect:
    """SQLite's spelling of the expressions that differ between databases."""

    def group_concat(self, expression: str, separator: str, *, order_by: str) -> str:
        # SQLite before 3.44 has no ORDER BY inside an aggregate: callers aggregate a subquery
        # ordered by ``order_by``, whose rows group_concat takes in that order.
        return f"group_concat({expression}, {_literal(separator)})"

    def first_code_point(self, expression: str) -> str:
        # unicode() compares the first code point as an integer, cheaper than cutting a
        # one-character string per cell.
        return f"unicode({expression})"

    def contains(self, haystack: str, needle: str) -> str:
        return f"instr({haystack}, {needle}) > 0"

    def json_list(self, rows: str, *columns: str) -> str:
        # json_group_array takes the rows of an ordered subquery in that order.
        value = columns[0] if len(columns) == 1 else f"json_array({', '.join(columns)})"
        return f"(select json_group_array({value}) from ({rows}) as listed)"

    def locking_read(self) -> str:
        return ""  # a write transaction holds the whole file

    def together(self, writes: Sequence[str], last: str) -> str | None:
        return None  # no INSERT or DELETE inside WITH; a statement costs little in-process

    # One writer at a time: the high-water mark in store_meta (m003) is the counter, moved
    # past the largest id there is, so an id that undo may bring back is never handed out.

    def next_annotation_id(self) -> str:
        largest = "(select coalesce(max(id), 0) from annotations)"
        return (
            f"insert into store_meta (key, value) values ('{HIGH_WATER}', {largest} + 1)"
            f" on conflict(key) do update set value = max(store_meta.value, {largest}) + 1"
            " returning value"
        )

    def reserve_annotation_ids(self) -> str:
        return (
            f"insert into store_meta (key, value) values ('{HIGH_WATER}', ?)"
            " on conflict(key) do update set value = max(store_meta.value, excluded.value)"
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class SQLiteGateway:
    """The store's Gateway on one SQLite file (see reader.core.store.gateway).

    Safe to open from two programs at once (WAL, a busy timeout, write transactions that take
    the lock up front). Every SQLite error a user can act on becomes a StoreError sentence.
    """

    dialect = SQLiteDialect()

    def __init__(self, path: Path, *, read_only: bool = False, coder: str | None = None) -> None:
        """``coder``: who is coding in this session (a checked name; reader.core.coders says
        how the front end finds it); None is the default coder (READER_CODER, the OS user)."""
        from reader.core.coders import default_coder

        self.path = path
        self.location = str(path)
        self.coder = coder or default_coder()
        """Who this session codes as: every new annotation and undo step is recorded under it."""
        self._db = open_database(path, read_only=read_only, coder=self.coder)
        self._conn = self._db.conn
        self._encoding: str | None = None
        self._key = _file_key(path)
        """The file's (device, inode) while this connection is open (see _IN_USE)."""
        _hold(self._key)

    @property
    def read_only(self) -> bool:
        return self._db.read_only

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on this connection (none is left open after a failure)."""
        return self._conn.in_transaction

    @property
    def private_copy(self) -> Path | None:
        """The folder of a private copy read instead of the file (a WAL without its -shm in a
        read-only folder); removed on close."""
        return self._db.private_copy

    @property
    def notices(self) -> list[str]:
        if self._db.private_copy is None:
            return []
        return [
            f"{self.path} is in a read-only folder with changes still in its -wal file:"
            " reading a private copy of both (read-only)."
        ]

    def _failure(self, error: sqlite3.Error) -> Exception:
        """What a failed statement raises: a constraint the data breaks, a sentence for what a
        user can act on, or (a bug in our SQL) the error itself."""
        if isinstance(error, sqlite3.IntegrityError):
            return ConstraintViolation(str(error))
        if not _translatable(error):
            return error
        return explain(error, self.path)

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            failure = self._failure(error)
            if failure is error:
                raise
            raise failure from error

    # Each statement catches its own errors (not through _translated): a generator-based
    # context per statement costs a restore of 100,000 rows about a second.

    def execute(self, sql: str, params: Params = ()) -> None:
        try:
            self._conn.execute(sql, params)
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def execute_many(self, sql: str, rows: Iterator[Params] | Sequence[Params]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> Iterator[list[Row]]:
        with self._translated():
            cursor = self._conn.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                yield rows

    def one(self, sql: str, params: Params = ()) -> Row | None:
        try:
            row: Row | None = self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise self._failure(error) from error
        return row

    def insert(self, sql: str, params: Params = ()) -> int:
        try:
            cursor = self._conn.execute(sql, params)
            row = cursor.fetchone()
            cursor.close()  # a RETURNING statement completes when its cursor is done
        except sqlite3.Error as error:
            raise self._failure(error) from error
        return int(row[0])

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.query(f"PRAGMA table_info({_literal(table)})")]

    def retrying(self, action: Callable[[], T]) -> T:
        return action()  # no connection to lose

    @contextlib.contextmanager
    def transaction(self, *, concurrent: bool = False) -> Iterator[None]:
        inside = False  # an exception from the block itself passes as it is
        try:
            with self._db.atomic():
                try:
                    yield
                except BaseException:
                    inside = True
                    raise
        except sqlite3.Error as error:
            if inside:
                raise
            with self._translated():  # BEGIN, COMMIT or ROLLBACK failed
                raise error from None

    @contextlib.contextmanager
    def scanning(self) -> Iterator[None]:
        """PRAGMA mmap_size for the scan: memory-mapped reads of 100 MB of blobs take a third
        of the time of read() calls into SQLite's page cache (benchmarks/search.py)."""
        row = self.one("PRAGMA mmap_size")
        previous = int(row[0]) if row else 0
        self.execute(f"PRAGMA mmap_size = {SCAN_MMAP_SIZE}")
        try:
            yield
        finally:
            self.execute(f"PRAGMA mmap_size = {previous}")

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        row = self.one("PRAGMA cache_size")
        previous = int(row[0]) if row else -2000
        self.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        try:
            yield
        finally:
            self.execute(f"PRAGMA cache_size = {previous}")

    def read_utf8(
        self, table: str, column: str, row_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[bytes] | None:
        """Incremental blob I/O on the row's value, memory-mapped (a long value is a chain of
        overflow pages SQLite walks to reach an offset: a memory access mapped, a read() call
        otherwise); only when the database stores text as UTF-8."""
        if self._text_encoding() != "UTF-8":
            return None
        pieces: list[bytes] = []
        with (
            self._translated(),
            self.scanning(),
            self._conn.blobopen(table, column, row_id, readonly=True) as blob,
        ):
            size = len(blob)
            for offset, length in ranges:
                start = min(max(offset, 0), size)
                blob.seek(start)
                pieces.append(blob.read(min(max(length, 0), size - start)))
        return pieces

    def _text_encoding(self) -> str:
        if self._encoding is None:
            row = self.one("PRAGMA encoding")
            self._encoding = str(row[0]) if row else ""
        return self._encoding

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """A deferred BEGIN: in WAL mode its first read fixes the snapshot until COMMIT."""
        if self._db.conn.in_transaction:
            yield
            return
        with self._translated():
            self._db.conn.execute("BEGIN")
        try:
            yield
        finally:
            with self._translated():
                self._db.conn.execute("COMMIT")  # only reads: nothing to lose

    def change_token(self) -> int:
        """PRAGMA data_version: changes when another connection commits, not on our own."""
        row = self.one("PRAGMA data_version")
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        self._db.close()
        _release(self._key)
        self._key = None
