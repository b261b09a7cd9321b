"""Asking where to write the export (CSV, or xlsx for a path ending in .xlsx)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from reader.core.export import default_export_name


class ExportDialog(ModalScreen[Path | None]):
    """Returns the path to export to, or None when cancelled. Writes nothing itself."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Export annotations", id="dialog-title")
            yield Input(default_export_name(), id="path")
            yield Label("Enter export (.csv or .xlsx) · Esc cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
