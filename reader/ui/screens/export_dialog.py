"""Asking where to write the export (CSV; xlsx, W3C JSON-LD or REFI-QDA by the path's ending)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from reader.core.display import visible_line
from reader.core.export import default_export_name
from reader.ui.widgets.safe_inputs import SafeInput


def export_target(value: str, base: Path) -> Path | None:
    """The absolute path a typed name means (relative names are in ``base``); None if empty."""
    value = value.strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


class ExportDialog(ModalScreen[Path | None]):
    """Returns the absolute path to export to, or None when cancelled. Writes nothing itself;
    the screen asks before replacing a file that is there."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, base: Path, value: str | None = None) -> None:
        super().__init__()
        self.base = base
        """The folder a relative name is written in (where reader was started)."""
        self.value = default_export_name() if value is None else value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Export annotations", id="dialog-title")
            yield SafeInput(self.value, id="path")
            yield Label("", id="target", classes="quote")
            yield Label("Enter export (.csv .xlsx .jsonld .qdpx) · Esc cancel", classes="hint")

    def on_mount(self) -> None:
        self._show_target(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_target(event.value)

    def _show_target(self, value: str) -> None:
        target = export_target(value, self.base)
        where = f"Writes {visible_line(str(target))}" if target else "Type a file name"
        self.query_one("#target", Label).update(Content(where))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(export_target(event.value, self.base))

    def action_cancel(self) -> None:
        self.dismiss(None)
