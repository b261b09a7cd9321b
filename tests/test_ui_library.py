"""The library and the panel as a new user meets them: repeated titles told apart, a filter,
an empty panel that says what to do, jumps that keep their context, notices in the script on
screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.convert import converter
from reader.core.library import import_file
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.main import JUMP_CONTEXT_ROWS, MainScreen
from reader.ui.widgets.library_list import LibraryList

SIZE = (140, 45)


def main_screen(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def library_text(library: LibraryList) -> str:
    return "\n".join(
        line.plain
        for index in range(library.count)
        for line in library.item_lines(index, library.scrollable_content_region.width)
    )


def notices(app: ReaderApp) -> list[str]:
    return [toast.render().plain for toast in app.screen.query("Toast")]


async def test_folder_imports_with_one_title_show_their_file_names(
    store: Store, tmp_path: Path
) -> None:
    for site in ("gmw", "qq"):
        (tmp_path / site).mkdir()
        page = tmp_path / site / "expected.txt"
        page.write_text(f"来自{site}的一篇文章。\n正文。", encoding="utf-8")
        import_file(store, page)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        library = main_screen(app).query_one(LibraryList)
        shown = library_text(library)
        assert "gmw/expected.txt" in shown and "qq/expected.txt" in shown
        # The samples' titles are their own: no file names beside them.
        assert "changchun" not in shown


async def test_typing_filters_the_library(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "other-page.txt"
    page.write_text("另一篇文章。\n正文。", encoding="utf-8")
    import_file(store, page)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        library = screen.query_one(LibraryList)
        library.focus()
        await pilot.pause()
        assert library.count == 3
        await pilot.press("slash", *"other")  # Latin letters after /: a file name
        await pilot.pause()
        assert [d.path for d in library.documents] == [str(page)]
        assert "/other" in str(library.border_title)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.document is not None and screen.document.path == str(page)
        library.focus()
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert library.count == 3
        await pilot.press("汽")  # a Chinese character starts a filter by itself
        await pilot.pause()
        assert library.count == 2 and library.filter_text == "汽"
        await pilot.press("backspace", "escape", "escape")  # empty, cleared, back to the article
        await pilot.pause()
        assert library.count == 3 and app.focused is screen.view
        await pilot.press("t")  # letters are keys again once the filter is done
        await pilot.pause()
        assert library.filter_text == ""


async def test_the_empty_panel_says_how_to_make_a_first_annotation(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = main_screen(app).query_one("#panel")
        shown = " ".join(panel.render_line(y).text for y in range(6))
        assert " v " in shown and " t " in shown


@pytest.mark.parametrize("key", ["left_square_bracket", "right_square_bracket"])
async def test_jumps_keep_rows_of_context_above_the_passage(store: Store, key: str) -> None:
    document = store.list_documents()[0]
    text = store.get_document(document.id).text
    near_start = text.index("全局谋划")
    near_end = text.index("。", len(text) // 2) + 1  # mid-text: room to scroll it up
    for start in (near_start, near_end):
        store.create_annotation(document.id, start, start + 2, tags=["甲"])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        view = main_screen(app).view
        await pilot.pause()
        # Stand past the first passage (going back) or before the last one (going on), with
        # the passage off screen either way.
        view.move_cursor(near_end - 1 if key == "left_square_bracket" else near_start + 2)
        view.scroll_to(y=view.layout_.height if key == "left_square_bracket" else 0, immediate=True)
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        target = near_start if key == "left_square_bracket" else near_end
        assert view.cursor == target
        row, _ = view.layout_.locate(target)
        assert row - round(view.scroll_y) == JUMP_CONTEXT_ROWS


async def test_notices_quote_the_passage_in_the_script_on_screen(store: Store) -> None:
    document = store.list_documents()[0]
    text = store.get_document(document.id).text
    start = text.index("汽车城")
    store.create_annotation(document.id, start, start + 3, tags=["甲"])
    app = make_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = main_screen(app)
        screen.show_script("s2t")
        await pilot.press("u")
        await pilot.pause()
        await pilot.pause(0.1)  # the toast is mounted on the next refresh
        traditional = converter("s2t").convert("汽车城")
        assert traditional == "汽車城"
        assert any(traditional in notice for notice in notices(app)), notices(app)
