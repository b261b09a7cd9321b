"""The codebook screen's questions: a new name, another code (to merge into or move under),
a colour. Each returns the answer (None when cancelled) and does no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from reader.core.models import Code
from reader.core.store.tags import COLOR, TAG_COLORS
from reader.ui.safe_text import line_text, plain_line
from reader.ui.widgets.safe_inputs import SafeInput

TOP_LEVEL = 0
"""What CodeChooser returns for "the top level" (no code has id 0)."""


class NameDialog(ModalScreen[str | None]):
    """A one-line text (a code's new name): Enter saves, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, heading: str, value: str = "") -> None:
        super().__init__()
        self.heading = heading
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain_line(self.heading), id="dialog-title")
            yield SafeInput(self.value, id="name")
            yield Label("Enter save · Esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodeChooser(ModalScreen[int | None]):
    """Pick one code (type to filter): its id, TOP_LEVEL for the top level when offered, or
    None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(self, heading: str, codes: Sequence[Code], *, top_level: bool = False) -> None:
        super().__init__()
        self.heading = heading
        self.codes = list(codes)
        self.top_level = top_level

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain_line(self.heading), id="dialog-title")
            yield SafeInput(placeholder="type part of a name", id="filter")
            yield OptionList(id="codes")
            yield Label("Enter choose · ↑↓ move · Esc cancel", classes="hint")

    def on_mount(self) -> None:
        self._refresh()
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _refresh(self) -> None:
        query = self.query_one("#filter", Input).value.strip().casefold()
        options: list[Option] = []
        if self.top_level and not query:
            options.append(Option(Text("(the top level)", style="italic"), id=str(TOP_LEVEL)))
        for code in self.codes:
            if query in code.name.casefold():
                prompt = Text("  " * (code.depth if not query else 0))
                prompt.append("  ", style=f"on {code.color}")
                prompt.append(f" {line_text(code.name)}")
                options.append(Option(prompt, id=str(code.id)))
        listed = self.query_one("#codes", OptionList)
        listed.set_options(options)
        if options:
            listed.highlighted = 0

    def action_move(self, delta: int) -> None:
        listed = self.query_one("#codes", OptionList)
        if listed.option_count:
            listed.highlighted = ((listed.highlighted or 0) + delta) % listed.option_count

    @on(Input.Submitted, "#filter")
    def choose_highlighted(self) -> None:
        option = self.query_one("#codes", OptionList).highlighted_option
        if option is not None and option.id is not None:
            self.dismiss(int(option.id))

    @on(OptionList.OptionSelected, "#codes")
    def choose_clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ColourDialog(ModalScreen[str | None]):
    """A colour: one of the palette's (↑↓ Enter), or typed as #rrggbb."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(self, heading: str, current: str) -> None:
        super().__init__()
        self.heading = heading
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain_line(self.heading), id="dialog-title")
            yield SafeInput(placeholder="#rrggbb, or choose below", id="typed")
            options = []
            for colour in TAG_COLORS:
                prompt = Text("      ", style=f"on {colour}")
                prompt.append(f"  {colour}" + ("  (now)" if colour == self.current else ""))
                options.append(Option(prompt, id=colour))
            yield OptionList(*options, id="colours")
            yield Label(id="problem", classes="hint")
            yield Label("Enter choose · ↑↓ move · Esc cancel", classes="hint")

    def on_mount(self) -> None:
        colours = self.query_one("#colours", OptionList)
        colours.highlighted = TAG_COLORS.index(self.current) if self.current in TAG_COLORS else 0
        self.query_one("#typed", Input).focus()

    def action_move(self, delta: int) -> None:
        colours = self.query_one("#colours", OptionList)
        colours.highlighted = ((colours.highlighted or 0) + delta) % colours.option_count

    @on(Input.Submitted, "#typed")
    def choose(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            option = self.query_one("#colours", OptionList).highlighted_option
            if option is not None:
                self.dismiss(option.id)
            return
        if COLOR.fullmatch(typed):
            self.dismiss(typed.lower())
        else:
            self.query_one("#problem", Label).update(
                plain_line(f"“{typed}” is not a colour: write #rrggbb, e.g. #8ecae6.")
            )

    @on(OptionList.OptionSelected, "#colours")
    def choose_clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
