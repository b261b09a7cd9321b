"""Roles enforced by the server: a coder cannot touch another coder's annotation even through
psycopg directly (as psql would), a viewer cannot write at all, and `reader team` manages it."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from click.testing import CliRunner
from pg_support import Cluster

from reader.cli import cli
from reader.core.importing import import_seeds
from reader.core.store import Store, StoreError
from reader.core.store.postgres import PostgresGateway, database_name
from reader.core.store.team import TeamRole, add_member, members


def as_role(url: str, role: str) -> str:
    return url.replace("user=postgres", f"user={role}")


@pytest.fixture
def project(pg_url: str, pg_cluster: Cluster) -> Iterator[str]:
    """A project with the samples, a lead, two coders and a viewer (roles are the server's:
    unique names per test)."""
    names = names_of(pg_url)
    store = Store(pg_url)
    import_seeds(store)
    assert isinstance(store.gateway, PostgresGateway)
    add_member(store.gateway, names["lead"], TeamRole.LEAD)
    add_member(store.gateway, names["ann"], TeamRole.CODER)
    add_member(store.gateway, names["bob"], TeamRole.CODER)
    add_member(store.gateway, names["vic"], TeamRole.VIEWER)
    store.close()
    yield pg_url
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'drop role if exists "{name}"')


def names_of(url: str) -> dict[str, str]:
    suffix = database_name(url)
    return {role: f"{role}_{suffix}" for role in ("lead", "ann", "bob", "vic")}


def test_a_coder_cannot_change_another_coders_annotation_even_directly(project: str) -> None:
    names = names_of(project)
    ann = Store(as_role(project, names["ann"]))
    document = ann.documents.summaries()[0].id
    made = ann.annotations.create(document, 10, 20, ["政策"], "安的")
    assert ann.annotations.get(made.id).coder == names["ann"]  # type: ignore[union-attr]
    ann.close()

    with psycopg.connect(as_role(project, names["bob"]), autocommit=True) as bob:
        changed = bob.execute("update annotations set comment = 'bob' where id = %s", [made.id])
        assert changed.rowcount == 0
        deleted = bob.execute("delete from annotations where id = %s", [made.id])
        assert deleted.rowcount == 0
        untagged = bob.execute("delete from annotation_tags where annotation_id = %s", [made.id])
        assert untagged.rowcount == 0
        taken = bob.execute(
            "update annotations set coder = %s, comment = 'x' where id = %s",
            [names["bob"], made.id],
        )
        assert taken.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # posing as ann
            bob.execute(
                "insert into annotations (id, document_id, start_offset, end_offset, quote,"
                " coder) values (999, %s, 1, 2, 'x', %s)",
                [document, names["ann"]],
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # documents are the lead's
            bob.execute("delete from documents")
        row = bob.execute("select comment from annotations where id = %s", [made.id]).fetchone()
        assert row == ("安的",)  # bob reads everything

    bob_store = Store(as_role(project, names["bob"]))
    try:
        own = bob_store.annotations.create(document, 30, 40, ["产业"], "鲍勃的")
        assert bob_store.annotations.set_comment(own.id, "改") is not None
        with pytest.raises(StoreError):
            bob_store.annotations.set_comment(made.id, "鲍勃改安的")
        with pytest.raises(StoreError):
            bob_store.annotations.delete(made.id)
    finally:
        bob_store.close()

    lead = Store(as_role(project, names["lead"]))
    try:
        assert lead.annotations.set_comment(made.id, "组长改") is not None  # a lead may
    finally:
        lead.close()


def test_a_viewer_cannot_write_at_all(project: str) -> None:
    names = names_of(project)
    viewer = Store(as_role(project, names["vic"]))
    try:
        assert viewer.read_only
        assert viewer.documents.count() == 2
        document = viewer.documents.summaries()[0].id
        with pytest.raises(StoreError):
            viewer.annotations.create(document, 1, 5, [], "")
    finally:
        viewer.close()
    with psycopg.connect(as_role(project, names["vic"]), autocommit=True) as vic:
        for statement in (
            "insert into tags (name) values ('x')",
            "update settings set value = 'x'",
            "delete from annotations",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                vic.execute(statement)


def test_team_add_and_list_need_a_lead(project: str) -> None:
    names = names_of(project)
    runner = CliRunner()
    listed = runner.invoke(cli, ["team", "list", "--db", project])
    assert listed.exit_code == 0, listed.output
    rows = [line.split() for line in listed.output.splitlines()]
    assert [names["ann"], "coder"] in rows
    assert [names["vic"], "viewer"] in rows
    assert [names["lead"], "lead"] in rows

    refused = runner.invoke(
        cli, ["team", "add", names["vic"], "--role", "lead", "--db", as_role(project, names["bob"])]
    )
    assert refused.exit_code != 0
    assert "Only a lead" in refused.output

    promoted = runner.invoke(cli, ["team", "add", names["vic"], "--role", "coder", "--db", project])
    assert promoted.exit_code == 0, promoted.output
    store = Store(project)
    try:
        assert isinstance(store.gateway, PostgresGateway)
        roles = {m.name: m.role for m in members(store.gateway)}
        assert roles[names["vic"]] == TeamRole.CODER
    finally:
        store.close()

    on_a_file = runner.invoke(cli, ["team", "list", "--db", "some.db"])
    assert on_a_file.exit_code != 0
    assert "PostgreSQL project" in on_a_file.output


def test_a_coder_settles_a_disagreement_only_by_changing_their_own_side(project: str) -> None:
    """Settling writes both coders' annotations: a plain coder is refused, with a sentence and
    nothing changed, where the other coder's side would change; giving in (taking the other's
    passage) changes only their own and is allowed; a lead may settle either way."""
    from reader.core.disagreement import Resolution, disagreements, resolve

    names = names_of(project)
    ann = Store(as_role(project, names["ann"]))
    bob = Store(as_role(project, names["bob"]))
    lead = Store(as_role(project, names["lead"]))
    try:
        document = ann.documents.summaries()[0].id
        ann_made = ann.annotations.create(document, 10, 20, ["政策"], "")
        bob_made = bob.annotations.create(document, 12, 22, ["政策"], "")
        (listed,) = disagreements(ann, names["ann"], names["bob"], "政策")
        coders = {"coder_a": names["ann"], "coder_b": names["bob"], "code": "政策"}

        with pytest.raises(StoreError, match=f"{names['bob']}'s"):
            resolve(ann, listed, Resolution.KEEP_A, **coders)
        assert (bob.annotations.get(bob_made.id).start, bob.annotations.get(bob_made.id).end) == (
            12,
            22,
        )
        assert len(ann.annotations.for_document(document)) == 2  # nothing added either

        (listed,) = disagreements(lead, names["ann"], names["bob"], "政策")
        assert resolve(lead, listed, Resolution.KEEP_A, **coders) == 1  # bob's moves to ann's
        moved = lead.annotations.get(bob_made.id)
        assert (moved.start, moved.end, moved.coder) == (10, 20, names["bob"])
        assert disagreements(ann, names["ann"], names["bob"], "政策") == []

        bob.annotations.set_range(bob_made.id, 12, 22)  # apart again
        (listed,) = disagreements(ann, names["ann"], names["bob"], "政策")
        assert resolve(ann, listed, Resolution.KEEP_B, **coders) == 1  # ann gives in
        given = ann.annotations.get(ann_made.id)
        assert (given.start, given.end) == (12, 22)
    finally:
        for store in (ann, bob, lead):
            store.close()
