"""Coders in the app (issue 10 §2): the panel names each annotation's coder, `w` and the
palette choose whose highlights are shown, and `u` undoes only the current coder's actions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core.importing import import_seeds
from reader.core.store import Store
from reader.ui.app import make_app
from reader.ui.commands import reader_commands
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_view import ArticleView

SIZE = (140, 45)


@pytest.fixture
def anna(db_path: Path) -> Iterator[Store]:
    """anna's session on a project where bo has coded too (bo's session is closed)."""
    store = Store(db_path, coder="anna")
    import_seeds(store)
    document_id = store.documents.summaries()[0].id
    store.annotations.create(document_id, 0, 4, ["甲"], "anna's")
    bo = Store(db_path, coder="bo")
    bo.annotations.create(document_id, 10, 14, ["乙"])
    bo.annotations.create(document_id, 20, 22, ["乙"])
    bo.close()
    yield store
    store.close()


def panel_rows(panel: AnnotationPanel) -> list[str]:
    return [
        " | ".join(line.plain for line in panel.item_lines(index, 60))
        for index in range(len(panel.annotations))
    ]


def highlighted_starts(view: ArticleView, text_length: int) -> set[int]:
    return {a.start for offset in range(min(text_length, 40)) for a in view.annotations_at(offset)}


async def test_the_panel_names_each_coder_and_w_chooses_whose(anna: Store) -> None:
    app = make_app(anna)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        panel = screen.query_one(AnnotationPanel)
        rows = panel_rows(panel)
        assert len(rows) == 3
        assert rows[0].endswith("| anna  💬 anna's") and rows[1].endswith("| bo")
        assert "anna" in screen.sub_title
        text_length = len(screen.document.text)
        assert highlighted_starts(screen.view, text_length) == {0, 10, 20}
        seen = []
        for _ in range(3):
            await pilot.press("w")
            await pilot.pause()
            seen.append(
                (screen.whose, highlighted_starts(screen.view, text_length), len(panel_rows(panel)))
            )
        assert seen == [("anna", {0}, 1), ("bo", {10, 20}, 2), (None, {0, 10, 20}, 3)]
        # The palette offers each choice by name.
        names = {name: run for name, run, _ in reader_commands(screen)}
        assert {"Highlights: everyone's", "Highlights: mine (anna)", "Highlights: bo's"} <= set(
            names
        )
        names["Highlights: bo's"]()
        await pilot.pause()
        assert screen.whose == "bo" and "showing bo's" in screen.sub_title
        # ] steps only through what is shown.
        screen.view.move_cursor(0)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.view.cursor == 10


async def test_a_new_annotation_while_another_coders_are_shown_is_not_hidden(
    anna: Store,
) -> None:
    app = make_app(anna)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.show_whose("bo")
        await pilot.pause()
        document_id = screen.document.id
        created = anna.annotations.create(document_id, 30, 33, ["甲"])
        screen._annotations_changed(created.id)  # what t and c do after saving
        await pilot.pause()
        assert screen.whose is None
        assert screen.query_one(AnnotationPanel).highlighted_annotation_id == created.id


async def test_u_undoes_only_the_current_coders_own_action(anna: Store, db_path: Path) -> None:
    document_id = anna.documents.summaries()[0].id
    anna.annotations.create(document_id, 40, 44, ["甲"])
    bo = Store(db_path, coder="bo")
    newest = bo.annotations.create(document_id, 50, 54, ["乙"])  # newer than anna's
    bo.close()
    app = make_app(anna)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        starts = {a.start: a.coder for a in anna.annotations.for_document(document_id)}
        assert 40 not in starts and starts[50] == "bo"
        assert anna.annotations.get(newest.id).coder == "bo"
