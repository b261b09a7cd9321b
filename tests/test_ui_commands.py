"""The palette knows reader's commands; export asks before replacing a file and says where it
wrote; the import dialog takes an encoding, and import errors name what the app offers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Checkbox, Input, Select

from reader.core.export import default_export_name
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.commands import ReaderCommands, plain_highlight
from reader.ui.screens.confirm import ConfirmDialog
from reader.ui.screens.export_dialog import ExportDialog
from reader.ui.screens.main import MainScreen

SIZE = (140, 45)


@pytest.fixture
def app(store: Store) -> ReaderApp:
    return make_app(store)


def main_screen(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def notices(app: ReaderApp) -> list[str]:
    return [toast.render().plain for toast in app.screen.query("Toast")]


async def test_the_palette_opens_a_document_by_title(app: ReaderApp, store: Store) -> None:
    traditional = store.list_documents()[1]
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        assert screen.document is not None and screen.document.id != traditional.id
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"攜手中國")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.document is not None and screen.document.id == traditional.id
        assert app.focused is screen.view


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("Script: 臺灣用語", lambda screen: screen.config == "s2twp"),
        ("Show or hide the library", lambda screen: not screen.query_one("#library").display),
        ("Fold or show site", lambda screen: screen.view.fold_boilerplate),
        ("Keys: every key", lambda screen: screen.app.screen.__class__.__name__ == "HelpScreen"),
    ],
)
async def test_the_palette_runs_reader_commands(app: ReaderApp, query: str, check) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        app.screen.query_one(Input).value = query
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert check(screen)


async def test_palette_commands_cover_what_the_issue_asks(app: ReaderApp) -> None:
    async with app.run_test(size=SIZE):
        names = [hit.text for hit in [h async for h in ReaderCommands(main_screen(app)).discover()]]
    for wanted in ("Import", "Export", "Fold", "library", "annotations", "Keys", "Script: 繁體"):
        assert any(wanted in name for name in names), wanted
    assert sum(name.startswith("Open: ") for name in names) == 2


def test_palette_hits_are_plain_text() -> None:
    from textual.fuzzy import Matcher

    shown = plain_highlight(Matcher("click"), "Open: [@click=app.quit]点我[/]")
    assert shown.plain == "Open: [@click=app.quit]点我[/]"


async def test_export_asks_before_replacing_and_shows_the_absolute_path(
    app: ReaderApp, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / default_export_name()
    target.write_text("an earlier export\n", encoding="utf-8")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert str(target) in str(dialog.query_one("#target").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep it: the dialog comes back with the name to change
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert target.read_text(encoding="utf-8") == "an earlier export\n"
        await pilot.press("escape")
        await pilot.pause()
        assert target.read_text(encoding="utf-8") == "an earlier export\n"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.1)
        assert target.read_text(encoding="utf-8").startswith('"annotation_id",')
        assert any(str(target) in notice for notice in notices(app)), notices(app)


async def test_export_of_a_new_name_does_not_ask(
    app: ReaderApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "sub.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert (tmp_path / "sub.csv").read_text(encoding="utf-8").startswith('"annotation_id",')


async def test_the_import_dialog_takes_an_encoding_and_errors_name_it(
    app: ReaderApp, store: Store, tmp_path: Path
) -> None:
    damaged = tmp_path / "损坏的文章.txt"
    damaged.write_bytes("第一段中文内容，".encode() * 40 + b"\xff\xfe" + "后面还有中文。".encode())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = main_screen(app)
        # Detected: refused, and the reason points at the dialog, not at --encoding.
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(damaged)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert store.document_count() == 2
        [refusal] = [notice for notice in notices(app) if "损坏的文章" in notice]
        assert "--" not in refusal and "import dialog" in refusal
        # Chosen: UTF-8, replacing the two bad bytes.
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#path", Input).value = str(damaged)
        assert dialog.query_one("#replace", Checkbox).disabled
        dialog.query_one("#encoding", Select).value = "utf-8"
        await pilot.pause()
        replace = dialog.query_one("#replace", Checkbox)
        assert not replace.disabled
        replace.value = True
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.document_count() == 3
        assert screen.document is not None and screen.document.encoding == "utf-8"
        assert "\ufffd" in screen.document.text
