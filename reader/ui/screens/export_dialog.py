"""Asking where to write the CSV export."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from reader.core.export import default_export_name
from reader.ui.widgets.safe_inputs import SafeInput


class ExportDialog(ModalScreen[Path | None]):
    """Returns the path to export to, or None when cancelled. Writes nothing itself."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Export annotations as CSV", id="dialog-title")
            yield SafeInput(default_export_name(), id="path")
            yield Label("Enter export · Esc cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
