"""Choosing tags from the codebook: type to filter, Enter applies, a new name makes a new tag.

The codes are listed in the codebook's tree order, each with its path (``经济 › 产业 › 汽车``:
a path rather than indentation, because a filtered list leaves the parents out, and the path
is what tells two branches apart); typing filters on the whole path, so a parent's name lists
the codes under it too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from reader.core.store import Store

from reader.core.models import PlacedCode
from reader.ui.code_path import CodePrompt, path_text
from reader.ui.safe_text import line_text, plain_line
from reader.ui.widgets.safe_inputs import SafeInput

SHORT_HEIGHT = 25
"""Rows below which the list of codes is shorter (the .tcss says how much), so the dialog
keeps its hint line on screen."""


class TagPicker(ModalScreen[list[str] | None]):
    """Returns the chosen tag names (new ones included), or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("tab", "add_and_continue", "Add another", priority=True),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(
        self, codebook: Sequence[PlacedCode], chosen: Sequence[str] = (), title: str = ""
    ) -> None:
        super().__init__()
        self.codebook = list(codebook)
        """In tree order, each with its path (Store.codebook.placed())."""
        self.chosen: list[str] = list(chosen)
        self.heading = title or "Tag the passage"
        self._searched = [(place, path_text(place).casefold()) for place in self.codebook]
        """Each code with the text the filter searches: its path, its own name last."""
        self._listed_for = ""
        """What the filter held when the matches were last listed."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain_line(self.heading), id="dialog-title")
            yield Static(id="chosen")
            yield SafeInput(
                placeholder="type a tag: filter the codebook, or a new name", id="filter"
            )
            yield OptionList(id="matches")
            yield Label(
                "Enter apply · Tab add another · ↑↓ choose · Esc cancel",
                classes="hint",
            )

    def on_mount(self) -> None:
        self._refresh()

    def on_resize(self, event: events.Resize) -> None:
        # 24 rows (80x24 over SSH) cannot hold twelve codes and the hint line below them.
        self.set_class(event.size.height < SHORT_HEIGHT, "-short")

    def _refresh(self) -> None:
        query = self.query_one("#filter", Input).value.strip()
        self._listed_for = query
        chips = Text()
        colors = {place.name: place.color for place in self.codebook}
        for name in self.chosen:
            color = colors.get(name, "#d0d0d0")
            chips.append(f" {line_text(name)} ", style=f"black on {color}")
            chips.append(" ")
        self.query_one("#chosen", Static).update(chips or Text("(no tags yet)", style="dim"))
        matches = self.query_one("#matches", OptionList)
        options: list[Option] = []
        exact = None  # the code named as typed: what Enter takes, wherever the tree puts it
        folded = query.casefold()
        for place, searched in self._searched:
            if folded in searched:
                if place.name == query:
                    exact = len(options)
                mark = "✓ " if place.name in self.chosen else "  "
                options.append(Option(CodePrompt(place, mark), id=place.name))
        if query and all(place.name != query for place in self.codebook):
            options.append(Option(Text(f"+ new tag “{line_text(query)}”", style="bold"), id=None))
        matches.set_options(options)
        if options:
            matches.highlighted = exact if exact is not None else 0

    @on(Input.Changed, "#filter")
    def filter_codebook(self) -> None:
        self._refresh()

    def _take_highlighted(self) -> bool:
        """Add (or, if already chosen, remove) the highlighted tag. False when nothing is there."""
        matches = self.query_one("#matches", OptionList)
        option = matches.highlighted_option
        field = self.query_one("#filter", Input)
        if option is None or not field.value.strip():
            return False
        # Existing tags carry their name as the option id; the "new tag" option has none.
        name = option.id if option.id is not None else field.value.strip()
        if name in self.chosen:
            self.chosen.remove(name)
        else:
            self.chosen.append(name)
        field.value = ""
        return True

    @on(Input.Submitted, "#filter")
    def apply(self) -> None:
        self._take_highlighted()
        self.dismiss(self.chosen)

    @on(OptionList.OptionSelected, "#matches")
    def apply_clicked(self, event: OptionList.OptionSelected) -> None:
        field = self.query_one("#filter", Input)
        if not field.value.strip() and event.option.id:
            field.value = event.option.id
        self._take_highlighted()
        self._refresh()
        field.focus()

    def action_add_and_continue(self) -> None:
        # Tab is a priority binding: typed fast (or pasted), it comes before the Changed
        # message that lists the matches, and would take nothing or a stale match.
        if self.query_one("#filter", Input).value.strip() != self._listed_for:
            self._refresh()
        self._take_highlighted()
        self._refresh()

    def action_move(self, delta: int) -> None:
        matches = self.query_one("#matches", OptionList)
        if matches.option_count:
            current = matches.highlighted or 0
            matches.highlighted = (current + delta) % matches.option_count

    def on_key(self, event: events.Key) -> None:
        field = self.query_one("#filter", Input)
        if event.key == "backspace" and not field.value and self.chosen:
            self.chosen.pop()
            self._refresh()
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)


async def choose_codes(
    screen: Screen[Any], store: Store, chosen: Sequence[str], title: str
) -> tuple[str, ...] | None:
    """Codes of the codebook picked in a TagPicker, in order (None: cancelled). A name typed
    that is no code is said in a notice, never made: choosing codes to read is not tagging."""
    from reader.core.display import visible_line

    codebook = store.codebook.placed()
    names = await screen.app.push_screen_wait(TagPicker(codebook, chosen, title=title))
    if names is None:
        return None
    known = {tag.name for tag in codebook}
    unknown = [name for name in names if name not in known]
    if unknown:
        screen.notify(
            f"Not in the codebook: {', '.join(visible_line(name) for name in unknown)}",
            severity="warning",
            markup=False,
        )
    return tuple(name for name in dict.fromkeys(names) if name in known)
