"""What only the PostgreSQL backend has to get right: the same schema and history as SQLite,
credentials that never show, a lost connection, other coders' commits, and the CLI on a URL.

(Everything the store does is tested on both backends by the modules conftest.BOTH_BACKENDS
names; these are the PostgreSQL gateway's own cases, on the tests' own server.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from pg_support import Cluster
from support import SIMPLIFIED_SEED

from reader.cli import cli
from reader.core.importing import import_seeds
from reader.core.store import Store, StoreError
from reader.core.store.postgres import PostgresGateway, _numbered, masked
from reader.core.store.sqlite import expected_columns, known_migrations


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (a deadline, not a speed target)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_schema_and_its_history_are_sqlites(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        applied = [
            row[0]
            for row in store.gateway.query("select name from schema_migrations order by applied_at")
        ]
        assert applied == known_migrations()
        for table, columns in expected_columns().items():
            if table.startswith(("_", "sqlite_")):
                continue
            assert set(store.gateway.columns(table)) == columns, table
    finally:
        store.close()


def test_opening_twice_migrates_once_and_keeps_the_data(pg_url: str) -> None:
    first = Store(pg_url)
    import_seeds(first)
    document = first.documents.summaries()[0].id
    first.annotations.create(document, 3, 9, ["地名"], "")
    first.close()
    again = Store(pg_url)
    try:
        assert again.documents.count() == 2
        assert [a.tags[0].name for a in again.annotations.for_document(document)] == ["地名"]
    finally:
        again.close()


def test_a_newer_schema_is_refused_untouched(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "insert into schema_migrations (migration_set, name, applied_at)"
            " values ('reader', 'm999_from_the_future', '9999')"
        )
    with pytest.raises(StoreError, match=r"newer version of reader.*m999_from_the_future"):
        Store(pg_url)


def test_a_password_in_the_url_is_refused_and_never_shown(pg_url: str) -> None:
    with_password = pg_url.replace("postgresql://", "postgresql://coder:s3cret@localhost")
    with pytest.raises(StoreError) as raised:
        Store(with_password)
    assert "s3cret" not in str(raised.value)
    assert "~/.pgpass" in str(raised.value)
    assert masked("postgresql://ann:pw@db/p?sslmode=require") == (
        "postgresql://ann:***@db/p?sslmode=require"
    )
    assert masked("postgresql://db/p?password=pw&user=ann") == (
        "postgresql://db/p?password=***&user=ann"
    )


def test_an_unreachable_server_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="Cannot connect to postgresql:///nothing"):
        Store(f"postgresql:///nothing?host={tmp_path}&connect_timeout=2")


def test_placeholders_never_touch_literals_and_values_pass_as_parameters(store_pg: Store) -> None:
    assert _numbered("select '?', \"a?\", ?, ? where x like '%a'") == (
        "select '?', \"a?\", $1, $2 where x like '%a'"
    )
    document = store_pg.documents.summaries()[0].id
    hostile = "'); drop table annotations; -- ? %s %(x)s 100%"
    created = store_pg.annotations.create(document, 1, 5, [hostile], hostile)
    again = store_pg.annotations.get(created.id)
    assert again is not None
    assert again.comment == hostile
    assert [tag.name for tag in again.tags] == [hostile]


def test_a_nul_character_is_refused_with_a_sentence(store_pg: Store) -> None:
    document = store_pg.documents.summaries()[0].id
    with pytest.raises(StoreError, match=r"U\+0000"):
        store_pg.annotations.create(document, 1, 5, [], "a\x00b")
    assert store_pg.annotations.for_document(document) == []


def test_read_only_refuses_writes(store_pg: Store, pg_url: str) -> None:
    reading = Store(pg_url, read_only=True)
    try:
        assert reading.read_only
        document = reading.documents.summaries()[0].id
        with pytest.raises(StoreError, match="read-only"):
            reading.annotations.create(document, 1, 5, [], "")
    finally:
        reading.close()


def test_another_connections_commit_changes_the_token_ours_does_not(
    store_pg: Store, pg_url: str
) -> None:
    token = store_pg.change_token()
    assert wait_for(lambda: store_pg.change_token() != token)  # the listener's first report
    token = store_pg.change_token()
    document = store_pg.documents.summaries()[0].id
    store_pg.annotations.create(document, 1, 5, ["我的"], "")
    other = Store(pg_url)
    try:
        assert not wait_for(lambda: store_pg.change_token() != token, seconds=1.0)
        other.annotations.create(document, 6, 9, ["别人的"], "")
        assert wait_for(lambda: store_pg.change_token() != token)
    finally:
        other.close()


def test_a_lost_connection_reconnects_and_a_gone_server_is_a_sentence(
    store_pg: Store, pg_url: str, pg_cluster: Cluster
) -> None:
    document = store_pg.documents.summaries()[0].id
    first = store_pg.annotations.create(document, 1, 5, ["甲"], "")
    gateway = store_pg.gateway
    assert isinstance(gateway, PostgresGateway)
    database = pg_url.split("?")[0].rsplit("/", 1)[1]

    def cut(*, refuse: bool) -> None:
        with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
            if refuse:
                admin.execute(f'alter database "{database}" with allow_connections false')
            admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s",
                [database],
            )

    cut(refuse=False)  # a server restart, as the store sees it
    second = store_pg.annotations.create(document, 6, 9, ["乙"], "")  # connected again
    cut(refuse=True)  # a server that is not back yet
    with pytest.raises(StoreError, match="Cannot connect"):
        store_pg.annotations.create(document, 10, 12, ["丙"], "")
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
        admin.execute(f'alter database "{database}" with allow_connections true')
    third = store_pg.annotations.create(document, 10, 12, ["丙"], "")
    assert [a.id for a in store_pg.annotations.for_document(document)] == [
        first.id,
        second.id,
        third.id,
    ]


def test_the_commands_take_a_url_in_db_and_in_reader_db(pg_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", "--db", pg_url, str(SIMPLIFIED_SEED)])
    assert imported.exit_code == 0, imported.output
    assert "Imported 1 file" in imported.output
    target = tmp_path / "out.csv"
    exported = runner.invoke(
        cli, ["export", "-o", str(target)], env={"READER_DB": pg_url}, catch_exceptions=False
    )
    assert exported.exit_code == 0, exported.output
    assert target.read_text(encoding="utf-8").startswith('"annotation_id"')
    wrong = runner.invoke(cli, ["export", "--db", "mysql://x/y"])
    assert wrong.exit_code != 0
    assert "postgresql:// URL" in wrong.output


@pytest.fixture
def store_pg(pg_url: str) -> Iterator[Store]:
    opened = Store(pg_url)
    import_seeds(opened)
    yield opened
    opened.close()


def test_an_action_lost_before_its_commit_runs_once_more_on_a_new_connection(
    store_pg: Store, pg_url: str, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart can land after the socket was checked: the action, sent without waiting
    (pipeline mode), fails before its COMMIT went out, so nothing of it was saved, and it
    runs once more on a new connection instead of failing. Exactly one annotation results."""
    gateway = store_pg.gateway
    assert isinstance(gateway, PostgresGateway)
    document = store_pg.documents.summaries()[0].id
    store_pg.annotations.create(document, 1, 5, ["甲"], "")
    database = pg_url.split("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
        admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s"
            " and pid <> pg_backend_pid()",
            [database],
        )
    monkeypatch.setattr(gateway, "_socket_quiet", lambda: True)  # the loss not yet seen
    made = store_pg.annotations.create(document, 6, 9, ["乙"], "重来")
    assert [(a.start, a.comment) for a in store_pg.annotations.for_document(document)] == [
        (1, ""),
        (6, "重来"),
    ]
    assert made.id == store_pg.annotations.for_document(document)[1].id
