"""The disagreement browser's list: one place per item, both coders' spans painted in the
passage, in the script on screen.

Each item is a heading (title, what kind of difference, where) and up to two rows of the
passage with some context, converted to the script on screen as one piece and painted through
its offset map: coder A's characters on one colour, B's on another, those both coded on a
third (the legend is the screen's status line). A lazy list (ItemList): only what is on screen
is converted and drawn.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from reader.core.convert import converter
from reader.core.disagreement import Disagreement, DisagreementKind
from reader.core.display import visible
from reader.ui.safe_text import line_text
from reader.ui.widgets.item_list import ItemList

CONTEXT = 12
"""Characters of text shown before and after a place."""

A_COLOURS = "black on #7aa7f0"
B_COLOURS = "black on #f2b45c"
BOTH_COLOURS = "black on #8fd18a"
"""Coder A's characters, B's, and those both coded (the screen's legend uses the same)."""
A_STYLE, B_STYLE, BOTH_STYLE = (Style.parse(c) for c in (A_COLOURS, B_COLOURS, BOTH_COLOURS))


def painted_passage(
    text: str, place: Disagreement, config: str | None, context: int = CONTEXT
) -> Text:
    """The place with ``context`` characters around it, in ``config``'s script (None: the
    original), A's spans, B's spans and their overlap painted; line ends shown as ⏎."""
    start = max(0, place.start - context)
    end = min(len(text), place.end + context)
    piece = text[start:end]
    marks = [0] * len(piece)  # 1: A, 2: B, 3: both
    for bit, spans in ((1, place.a_spans), (2, place.b_spans)):
        for a, b in spans:
            for index in range(max(a, start) - start, min(b, end) - start):
                marks[index] |= bit
    shown, to_dst = piece, None
    if config:
        converted = converter(config).convert_mapped(piece)
        shown, to_dst = converted.text, converted.offsets.to_dst
    result = Text(visible(shown.replace("\n", "⏎")))
    styles = {1: A_STYLE, 2: B_STYLE, 3: BOTH_STYLE}
    run_start = 0
    for index in range(1, len(marks) + 1):
        if index == len(marks) or marks[index] != marks[run_start]:
            style = styles.get(marks[run_start])
            if style is not None:
                a, b = (run_start, index) if to_dst is None else to_dst(run_start, index)
                result.stylize(style, a, b)
            run_start = index
    if start > 0:
        result = Text("…") + result
    if end < len(text):
        result.append("…")
    return result


def rows_of(text: Text, width: int, rows: int) -> list[Text]:
    """``text`` cut into at most ``rows`` rows of ``width`` cells (a wide character is never
    split); the last row ends in … when there was more."""
    out: list[Text] = []
    start = 0
    plain = text.plain
    while start < len(plain) and len(out) < rows:
        cells = 0
        end = start
        while end < len(plain) and cells + cell_len(plain[end]) <= width:
            cells += cell_len(plain[end])
            end += 1
        end = max(end, start + 1)
        row = text[start:end]
        if len(out) == rows - 1 and end < len(plain):
            while row.plain and cell_len(row.plain) + 1 > width:
                row = row[:-1]
            row.append("…")
        out.append(row)
        start = end
    return out


class DisagreementList(ItemList):
    """Shows :attr:`places`; posts :class:`Opened` on Enter."""

    ITEM_HEIGHT = 4  # heading, two rows of passage, blank

    BINDINGS = [
        Binding("enter", "choose", "Jump", tooltip="Open the article at this place"),
    ]

    class Opened(Message):
        def __init__(self, place: Disagreement) -> None:
            super().__init__()
            self.place = place

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.places: list[Disagreement] = []
        self.coders = ("A", "B")
        self.config: str | None = None
        self.text_of: Callable[[int], str] = lambda document_id: ""
        self.title_of: Callable[[int], str] = lambda document_id: ""
        self.empty_message = ""

    def show(self, places: list[Disagreement], coders: tuple[str, str]) -> None:
        """Show ``places`` (the highlight stays at its index, or the last item)."""
        self.places = places
        self.coders = coders
        highlighted = None
        if places:
            highlighted = min(self.highlighted or 0, len(places) - 1)
        self.reset(len(places), highlighted)

    @property
    def current(self) -> Disagreement | None:
        if self.highlighted is None or self.highlighted >= len(self.places):
            return None
        return self.places[self.highlighted]

    def empty_text(self) -> str:
        return self.empty_message

    def item_lines(self, index: int, width: int) -> list[Text]:
        place = self.places[index]
        a, b = (line_text(name) for name in self.coders)
        what = {
            DisagreementKind.ONLY_A: f"only {a} coded",
            DisagreementKind.ONLY_B: f"only {b} coded",
            DisagreementKind.EXTENT: "both coded, different extents",
        }[place.kind]
        # What and where first: a long title is what a narrow window cuts.
        heading = Text(f"{index + 1}. ", style="bold")
        heading.append(what, style="italic")
        heading.append(f"  [{place.start}, {place.end})  ", style="dim")
        heading.append(line_text(self.title_of(place.document_id)) or "—", style="bold")
        passage = painted_passage(self.text_of(place.document_id), place, self.config)
        return [heading, *rows_of(passage, max(width, 4), 2)]

    def on_item_list_chosen(self, event: ItemList.Chosen) -> None:
        event.stop()
        if 0 <= event.index < len(self.places):
            self.post_message(self.Opened(self.places[event.index]))
