"""Every key, in one list that fits the window's width."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


def keys_table(rows: Sequence[tuple[str, str, str]]) -> Table:
    """(where, keys, what they do) as a table whose last column wraps to the width it gets."""
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("where", no_wrap=True, style="dim")
    table.add_column("key", no_wrap=True, style="bold")
    table.add_column("what it does", ratio=1)
    for where, keys, what in rows:
        table.add_row(Text(where), Text(keys), Text(what))
    return table


class HelpScreen(ModalScreen[None]):
    """Shows (where, keys, what they do) rows gathered from the live bindings."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, rows: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Keys", id="dialog-title")
            with VerticalScroll(id="keys"):
                yield Static(keys_table(self.rows))
            yield Label("↑ ↓ scroll · Esc close", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#keys").focus()
