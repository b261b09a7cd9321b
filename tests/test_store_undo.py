"""Undo and redo of every annotation action, kept in the database across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.store import Store, StoreError


def state(store: Store) -> list[tuple]:
    """Everything a user can see of the annotations (not updated_at, which undo refreshes)."""
    return [
        (a.id, a.document_id, a.start, a.end, a.quote, a.comment, [t.name for t in a.tags])
        for a in store.annotations.all()
    ]


def test_each_action_undoes_and_redoes(store: Store) -> None:
    document = store.documents.summaries()[0].id
    created = store.annotations.create(document, 100, 120, ["产业"], "first")
    states = [state(store)]
    store.annotations.set_tags(created.id, ["产业", "政策"])
    states.append(state(store))
    store.annotations.set_comment(created.id, "second\nline")
    states.append(state(store))
    moved = store.annotations.set_range(created.id, 200, 230)
    assert moved.quote == store.documents.get(document).text[200:230]
    states.append(state(store))
    store.annotations.delete(created.id)
    states.append(state(store))
    assert states[-1] == []

    actions = ["delete", "range", "comment", "tags", "create"]
    for expected_state, action in zip(reversed(states[:-1]), actions, strict=False):
        result = store.history.undo()
        assert result is not None
        assert (result.action, result.annotation_id, result.document_id) == (
            action,
            created.id,
            document,
        )
        assert result.description.startswith("Undid")
        assert state(store) == expected_state
    result = store.history.undo()
    assert result is not None and result.action == "create" and result.annotation is None
    assert state(store) == []
    assert store.history.undo() is None

    for expected_state in states:
        result = store.history.redo()
        assert result is not None and result.description.startswith("Redid")
        assert state(store) == expected_state
    assert store.history.redo() is None


def test_undo_delete_restores_same_id_tags_comment_and_prefix(store: Store) -> None:
    document = store.documents.summaries()[1].id
    kept = store.annotations.create(document, 10, 30, ["甲", "乙", "丙"], "原来的评论")
    row = store.gateway.one(
        "select quote, prefix, suffix, created_at from annotations where id = ?", [kept.id]
    )
    store.annotations.delete(kept.id)
    with pytest.raises(StoreError):
        store.annotations.get(kept.id)
    store.history.undo()
    back = store.annotations.get(kept.id)
    assert sorted(t.name for t in back.tags) == sorted(["甲", "乙", "丙"])
    assert (back.comment, back.start, back.end) == ("原来的评论", 10, 30)
    assert (
        store.gateway.one(
            "select quote, prefix, suffix, created_at from annotations where id = ?", [kept.id]
        )
        == row
    )


def test_deleted_id_is_never_reused(store: Store) -> None:
    document = store.documents.summaries()[0].id
    first = store.annotations.create(document, 1, 5)
    store.annotations.delete(first.id)
    second = store.annotations.create(document, 6, 9)
    assert second.id != first.id
    store.history.undo()  # the second create
    store.history.undo()  # the delete
    assert store.annotations.get(first.id).start == 1


def test_new_action_clears_redo(store: Store) -> None:
    document = store.documents.summaries()[0].id
    created = store.annotations.create(document, 1, 5, comment="a")
    store.annotations.set_comment(created.id, "b")
    store.history.undo()
    assert store.history.can_redo()
    store.annotations.set_tags(created.id, ["x"])
    assert not store.history.can_redo()
    assert store.history.redo() is None
    assert store.annotations.get(created.id).comment == "a"


def test_history_survives_restart(db_path: Path, store: Store) -> None:
    document = store.documents.summaries()[0].id
    created = store.annotations.create(document, 1, 5, ["x"])
    store.annotations.set_comment(created.id, "before restart")
    store.close()
    reopened = Store(db_path)
    result = reopened.history.undo()
    assert result is not None and result.action == "comment"
    assert reopened.annotations.get(created.id).comment == ""
    reopened.close()
    again = Store(db_path)
    assert again.history.redo() is not None
    assert again.annotations.get(created.id).comment == "before restart"
    again.close()


def test_set_range_checks_bounds_and_reanchors_orphans(store: Store) -> None:
    document = store.documents.get(store.documents.summaries()[0].id)
    created = store.annotations.create(document.id, 1, 5)
    with pytest.raises(StoreError):
        store.annotations.set_range(created.id, 5, 5)
    with pytest.raises(StoreError):
        store.annotations.set_range(created.id, 0, len(document.text) + 1)
    with pytest.raises(StoreError):
        store.annotations.set_range(987654, 0, 3)
    store.gateway.execute("update annotations set status = 'orphan' where id = ?", [created.id])
    moved = store.annotations.set_range(created.id, 40, 50)
    assert (moved.quote, moved.status) == (document.text[40:50], "active")
    prefix, suffix = store.gateway.one(
        "select prefix, suffix from annotations where id = ?", [created.id]
    )
    assert prefix == document.text[8:40] and suffix == document.text[50:82]


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "tags", "comment", "range", "delete"]),
        st.integers(0, 10_000),
        st.integers(1, 40),
        st.sampled_from(["", "评论", "=1+1", "多行\n评论"]),
        st.lists(st.sampled_from(["产业", "政策", "人物", "-负"]), max_size=3),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_undo_all_then_redo_all_round_trips(store: Store, actions: list[tuple]) -> None:
    """Any sequence of actions, undone completely, gives the start state; redone, the end."""
    store.gateway.execute("delete from undo_log")
    document = store.documents.get(store.documents.summaries()[0].id)
    start_state = state(store)
    done = 0
    for kind, position, length, comment, tags in actions:
        ids = [a[0] for a in state(store)]
        start = position % (len(document.text) - 50)
        if kind == "create" or not ids:
            store.annotations.create(document.id, start, start + length, tags, comment)
        else:
            target = ids[position % len(ids)]
            if kind == "tags":
                store.annotations.set_tags(target, tags)
            elif kind == "comment":
                store.annotations.set_comment(target, comment)
            elif kind == "range":
                store.annotations.set_range(target, start, start + length)
            else:
                store.annotations.delete(target)
        done += 1
    end_state = state(store)
    for _ in range(done):
        assert store.history.undo() is not None
    assert state(store) == start_state
    for _ in range(done):
        assert store.history.redo() is not None
    assert state(store) == end_state
    for annotation_id, *_ in end_state:
        store.annotations.delete(annotation_id)


def test_undo_whose_document_is_gone_is_skipped_not_stuck(store: Store) -> None:
    kept = store.annotations.create(store.documents.summaries()[0].id, 1, 5, comment="kept")
    store.annotations.set_comment(kept.id, "changed")
    scratch = store.documents.add(text="临时文档，马上删除。", title="临时")
    doomed = store.annotations.create(scratch, 0, 2)
    store.annotations.delete(doomed.id)
    store.gateway.execute("delete from documents where id = ?", [scratch])
    with pytest.raises(StoreError, match="no longer in the library"):
        store.history.undo()
    result = store.history.undo()  # the create of the doomed one: deleting nothing is fine
    assert result is not None and result.action == "create"
    result = store.history.undo()
    assert result is not None and result.action == "comment"
    assert store.annotations.get(kept.id).comment == "kept"


def test_undo_after_a_reimport_keeps_the_annotation_on_its_passage(tmp_path: Path) -> None:
    from reader.core.importing import import_file

    article = tmp_path / "article.txt"
    article.write_text("开头。政策文本在这里。\n结尾。\n", encoding="utf-8")
    store = Store(tmp_path / "a.db")
    document_id = import_file(store, article).document_id
    text = store.documents.get(document_id).text
    start = text.index("政策文本")
    annotation = store.annotations.create(document_id, start, start + 4, tags=["政策"])
    store.annotations.set_comment(annotation.id, "要点")
    article.write_text("新加的一段话在最前面。\n开头。政策文本在这里。\n结尾。\n", encoding="utf-8")
    assert import_file(store, article).moved == 1
    moved = store.annotations.get(annotation.id)
    store.history.undo()  # the comment: the passage must stay where re-anchoring put it
    after = store.annotations.get(annotation.id)
    new_text = store.documents.get(document_id).text
    assert after.comment == ""
    assert (after.start, after.end) == (moved.start, moved.end)
    assert new_text[after.start : after.end] == after.quote == "政策文本"
    store.history.undo()  # the creation: gone
    # Back, but its snapshot's offsets are from the old text: an orphan, not a guess.
    store.history.redo()
    again = store.annotations.get(annotation.id)
    assert (again.status, again.quote) == ("orphan", "政策文本")
    store.close()
