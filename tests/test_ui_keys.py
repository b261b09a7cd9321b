"""The keys do what the help says: every binding has its action, Esc cancels, what is painted as
selected is what is saved, opening a document puts the focus in its article, and the README's
key table, the help screen and the bindings are one list."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from support import ROOT
from textual import events
from textual.actions import parse
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

import reader.ui
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.keys import key_labels, own_bindings
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import KEY_PLACES, OTHER_KEYS, MainScreen, every_key
from reader.ui.widgets.article_view import ArticleView

SIZE = (140, 45)


def reader_ui_classes() -> list[type[DOMNode]]:
    """Every screen, widget and app class defined under reader.ui."""
    found: dict[str, type[DOMNode]] = {}
    for module_info in pkgutil.walk_packages(reader.ui.__path__, "reader.ui."):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, DOMNode) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_binding_of_every_screen_and_widget_names_an_action() -> None:
    classes = reader_ui_classes()
    assert {MainScreen, ArticleView, HelpScreen} <= set(classes)
    missing = []
    for owner in classes:
        for binding in own_bindings(owner):
            namespace, name, _ = parse(binding.action)
            target: type[DOMNode] = owner
            if namespace == "app":
                target = ReaderApp
            elif namespace == "screen":
                target = Screen if not issubclass(owner, Screen) else owner
            if not callable(getattr(target, f"action_{name}", None)):
                missing.append(f"{owner.__qualname__}: {binding.key} -> {binding.action}")
    assert missing == []


def sample_start(store: Store, phrase: str) -> int:
    document = store.documents.summaries()[0]
    return store.documents.get(document.id).text.index(phrase)


@pytest.fixture
def app(store: Store) -> ReaderApp:
    return make_app(store)


async def test_escape_cancels_a_selection(app: ReaderApp, store: Store) -> None:
    start = sample_start(store, "全局谋划")
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        view.move_cursor(start)
        await pilot.press("v", "right", "right")
        assert view.selection == (start, start + 3)
        await pilot.press("escape")
        assert view.selection is None
        await pilot.press("t")  # nothing selected, no annotation under the cursor: nothing made
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


def painted_as_selected(view: ArticleView) -> str:
    """The characters on the selection's background in the visible rows, cursor included."""
    wanted = view.get_component_rich_style("article-view--selection").bgcolor
    painted = []
    for y in range(view.scrollable_content_region.height):
        for segment in view.render_line(y):
            if segment.style is not None and segment.style.bgcolor == wanted:
                painted.append(segment.text)
    return "".join(painted)


@pytest.mark.parametrize("keys", [("right",) * 3, ("left",) * 3])
async def test_what_is_painted_as_selected_is_what_is_saved(
    app: ReaderApp, store: Store, keys: tuple[str, ...]
) -> None:
    start = sample_start(store, "全局谋划")
    anchor = start if keys[0] == "right" else start + 3
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        assert view.has_focus  # the cursor is drawn: the case that hid a selected character
        view.move_cursor(anchor)
        await pilot.press("v", *keys)
        await pilot.pause()
        assert view.selection == (start, start + 4)
        assert painted_as_selected(view) == "全局谋划"
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"规划", "enter")
        await pilot.pause()
        [annotation] = store.annotations.for_document(store.documents.summaries()[0].id)
        assert annotation.quote == "全局谋划"


async def test_a_file_from_the_command_line_opens_with_the_focus_in_its_article(
    store: Store,
) -> None:
    seed = ROOT / "seeds" / "changchun-auto-city-traditional.txt"
    copy = Path(store.path).parent / "另一篇.txt"
    copy.write_text(seed.read_text(encoding="utf-8") + "\n新的一段。", encoding="utf-8")
    app = make_app(store, [copy])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.document is not None and screen.document.path == str(copy)
        assert app.focused is screen.view
        # The terminal window loses focus and gets it back (over SSH, at start-up): the
        # article has it again, so v and the arrows work at once.
        app.post_message(events.AppBlur())
        await pilot.pause()
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert app.focused is screen.view
        start = screen.view.cursor
        await pilot.press("v", "right")
        assert screen.view.selection is not None and screen.view.selection[0] == start


async def test_opening_from_the_library_focuses_the_article(app: ReaderApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.query_one("#library").focus()
        await pilot.press("end", "enter")
        await pilot.pause()
        assert screen.document is not None and screen.document.script == "traditional"
        assert app.focused is screen.view


async def test_an_import_opens_its_document_with_the_focus_in_its_article(
    app: ReaderApp, tmp_path: Path
) -> None:
    article = tmp_path / "导入的文章.txt"
    article.write_text("第一段：导入以后就能选择。\n第二段。", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.query_one("#library").focus()
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#path").value = str(article)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.document is not None and screen.document.title == "导入的文章"
        assert app.focused is screen.view
        await pilot.press("v", "right", "right")
        assert screen.view.selection == (0, 3)


# The help screen and the README's key table are the bindings, nothing more, nothing less.


async def test_the_help_screen_lists_every_binding_of_every_place(app: ReaderApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        shown = {(where, keys) for where, keys, _ in help_screen.rows}
    for where, owner in KEY_PLACES:
        for binding in own_bindings(owner):
            assert (where, key_labels(app, binding.key)) in shown, binding
    assert ("library", "⏎") in shown
    assert ("annotations", "⏎") in shown


def readme_key_table() -> dict[str, set[str]]:
    """The README's key table: for each place, the keys written in backticks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("| where | key | what it does |", 1)[1].split("\n\n", 1)[0]
    keys: dict[str, set[str]] = {}
    for line in section.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        keys.setdefault(cells[0], set()).update(re.findall(r"`([^`]+)`", cells[1]))
    return keys


def test_the_readme_key_table_is_the_bindings(app: ReaderApp) -> None:
    table = readme_key_table()
    expected: dict[str, set[str]] = {}
    for where, keys, _ in every_key(app):
        expected.setdefault(where, set()).update(keys.split(" / "))
    assert {where for where, _ in KEY_PLACES} <= set(expected)
    for where in expected:
        missing = expected[where] - table.get(where, set())
        assert not missing, f"README's key table lacks {where}: {sorted(missing)}"
    for where, keys in table.items():
        unknown = keys - expected.get(where, set())
        assert not unknown, f"README's key table has keys with no binding ({where}): {unknown}"
    assert all(where in expected for where, _, _ in OTHER_KEYS)


def test_keys_are_labelled_as_the_footer_shows_them(app: ReaderApp) -> None:
    """Textual's own key display (the footer's), not a table of our own."""
    assert key_labels(app, "shift+up,k") == "shift+↑ / k"
    assert key_labels(app, "ctrl+r") == "^r"
    assert key_labels(app, "slash") == "/"
    assert key_labels(app, "enter") == app.get_key_display(Binding("enter", ""))
