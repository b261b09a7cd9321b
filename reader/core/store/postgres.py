"""The PostgreSQL backend: a team's shared project on a server, through psycopg 3.

:class:`PostgresGateway` is the store's Gateway on one PostgreSQL database (a ``postgresql://``
URL, libpq's syntax: host, port, dbname, ``sslmode`` and the rest are libpq's own). The job
modules send it the same portable SQL as SQLite's gateway, with ``?`` placeholders, which become
psycopg's server-side parameters: nothing of a value is ever spliced into a statement.

Credentials come only from libpq's own mechanisms (``~/.pgpass`` or ``PGPASSFILE``, a service
file, ``PGPASSWORD``, a client certificate): a URL that carries a password is refused, because a
command line is visible to every user of the machine, and every message masks one anyway.

What SQLite does by its nature is done here by name:

- Writers take turns, as on SQLite, except coders: every write transaction first takes one
  transaction-level advisory lock, so the store's read-then-write steps never race another
  program's. Annotation actions share it (Gateway.transaction's ``concurrent``): each locks
  its own annotation's row, takes ids from a sequence and adds tags race-free, so a team's
  coders write side by side and the server flushes their commits together. They run in
  pipeline mode: only a read waits for the server (benchmarks/team.py measures it).
- ``change_token``: every write transaction says ``NOTIFY reader_changes`` (delivered at its
  commit) carrying this gateway's own identity; a listening connection (started on the first
  call) counts the notifications from everyone else. No table is polled.
- ``read_only``: asked for, a standby server, or a role that may not add annotations (a viewer).
- A lost connection (a server restart) is a StoreError sentence; the next statement outside a
  transaction connects again, so nothing but the action that failed is affected.
"""

from __future__ import annotations

import contextlib
import functools
import re
import select
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql
from psycopg.pq import TransactionStatus

from reader.core.errors import StoreError
from reader.core.store.common import is_postgres_url
from reader.core.store.gateway import ConnectionLost, ConstraintViolation, Params, Row
from reader.core.store.postgres_schema import (
    ANNOTATION_IDS,
    MIGRATION_SET,
    MIGRATIONS,
    MIGRATIONS_TABLE,
)

__all__ = [
    "CHANGES_CHANNEL",
    "PostgresDialect",
    "PostgresGateway",
    "database_name",
    "is_postgres_url",
    "masked",
]

T = TypeVar("T")

CHANGES_CHANNEL = "reader_changes"
"""The NOTIFY channel every write transaction announces itself on."""

WRITE_LOCK = 0x7265_6164  # "read": the advisory lock every write transaction takes first
MIGRATION_LOCK = 0x7265_6164_6D69_67  # two programs opening a new project at once migrate once

CONNECT_TIMEOUT_S = 10


def masked(text: str) -> str:
    """``text`` with any password in a URL or a ``password=`` setting replaced by ``***``."""
    text = re.sub(r"(://[^/@:\s]*:)[^@/\s]*@", r"\1***@", text)
    return re.sub(r"(password=)[^&\s]*", r"\1***", text, flags=re.IGNORECASE)


def _has_password(url: str) -> bool:
    parts = urlsplit(url)
    if parts.password:
        return True
    return bool(re.search(r"(^|&)password=", parts.query, re.IGNORECASE))


def database_name(url: str) -> str:
    """The database a URL names (its path), for titles and file names; "" when libpq's
    default applies."""
    return unquote(urlsplit(url).path.lstrip("/"))


@functools.lru_cache(maxsize=2048)
def _numbered(sql: str) -> str:
    """The store's ``?`` placeholders as PostgreSQL's own ``$1``, ``$2``… (sent as they are
    by psycopg's RawCursor, which need not parse the statement for ``%s`` on every call); a
    ``?`` inside a quoted literal or name stays as it is."""
    out: list[str] = []
    quote = ""
    count = 0
    for char in sql:
        if quote:
            out.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            count += 1
            out.append(f"${count}")
        else:
            out.append(char)
    return "".join(out)


class PostgresDialect:
    """PostgreSQL's spelling of the expressions that differ between databases."""

    def group_concat(self, expression: str, separator: str, *, order_by: str) -> str:
        return f"string_agg({expression}, {_literal(separator)} order by {order_by})"

    def first_code_point(self, expression: str) -> str:
        # ascii() gives the first character's code point in a UTF-8 database, 0 for ''.
        return f"nullif(ascii({expression}), 0)"

    def contains(self, haystack: str, needle: str) -> str:
        return f"strpos({haystack}, {needle}) > 0"

    def json_list(self, rows: str, *columns: str) -> str:
        value = columns[0] if len(columns) == 1 else f"json_build_array({', '.join(columns)})"
        return f"(select coalesce(json_agg({value}), '[]')::text from ({rows}) as listed)"

    def locking_read(self) -> str:
        # Only the annotations table's rows, not those of the tag list in the select list.
        return " for update of annotations"

    def together(self, writes: Sequence[str], last: str) -> str | None:
        # One statement: one parse, one execution, no answer to wait for per write.
        named = ", ".join(f"write_{number} as ({write})" for number, write in enumerate(writes))
        return f"with {named} {last}" if writes else last

    # A sequence (m011): coders creating annotations at once do not wait for each other.

    def next_annotation_id(self) -> str:
        return f"select nextval('{ANNOTATION_IDS}')"

    def reserve_annotation_ids(self) -> str:
        # is_called: the next nextval gives the value after it. Exclusive transactions only:
        # a nextval between the read of last_value and the setval would be handed out again.
        return (
            f"select setval('{ANNOTATION_IDS}', greatest(last_value, ?::bigint)) from"
            f" {ANNOTATION_IDS}"
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class PostgresGateway:
    """The store's Gateway on one PostgreSQL database (see reader.core.store.gateway)."""

    dialect = PostgresDialect()

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.location = masked(url)
        if _has_password(url):
            raise StoreError(
                f"{self.location} carries a password: reader takes credentials only from libpq"
                " (~/.pgpass or PGPASSFILE, a service file, PGPASSWORD), never from a command"
                " line, which every user of this machine can read. Nothing was opened."
            )
        self._url = url
        self._identity = uuid.uuid4().hex
        """What this gateway's NOTIFYs carry, so its listener can tell them from others'."""
        self._asked_read_only = read_only
        self._depth = 0
        self._changes = 0
        self._listener: threading.Thread | None = None
        self._closing = threading.Event()
        self._change_callbacks: list[Callable[[], None]] = []
        self._connection_callbacks: list[Callable[[bool], None]] = []
        self._cursor: psycopg.RawCursor[Row] | None = None
        self._conn = self._connect()
        try:
            self._migrate()
            self._read_only = self._find_read_only()
            self._role, self._owns_only = self._find_role()
        except BaseException:
            self._conn.close()
            raise

    # Connecting

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(
                self._url,
                autocommit=True,
                application_name="reader",
                connect_timeout=CONNECT_TIMEOUT_S,
            )
        except psycopg.Error as error:
            raise StoreError(
                f"Cannot connect to {self.location}: {masked(_first_line(error))}."
                " Check the server, the URL, and your credentials (~/.pgpass or PGPASSFILE)."
            ) from error
        if self._asked_read_only:
            conn.execute("set default_transaction_read_only = on")
        return conn

    def _ensure_connected(self) -> None:
        """After a lost connection (a server restart), the next statement connects again."""
        if self._closing.is_set():
            raise StoreError(f"{self.location} was closed: open the project again.")
        if self._depth == 0 and (self._conn.closed or self._conn.broken):
            self._conn.close()
            self._conn = self._connect()

    @property
    def connected(self) -> bool:
        """False once the connection was lost (until the next statement connects again)."""
        return not (self._conn.closed or self._conn.broken)

    @property
    def role(self) -> str:
        """The database role this project is open as: the coder, on PostgreSQL."""
        return self._conn.info.user

    @property
    def coder(self) -> str:
        """Who codes in this session: the role (the row-level security compares each
        annotation's coder with current_user, so nothing else could be saved)."""
        return self._role

    @property
    def owns_only(self) -> bool:
        """True for a coder, who may change only their own annotations (a lead, the project's
        owner or a superuser may change anyone's)."""
        return self._owns_only

    def _migrate(self) -> None:
        """Create or upgrade the schema (refusing one from a newer reader) before any use."""
        applied = self._applied_migrations()
        known = [name for name, _ in MIGRATIONS]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise StoreError(
                f"{self.location} was written by a newer version of reader (unknown changes"
                f" {', '.join(unknown)}; this one knows schema {len(known)}). It was left"
                " untouched: upgrade reader to open it."
            )
        if [name for name in known if name not in applied]:
            if self._asked_read_only:
                raise StoreError(
                    f"{self.location} needs its schema created or upgraded, but it was opened"
                    " read-only. Open it once without --read-only (as its lead)."
                )
            try:
                with self._conn.transaction():
                    self._conn.execute("select pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
                    self._conn.execute(
                        f"create table if not exists {MIGRATIONS_TABLE} (migration_set text"
                        " not null, name text not null, applied_at text not null,"
                        " primary key (migration_set, name))"
                    )
                    applied = self._applied_migrations()  # another program may have done it
                    for name, migration in MIGRATIONS:
                        if name in applied:
                            continue
                        migration(self._conn)
                        self._conn.execute(
                            f"insert into {MIGRATIONS_TABLE} (migration_set, name, applied_at)"
                            " values (%s, %s, %s)",
                            [MIGRATION_SET, name, str(datetime.now(UTC))],
                        )
            except pg_errors.InsufficientPrivilege as error:
                raise StoreError(
                    f"{self.location} has no reader schema yet (or an older one), and role"
                    f" {self.role!r} may not create it: the project's lead opens it first."
                ) from error
            except psycopg.Error as error:
                raise self._failure(error) from error
        self._check_columns()

    def _applied_migrations(self) -> list[str]:
        row = self._conn.execute("select to_regclass(%s)", [MIGRATIONS_TABLE]).fetchone()
        if row is None or row[0] is None:
            return []
        rows = self._conn.execute(
            f"select name from {MIGRATIONS_TABLE} where migration_set = %s order by applied_at",
            [MIGRATION_SET],
        ).fetchall()
        return [str(name) for (name,) in rows]

    def _check_columns(self) -> None:
        """Refuse a database whose tables lack columns we read (as SQLite's gateway does):
        the columns are SQLite's reference schema's, so the two backends cannot drift."""
        from reader.core.store.sqlite import expected_columns

        problems: list[str] = []
        for table, wanted in expected_columns().items():
            if table.startswith(("_", "sqlite_")):  # SQLite's and sqlite-utils' bookkeeping
                continue
            present = set(self.columns(table))
            if not present:
                problems.append(f"no {table} table")
                continue
            missing = sorted(wanted - present)
            if missing:
                problems.append(f"{table} has no {', '.join(missing)} column")
        if problems:
            raise StoreError(
                f"{self.location} is not a complete reader database ({'; '.join(problems)})."
                " It was left as it was: choose another --db, or restore a backup."
            )

    def _find_role(self) -> tuple[str, bool]:
        """current_user, and whether the server lets it change only its own annotations."""
        row = self._conn.execute(
            "select current_user, not (r.rolsuper or r.rolbypassrls"
            " or pg_has_role(current_user, 'reader_lead', 'member')"
            " or c.relowner = r.oid)"
            " from pg_roles r, pg_class c"
            " where r.rolname = current_user and c.oid = to_regclass('annotations')"
            " and exists (select from pg_roles where rolname = 'reader_lead')"
        ).fetchone()
        if row is None:  # no team roles on this server (yet)
            user = self._conn.execute("select current_user").fetchone()
            assert user is not None
            return str(user[0]), False
        return str(row[0]), bool(row[1])

    def _find_read_only(self) -> bool:
        row = self._conn.execute(
            "select pg_is_in_recovery(), has_table_privilege('annotations', 'INSERT'),"
            " current_setting('default_transaction_read_only')"
        ).fetchone()
        assert row is not None
        standby, may_write, read_only_setting = row
        return bool(self._asked_read_only or standby or not may_write or read_only_setting == "on")

    # The Gateway

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    @property
    def notices(self) -> list[str]:
        return []

    def _failure(self, error: psycopg.Error) -> Exception:
        """What a failed statement raises: a constraint the data breaks, a sentence for what a
        user can act on, or (a bug in our SQL) the error itself."""
        message = masked(_first_line(error))
        if isinstance(error, pg_errors.IntegrityError):
            return ConstraintViolation(message)
        if isinstance(error, pg_errors.InsufficientPrivilege):
            return StoreError(
                f"Role {self.role!r} may not do that on {self.location} ({message})."
                " Nothing was changed; the project's lead can change your role (reader team)."
            )
        if isinstance(error, pg_errors.ReadOnlySqlTransaction):
            return StoreError(
                f"{self.location} is open read-only: changes cannot be saved. Nothing was changed."
            )
        if isinstance(error, pg_errors.DiskFull):
            return StoreError(
                f"The server's disk holding {self.location} is full: the change was not saved."
                " Ask its administrator to free some space."
            )
        if isinstance(
            error,
            pg_errors.LockNotAvailable
            | pg_errors.DeadlockDetected
            | pg_errors.SerializationFailure
            | pg_errors.QueryCanceled,
        ):
            return StoreError(
                f"{self.location} is busy ({message}). Nothing was changed; try again."
            )
        if isinstance(error, psycopg.DataError) and "NUL" in message:
            return StoreError(
                "PostgreSQL cannot store the character U+0000 (NUL) that this text contains."
                " Nothing was changed: remove it from the file, or use an SQLite project."
            )
        if isinstance(error, psycopg.OperationalError) or self._conn.broken:
            return StoreError(
                f"Lost the connection to {self.location} ({message}). Nothing was changed;"
                " reader connects again on the next action."
            )
        return error

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as error:
            failure = self._failure(error)
            if failure is error:
                raise
            raise failure from error

    def _outside_transaction(self, action: Callable[[], T]) -> T:
        """Run ``action`` (statements that start nothing half-done: reads, or BEGIN and the
        lock) on a live connection: when the server went away since the last statement (a
        restart), connect again and run it once more."""
        for attempt in (1, 2):
            try:
                self._ensure_connected()
                return action()
            except psycopg.OperationalError as error:
                if attempt == 1 and (self._conn.closed or self._conn.broken):
                    continue
                raise self._failure(error) from error
            except psycopg.Error as error:
                failure = self._failure(error)
                if failure is error:
                    raise
                raise failure from error
        raise AssertionError("unreachable")

    def _read(self, action: Callable[[], T]) -> T:
        if self._depth:
            return self._inside(action)
        return self._outside_transaction(action)

    def _write(self, action: Callable[[], T]) -> T:
        """A write outside a transaction gets one of its own (the lock, the NOTIFY)."""
        if self._depth:
            return self._inside(action)
        with self.transaction(), self._translated():
            return action()

    def _inside(self, action: Callable[[], T]) -> T:
        """``action`` inside a transaction, its error as a sentence: _translated without a
        context manager, whose cost counts on the path every statement takes."""
        try:
            return action()
        except psycopg.Error as error:
            failure = self._failure(error)
            if failure is error:
                raise
            raise failure from error

    def execute(self, sql: str, params: Params = ()) -> None:
        self._write(lambda: self._statements.execute(_numbered(sql), params))

    def execute_composed(self, statement: pg_sql.Composed) -> None:
        """A statement psycopg composed with quoted identifiers (a role's name in CREATE ROLE,
        GRANT: places where the server takes no parameter)."""
        self._write(lambda: self._conn.execute(statement))

    def execute_many(self, sql: str, rows: Iterator[Params] | Sequence[Params]) -> None:
        batch = [list(row) for row in rows]
        if not batch:
            return

        def run() -> None:
            with psycopg.RawCursor(self._conn) as cursor:
                cursor.executemany(_numbered(sql), batch)

        self._write(run)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        return self._read(lambda: self._statements.execute(_numbered(sql), params).fetchall())

    def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> Iterator[list[Row]]:
        cursor = self._read(lambda: psycopg.RawCursor(self._conn).execute(_numbered(sql), params))
        with self._translated():
            while rows := cursor.fetchmany(batch):
                yield rows

    def one(self, sql: str, params: Params = ()) -> Row | None:
        return self._read(lambda: self._statements.execute(_numbered(sql), params).fetchone())

    def insert(self, sql: str, params: Params = ()) -> int:
        row = self._write(lambda: self._statements.execute(_numbered(sql), params).fetchone())
        assert row is not None
        return int(row[0])

    @property
    def _statements(self) -> psycopg.RawCursor[Row]:
        """One cursor for every statement whose rows are read at once (making a cursor per
        statement is a tenth of a statement's cost); a new one after connecting again."""
        if self._cursor is None or self._cursor.connection is not self._conn:
            self._cursor = psycopg.RawCursor(self._conn)
        return self._cursor

    def columns(self, table: str) -> list[str]:
        rows = self.query(
            "select column_name from information_schema.columns"
            " where table_schema = current_schema() and table_name = ?"
            " order by ordinal_position",
            [table],
        )
        return [str(name) for (name,) in rows]

    @contextlib.contextmanager
    def transaction(self, *, concurrent: bool = False) -> Iterator[None]:
        """BEGIN, the write lock and NOTIFY, the block, COMMIT; nested, a savepoint. An
        exception from the block rolls back and passes as it is; BEGIN, the lock or COMMIT
        failing is a sentence.

        The write lock is one advisory lock: ``concurrent`` transactions (annotation actions,
        which lock their own rows) share it, so coders write side by side and their commits
        are flushed together; any other write takes it alone."""
        if self._read_only:
            raise StoreError(
                f"{self.location} is open read-only (asked for, a standby server, or role"
                f" {self.role!r} may not write): changes cannot be saved."
            )
        if self._depth:
            with self._savepoint():
                yield
            return

        mode = "_shared" if concurrent else ""
        # The lock, and the notice every listener gets when (and only if) this commits: a
        # NOTIFY is delivered at COMMIT, so it is said first, in the same statement. Fixed
        # text: the identity is hex digits, the channel our own name.
        start = (
            f"select pg_advisory_xact_lock{mode}({WRITE_LOCK}),"
            f" pg_notify('{CHANGES_CHANNEL}', '{self._identity}')"
        )
        if concurrent and self._socket_quiet():
            self._ensure_connected()
            self._depth = 1
            try:
                with self._pipelined(start):
                    yield
            finally:
                self._depth = 0
            return
        # One round trip for both (no parameter, so the simple protocol).
        self._outside_transaction(lambda: self._conn.execute(f"begin; {start}"))
        self._depth = 1
        try:
            if concurrent:
                with self._pipelined():
                    yield
            else:
                try:
                    yield
                except BaseException:
                    self._rollback()
                    raise
                with self._translated():
                    try:
                        self._conn.execute("commit")
                    except BaseException:
                        self._rollback()
                        raise
        finally:
            self._depth = 0

    def _socket_quiet(self) -> bool:
        """Whether the connection looks alive: open, and nothing waiting to be read on its
        socket (a server that went away, or ended this session, leaves end-of-file or a
        last message there). Then a transaction may start without waiting for BEGIN's answer;
        otherwise it starts the slow way, which connects again when the server is back."""
        if self._conn.closed or self._conn.broken or self._closing.is_set():
            return False
        try:
            readable, _, _ = select.select([self._conn.fileno()], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return False
        return not readable

    @contextlib.contextmanager
    def _pipelined(self, start: str | None = None) -> Iterator[None]:
        """The block's statements and COMMIT in pipeline mode (after BEGIN and ``start``, the
        lock, when given): a statement whose result nobody reads is sent without waiting for
        the server's answer; only a read waits (for everything sent before it). An annotation
        action then costs a round trip per read and one for COMMIT, not one per statement. A
        failed statement fails the next read or the commit, and the whole transaction rolls
        back: an annotation action has no savepoint to stop at."""
        committing = False
        try:
            with self._translated(), self._conn.pipeline():
                if start is not None:
                    self._statements.execute("begin")
                    self._statements.execute(start)
                yield
                committing = True
                self._statements.execute("commit")
        except BaseException as error:
            self._rollback()
            if not committing and (self._conn.closed or self._conn.broken):
                # Lost before COMMIT was even sent: the server rolled it all back.
                raise ConnectionLost(str(error)) from error
            raise

    def retrying(self, action: Callable[[], T]) -> T:
        if self._depth:
            return action()
        try:
            return action()
        except ConnectionLost:
            return action()  # its BEGIN connects again

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        name = f"reader_{self._depth}"
        with self._translated():
            self._conn.execute(f"savepoint {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            with contextlib.suppress(psycopg.Error):
                self._conn.execute(f"rollback to savepoint {name}")
            raise
        finally:
            self._depth -= 1
        with self._translated():
            self._conn.execute(f"release savepoint {name}")

    def _rollback(self) -> None:
        """Undo an open transaction; on a lost connection there is none left to undo."""
        if self._conn.closed or self._conn.broken:
            return
        with contextlib.suppress(psycopg.Error):
            self._conn.execute("rollback")

    def scanning(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def bulk_writes(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # the server sizes its own buffers

    def read_utf8(
        self, table: str, column: str, row_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[bytes] | None:
        return None  # the caller reads by characters (substr), which the server does well

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """A repeatable-read transaction: every query in it sees the state of its first."""
        if self._depth:
            yield
            return
        self._outside_transaction(
            lambda: self._conn.execute("begin isolation level repeatable read")
        )
        self._depth = 1
        try:
            yield
        finally:
            self._depth = 0
            self._rollback()  # only reads: nothing to keep

    # Changes by others

    def change_token(self) -> int:
        """How many commits other connections announced since this one started listening."""
        self._listen()
        return self._changes

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from the listening thread) whenever another connection commits,
        or the connection to the server comes back after a loss."""
        self._change_callbacks.append(callback)
        self._listen()

    def on_connection(self, callback: Callable[[bool], None]) -> None:
        """Call ``callback(False)`` (from the listening thread) when the server is lost, and
        ``callback(True)`` when it is back."""
        self._connection_callbacks.append(callback)
        self._listen()

    def _listen(self) -> None:
        if self._listener is None:
            self._listener = threading.Thread(
                target=self._listen_forever, name="reader-listen", daemon=True
            )
            self._listener.start()

    def _listen_forever(self) -> None:
        conn: psycopg.Connection | None = None
        lost = False
        listen = pg_sql.SQL("listen {}").format(pg_sql.Identifier(CHANGES_CHANNEL))
        while not self._closing.is_set():
            try:
                if conn is None or conn.closed or conn.broken:
                    conn = psycopg.connect(
                        self._url,
                        autocommit=True,
                        application_name="reader-listen",
                        connect_timeout=CONNECT_TIMEOUT_S,
                    )
                    conn.execute(listen)
                    if lost:
                        lost = False
                        self._connected(True)
                    self._changed()  # whatever happened while nobody listened
                for notify in conn.notifies(timeout=0.5):
                    if notify.payload != self._identity:
                        self._changed()
            except psycopg.Error:
                if conn is not None:
                    conn.close()
                conn = None
                if not lost and not self._closing.is_set():
                    lost = True
                    self._connected(False)
                self._closing.wait(0.5)
        if conn is not None:
            conn.close()

    def _connected(self, up: bool) -> None:
        for callback in list(self._connection_callbacks):
            callback(up)

    def _changed(self) -> None:
        self._changes += 1
        for callback in list(self._change_callbacks):
            callback()

    def close(self) -> None:
        self._closing.set()
        if self._listener is not None:
            self._listener.join(timeout=2)
        self._conn.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def display_name(url: str) -> PurePosixPath:
    """A path-like name for a project on a server (its database name)."""
    return PurePosixPath(database_name(url) or "reader")
