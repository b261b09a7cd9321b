"""The disagreement browser (issue 12): two coders and a code; every place where they differ,
both coders' spans painted in the script on screen; Enter opens the article there, and a key
settles a place (keep A's, keep B's, merge to the union, keep both) as one undoable action of
the current coder.

The screen orchestrates: reader.core.disagreement finds the places and applies a resolution;
the list draws them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label

from reader.core.disagreement import Disagreement, DisagreementKind, Resolution, disagreements
from reader.core.disagreement import resolve as resolve_place
from reader.core.display import visible_line
from reader.core.store import Store, StoreError
from reader.ui.widgets.disagreement_list import (
    A_COLOURS,
    B_COLOURS,
    BOTH_COLOURS,
    DisagreementList,
)


@dataclass(frozen=True)
class PlaceJump:
    """Where the reading screen opens: the start of a place in a document."""

    document_id: int
    start: int


RESOLUTION_KEYS = {
    "a": Resolution.KEEP_A,
    "b": Resolution.KEEP_B,
    "m": Resolution.UNION,
    "k": Resolution.BOTH,
}


class DisagreementScreen(Screen[PlaceJump | None]):
    """Pick coders A and B and a code (1, 2, c); the places where they differ are listed."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Back to the article"),
        Binding("a", "resolve('a')", "Keep A's", tooltip="Settle: B's coding becomes A's"),
        Binding("b", "resolve('b')", "Keep B's", tooltip="Settle: A's coding becomes B's"),
        Binding(
            "m",
            "resolve('m')",
            "Union",
            tooltip="Settle the place: both get the stretch either coded (merged to the union)",
        ),
        Binding(
            "k",
            "resolve('k')",
            "Both",
            tooltip="Settle the place: both get every passage either made (keep both)",
        ),
        Binding("u", "undo", "Undo", tooltip="Undo your last change (a settling whole)"),
        Binding("ctrl+r", "redo", "Redo", tooltip="Redo what you undid", show=False),
        Binding("1", "choose_coder(0)", "Coder A", tooltip="Choose coder A"),
        Binding("2", "choose_coder(1)", "Coder B", tooltip="Choose coder B"),
        Binding("c", "choose_code", "Code", tooltip="Choose the code"),
    ]

    def __init__(self, store: Store, *, config: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.coders: list[str] = []
        """Every coder with annotations, by name."""
        self.pair: tuple[str, str] | None = None
        self.code: str | None = None
        self.places: list[Disagreement] = []
        self._texts: dict[int, str] = {}
        self._titles: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="disagreement-status")
        yield Label("", id="disagreement-legend")
        yield DisagreementList(id="disagreement-places")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        places = self.query_one(DisagreementList)
        places.config = self.config
        places.text_of = self._text
        places.title_of = self._title
        self.coders = [name for name, _ in self.store.annotations.coders()]
        me = self.store.coder
        if len(self.coders) >= 2:
            first = me if me in self.coders else self.coders[0]
            second = next(name for name in self.coders if name != first)
            self.pair = (first, second)
            self.code = self._default_code()
        self.refresh_places()
        places.focus()

    def _default_code(self) -> str | None:
        """The first code (by name) both coders used, else the first either used."""
        if self.pair is None:
            return None
        used: dict[str, set[str]] = {}
        for name, coder, _ in self.store.annotations.tag_counts_by_coder(self.pair):
            used.setdefault(name, set()).add(coder)
        both = [name for name, coders in used.items() if len(coders) == 2]
        candidates = both or list(used)
        return candidates[0] if candidates else None

    def _text(self, document_id: int) -> str:
        if document_id not in self._texts:
            self._texts[document_id] = self.store.documents.text(document_id)
        return self._texts[document_id]

    def _title(self, document_id: int) -> str:
        if document_id not in self._titles:
            title = self.store.documents.titles([document_id]).get(document_id, "")
            if self.config:
                from reader.core.convert import converter

                title = converter(self.config).convert(title)
            self._titles[document_id] = title
        return self._titles[document_id]

    # The list

    def refresh_places(self) -> None:
        """List the places again (after a choice, a settling, an undo)."""
        listing = self.query_one(DisagreementList)
        self._texts.clear()
        if self.pair is None:
            only = ", ".join(self.coders) or "nobody"
            listing.empty_message = (
                "Disagreements need two coders' annotations; here there are only"
                f" {only}'s. Code with reader --coder NAME, or import another coder's work."
            )
            self.places = []
        elif self.code is None:
            listing.empty_message = "Neither coder has used a code yet."
            self.places = []
        else:
            self.places = disagreements(self.store, *self.pair, self.code)
            listing.empty_message = (
                f"{self.pair[0]} and {self.pair[1]} agree everywhere on “{self.code}”."
                " Choose another code (c) or coder (1, 2)."
            )
        listing.show(self.places, self.pair or ("A", "B"))
        self._show_status()

    def _show_status(self) -> None:
        status = self.query_one("#disagreement-status", Label)
        legend = self.query_one("#disagreement-legend", Label)
        if self.pair is None or self.code is None:
            status.update(Content("Disagreements"))
            legend.update(Content(""))
            return
        a, b = (visible_line(name) for name in self.pair)
        kinds = Counter(place.kind for place in self.places)
        count = len(self.places)
        summary = (
            f"{count} place{'s' if count != 1 else ''}: {kinds[DisagreementKind.ONLY_A]} only"
            f" {a}, {kinds[DisagreementKind.ONLY_B]} only {b},"
            f" {kinds[DisagreementKind.EXTENT]} different extents"
        )
        status.update(Content(f"“{visible_line(self.code)}” · {summary}"))
        legend.update(
            Content.assemble(
                "A ",
                (f" {a} ", A_COLOURS),
                " B ",
                (f" {b} ", B_COLOURS),
                " ",
                (" both ", BOTH_COLOURS),
                "  keep: a A's, b B's, m union, k both · 1 2 c choose",
            )
        )

    # Choosing

    @work
    async def action_choose_coder(self, which: int) -> None:
        from reader.ui.screens.concordance import ChoiceDialog

        if len(self.coders) < 2 or self.pair is None:
            self.notify("There is only one coder here: nothing to compare.")
            return
        other = self.pair[1 - which]
        choices = [name for name in self.coders if name != other]
        current = choices.index(self.pair[which]) if self.pair[which] in choices else 0
        heading = f"Coder {'AB'[which]} (compared with {other})"
        chosen = await self.app.push_screen_wait(ChoiceDialog(heading, choices, current))
        if chosen is None:
            return
        pair = list(self.pair)
        pair[which] = choices[chosen]
        self.pair = (pair[0], pair[1])
        self.refresh_places()

    @work
    async def action_choose_code(self) -> None:
        from reader.ui.screens.concordance import ChoiceDialog

        if self.pair is None:
            self.notify("There is only one coder here: nothing to compare.")
            return
        counts: dict[str, dict[str, int]] = {}
        for name, coder, count in self.store.annotations.tag_counts_by_coder(self.pair):
            counts.setdefault(name, {})[coder] = count
        if not counts:
            self.notify("Neither coder has used a code yet.")
            return
        names = list(counts)
        a, b = self.pair
        labels = [
            f"{name}   ({a} {counts[name].get(a, 0)}, {b} {counts[name].get(b, 0)})"
            for name in names
        ]
        current = names.index(self.code) if self.code in names else 0
        chosen = await self.app.push_screen_wait(ChoiceDialog("Code", labels, current))
        if chosen is not None:
            self.code = names[chosen]
            self.refresh_places()

    # Settling, undo

    def action_resolve(self, key: str) -> None:
        place = self.query_one(DisagreementList).current
        if place is None or self.pair is None or self.code is None:
            self.notify("Nothing to settle here.")
            return
        resolution = RESOLUTION_KEYS[key]
        a, b = self.pair
        what = {
            Resolution.KEEP_A: f"kept {a}'s",
            Resolution.KEEP_B: f"kept {b}'s",
            Resolution.UNION: f"merged {a}'s and {b}'s to the union",
            Resolution.BOTH: f"kept both {a}'s and {b}'s",
        }[resolution]
        title = " ".join(self._title(place.document_id).split())
        title = title if len(title) <= 16 else title[:15] + "…"
        description = f"{what} on “{self.code}” in “{title}” [{place.start}, {place.end})"
        try:
            resolve_place(
                self.store, place, resolution, coder_a=a, coder_b=b, code=self.code,
                description=description,
            )  # fmt: skip
        except StoreError as error:
            self.notify(str(error), title="Not settled", severity="error", timeout=10)
        else:
            self.notify(description, title="Settled")
        self.refresh_places()

    def action_undo(self) -> None:
        self._step(undo=True)

    def action_redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        history = self.store.history
        try:
            result = history.undo() if undo else history.redo()
        except StoreError as error:
            self.notify(str(error), title="Undo", severity="error", timeout=10)
            return
        if result is None:
            self.notify("Nothing to undo." if undo else "Nothing to redo.")
            return
        self.notify(result.description, title="Undo" if undo else "Redo")
        self.refresh_places()

    # Leaving

    @on(DisagreementList.Opened)
    def open_place(self, event: DisagreementList.Opened) -> None:
        self.dismiss(PlaceJump(event.place.document_id, event.place.start))

    def action_close(self) -> None:
        self.dismiss(None)
