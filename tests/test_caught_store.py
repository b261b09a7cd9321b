"""Store jobs seen through what they return (found by mutmut on reader.core.store): earlier
versions keep their content hash, the search index's stamps for chosen documents, and the
description of an auto-coding batch in the singular and plural."""

from __future__ import annotations

from reader.core.documents import content_hash
from reader.core.store import Store


def test_an_earlier_version_keeps_its_content_hash(store: Store) -> None:
    document = store.documents.get(1)
    store.documents.add_version(
        1, text=document.text.replace("长春", "长春市", 1), content_hash="新版", title="改"
    )
    (earlier,) = store.documents.versions(1)
    assert (earlier.version, earlier.content_hash) == (1, content_hash(document.text))


def test_stamps_of_chosen_documents(store: Store) -> None:
    every = store.search_index.stamps()
    assert sorted(every) == [1, 2]
    assert store.search_index.stamps([2]) == {2: every[2]}
    store.documents.add_version(2, text="新的正文。", content_hash="新", title="改")
    assert store.search_index.stamps([2])[2][0] == every[2][0] + 1


def test_an_auto_coding_batch_is_described_in_the_singular_and_the_plural(store: Store) -> None:
    store.annotations.autocode("地名", [(1, 0, 2)])
    assert store.history.undo().description == "Undid: auto-coded 1 passage “地名”"
    store.annotations.autocode("地名", [(1, 0, 2), (1, 5, 7)])
    assert store.history.undo().description == "Undid: auto-coded 2 passages “地名”"


def test_a_new_version_moves_the_annotations_after_one_it_orphans(store: Store) -> None:
    document = store.documents.add(
        text="开头。甲乙丙丁戊己。中间的话。庚辛壬癸。结尾。", title="版本"
    )
    gone = store.annotations.create(document, 3, 9, ["甲"])  # 甲乙丙丁戊己: deleted below
    kept = store.annotations.create(document, 15, 19, ["乙"])  # 庚辛壬癸: moves left by 7
    new_text = "开头。中间的话。庚辛壬癸。结尾。"
    report = store.documents.add_version(document, text=new_text, content_hash="2", title="版本")
    assert (report.kept, report.moved, report.orphaned) == (0, 1, 1)
    assert store.annotations.get(gone.id).status == "orphan"
    moved = store.annotations.get(kept.id)
    assert (moved.start, moved.end, moved.quote) == (8, 12, "庚辛壬癸")
    assert store.documents.get(document).source == ""  # none given: none made up


def test_every_change_to_an_annotation_moves_its_updated_at(store: Store) -> None:
    """What `export --since` and the interchange formats rely on to find what changed."""
    created = store.annotations.create(1, 0, 4, ["甲"])
    old = "2020-01-01T00:00:00+00:00"
    changes = [
        lambda: store.annotations.set_tags(created.id, ["乙"]),
        lambda: store.annotations.set_comment(created.id, "新评论"),
        lambda: store.annotations.set_range(created.id, 2, 6),
    ]
    for change in changes:
        store.gateway.execute(
            "update annotations set updated_at = ? where id = ?", [old, created.id]
        )
        change()
        assert store.annotations.get(created.id).updated_at > old


def test_colours_another_program_stored_are_replaced_and_reported(store: Store) -> None:
    from reader.core.store import TAG_COLORS

    for name in ("红", "空", "数", "好"):
        store.tags.ensure(name)
    bad = {"红": "bold blink red", "空": None, "数": 42}
    for name, colour in bad.items():
        store.gateway.execute("update tags set color = ? where name = ?", [colour, name])
    store.gateway.execute("update tags set color = '#ABCDEF' where name = '好'")
    path = store.path
    store.close()
    reopened = Store(path)
    colours = {tag.name: (tag.id, tag.color) for tag in reopened.tags.all()}
    for name in bad:
        tag_id, colour = colours[name]
        assert colour == TAG_COLORS[tag_id % len(TAG_COLORS)]
    assert colours["好"][1] == "#abcdef"
    assert (
        f"3 tags in {path} had a colour that is not #rrggbb (such as 'bold blink red'):"
        " shown in palette colours instead."
    ) in reopened.notices
    reopened.gateway.execute("update tags set color = '#000000' where name in ('空', '数')")
    assert reopened.tags.colour_notice("这里") == (
        "1 tag in 这里 had a colour that is not #rrggbb (such as 'bold blink red'):"
        " shown in palette colours instead."
    )
    reopened.gateway.execute("update tags set color = NULL where name = '红'")
    assert reopened.tags.colour_notice("这里") == (
        "1 tag in 这里 had a colour that is not #rrggbb: shown in palette colours instead."
    )
    reopened.gateway.execute("update tags set color = '#000000'")
    assert reopened.tags.colour_notice("这里") is None
    reopened.close()


def test_preferences_can_be_set_back_to_the_original_script_and_to_not_folding(
    store: Store,
) -> None:
    store.preferences.update(script="s2twp", fold_boilerplate=True)
    assert (store.preferences.load().script, store.preferences.load().fold_boilerplate) == (
        "s2twp",
        True,
    )
    store.preferences.update(script=None, fold_boilerplate=False)
    assert (store.preferences.load().script, store.preferences.load().fold_boilerplate) == (
        None,
        False,
    )


def test_a_match_at_the_very_start_of_a_text_is_found() -> None:
    from reader.core.folding import fold
    from reader.core.search import Query, find_in_text

    text = fold("长春国际汽车城，长春")
    assert list(find_in_text(Query("长春"), text)) == [(0, 2), (8, 10)]


def test_an_undone_delete_brings_the_annotation_back_with_a_time_stamp(store: Store) -> None:
    created = store.annotations.create(1, 0, 4, ["甲"], "评论")
    store.annotations.delete(created.id)
    store.history.undo()
    back = store.annotations.get(created.id)
    assert (back.quote, back.comment, [t.name for t in back.tags]) == (
        created.quote,
        "评论",
        ["甲"],
    )
    assert back.updated_at >= created.updated_at and back.updated_at.endswith("+00:00")
