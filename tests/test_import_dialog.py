"""The in-app import dialog: path completion from the directory listing, Enter and Escape."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Input

from reader.ui.screens.import_dialog import ImportDialog, ImportRequest, PathSuggester


async def test_suggester_completes_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "长春.txt").write_text("x", encoding="utf-8")
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    (tmp_path / ".secret").write_text("x", encoding="utf-8")
    suggester = PathSuggester()
    base = f"{tmp_path}/"
    assert await suggester.get_suggestion(base + "ar") == base + "articles/"
    assert await suggester.get_suggestion(base + "articles/") == base + "articles/长春.txt"
    assert await suggester.get_suggestion(base + "no") == base + "notes.md"
    assert await suggester.get_suggestion(base + "zz") is None
    assert await suggester.get_suggestion(base + "notes.md") is None
    assert await suggester.get_suggestion(base + ".s") == base + ".secret"
    relative = PathSuggester(base=tmp_path)
    assert await relative.get_suggestion("art") == "articles/"


class Host(App[None]):
    def __init__(self, base: Path) -> None:
        super().__init__()
        self.base = base
        self.results: list[Path | None] = []

    def on_mount(self) -> None:
        self.push_screen(ImportDialog(base=self.base), self.results.append)


async def test_enter_returns_the_completed_path_and_escape_none(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press(*"art")
        await pilot.pause()
        await pilot.press("right")  # accept the suggestion
        assert app.screen.query_one("#path", Input).value == "articles/"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [ImportRequest(tmp_path / "articles")]
        app.push_screen(ImportDialog(base=tmp_path), app.results.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [ImportRequest(tmp_path / "articles"), None]
