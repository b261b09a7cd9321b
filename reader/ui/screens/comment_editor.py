"""Writing a comment on a passage (or a memo, a description): a multi-line editor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from reader.ui.safe_text import plain_line
from reader.ui.widgets.safe_inputs import SafeTextArea


class CommentEditor(ModalScreen[str | None]):
    """Returns the comment text, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, comment: str = "", passage: str = "", heading: str = "Comment") -> None:
        super().__init__()
        self.comment = comment
        self.passage = passage
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain_line(self.heading), id="dialog-title")
            if self.passage:
                yield Label(plain_line(f"「{self.passage[:80]}」"), classes="quote")
            yield SafeTextArea(self.comment, id="comment", soft_wrap=True, show_line_numbers=False)
            yield Label("Ctrl+S save · Esc cancel · Enter starts a new line", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
