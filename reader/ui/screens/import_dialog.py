"""Asking which file or folder to import, with the path completed as it is typed.

The dialog only returns a path: the app runs the import itself (in a worker), so the dialog's
only I/O is listing the directory being typed into, for completion.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label

from reader.ui.widgets.safe_inputs import SafeInput


class PathSuggester(Suggester):
    """Completes the last component of a typed path from the entries of its directory.

    Directories complete with a trailing separator so the next component can follow at once;
    hidden entries are offered only once a dot is typed. Not cached: the disk can change while
    the dialog is open, and one directory listing per keystroke is cheap.
    """

    def __init__(self, base: Path | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.base = base

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        head, _, partial = value.rpartition(os.sep)
        folder_text = head + os.sep if value.startswith(os.sep) or head else ""
        folder = Path(os.path.expanduser(folder_text or "."))
        if not folder.is_absolute() and self.base is not None:
            folder = self.base / folder
        try:
            with os.scandir(folder) as entries:
                names = sorted(
                    (entry.name, entry.is_dir()) for entry in entries
                    if entry.name.startswith(partial)
                    and (partial.startswith(".") or not entry.name.startswith("."))
                )  # fmt: skip
        except OSError:
            return None
        for name, is_dir in names:
            if name == partial and not is_dir:
                continue
            completed = folder_text + name + (os.sep if is_dir else "")
            if completed != value:
                return completed
        return None


class ImportDialog(ModalScreen[Path | None]):
    """Returns the file or folder to import, or None when cancelled. Imports nothing itself."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, start: str = "", base: Path | None = None) -> None:
        super().__init__()
        self.start = start
        self.base = base

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Import a text file, saved web page or folder", id="dialog-title")
            yield SafeInput(
                self.start,
                placeholder="path/to/article.txt or a folder",
                suggester=PathSuggester(self.base),
                id="path",
            )
            yield Label("→ complete · Enter import · Esc cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        path = Path(value).expanduser()
        if not path.is_absolute() and self.base is not None:
            path = self.base / path
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
