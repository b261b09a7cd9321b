"""Every key, in one list that fits the window's width."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


def keys_table(rows: Sequence[tuple[str, str, str]]) -> Group:
    """(where, keys, what they do) as one heading per place and a table of its keys under it,
    whose last column wraps to the width it gets (so the list fits a 60-column window)."""
    places = list(dict.fromkeys(where for where, _, _ in rows))
    parts: list[RenderableType] = []
    for place in places:
        table = Table(box=None, show_header=False, show_edge=False, pad_edge=False)
        table.add_column("key", no_wrap=True, style="bold", min_width=6)
        table.add_column("what it does")
        for where, keys, what in rows:
            if where == place:
                table.add_row(Text(keys), Text(what))
        parts += [Text(place, style="bold underline"), table, Text()]
    return Group(*parts)


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
