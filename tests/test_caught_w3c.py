"""A W3C annotation names its creator when the caller knows one (found by mutmut on w3c)."""

from __future__ import annotations

from reader.core.store import Store
from reader.core.w3c import annotation_item


def test_the_creator_given_is_the_items_creator(store: Store) -> None:
    document = store.documents.get(store.documents.summaries()[0].id)
    annotation = store.annotations.create(document.id, 4, 9, ["机构"], "注")
    person = {"type": "Person", "nickname": "编码员甲"}
    item = annotation_item(annotation, document, creator=lambda _: person)
    assert item["creator"] == person
    # Without one given, the creator is the annotation's coder (issue 12); None names nobody.
    assert annotation_item(annotation, document)["creator"]["name"] == annotation.coder
    assert "creator" not in annotation_item(annotation, document, creator=lambda _: None)


def test_a_project_since_a_moment_holds_what_changed_at_that_moment(store: Store) -> None:
    from reader.core.project import read_project

    first = store.annotations.create(1, 0, 4, ["甲"])
    store.gateway.execute(
        "update annotations set updated_at = '2024-01-01T00:00:00+00:00' where id = ?", [first.id]
    )
    second = store.annotations.create(1, 10, 14, ["乙"])
    stamp = store.annotations.get(second.id).updated_at
    assert [a.id for a in read_project(store, since=stamp).annotations] == [second.id]
    assert len(read_project(store, since="2024-01-01T00:00:00+00:00").annotations) == 2
