"""What the store needs from a database: the one interface every backend implements.

The job modules (documents, annotations, tags, history, preferences) speak SQL only through a
:class:`Gateway`: ``?`` placeholders, portable SQL (``insert … returning id``, ``on conflict …
do update``), and the few expressions that differ between databases taken from its
:class:`Dialect`. Rows come back as plain tuples of Python values; no driver type (no
``sqlite3`` cursor or error, no sqlite-utils table) crosses this interface, so a second backend
(PostgreSQL) is one more implementation of these two classes, not a rewrite of the store.

Errors a user can act on (busy, read-only, disk full, damaged) come out as StoreError with a
sentence; a constraint the data breaks (a foreign key to a document that is gone) as
ConstraintViolation; anything else is a bug in our SQL and is not disguised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from reader.core.errors import StoreError

__all__ = ["ConnectionLost", "ConstraintViolation", "Dialect", "Gateway", "Params", "Row"]

T = TypeVar("T")

Row = tuple[Any, ...]
"""One result row: plain Python values (int, str, float, None), in the order selected."""

Params = Sequence[object]


class ConstraintViolation(StoreError):
    """The database refused a change that breaks a constraint (e.g. a document that is gone)."""


class ConnectionLost(StoreError):
    """The server went away before the transaction was sent to commit: nothing of it was
    saved, and the next statement connects again (Gateway.retrying runs it once more)."""


class Dialect(Protocol):
    """The SQL expressions that are not the same in every database, named once.

    Each method takes SQL expressions (column names, or ``?``) and returns an expression.
    """

    def group_concat(self, expression: str, separator: str, *, order_by: str) -> str:
        """The values of ``expression`` in a group joined by ``separator`` (a literal), in the
        order of ``order_by`` (PostgreSQL: ``string_agg(expression, separator order by ...)``)."""
        ...

    def first_code_point(self, expression: str) -> str:
        """The first character of a text as an integer code point (NULL for empty text)."""
        ...

    def contains(self, haystack: str, needle: str) -> str:
        """A condition: ``needle`` occurs in ``haystack`` (plain text, no wildcards)."""
        ...

    def json_list(self, rows: str, *columns: str) -> str:
        """A scalar subquery: the text of a JSON array of the query ``rows``' values of
        ``columns``, in its order (one column: the values; more: an array per row; ``[]``
        when it has no row), so one result row can carry a list."""
        ...

    def locking_read(self) -> str:
        """What ends a ``select`` whose rows stay locked until the transaction ends (so a
        concurrent transaction changing them waits); "" where a write transaction holds the
        whole database anyway."""
        ...

    # Whole statements, where the databases differ in more than an expression.

    def together(self, writes: Sequence[str], last: str) -> str | None:
        """One statement that runs ``writes`` (statements whose results nobody reads) and
        ``last`` (whose rows, if any, are the result), their parameters in that order, where
        the database has one (PostgreSQL: a data-modifying WITH); None: run them one after
        the other. They see one snapshot and run in no set order: only for statements on
        rows no other of them touches."""
        ...

    def next_annotation_id(self) -> str:
        """A query whose one value is an annotation id never handed out before (nor by undo
        brought back); it is handed out by asking. Inside any write transaction."""
        ...

    def reserve_annotation_ids(self) -> str:
        """A statement with one parameter, an id: no id up to it is handed out afterwards.
        Only inside an exclusive write transaction (no concurrent one hands ids out meanwhile)."""
        ...


class Gateway(Protocol):
    """One open database: statements, transactions, and what only this backend can tell."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def location(self) -> str:
        """Where the database is, as a user would name it (a path; a URL for a server)."""
        ...

    @property
    def coder(self) -> str:
        """Who this session codes as: every annotation it creates and every undo step it logs
        records this name, and undo takes back only this coder's actions. SQLite: given when
        opened (``--coder``, READER_CODER, the OS user); PostgreSQL: the role (current_user)."""
        ...

    @property
    def read_only(self) -> bool:
        """True when nothing can be written: transaction() refuses with a StoreError."""
        ...

    def execute(self, sql: str, params: Params = ()) -> None:
        """Run one statement whose rows, if any, are not wanted."""
        ...

    def execute_many(self, sql: str, rows: Iterator[Params] | Sequence[Params]) -> None:
        """Run one statement once per parameter row (bulk inserts)."""
        ...

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """All the rows of a query."""
        ...

    def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> Iterator[list[Row]]:
        """A large result in batches of up to ``batch`` rows, without holding all of it."""
        ...

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        ...

    def insert(self, sql: str, params: Params = ()) -> int:
        """Run an ``insert … returning id`` and give the new row's id."""
        ...

    def columns(self, table: str) -> list[str]:
        """The column names of a table, in order."""
        ...

    @property
    def notices(self) -> list[str]:
        """Sentences about what was found on opening and worked around (for the front end)."""
        ...

    def transaction(self, *, concurrent: bool = False) -> AbstractContextManager[None]:
        """A write transaction: all of it commits, or (on any exception) none of it.

        It takes the write lock up front, so a read-then-write never fails on a snapshot another
        program made stale. Nested, it is a savepoint of the outer one.

        ``concurrent``: the block is one annotation action, which changes only rows it first
        locked (Dialect.locking_read: one annotation, its tags, the coder's own undo steps)
        and adds tags and ids race-free. A server runs such transactions side by side (a
        team's coders do not wait for each other); every other write transaction waits for
        all of them, and they for it. A file has one writer at a time either way.
        """
        ...

    def retrying(self, action: Callable[[], T]) -> T:
        """Run ``action``, one transaction of its own; when it fails with ConnectionLost (a
        server restarted since the last statement: nothing was saved), connect again and
        run it once more, so a restart between two actions is not the user's to notice.
        Inside a transaction, or on a file, it runs once."""
        ...

    def scanning(self) -> AbstractContextManager[None]:
        """Around one long read of large values (a search over every text): SQLite maps the
        file into memory for its duration; a backend without such a knob does nothing."""
        ...

    def bulk_writes(self) -> AbstractContextManager[None]:
        """Around one transaction that writes many rows into large indexes (an import of many
        documents): SQLite lets its page cache grow for its duration, so index pages are not
        spilled and read back; a backend without such a knob does nothing."""
        ...

    def read_utf8(
        self, table: str, column: str, row_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[bytes] | None:
        """Pieces of one stored text's UTF-8 bytes, each ``(offset, length)`` (cut at the end of
        the value), read without the rest of it; None when this backend cannot (the caller
        then reads by characters)."""
        ...

    def read_snapshot(self) -> AbstractContextManager[None]:
        """Reads that all see one state of the database, whatever other programs commit
        meanwhile (several queries that must agree, as an export's sheets). Inside a
        transaction, that transaction is the snapshot."""
        ...

    def change_token(self) -> int:
        """A number that changes when another connection commits (not on our own commits).

        Cheap enough to poll every second or two.
        """
        ...

    def close(self) -> None: ...
