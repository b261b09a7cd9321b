"""The palette knows reader's commands; export asks before replacing a file and says where it
wrote; the import dialog takes an encoding, and import errors name what the app offers."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from reader.core.export import default_export_name, export_to_file
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.commands import ReaderCommands, plain_highlight
from reader.ui.screens import main as main_module
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
    traditional = store.documents.summaries()[1]
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
        await app.workers.wait_for_complete()  # the export is written by a worker
        await pilot.pause()
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
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert (tmp_path / "sub.csv").read_text(encoding="utf-8").startswith('"annotation_id",')


async def test_an_export_is_written_off_the_ui_thread_and_a_failure_is_a_notice(
    app: ReaderApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI thread never writes the file (a large export takes seconds): a worker does, and
    what it could not write comes back as one error notice, the screen still usable."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a folder.csv").mkdir()
    writers: list[threading.Thread] = []

    def recording_export(*args: Any, **kwargs: Any) -> int:
        writers.append(threading.current_thread())
        return export_to_file(*args, **kwargs)

    monkeypatch.setattr(main_module, "export_to_file", recording_export)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for name in ("sub.csv", "a folder.csv"):
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one(Input).value = name
            await pilot.press("enter")
            await pilot.pause()
            if isinstance(app.screen, ConfirmDialog):  # the folder exists: replace it
                await pilot.press("y")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert len(writers) == 2
        assert all(writer is not threading.main_thread() for writer in writers)
        assert isinstance(app.screen, MainScreen)
        assert (tmp_path / "sub.csv").read_text(encoding="utf-8").startswith('"annotation_id",')
        [failure] = [notice for notice in notices(app) if "Cannot write" in notice]
        assert "it is a folder" in failure
