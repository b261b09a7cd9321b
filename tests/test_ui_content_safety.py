"""Hostile strings shown by the TUI: every payload, through every place a string is drawn.

Each payload of tests/payloads.py becomes a document's title, source and passage, a tag name, a
comment, a file name and an error text; the test then looks at what the app would write to the
terminal (the compositor's full-screen render, the same segments the driver turns into bytes)
and checks, surface by surface, that the payload shows literally in its visible form, that no
control character reaches the terminal, that clicking on it runs nothing, and that nothing was
written (the test runs in its own folder, which is also the current directory).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from payloads import ALL
from textual.app import App
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Header, Input, Label, Static, TextArea
from textual.widgets._toast import Toast

from reader.core.display import visible_line
from reader.core.documents import content_hash
from reader.core.library import import_file
from reader.core.store import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.comment_editor import CommentEditor
from reader.ui.screens.confirm import ConfirmDialog
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.import_dialog import ImportDialog
from reader.ui.screens.main import MainScreen
from reader.ui.screens.tag_picker import TagPicker
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.library_list import LibraryList

SIZE = (140, 45)
PREFIX = 10
"""Lists and dialogs cut long strings short: there, the payload's first characters must show
(markup would swallow them, a control character would not be a symbol)."""

DROPPED_BY_RICH_TEXT = dict.fromkeys(map(ord, "\x07\x08\x0b\x0c\x0d"))
"""What Textual's Input never draws at all: its value becomes a rich Text, which drops these."""

ON_THE_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Inside a drawn line, not even tab or newline may reach the terminal."""


def shown_form(text: str) -> str:
    """What a one-line place must show: control characters as symbols (U+2400 + code, ␡, ␦)."""
    return visible_line(text)


def screen_lines(app: App) -> list[Strip]:
    """The whole screen as the driver would write it (modal screens over their backgrounds),
    after checking that no segment of it holds a control character."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines = [Strip.join(list(chops)) for chops in update.strips]
    for y, line in enumerate(lines):
        for segment in line:
            if not segment.control:
                assert not ON_THE_TERMINAL.search(segment.text), (y, segment.text)
    return lines


def text_of(lines: list[Strip], widget: Widget) -> str:
    """The characters drawn in ``widget``'s content area, rows joined, spaces dropped (a line
    may wrap at a space)."""
    region = widget.content_region
    rows = [
        "".join(
            segment.text
            for segment in lines[y].crop(region.x, region.right)
            if not segment.control  # a cursor move Textual (or compositor_fix) put there
        )
        for y in range(region.y, region.bottom)
    ]
    return "".join(rows).replace(" ", "")


def assert_shows(
    lines: list[Strip],
    widget: Widget,
    payload: str,
    before: str = "",
    after: str = "",
    whole: bool = True,
) -> None:
    """``payload`` (whole, or its first characters) drawn in ``widget`` between ``before``
    and ``after`` (both ours)."""
    expected = before + shown_form(payload if whole else payload[:PREFIX])
    expected += after if whole else ""
    drawn = text_of(lines, widget)
    assert expected.replace(" ", "") in drawn, f"{type(widget).__name__}: {drawn!r}"


def written_files(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


async def click_on(pilot, widget: Widget) -> None:
    """Click along the first row, where the payload would carry an @click action if it were
    read as markup; the app must still be running, nothing run."""
    for x in range(0, min(widget.content_region.width, 40), 4):
        await pilot.click(widget, offset=(x, 0))
    assert pilot.app.is_running and pilot.app.return_code is None


@pytest.mark.parametrize("payload", ALL, ids=[f"payload{i}" for i in range(len(ALL))])
async def test_every_surface_shows_the_payload_as_text(
    payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "article.txt"
    body = "一段普通的正文。" * 200  # enough text that a re-import is not taken for binary
    text = f"{payload}\n时间:2021-09-29 08:13\n正文，{payload}。\n{body}\n"
    article.write_text(text, encoding="utf-8")
    store = Store(tmp_path / "annotations.db")
    document_id = store.add_document(
        text=text,
        title=payload,
        source=payload,
        published="2021-09-29",
        path=str(article.resolve()),
        content_hash=content_hash(text),
    )
    start = text.index(payload, len(payload))
    annotation = store.create_annotation(
        document_id, start, start + len(payload), tags=[payload], comment=payload
    )
    # A file that cannot be imported, named after the payload ("/" makes folders of it).
    broken = Path("files") / payload
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"")
    before = written_files(tmp_path)

    app = ReaderApp(store, document_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # The title bar, the library (title and source), the article, the panel.
        lines = screen_lines(app)
        assert_shows(lines, screen.query_one(Header), payload)
        assert_shows(lines, screen.query_one(LibraryList), payload, "简", whole=False)
        assert_shows(lines, screen.query_one(LibraryList), payload, "29·", whole=False)
        assert_shows(lines, screen.view, payload, "正文，", "。")
        panel = screen.query_one(AnnotationPanel)
        assert_shows(lines, panel, payload, "「", whole=False)
        assert_shows(lines, panel, payload, "💬", whole=False)
        start_of_payload = shown_form(payload[:PREFIX]).replace(" ", "")
        assert text_of(lines, panel).count(start_of_payload) >= 3  # passage, tag name, comment

        # The tag picker: the passage in its heading, the tag name as a chip.
        screen.view.move_cursor(annotation.start)
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TagPicker)
        lines = screen_lines(app)
        assert_shows(lines, picker.query_one("#dialog-title", Label), payload, "「", whole=False)
        assert_shows(lines, picker.query_one("#chosen", Static), payload, whole=False)
        await click_on(pilot, picker.query_one("#dialog-title", Label))
        await pilot.press("escape")
        await pilot.pause()

        # The comment editor: the passage above, the comment in the editor.
        await pilot.press("c")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, CommentEditor)
        lines = screen_lines(app)
        assert_shows(lines, editor.query_one(".quote", Label), payload, "「", whole=False)
        assert_shows(lines, editor.query_one(TextArea), payload)
        await click_on(pilot, editor.query_one(".quote", Label))
        await pilot.press("escape")
        await pilot.pause()

        # The delete confirmation quotes the passage.
        panel.focus()
        await pilot.press("d")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        lines = screen_lines(app)
        assert_shows(lines, confirm.query_one(Label), payload, "「", whole=False)
        await click_on(pilot, confirm.query_one(Label))
        await pilot.press("n")
        await pilot.pause()
        assert store.get_annotation(annotation.id).comment == payload

        # The import dialog offers the file name; importing it fails, and the notice says so.
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        field = dialog.query_one(Input)
        field.value = f"{broken.parent}/"
        await pilot.pause(0.2)
        lines = screen_lines(app)
        # (Input draws its value as a rich Text, which drops BEL, BS, VT, FF and CR.)
        assert_shows(lines, field, str(broken).translate(DROPPED_BY_RICH_TEXT))
        await pilot.press("right", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        toast = await latest_toast(pilot)
        assert_shows(screen_lines(app), toast, str(broken.resolve()), after=":emptyfile")
        await click_on(pilot, toast)

        # Another program imports a new version of the open document: the notice names it.
        article.write_text(text + "补充一段。\n", encoding="utf-8")
        other = Store(tmp_path / "annotations.db")
        import_file(other, article)
        other.close()
        await pilot.press("r")
        await pilot.pause()
        toast = await latest_toast(pilot)
        assert_shows(screen_lines(app), toast, payload, "“", "”changed")

        # Undo and redo quote the passage in their notices.
        store.set_comment(annotation.id, "改")
        await pilot.press("u")
        await pilot.pause()
        toast = await latest_toast(pilot)
        assert_shows(screen_lines(app), toast, payload, whole=False)

        # The help screen lists every key, [ and ] among them, as text.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = text_of(screen_lines(app), app.screen.query_one("#dialog"))
        assert "[" in keys and "]" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.return_code is None
    store.close()
    assert written_files(tmp_path) - before <= {
        tmp_path / "annotations.db-wal",
        tmp_path / "annotations.db-shm",
    }
    assert not list(tmp_path.rglob("*.svg"))


async def latest_toast(pilot) -> Toast:
    """The newest notification on screen (toasts are mounted a refresh after notify())."""
    for _ in range(20):
        shown = list(pilot.app.screen.query(Toast))
        if shown and shown[-1].region:  # mounted and laid out
            return shown[-1]
        await pilot.pause(0.05)
    raise AssertionError(f"no notification on screen: {list(pilot.app._notifications)}")


async def test_rows_with_tabs_and_controls_lose_no_character(tmp_path: Path) -> None:
    """A tab is drawn as a space and a control character as a symbol, one cell each: the
    layout must measure them so, or every full row would lose its last cells."""
    line = "\t".join(f"第{n}句，\x1b内容" for n in range(40))
    store = Store(tmp_path / "annotations.db")
    document_id = store.add_document(text=line + "\n", title="tabs")
    app = ReaderApp(store, document_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen
        assert isinstance(view, MainScreen)
        drawn = text_of(screen_lines(app), view.view)
    store.close()
    assert shown_form(line).replace(" ", "") in drawn


@pytest.mark.parametrize("query", ["(?P<[/b]>x)", "(?P<[@click=app.quit]>x)"])
async def test_a_regex_error_in_the_find_bar_is_text(
    query: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's error for a bad group name quotes the name: ``[/b]`` must not be markup."""
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "annotations.db")
    document_id = store.add_document(text="正文。\n", title="find")
    app = ReaderApp(store, document_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", "ctrl+g")
        app.screen.query_one(FindBar).query_one(Input).value = query
        await pilot.pause()
        count = app.screen.query_one("#find-count", Label)
        assert_shows(screen_lines(app), count, query[4:-3], "badcharacteringroupname'", "'")
        await click_on(pilot, count)
    store.close()
    assert not list(tmp_path.rglob("*.svg"))
