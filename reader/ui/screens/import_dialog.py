"""Asking which file or folder to import, with the path completed as it is typed.

The dialog only returns what to import and how (:class:`ImportRequest`): the app runs the import
itself (in a worker), so the dialog's only I/O is listing the directory being typed into, for
completion. It offers what ``reader import`` takes as ``--encoding`` and ``--errors replace``,
so an error that names those options can be answered here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Checkbox, Input, Label, Select

from reader.ui.widgets.safe_inputs import SafeInput

ENCODINGS: list[tuple[str, str | None]] = [
    ("Encoding: detect it", None),
    ("UTF-8", "utf-8"),
    ("GB18030 (covers GBK and GB2312)", "gb18030"),
    ("GBK", "gbk"),
    ("Big5", "big5"),
    ("Big5-HKSCS", "big5hkscs"),
    ("UTF-16", "utf-16"),
]
"""The encodings offered; detection is the default and right for almost every file."""


@dataclass(frozen=True)
class ImportRequest:
    """What to import, and how to read it (the dialog's answer)."""

    path: Path
    encoding: str | None = None
    """None: detect it."""
    errors: str = "strict"
    """``"replace"``: undecodable bytes become U+FFFD (only with an explicit encoding)."""


CLI_HINTS = [
    (re.compile(r"\buse --encoding"), "choose an encoding in the import dialog"),
    (re.compile(r"\badd --errors replace"), "tick “Replace undecodable bytes” in the dialog"),
    (re.compile(r"--errors replace"), "“Replace undecodable bytes”"),
    (re.compile(r"--encoding\b"), "an encoding in the import dialog"),
]
"""Import errors are worded for the command line; in the app the dialog holds those options."""


def for_the_app(message: str) -> str:
    """An import error as the app shows it: command-line options named as the dialog's."""
    for pattern, replacement in CLI_HINTS:
        message = pattern.sub(replacement, message)
    return message


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


class ImportDialog(ModalScreen[ImportRequest | None]):
    """Returns the file or folder to import and its encoding, or None when cancelled.
    Imports nothing itself."""

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
            yield Select(ENCODINGS, value=None, allow_blank=False, id="encoding")
            yield Checkbox("Replace undecodable bytes", id="replace", disabled=True)
            yield Label("→ complete · Tab encoding · Enter import · Esc cancel", classes="hint")

    def on_select_changed(self, event: Select.Changed) -> None:
        replace = self.query_one("#replace", Checkbox)
        replace.disabled = event.value is None
        if event.value is None:
            replace.value = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        path = Path(value).expanduser()
        if not path.is_absolute() and self.base is not None:
            path = self.base / path
        encoding = self.query_one("#encoding", Select).value
        replace = self.query_one("#replace", Checkbox).value and isinstance(encoding, str)
        self.dismiss(
            ImportRequest(
                path,
                encoding if isinstance(encoding, str) else None,
                "replace" if replace else "strict",
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
