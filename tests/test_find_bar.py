"""The find bar (issue 15), driven through the real app with Textual's Pilot: `/`, typing in
either script, the count, n/N/Enter, the toggles, Esc, the highlight in the script on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from support import TRADITIONAL_SEED

from reader.core.documents import normalize_text
from reader.core.folding import fold_char
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.find_bar import FindBar

SIZE = (140, 45)
NOVEL = Path("/work/shared/corpus/long/紅樓夢.traditional.one-line.txt")


def oracle(text: str, query: str) -> list[tuple[int, int]]:
    """Leftmost non-overlapping matches, folded character by character."""
    wanted = [fold_char(char) for char in query]
    found, position = [], 0
    while position + len(query) <= len(text):
        if all(fold_char(text[position + k]) == wanted[k] for k in range(len(query))):
            found.append((position, position + len(query)))
            position += len(query)
        else:
            position += 1
    return found


def painted(view: ArticleView, color: str) -> str:
    wanted = Style(bgcolor=color).bgcolor
    return "".join(
        segment.text
        for y in range(view.scrollable_content_region.height)
        for segment in view.render_line(y)
        if segment.style is not None and segment.style.bgcolor == wanted
    )


async def open_traditional(pilot, app: ReaderApp, store: Store) -> tuple[str, int]:
    traditional = next(d for d in store.list_documents() if d.script == "traditional")
    app.screen.open_document(traditional.id)
    await pilot.pause()
    return store.get_document(traditional.id).text, traditional.id


@pytest.fixture
def app(store: Store) -> ReaderApp:
    return make_app(store)


async def test_find_in_any_script_counts_steps_and_closes(app: ReaderApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        text, _ = await open_traditional(pilot, app, store)
        assert text == normalize_text(TRADITIONAL_SEED.read_text(encoding="utf-8"))
        expected = oracle(text, "发展")
        assert len(expected) > 3 and "发展" not in text  # only 發展 in the text itself
        view = app.screen.query_one(ArticleView)
        bar = app.screen.query_one(FindBar)
        assert not bar.display
        await pilot.press("slash")
        assert bar.display
        await pilot.press(*"发展")  # typed in Simplified
        await pilot.pause()
        assert bar.matches == expected
        count = str(bar.query_one("#find-count").render())
        assert count == f"1/{len(expected)}"
        assert view.cursor == expected[0][0]
        await pilot.press("enter")
        assert bar.current == 1 and view.cursor == expected[1][0]
        await pilot.press("n", "n")
        assert bar.current == 3
        await pilot.press("N")
        assert bar.current == 2 and view.cursor == expected[2][0]
        assert str(bar.query_one("#find-count").render()) == f"3/{len(expected)}"
        # The current match is on screen, painted in the current-match colour.
        assert painted(view, "#ff8c00") == "發展"
        await pilot.press("escape")
        assert not bar.display and view.has_focus
        assert painted(view, "#ff8c00") == "" and painted(view, "#ffe066") == ""


async def test_toggles_and_the_script_on_screen(app: ReaderApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        text, _ = await open_traditional(pilot, app, store)
        view = app.screen.query_one(ArticleView)
        bar = app.screen.query_one(FindBar)
        await pilot.press("slash", *"发展")
        folded_count = len(bar.matches)
        await pilot.press("ctrl+t")  # exact: the Simplified spelling is not in this text
        assert bar.exact and bar.matches == []
        assert str(bar.query_one("#find-count").render()).startswith("0/0")
        await pilot.press("ctrl+t", "ctrl+g")
        await pilot.press("backspace", "backspace", *"發展|長春")
        assert bar.regex
        assert len(bar.matches) == folded_count + len(oracle(text, "长春"))
        await pilot.press("ctrl+g", "backspace", "backspace", "backspace")
        assert len(bar.matches) == folded_count
        await pilot.press("enter")
        # Switch to Simplified: the same matches, painted on the converted text.
        screen = app.screen
        screen.query_one("#library").focus()
        await pilot.press("s")
        await pilot.pause()
        assert screen.config == "t2s"
        await pilot.pause()
        assert painted(view, "#ff8c00") == "发展"
        await pilot.press("slash", *"((")
        assert "not a valid regular expression" not in str(bar.query_one("#find-count").render())


async def test_bad_regex_says_so_and_keeps_the_app_alive(app: ReaderApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_traditional(pilot, app, store)
        bar = app.screen.query_one(FindBar)
        await pilot.press("slash", "ctrl+g", "(")
        assert bar.matches == []
        assert "not a valid regular expression" in str(bar.query_one("#find-count").render())


async def test_find_in_the_one_line_novel(tmp_path: Path) -> None:
    if not NOVEL.exists():
        pytest.skip(f"corpus file missing: {NOVEL}")
    store = Store(tmp_path / "novel.db")
    text = normalize_text(NOVEL.read_text(encoding="utf-8"))
    document_id = store.add_document(text=text, title="紅樓夢", script="traditional")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.open_document(document_id)
        await pilot.pause()
        bar = app.screen.query_one(FindBar)
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"宝玉")
        expected_count = text.count("寶玉") + text.count("宝玉")
        assert len(bar.matches) == expected_count > 1000
        for _ in range(3):
            await pilot.press("enter")
        start, end = bar.matches[3]
        assert view.cursor == start and text[start:end] == "寶玉"
        top = view.top_offset()
        assert top <= start
        assert painted(view, "#ff8c00") == "寶玉"
        # Deep in the novel: the match is on screen with at least three rows of text above it.
        height = view.scrollable_content_region.height
        for _ in range(60):
            await pilot.press("n")
            start, _ = bar.matches[bar.current]
            row, _ = view.layout_.locate(start)
            assert 3 <= row - round(view.scroll_y) < height
        assert bar.current == 63
    store.close()
