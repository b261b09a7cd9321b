"""Usable on any terminal: at 60×20 and 80×24 the article gets most of the width, the panes come
when asked for, the dialogs fit and the footer keeps its essential keys; at 140×45 and 200×60
the three panes sit side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widget import Widget

from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.footer import ESSENTIAL_KEYS

SIZES = [(60, 20), (80, 24), (140, 45), (200, 60)]
NARROW = [(60, 20), (80, 24)]


@pytest.fixture
def app(store: Store) -> ReaderApp:
    return make_app(store)


def main_screen(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_the_article_gets_the_width_the_focus_and_the_footer_its_keys(
    app: ReaderApp, size: tuple[int, int]
) -> None:
    width, _ = size
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        article = screen.view.scrollable_content_region.width
        library, panel = screen.query_one("#library"), screen.query_one("#panel")
        if width < 100:
            assert article >= width - 6  # borders, padding and scrollbar only
            assert not library.display and not panel.display
        else:
            assert library.region.width and panel.region.width
            assert article >= 60
        assert app.focused is screen.view
        # The footer keeps its essential keys within the width.
        footer_keys = [
            widget
            for widget in screen.query("FooterKey")
            if getattr(widget, "key", None) in ESSENTIAL_KEYS
        ]
        shown = {widget.key for widget in footer_keys if widget.region.right <= width}
        assert shown >= ESSENTIAL_KEYS - {"slash"}  # / is the library's, shown when it has focus


@pytest.mark.parametrize("size", NARROW)
async def test_panes_come_and_go_with_l_and_a(app: ReaderApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        library = screen.query_one("#library")
        first = screen.document
        await pilot.press("l")
        await pilot.pause()
        assert library.display and library.region.width >= 20
        assert app.focused is library
        assert screen.view.scrollable_content_region.width >= 20
        await pilot.press("end", "enter")  # open the other sample: the library makes room again
        await pilot.pause()
        assert screen.document is not None and first is not None
        assert screen.document.id != first.id
        assert not library.display and app.focused is screen.view
        await pilot.press("a")
        await pilot.pause()
        panel = screen.query_one("#panel")
        assert panel.display and app.focused is panel
        await pilot.press("a")
        await pilot.pause()
        assert not panel.display and app.focused is screen.view


async def test_wide_windows_hide_and_show_the_panes_too(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        screen = main_screen(app)
        before = screen.view.scrollable_content_region.width
        await pilot.press("l")
        await pilot.pause()
        assert not screen.query_one("#library").display
        assert screen.view.scrollable_content_region.width > before
        await pilot.press("l")
        await pilot.pause()
        assert screen.query_one("#library").display


async def test_narrowing_the_window_hides_the_panes(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        screen = main_screen(app)
        assert screen.query_one("#library").display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not screen.query_one("#library").display
        assert screen.view.scrollable_content_region.width >= 74
        await pilot.resize_terminal(140, 45)
        await pilot.pause()
        assert screen.query_one("#library").display and screen.query_one("#panel").display


def inside(widget: Widget, width: int, height: int) -> bool:
    return Region(0, 0, width, height).contains_region(widget.region)


@pytest.mark.parametrize("size", SIZES)
async def test_dialogs_fit_the_window(app: ReaderApp, size: tuple[int, int]) -> None:
    width, height = size
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("v", "right")
        for key in ("question_mark", "e", "i", "t", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, MainScreen)
            dialog = app.screen.query_one("#dialog")
            assert inside(dialog, width, height), (key, dialog.region, size)
            assert dialog.region.width >= min(width - 4, 60)
            if key == "question_mark":  # the list of keys wraps to the width it has
                keys = app.screen.query_one("#keys")
                assert keys.virtual_size.width <= keys.scrollable_content_region.width
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)


async def test_the_delete_question_fits_at_60_columns(app: ReaderApp, tmp_path: Path) -> None:
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("v", "right", "t")
        await pilot.pause()
        await pilot.press(*"甲", "enter")
        await pilot.pause()
        await pilot.press("a", "d")
        await pilot.pause()
        dialog = app.screen.query_one("#dialog")
        assert inside(dialog, 60, 20)
        assert inside(app.screen.query_one("#yes"), 60, 20)
