"""Each code's path in the codebook (the names of the codes above it), as the tag picker lists
them: read in one query, in the tree's order, with the tree's own rules for a parent that is
gone or a cycle another program wrote."""

from __future__ import annotations

from typing import Any

import pytest
from payloads import ALL as PAYLOADS

from reader.core.models import PlacedCode
from reader.core.store import Store
from reader.core.store.codebook import ABOVE_KEPT


@pytest.fixture
def coded(store: Store) -> Store:
    """The samples with 经济 > 产业 > 汽车, 经济 > 政策, and 地名 at the top level."""
    first = store.documents.summaries()[0].id
    store.annotations.create(first, 0, 4, ["汽车", "地名"])
    store.annotations.create(first, 10, 20, ["政策", "产业"])
    economy = store.tags.ensure_tag("经济").id
    store.codebook.move(store.codebook.find("产业") or 0, economy)
    store.codebook.move(store.codebook.find("汽车") or 0, store.codebook.find("产业"))
    store.codebook.move(store.codebook.find("政策") or 0, economy)
    return store


def paths(store: Store) -> list[tuple[str, tuple[str, ...]]]:
    return [(place.name, place.above) for place in store.codebook.placed()]


def test_each_code_has_its_path_in_tree_order(coded: Store) -> None:
    assert paths(coded) == [
        ("地名", ()),
        ("经济", ()),
        ("产业", ("经济",)),
        ("汽车", ("经济", "产业")),
        ("政策", ("经济",)),
    ]
    # The same order, ids and colours the codebook screen shows.
    assert [(p.id, p.name, p.color) for p in coded.codebook.placed()] == [
        (c.id, c.name, c.color) for c in coded.codebook.codes(counts=False)
    ]
    assert all(place.skipped == 0 for place in coded.codebook.placed())


def test_the_whole_codebook_is_read_in_one_query(
    coded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(40):  # more codes must not mean more queries
        coded.tags.ensure_tag(f"细目{number}")
    gateway = coded.gateway
    calls: list[str] = []
    for method in ("query", "one", "execute"):
        original = getattr(gateway, method)

        def counted(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(str(args[0]))
            return _original(*args, **kwargs)

        monkeypatch.setattr(gateway, method, counted)
    placed = coded.codebook.placed()
    assert len(placed) == 45
    assert len(calls) == 1, calls


def test_a_move_or_rename_shows_in_the_paths_at_once(coded: Store) -> None:
    names = {place.name: place.id for place in coded.codebook.placed()}
    coded.codebook.rename(names["经济"], "经济学")
    coded.codebook.move(names["政策"], names["产业"])
    assert dict(paths(coded))["政策"] == ("经济学", "产业")
    assert dict(paths(coded))["汽车"] == ("经济学", "产业")
    coded.codebook.move(names["产业"], None)
    assert dict(paths(coded))["汽车"] == ("产业",)


def test_a_parent_that_is_gone_or_a_cycle_reads_as_the_top_level(coded: Store) -> None:
    names = {place.name: place.id for place in coded.codebook.placed()}
    db = coded.gateway
    # Another program wrote a cycle 经济 > 产业 > 汽车 > 经济, a parent that is gone, and a
    # code that is its own parent.
    db.execute("update tags set parent_id = ? where id = ?", [names["汽车"], names["经济"]])
    db.execute("update tags set parent_id = 9999 where id = ?", [names["地名"]])
    own = db.insert("insert into tags (name, color) values ('自指', null) returning id")
    db.execute("update tags set parent_id = ? where id = ?", [own, own])
    shown = dict(paths(coded))
    assert shown["地名"] == () and shown["自指"] == ()
    # The cycle is cut where the codebook screen cuts it (at 产业, first by name), and every
    # path is the one that screen shows: the parents as tree_order places them.
    assert shown["产业"] == ()
    assert shown["汽车"] == ("产业",)
    assert shown["经济"] == ("产业", "汽车")
    assert shown["政策"] == ("产业", "汽车", "经济")
    tree = {code.id: code for code in coded.codebook.codes(counts=False)}
    for place in coded.codebook.placed():
        chain: list[str] = []
        parent = tree[place.id].parent_id
        while parent is not None:
            chain.insert(0, tree[parent].name)
            parent = tree[parent].parent_id
        assert place.above == tuple(chain), place.name


def test_a_chain_thousands_deep_keeps_its_top_and_nearest_codes(store: Store) -> None:
    """Another program's chain of 3,000 codes: each path is held in ABOVE_KEPT names (the
    top-level code and the nearest ones), not in the square of the chain's length."""
    depth = 3000
    db = store.gateway
    db.execute_many(
        "insert into tags (id, name, color, parent_id) values (?, ?, null, ?)",
        [
            (number, f"层{number}", number - 1 if number > 1 else None)
            for number in range(1, depth + 1)
        ],
    )
    placed = store.codebook.placed()
    assert [place.name for place in placed] == [f"层{number}" for number in range(1, depth + 1)]
    for level, place in enumerate(placed):  # level codes above it
        if level <= ABOVE_KEPT:
            assert place.above == tuple(f"层{number}" for number in range(1, level + 1))
            assert place.skipped == 0
        else:
            nearest = tuple(f"层{number}" for number in range(level - ABOVE_KEPT + 2, level + 1))
            assert place.above == ("层1", *nearest)
            assert place.skipped == level - ABOVE_KEPT
        assert len(place.above) + place.skipped == level


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_names_are_kept_as_they_are_in_the_path(store: Store, payload: str) -> None:
    parent = store.tags.ensure_tag(payload).id
    child = store.tags.ensure_tag("子" + payload).id
    store.codebook.move(child, parent)
    assert PlacedCode(child, "子" + payload, store.codebook.get(child).color, (payload,)) in (
        store.codebook.placed()
    )
