"""The store's SQL goes through one Gateway, and what only SQLite understands comes from its
Dialect or its named methods: a second backend (PostgreSQL) is one more Gateway, not a rewrite.

The workload runs the real store on a real SQLite file through a Gateway that records every
statement the job modules send; the statements must not use SQLite-only syntax.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

import pytest

from reader.core.export import write_csv
from reader.core.importing import import_seeds
from reader.core.restore import import_csv
from reader.core.search import Query, search
from reader.core.store import Store
from reader.core.store.gateway import Dialect, Params, Row
from reader.core.store.sqlite import SQLiteGateway

T = TypeVar("T")

SQLITE_ONLY = (
    r"\bpragma\b",
    r"\bgroup_concat\s*\(",
    r"\bunicode\s*\(",
    r"\binstr\s*\(",
    r"\bglob\b",
    r"\btypeof\s*\(",
    r"\browid\b",
    r"\blast_insert_rowid\b",
    r"\bifnull\s*\(",
    r"\bautoincrement\b",
    r"\[\w+\]",  # [column] quoting
    r"\bmax\s*\([^()]*,",  # scalar max(a, b)
    r"\bjson_group_array\s*\(",
    r"\bnextval\s*\(",
)


class RecordingDialect:
    """SQLite's dialect, remembering each expression it hands out."""

    def __init__(self, inner: Dialect) -> None:
        self.inner = inner
        self.made: set[str] = set()

    def _keep(self, expression: str) -> str:
        self.made.add(expression)
        return expression

    def group_concat(self, expression: str, separator: str, *, order_by: str) -> str:
        return self._keep(self.inner.group_concat(expression, separator, order_by=order_by))

    def first_code_point(self, expression: str) -> str:
        return self._keep(self.inner.first_code_point(expression))

    def contains(self, haystack: str, needle: str) -> str:
        return self._keep(self.inner.contains(haystack, needle))

    def json_list(self, rows: str, *columns: str) -> str:
        return self._keep(self.inner.json_list(rows, *columns))

    def locking_read(self) -> str:
        return self._keep(self.inner.locking_read())

    def together(self, writes: Sequence[str], last: str) -> str | None:
        return self.inner.together(writes, last)

    def next_annotation_id(self) -> str:
        return self._keep(self.inner.next_annotation_id())

    def reserve_annotation_ids(self) -> str:
        return self._keep(self.inner.reserve_annotation_ids())


class RecordingGateway:
    """The real SQLite gateway, with every statement of the job modules written down."""

    def __init__(self, inner: SQLiteGateway) -> None:
        self.inner = inner
        self.dialect = RecordingDialect(inner.dialect)
        self.statements: list[str] = []

    @property
    def location(self) -> str:
        return self.inner.location

    @property
    def read_only(self) -> bool:
        return self.inner.read_only

    @property
    def coder(self) -> str:
        return self.inner.coder

    @property
    def notices(self) -> list[str]:
        return self.inner.notices

    def _seen(self, sql: str) -> str:
        self.statements.append(sql)
        return sql

    def execute(self, sql: str, params: Params = ()) -> None:
        self.inner.execute(self._seen(sql), params)

    def execute_many(self, sql: str, rows: Iterator[Params] | Sequence[Params]) -> None:
        self.inner.execute_many(self._seen(sql), rows)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        return self.inner.query(self._seen(sql), params)

    def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> Iterator[list[Row]]:
        return self.inner.stream(self._seen(sql), params, batch=batch)

    def one(self, sql: str, params: Params = ()) -> Row | None:
        return self.inner.one(self._seen(sql), params)

    def insert(self, sql: str, params: Params = ()) -> int:
        return self.inner.insert(self._seen(sql), params)

    def columns(self, table: str) -> list[str]:
        return self.inner.columns(table)

    def transaction(self, *, concurrent: bool = False) -> AbstractContextManager[None]:
        return self.inner.transaction(concurrent=concurrent)

    def read_snapshot(self) -> AbstractContextManager[None]:
        return self.inner.read_snapshot()

    def retrying(self, action: Callable[[], T]) -> T:
        return self.inner.retrying(action)

    def read_utf8(
        self, table: str, column: str, row_id: int, ranges: Sequence[tuple[int, int]]
    ) -> list[bytes] | None:
        return self.inner.read_utf8(table, column, row_id, ranges)

    def scanning(self) -> AbstractContextManager[None]:
        return self.inner.scanning()

    def change_token(self) -> int:
        return self.inner.change_token()

    def close(self) -> None:
        self.inner.close()


def portability_problems(gateway: RecordingGateway) -> list[str]:
    problems = []
    for statement in dict.fromkeys(gateway.statements):
        rest = statement
        for expression in gateway.dialect.made:  # what the dialect wrote is its business
            rest = rest.replace(expression, "")
        for pattern in SQLITE_ONLY:
            if re.search(pattern, rest, re.IGNORECASE):
                problems.append(f"{pattern} in: {statement}")
    return problems


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[tuple[Store, RecordingGateway]]:
    gateway = RecordingGateway(SQLiteGateway(tmp_path / "a.db"))
    store = Store.on(gateway)
    yield store, gateway
    store.close()


def test_every_job_speaks_portable_sql_through_the_gateway(
    recorded: tuple[Store, RecordingGateway], tmp_path: Path
) -> None:
    store, gateway = recorded
    import_seeds(store)
    document = store.documents.summaries()[0].id
    text = store.documents.get(document).text
    created = store.annotations.create(document, 10, 20, ["政策"], "第一")
    store.annotations.set_tags(created.id, ["政策", "=公式"])
    store.annotations.set_comment(created.id, "第二")
    store.annotations.set_range(created.id, 30, 40)
    store.annotations.delete(created.id)
    assert store.history.undo() is not None and store.history.redo() is not None
    store.history.undo()
    spans = [(m.document_id, m.start, m.end) for m in search(store, Query("长春"))][:5]
    created_count, _ = store.annotations.autocode("地名", spans)
    assert sum(created_count.values()) == len(spans)
    assert store.history.undo() is not None  # the batch
    store.preferences.update(script="s2twp", last_document=document, fold_boilerplate=True)
    assert store.preferences.load().script == "s2twp"
    store.preferences.set_position(document, 42)
    assert store.preferences.position(document) == 42
    assert store.documents.matching("汽车城")
    out = io.StringIO()
    assert write_csv(store, out, tags=["政策"]) == 1
    export = tmp_path / "out.csv"
    export.write_text(out.getvalue(), encoding="utf-8")
    store.annotations.delete(store.annotations.for_document(document)[0].id)
    assert import_csv(store, export).added == 1
    store.documents.add_version(
        document, text=text.replace("长春", "长春市", 1), content_hash="x", title="改"
    )
    assert [v.version for v in store.documents.versions(document)] == [1]

    assert len(set(gateway.statements)) > 40  # the workload went through the gateway
    made = gateway.dialect.made
    assert {"group_concat", "unicode", "instr"} <= {e.split("(")[0] for e in made}
    assert any("json_group_array" in e for e in made)  # json_list: a snapshot's tag names
    assert any("store_meta" in e for e in made)  # next_annotation_id, reserve_annotation_ids
    assert portability_problems(gateway) == []


def test_sqlite_only_syntax_outside_the_dialect_is_caught(
    recorded: tuple[Store, RecordingGateway],
) -> None:
    """The check above can fail: a statement with SQLite's own syntax is reported."""
    _, gateway = recorded
    gateway.execute("PRAGMA user_version")
    gateway.query("select group_concat(name, ', ') from tags")
    gateway.query("select [name] from tags")
    gateway.one("select max(1, 2)")
    assert len(portability_problems(gateway)) == 4
