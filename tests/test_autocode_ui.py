"""Auto-coding is one action in the app too (issue 15): `u` removes the whole batch, `Ctrl+R`
brings it back, whatever documents it spans."""

from __future__ import annotations

from reader.core.search import Query, search
from reader.core.store import Store
from reader.ui.app import make_app
from reader.ui.widgets.annotation_panel import AnnotationPanel

SIZE = (140, 45)


def active_count(store: Store) -> int:
    return sum(1 for a in store.all_annotations() if a.status == "active")


async def test_u_undoes_an_autocode_batch_and_ctrl_r_redoes_it(store: Store) -> None:
    store.create_annotation(store.list_documents()[0].id, 0, 4, tags=["手工"])
    spans = [(m.document_id, m.start, m.end) for m in search(store, Query("发展"))]
    assert len({document_id for document_id, _, _ in spans}) == 2  # both samples, both scripts
    created, skipped = store.autocode("发展", spans)
    assert (sum(created.values()), skipped) == (len(spans), 0)
    assert active_count(store) == len(spans) + 1
    app = make_app(store)
    notices: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.notify = lambda message, **_: notices.append(str(message))  # type: ignore[method-assign]
        await pilot.press("u")
        await pilot.pause()
        assert active_count(store) == 1  # only the hand-made one is left
        assert notices[-1] == f"Undid: auto-coded {len(spans)} passages “发展”"
        panel = app.screen.query_one(AnnotationPanel)
        shown = panel.highlighted_annotation_id
        assert shown is None or store.get_annotation(shown).tags[0].name == "手工"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert active_count(store) == len(spans) + 1
        await pilot.press("u", "u")
        await pilot.pause()
        assert active_count(store) == 0
