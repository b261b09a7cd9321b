"""A list of equal-height items drawn through the Line API: only what is on screen is rendered.

Textual's OptionList measures every option when it is filled, which takes seconds for the
5,000 annotations of a busy article or a library of 1,000 documents. Here each item is a fixed
number of lines, so finding the item under a screen line is a division.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.layout import wrap
from reader.ui.safe_text import line_text


class ItemList(ScrollView, can_focus=True):
    """Subclasses say how many items there are and how to draw one (:meth:`item_lines`)."""

    COMPONENT_CLASSES = {"item-list--highlight", "item-list--separator", "item-list--empty"}

    BINDINGS = [
        # Enter (the action ``choose``) is bound by each list, which says what it does there.
        Binding("up", "move(-1)", "Up", tooltip="Previous item", show=False),
        Binding("down", "move(1)", "Down", tooltip="Next item", show=False),
        Binding("pageup", "page(-1)", "Page up", tooltip="A page of items up", show=False),
        Binding("pagedown", "page(1)", "Page down", tooltip="A page of items down", show=False),
        Binding("home", "edge(False)", "First", tooltip="First item", show=False),
        Binding("end", "edge(True)", "Last", tooltip="Last item", show=False),
    ]

    ITEM_HEIGHT = 2
    """Lines per item, the last of which may be left blank as a separator."""

    class Chosen(Message):
        """Enter (or a click) on an item."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self.highlighted: int | None = None
        self._lines: dict[int, list[Text]] = {}
        self._empty_rows: tuple[tuple[str, int] | None, list[str]] = (None, [])

    def item_lines(self, index: int, width: int) -> list[Text]:
        """The lines of item ``index`` (at most ITEM_HEIGHT; each is cropped to ``width``)."""
        raise NotImplementedError

    def empty_text(self) -> str:
        """What an empty list says instead (wrapped to the width): how to fill it."""
        return ""

    def reset(self, count: int, highlighted: int | None = None) -> None:
        """Show ``count`` items afresh (drawn again as they come on screen)."""
        self.count = count
        self._lines.clear()
        if highlighted is None and self.highlighted is not None and count:
            highlighted = min(self.highlighted, count - 1)
        self.highlighted = highlighted if count else None
        self._size_to_items()
        self.refresh()
        if self.highlighted is not None:
            self.call_after_refresh(self._scroll_to_highlight)

    def highlight(self, index: int) -> None:
        if not 0 <= index < self.count:
            return
        self.highlighted = index
        self._scroll_to_highlight()
        self.refresh()

    def _scroll_to_highlight(self) -> None:
        if self.highlighted is None:
            return
        top = self.highlighted * self.ITEM_HEIGHT
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + self.ITEM_HEIGHT > self.scroll_y + height:
            self.scroll_to(y=top + self.ITEM_HEIGHT - height, animate=False, immediate=True)

    def action_move(self, delta: int) -> None:
        if self.count:
            current = self.highlighted if self.highlighted is not None else -delta
            self.highlight(min(max(current + delta, 0), self.count - 1))

    def action_page(self, direction: int) -> None:
        per_page = max(self.scrollable_content_region.height // self.ITEM_HEIGHT, 1)
        self.action_move(direction * per_page)

    def action_edge(self, end: bool) -> None:
        if self.count:
            self.highlight(self.count - 1 if end else 0)

    def action_choose(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Chosen(self.highlighted))

    def on_click(self, event: events.Click) -> None:
        position = event.get_content_offset(self)
        if position is None:
            return
        index = (round(self.scroll_y) + position.y) // self.ITEM_HEIGHT
        if 0 <= index < self.count:
            self.highlight(index)
            self.post_message(self.Chosen(index))

    def on_resize(self, event: events.Resize) -> None:
        self._lines.clear()  # drawn for the old width
        self._size_to_items()

    def _size_to_items(self) -> None:
        height = self.count * self.ITEM_HEIGHT
        self.virtual_size = Size(self.scrollable_content_region.width, height)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.count == 0:
            return self._empty_line(y, width, base)
        index, line = divmod(round(self.scroll_y) + y, self.ITEM_HEIGHT)
        if index >= self.count:
            return Strip.blank(width, base)
        lines = self._lines.get(index)
        if lines is None:
            lines = self._lines[index] = self.item_lines(index, width)
        style = base
        if index == self.highlighted:
            style += self.get_component_rich_style("item-list--highlight")
        if line >= len(lines):
            return Strip.blank(width, style)
        text = lines[line].copy()
        text.plain = line_text(text.plain)  # titles, passages, tag names: controls as symbols
        text.truncate(width, overflow="ellipsis")
        segments = [
            Segment(segment.text, style + segment.style if segment.style else style)
            for segment in text.render(self.app.console)
            if segment.text
        ]
        return Strip(segments).adjust_cell_length(width, style + Style())

    def _empty_line(self, y: int, width: int, base: Style) -> Strip:
        text = self.empty_text()
        if self._empty_rows[0] != (text, width):  # wrapped once, not once per line drawn
            rows = [text[a:b] for a, b in wrap(text, max(width, 1))] if text else []
            self._empty_rows = ((text, width), rows)
        rows = self._empty_rows[1]
        if y >= len(rows):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("item-list--empty")
        return Strip([Segment(rows[y], style)]).adjust_cell_length(width, base)
