"""The concordance's lines: one match per line, keyword in context, the matches in one column.

A lazy list (ItemList, the Line API): only the lines on screen are drawn, so 20,000 lines cost
nothing until they are seen. Each line is ``mark  title  left context | match | right context``
with the left context right-aligned by terminal cells (a CJK character is two), so the matches
line up whatever the script. Context is shown in the script on screen: left, match and right are
converted together (a phrase converts by its context) and cut back apart by the offset map.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from reader.core.convert import converter
from reader.core.display import visible_line
from reader.core.search import ConcordanceLine
from reader.ui.widgets.item_list import ItemList

MARK = "●"


def fit_left(text: str, cells: int) -> str:
    """The end of ``text`` that fits ``cells`` terminal cells, padded on the left to exactly
    that many (so whatever follows starts in the same column on every line)."""
    kept = text
    while kept and cell_len(kept) > cells:
        kept = kept[max(1, (cell_len(kept) - cells) // 2) :]
    return " " * (cells - cell_len(kept)) + kept


def fit_right(text: str, cells: int) -> str:
    """The start of ``text`` that fits ``cells`` cells, padded on the right to that many."""
    kept = text
    while kept and cell_len(kept) > cells:
        kept = kept[: len(kept) - max(1, (cell_len(kept) - cells) // 2)]
    return kept + " " * (cells - cell_len(kept))


def in_script(line: ConcordanceLine, config: str | None) -> tuple[str, str, str]:
    """(left, match, right) of ``line`` in ``config``'s script (None: the original)."""
    if config is None:
        return line.left, line.match, line.right
    whole = line.left + line.match + line.right
    converted = converter(config).convert_mapped(whole)
    left_end = len(line.left)
    match_end = left_end + len(line.match)
    a, b = converted.offsets.to_dst(left_end, match_end)
    return converted.text[:a], converted.text[a:b], converted.text[b:]


class ConcordanceList(ItemList):
    """Shows :attr:`lines` (set with :meth:`show`); posts :class:`Opened` on Enter and
    :class:`MarksChanged` when space marks or unmarks a line."""

    ITEM_HEIGHT = 1

    BINDINGS = [
        Binding("enter", "choose", "Open", tooltip="Open the article at the match", show=False),
        Binding(
            "space",
            "mark",
            "Mark",
            tooltip="Mark or unmark the match (a codes only the marked ones)",
        ),
    ]

    class Opened(Message):
        def __init__(self, line: ConcordanceLine) -> None:
            super().__init__()
            self.line = line

    class MarksChanged(Message):
        """The set of marked matches changed (the screen shows how many)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[ConcordanceLine] = []
        self.marked: set[tuple[int, int]] = set()
        """(document id, start) of each marked match: stays marked when the lines are sorted."""
        self.config: str | None = None
        self.titles: Callable[[int], str] = lambda document_id: ""
        self.empty_message = ""

    def show(self, lines: list[ConcordanceLine], *, keep: ConcordanceLine | None = None) -> None:
        """Show ``lines``; the highlight stays on ``keep`` if it is among them."""
        self.lines = lines
        highlighted = self.highlighted
        if keep is not None:
            highlighted = next((i for i, line in enumerate(lines) if line is keep), highlighted)
        if highlighted is None and lines:
            highlighted = 0
        self.reset(len(lines), highlighted)

    def grow(self, count: int) -> None:
        """More lines were appended to :attr:`lines`: draw them as they come on screen, keep
        what is drawn already."""
        self.count = count
        if self.highlighted is None and count:
            self.highlighted = 0
        self._size_to_items()
        self.refresh()

    def redraw(self) -> None:
        self._lines.clear()
        self.refresh()

    @property
    def current(self) -> ConcordanceLine | None:
        if self.highlighted is None or self.highlighted >= len(self.lines):
            return None
        return self.lines[self.highlighted]

    def empty_text(self) -> str:
        return self.empty_message

    def item_lines(self, index: int, width: int) -> list[Text]:
        line = self.lines[index]
        left, match, right = (visible_line(part) for part in in_script(line, self.config))
        title_cells = min(max(width // 7, 6), 20)
        rest = max(width - 2 - title_cells - 1, 10)
        left_cells = rest * 2 // 5
        mark = MARK if (line.document_id, line.start) in self.marked else " "
        title = fit_right(self.title_cell(index), title_cells)
        text = Text(f"{mark} ")
        text.append(title, style="dim")
        text.append(" ")
        text.append(fit_left(left, left_cells))
        text.append(match, style="bold reverse")
        text.append(right)
        return [text]

    def title_cell(self, index: int) -> str:
        """What the title column of line ``index`` shows (its document's title)."""
        return visible_line(self.titles(self.lines[index].document_id)) or "—"

    def action_mark(self) -> None:
        line = self.current
        if line is None:
            return
        key = (line.document_id, line.start)
        self.marked.symmetric_difference_update({key})
        if self.highlighted is not None:  # its row is drawn again, with the mark
            self._lines.pop(self.highlighted, None)
        self.post_message(self.MarksChanged())
        self.action_move(1)
        self.refresh()

    def on_item_list_chosen(self, event: ItemList.Chosen) -> None:
        event.stop()
        if 0 <= event.index < len(self.lines):
            self.post_message(self.Opened(self.lines[event.index]))
