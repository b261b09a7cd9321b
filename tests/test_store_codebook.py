"""The codebook in the store: the tree of codes, its actions, memos, each one undoable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from payloads import ALL as PAYLOADS
from sqlite_utils import Database

from reader.core.models import Code
from reader.core.store import Store, StoreError
from reader.core.store.migrations import migrations


def codebook_state(store: Store) -> list[tuple]:
    """What a user can see of the codebook and of every annotation's codes."""
    codes = [
        (c.id, c.name, c.color, c.parent_id, c.description, c.memo, c.passages, c.depth)
        for c in store.codebook.codes()
    ]
    coded = [(a.id, sorted(t.name for t in a.tags), a.comment) for a in store.annotations.all()]
    memos = [store.codebook.document_memo(d.id) for d in store.documents.summaries()]
    return [codes, coded, memos]


def ids(store: Store) -> dict[str, int]:
    return {code.name: code.id for code in store.codebook.codes()}


@pytest.fixture
def coded(store: Store) -> Store:
    """Both samples with a small codebook: 经济 > 产业 > 汽车, 经济 > 政策, and 地名; passages
    coded with one code, two, and a comment."""
    first, second = (d.id for d in store.documents.summaries())
    store.annotations.create(first, 0, 4, ["汽车", "地名"], "a comment")
    store.annotations.create(first, 10, 20, ["产业"])
    store.annotations.create(first, 30, 40, ["政策", "产业"])
    store.annotations.create(second, 5, 9, ["汽车"])
    store.annotations.create(second, 50, 60, ["政策"])
    names = ids(store)
    store.codebook.move(names["产业"], store.tags.ensure_tag("经济").id)
    store.codebook.move(names["汽车"], names["产业"])
    store.codebook.move(names["政策"], ids(store)["经济"])
    return store


def independent_counts(store: Store) -> dict[str, tuple[int, int]]:
    """(passages, documents) per code, from the annotations themselves."""
    counts: dict[str, tuple[int, set[int]]] = {}
    for annotation in store.annotations.all():
        for tag in annotation.tags:
            passages, documents = counts.get(tag.name, (0, set()))
            counts[tag.name] = (passages + 1, documents | {annotation.document_id})
    return {name: (passages, len(documents)) for name, (passages, documents) in counts.items()}


def test_codes_are_a_tree_in_order_with_counts(coded: Store) -> None:
    codes = coded.codebook.codes()
    assert [(c.name, c.depth) for c in codes] == [
        ("地名", 0),
        ("经济", 0),
        ("产业", 1),
        ("汽车", 2),
        ("政策", 1),
    ]
    by_name = {c.name: c for c in codes}
    assert by_name["汽车"].parent_id == by_name["产业"].id
    assert by_name["经济"].parent_id is None
    expected = independent_counts(coded)
    for code in codes:
        assert (code.passages, code.documents) == expected.get(code.name, (0, 0))
    assert (by_name["政策"].passages, by_name["政策"].documents) == (2, 2)


def test_each_codebook_action_undoes_and_redoes(coded: Store) -> None:
    names = ids(coded)
    document = coded.documents.summaries()[0].id
    states = [codebook_state(coded)]
    actions = [
        lambda: coded.codebook.rename(names["地名"], "地点"),
        lambda: coded.codebook.recolor(names["地名"], "#123ABC"),
        lambda: coded.codebook.describe(names["产业"], "industry\nand its firms"),
        lambda: coded.codebook.set_memo(names["产业"], "check 一汽 passages"),
        lambda: coded.codebook.move(names["汽车"], None),
        lambda: coded.codebook.merge(names["政策"], names["产业"]),
        lambda: coded.codebook.delete(names["经济"]),
        lambda: coded.codebook.set_document_memo(document, "memo on the article"),
    ]
    for action in actions:
        action()
        states.append(codebook_state(coded))
        assert states[-1] != states[-2]
    kinds = [
        "document_memo",
        "delete_code",
        "merge_codes",
        "move_code",
        "code_memo",
        "describe_code",
        "recolor_code",
        "rename_code",
    ]
    for expected, kind in zip(reversed(states[:-1]), kinds, strict=True):
        result = coded.history.undo()
        assert result is not None and result.action == kind and result.on_codebook
        assert result.annotation is None and result.annotation_id == 0
        assert result.description.startswith("Undid")
        assert codebook_state(coded) == expected
    for expected in states[1:]:
        result = coded.history.redo()
        assert result is not None and result.description.startswith("Redid")
        assert codebook_state(coded) == expected
    assert coded.history.redo() is None


def test_rename_and_recolour_reach_the_annotations_at_once(coded: Store) -> None:
    code = ids(coded)["汽车"]
    coded.codebook.rename(code, "  汽车工业 ")
    coded.codebook.recolor(code, "#AABBCC")
    carrying = [a for a in coded.annotations.all() if any(t.id == code for t in a.tags)]
    assert len(carrying) == 2
    for annotation in carrying:
        tag = next(t for t in annotation.tags if t.id == code)
        assert (tag.name, tag.color) == ("汽车工业", "#aabbcc")
    assert "汽车工业" in [t.name for t in coded.tags.all()]


def test_merge_keeps_other_codes_and_leaves_one_on_passages_with_both(coded: Store) -> None:
    names = ids(coded)
    before = {a.id: {t.name for t in a.tags} for a in coded.annotations.all()}
    coded.codebook.set_memo(names["政策"], "policy memo")
    coded.codebook.set_memo(names["产业"], "industry memo")
    coded.codebook.describe(names["政策"], "government policy")
    target = coded.codebook.merge(names["政策"], names["产业"])
    after = {a.id: [t.name for t in a.tags] for a in coded.annotations.all()}
    for annotation_id, tags in before.items():
        wanted = {"产业" if name == "政策" else name for name in tags}
        assert sorted(after[annotation_id]) == sorted(wanted)
        assert len(after[annotation_id]) == len(set(after[annotation_id]))
    assert coded.codebook.find("政策") is None
    assert target.memo == "industry memo\n\npolicy memo"
    assert target.description == "government policy"  # the target had none
    assert target.passages == independent_counts(coded)["产业"][0] == 3


def test_merge_moves_the_children_and_a_child_target_takes_its_parents_place(
    coded: Store,
) -> None:
    names = ids(coded)
    coded.codebook.merge(names["产业"], names["经济"])
    assert coded.codebook.get(names["汽车"]).parent_id == names["经济"]
    coded.history.undo()
    # 汽车 sits under 产业: merging 产业 into it puts 汽车 where 产业 was, under 经济.
    coded.codebook.merge(names["产业"], names["汽车"])
    assert coded.codebook.get(names["汽车"]).parent_id == names["经济"]
    assert [(c.name, c.depth) for c in coded.codebook.codes()] == [
        ("地名", 0),
        ("经济", 0),
        ("政策", 1),
        ("汽车", 1),
    ]


def test_delete_says_what_it_removes_then_removes_exactly_that(coded: Store) -> None:
    names = ids(coded)
    coded.codebook.describe(names["产业"], "industry")
    removal = coded.codebook.removal(names["产业"])
    assert (removal.code, removal.passages, removal.documents) == ("产业", 2, 1)
    assert removal.left_untagged == 1  # the passage 10-20 has no other code
    assert removal.children == ("汽车",)
    assert removal.has_description and not removal.has_memo
    sentence = removal.sentence()
    assert "2 passages" in sentence and "“汽车”" in sentence and "description" in sentence
    count_before = len(list(coded.annotations.all()))
    assert coded.codebook.delete(names["产业"]) == removal
    assert len(list(coded.annotations.all())) == count_before  # passages stay
    assert coded.codebook.find("产业") is None
    assert coded.codebook.get(names["汽车"]).parent_id == names["经济"]
    assert all("产业" not in [t.name for t in a.tags] for a in coded.annotations.all())


def test_a_move_that_would_make_a_cycle_is_refused(coded: Store) -> None:
    names = ids(coded)
    state = codebook_state(coded)
    with pytest.raises(StoreError, match="under it"):
        coded.codebook.move(names["经济"], names["汽车"])
    with pytest.raises(StoreError, match="itself"):
        coded.codebook.move(names["经济"], names["经济"])
    assert codebook_state(coded) == state
    moved = coded.codebook.move(names["汽车"], names["地名"])
    assert moved.parent_id == names["地名"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s, n: s.codebook.rename(n["地名"], "政策"), "merge"),
        (lambda s, n: s.codebook.rename(n["地名"], "  \n"), "blank"),
        (lambda s, n: s.codebook.recolor(n["地名"], "red"), "#rrggbb"),
        (lambda s, n: s.codebook.recolor(n["地名"], "#ffffff; bold"), "#rrggbb"),
        (lambda s, n: s.codebook.merge(n["地名"], n["地名"]), "itself"),
        (lambda s, n: s.codebook.merge(n["地名"], 999), "no code"),
        (lambda s, n: s.codebook.set_document_memo(999, "x"), "no document"),
    ],
)
def test_bad_actions_are_refused_with_a_sentence_and_change_nothing(
    coded: Store, action, message: str
) -> None:
    state = codebook_state(coded)
    undoable = coded.history.can_undo()
    with pytest.raises(StoreError, match=message):
        action(coded, ids(coded))
    assert codebook_state(coded) == state
    assert coded.history.can_undo() == undoable


def test_undo_of_a_codebook_action_interleaves_with_annotation_actions(coded: Store) -> None:
    names = ids(coded)
    document = coded.documents.summaries()[0].id
    start = [codebook_state(coded)]
    created = coded.annotations.create(document, 70, 80, ["政策"])
    start.append(codebook_state(coded))
    coded.codebook.merge(names["政策"], names["地名"])
    coded.annotations.set_tags(created.id, ["地名", "新"])
    coded.history.undo()
    coded.history.undo()
    now = codebook_state(coded)
    # Undoing a tagging never deletes the code it made (as before the codebook): 新 stays.
    assert [c for c in now[0] if c[1] != "新"] == start[1][0]
    assert now[1:] == start[1][1:]
    assert [t.name for t in coded.annotations.get(created.id).tags] == ["政策"]
    coded.history.undo()
    assert codebook_state(coded)[1] == start[0][1]


def test_undo_takes_a_name_back_from_an_empty_code_made_since(coded: Store) -> None:
    names = ids(coded)
    before = codebook_state(coded)
    coded.codebook.rename(names["地名"], "地点")
    document = coded.documents.summaries()[0].id
    created = coded.annotations.create(document, 90, 95, ["地名"])  # a new code, that name
    coded.history.undo()  # the annotation goes; its code stays, empty
    assert coded.codebook.find("地名") not in (None, names["地名"])
    coded.history.undo()
    assert codebook_state(coded) == before
    assert created.id not in {a.id for a in coded.annotations.all()}


def test_undo_skips_a_step_whose_name_a_code_in_use_has_taken(coded: Store, db_path: Path) -> None:
    names = ids(coded)
    coded.codebook.describe(names["汽车"], "cars")
    coded.codebook.rename(names["地名"], "地点")
    other = Store(db_path)  # another program codes a passage with a new code of the old name
    other.annotations.create(other.documents.summaries()[1].id, 90, 95, ["地名"])
    other.close()
    coded.history.undo()  # the other program's annotation is the newest entry
    taken = coded.codebook.find("地名")
    assert taken is not None
    coded.gateway.execute(
        "insert into annotation_tags (annotation_id, tag_id) values (?, ?)",
        [next(iter(coded.annotations.all())).id, taken],
    )
    state = codebook_state(coded)
    with pytest.raises(StoreError, match=r"was made since.*Skipped it"):
        coded.history.undo()
    assert codebook_state(coded) == state
    result = coded.history.undo()  # the step before it is not blocked
    assert result is not None and result.action == "describe_code"
    assert coded.codebook.get(names["汽车"]).description == ""


def test_undo_of_a_merge_skips_annotations_deleted_since(coded: Store, db_path: Path) -> None:
    names = ids(coded)
    coded.codebook.merge(names["政策"], names["产业"])
    gone = next(a for a in coded.annotations.all() if a.start == 50)
    other = Store(db_path)  # another program deletes an annotation, outside our undo log
    other.gateway.execute("delete from annotation_tags where annotation_id = ?", [gone.id])
    other.gateway.execute("delete from annotations where id = ?", [gone.id])
    other.close()
    coded.history.undo()
    assert independent_counts(coded)["政策"] == (1, 1)


def test_codes_as_another_program_left_them_still_form_a_tree(coded: Store) -> None:
    names = ids(coded)
    db = coded.gateway
    # A cycle, a parent that is gone, a code its own parent, and a colour that is no colour.
    db.execute("update tags set parent_id = ? where id = ?", [names["汽车"], names["经济"]])
    db.execute("update tags set parent_id = 9999, color = 'blink' where id = ?", [names["地名"]])
    extra = db.insert("insert into tags (name, color) values ('自指', null) returning id")
    db.execute("update tags set parent_id = ? where id = ?", [extra, extra])
    codes = coded.codebook.codes()
    assert sorted(c.name for c in codes) == sorted([*names, "自指"])
    assert all(c.color.startswith("#") and len(c.color) == 7 for c in codes)
    shown = {c.name: c for c in codes}
    assert shown["地名"].parent_id is None and shown["自指"].parent_id is None
    assert sum(1 for c in codes if c.depth == 0) >= 3
    # The store refuses to move a code under one of its own (the cycle included).
    with pytest.raises(StoreError):
        coded.codebook.move(names["产业"], names["汽车"])


def test_a_deep_chain_of_codes_is_only_data(store: Store) -> None:
    db = store.gateway
    previous = None
    with store.transaction():
        for index in range(3000):
            previous = db.insert(
                "insert into tags (name, color, parent_id) values (?, '#ffffff', ?) returning id",
                [f"c{index}", previous],
            )
    codes = store.codebook.codes()
    assert len(codes) == 3000 and codes[-1].depth == 2999
    assert store.codebook.subtree_counts() is None  # 4.5 million pairs: not totalled


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_names_and_texts_are_stored_as_they_are(coded: Store, payload: str) -> None:
    names = ids(coded)
    if payload.strip():
        renamed = coded.codebook.rename(names["地名"], payload)
        assert renamed.name == payload.strip()
    described = coded.codebook.describe(names["政策"], payload)
    assert described.description == payload
    document = coded.documents.summaries()[0].id
    coded.codebook.set_document_memo(document, payload)
    assert coded.codebook.document_memo(document) == payload


def test_an_older_database_gets_the_codebook_columns(db_path: Path) -> None:
    db = Database(db_path)
    migrations.apply(db, stop_before="m010_codebook")
    db.execute("insert into tags (id, name, color) values (3, '旧', '#abcdef')")
    db.close()
    store = Store(db_path)
    assert store.codebook.codes() == [Code(3, "旧", "#abcdef", None, "", "", 0, 0)]
    store.close()
    conn = sqlite3.connect(db_path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    assert "memo" in columns
    conn.close()


async def test_u_in_the_app_undoes_a_codebook_action_and_redraws(db_path: Path) -> None:
    from reader.ui.app import make_app
    from reader.ui.widgets.annotation_panel import AnnotationPanel

    store = Store(db_path)
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        document = store.documents.summaries()[0].id
        screen = app.screen
        screen.open_document(document)
        created = store.annotations.create(document, 0, 4, ["地名"])
        screen._annotations_changed(created.id)
        code = store.codebook.find("地名")
        assert code is not None
        store.codebook.rename(code, "地点")
        store.codebook.recolor(code, "#112233")
        await pilot.press("u")
        await pilot.pause()
        panel = app.screen.query_one(AnnotationPanel)
        assert [t.color for t in panel.annotations[0].tags] == ["#f4d35e"]
        await pilot.press("u")
        await pilot.pause()
        assert [t.name for t in panel.annotations[0].tags] == ["地名"]
        assert screen.document is not None and screen.document.id == document
    store.close()


# Two coders on one database: each undoes their own codebook actions, and an undo changes only
# what its action changed, so the other's work on the same codes stays.


@pytest.fixture
def two_coders(coded: Store, db_path: Path):  # type: ignore[no-untyped-def]
    anna = Store(db_path, coder="anna")
    bo = Store(db_path, coder="bo")
    yield anna, bo
    anna.close()
    bo.close()


def test_undoing_a_merge_keeps_what_another_coder_coded_since(two_coders) -> None:  # type: ignore[no-untyped-def]
    anna, bo = two_coders
    names = ids(anna)
    before = independent_counts(anna)
    anna.codebook.merge(names["政策"], names["产业"])
    document = bo.documents.summaries()[1].id
    created = bo.annotations.create(document, 100, 110, ["产业"])
    bo.codebook.describe(names["产业"], "bo's definition")
    result = anna.history.undo()
    assert result is not None and result.action == "merge_codes"
    counts = independent_counts(anna)
    assert counts["政策"] == before["政策"]
    assert counts["产业"] == (before["产业"][0] + 1, 2)  # bo's passage is still coded 产业
    assert [t.name for t in anna.annotations.get(created.id).tags] == ["产业"]
    assert anna.codebook.get(names["产业"]).description == "bo's definition"
    assert bo.history.undo() is not None  # bo's own steps are bo's
    assert bo.history.undo() is not None


def test_undoing_a_rename_keeps_another_coders_description(two_coders) -> None:  # type: ignore[no-untyped-def]
    anna, bo = two_coders
    code = ids(anna)["地名"]
    anna.codebook.rename(code, "地点")
    bo.codebook.describe(code, "places")
    anna.history.undo()
    assert (anna.codebook.get(code).name, anna.codebook.get(code).description) == (
        "地名",
        "places",
    )


def test_an_undo_that_would_remove_another_coders_passages_is_skipped(two_coders) -> None:  # type: ignore[no-untyped-def]
    from reader.core.models import CodeSpec

    anna, bo = two_coders
    anna.codebook.describe(ids(anna)["地名"], "first")
    anna.codebook.import_codes([CodeSpec("新码", "", "#abcdef", "new")], "codes.csv")
    document = bo.documents.summaries()[0].id
    bo.annotations.create(document, 200, 210, ["新码"])
    with pytest.raises(StoreError, match=r"coded since.*Skipped it"):
        anna.history.undo()
    assert anna.codebook.find("新码") is not None
    assert independent_counts(anna)["新码"] == (1, 1)
    result = anna.history.undo()  # the step before is not blocked
    assert result is not None and result.action == "describe_code"


def test_counts_alone_equal_the_tree_s_counts_and_the_tree_alone_has_none(coded: Store) -> None:
    counts = coded.codebook.counts()
    names = ids(coded)
    assert {name: counts[code] for name, code in names.items() if code in counts} == (
        independent_counts(coded)
    )
    bare = coded.codebook.codes(counts=False)
    assert [c.name for c in bare] == [c.name for c in coded.codebook.codes()]
    assert all((c.passages, c.documents) == (0, 0) for c in bare)


def independent_totals(store: Store) -> dict[str, tuple[int, int]]:
    """(passages, documents) over each parent code and the codes under it, from the
    annotations themselves and each code's parent: every passage and document once."""
    codes = store.codebook.codes(counts=False)
    parent = {code.name: next((c.name for c in codes if c.id == code.parent_id), None)
              for code in codes}  # fmt: skip
    under: dict[str, tuple[set[int], set[int]]] = {}
    for annotation in store.annotations.all():
        above: set[str] = set()
        for tag in annotation.tags:
            name: str | None = tag.name
            while name is not None:  # the code and every code above it
                above.add(name)
                name = parent.get(name)
        for name in above:
            passages, documents = under.setdefault(name, (set(), set()))
            passages.add(annotation.id)
            documents.add(annotation.document_id)
    parents = {p for p in parent.values() if p is not None}
    return {name: (len(under.get(name, ((), ()))[0]), len(under.get(name, ((), ()))[1]))
            for name in parents}  # fmt: skip


def test_subtree_totals_count_each_passage_and_each_document_once(coded: Store) -> None:
    first = coded.documents.summaries()[0].id
    coded.annotations.create(first, 70, 80, ["产业", "汽车"])  # a parent and its child
    totals = coded.codebook.subtree_counts()
    assert totals is not None
    names = ids(coded)
    shown = {name: totals[code] for name, code in names.items() if code in totals}
    assert shown == independent_totals(coded)
    # 经济 codes nothing itself; under it 6 passages (30-40 carries 政策 and 产业, 70-80 产业
    # and 汽车: each once) in both documents; 产业 and 汽车: 5, where their own counts add to 6.
    assert shown == {"经济": (6, 2), "产业": (5, 2)}
    own = {c.name: c.passages for c in coded.codebook.codes()}
    assert own["产业"] + own["汽车"] == 6
    # A code moved under another takes its passages along; undo takes them back.
    coded.codebook.move(names["地名"], names["政策"])
    assert coded.codebook.subtree_counts() == {
        names["经济"]: (6, 2), names["产业"]: (5, 2), names["政策"]: (3, 2)
    }
    coded.history.undo()
    assert coded.codebook.subtree_counts() == totals


def test_subtree_totals_follow_the_tree_as_shown_where_the_stored_parents_are_none(
    coded: Store,
) -> None:
    names = ids(coded)
    coded.gateway.execute(
        "update tags set parent_id = ? where id = ?", [names["汽车"], names["经济"]]
    )  # a cycle another program wrote: 经济 > 产业 > 汽车 > 经济, and a parent that is gone
    coded.gateway.execute("update tags set parent_id = 9999 where id = ?", [names["地名"]])
    shown = {c.name: c.parent_id for c in coded.codebook.codes()}
    totals = coded.codebook.subtree_counts()
    assert totals is not None
    assert {name: totals[code] for name, code in names.items() if code in totals} == (
        independent_totals(coded)
    )
    # The cycle is shown cut at 产业 (first by name): 产业 > 汽车 > 经济 > 政策.
    assert shown["产业"] is None and shown["经济"] == names["汽车"]
    assert set(totals) == {names["产业"], names["汽车"], names["经济"]}
