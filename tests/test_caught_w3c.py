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
    assert "creator" not in annotation_item(annotation, document)
    assert "creator" not in annotation_item(annotation, document, creator=lambda _: None)
