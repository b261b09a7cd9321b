"""The reading pane: a Line-API view that converts and wraps only what is on screen."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from reader.core import positions
from reader.core.convert import converter
from reader.core.layout import DocumentLayout, WrappedLayout
from reader.core.models import Annotation
from reader.core.positions import AnnotationIndex
from reader.ui.safe_text import line_text

EAGER_WRAP_CHARS = 100_000
"""Documents up to this size are wrapped whole at once: their scrollbar is exact from the start."""
EAGER_WRAP_CONVERTED_CHARS = 20_000
"""The same in a script, where wrapping whole means converting whole first: above this, rows are
made as they come on screen (and heights estimated until then), as for a novel, so a switch
costs the same at 100 K characters as at 10 K."""

BACKGROUND_START_S = 0.5
BACKGROUND_PAUSE_S = 0.004
"""Background conversion pacing: a block costs a few ms, so this leaves the UI half the time."""

BLOCK_STYLES_KEPT = 256
"""Blocks whose style lookups are kept (a screenful is a few dozen)."""

STYLES_KEPT = 1024
"""Distinct character styles kept: (tag colour, overlap, dimmed, selected) combinations."""

FOUND_CONTEXT_ROWS = 3
"""Rows of text kept above a find-bar match the view scrolls to (as for an annotation jump)."""

NO_TAG_COLOR = "#d0d0d0"
"""Background of an annotation that has a comment but no tag yet."""


class ArticleView(ScrollView, can_focus=True):
    """Shows one document in one script, with a cursor, a selection and highlighted annotations.

    Every position it reports is a code-point offset into the stored original text, whatever
    script is on screen: the offset maps of the conversion translate in both directions.
    """

    COMPONENT_CLASSES = {
        "article-view--cursor",
        "article-view--selection-cursor",
        "article-view--selection",
        "article-view--boilerplate",
        "article-view--found",
        "article-view--found-current",
    }

    BINDINGS = [
        Binding(
            "up,k", "move_rows(-1)", "Up", tooltip="Cursor up a line", show=False, id="cursor_up"
        ),
        Binding(
            "down,j",
            "move_rows(1)",
            "Down",
            tooltip="Cursor down a line",
            show=False,
            id="cursor_down",
        ),
        Binding(
            "left",
            "move_chars(-1)",
            "Left",
            tooltip="Cursor left a character",
            show=False,
            id="cursor_left",
        ),
        Binding(
            "right",
            "move_chars(1)",
            "Right",
            tooltip="Cursor right a character",
            show=False,
            id="cursor_right",
        ),
        Binding(
            "shift+up",
            "extend_rows(-1)",
            "Extend up",
            tooltip="Extend the selection up",
            show=False,
            id="extend_up",
        ),
        Binding(
            "shift+down",
            "extend_rows(1)",
            "Extend down",
            tooltip="Extend the selection down",
            show=False,
            id="extend_down",
        ),
        Binding(
            "shift+left",
            "extend_chars(-1)",
            "Extend left",
            tooltip="Extend the selection left",
            show=False,
            id="extend_left",
        ),
        Binding(
            "shift+right",
            "extend_chars(1)",
            "Extend right",
            tooltip="Extend the selection right",
            show=False,
            id="extend_right",
        ),
        Binding("pageup", "page(-1)", "Page up", tooltip="Page up", show=False, id="page_up"),
        Binding(
            "pagedown,space",
            "page(1)",
            "Page down",
            tooltip="Page down",
            show=False,
            id="page_down",
        ),
        Binding(
            "home", "to_edge(False)", "Top", tooltip="Start of the article", show=False, id="top"
        ),
        Binding(
            "end", "to_edge(True)", "Bottom", tooltip="End of the article", show=False, id="bottom"
        ),
        Binding(
            "v",
            "toggle_selection",
            "Select",
            tooltip="Start a selection at the cursor (arrows extend it)",
            id="select",
        ),
        Binding(
            "escape",
            "clear_selection",
            "Cancel selection",
            tooltip="Cancel the selection",
            show=False,
            id="cancel_selection",
        ),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    """Original offset of the character under the cursor (the start of its cluster)."""
    selection_anchor: reactive[int | None] = reactive(None, init=False)
    """Where the selection started, while one is being made."""
    config: reactive[str | None] = reactive(None, init=False)
    """The script on screen (an OpenCC config; None: the original). Bound to the screen's."""
    fold_boilerplate: reactive[bool] = reactive(False, init=False)
    """Hide the site navigation and footer behind one line each, instead of dimming them."""

    class CursorMoved(Message):
        """The cursor (or the selection) moved: panels that follow it can update."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

        def can_replace(self, message: Message) -> bool:
            """A burst of moves (a held arrow key) is followed once, to where it ended."""
            return isinstance(message, ArticleView.CursorMoved)

    class OffsetsReady(Message):
        """The script's offset model has loaded: passages shown elsewhere can be exact now."""

    class TopMoved(Message):
        """The first visible line moved: the reading position is worth remembering soon."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: DocumentLayout | None = None
        self.layout_: WrappedLayout | None = None
        self._annotations = AnnotationIndex()
        self._block_styles: LRUCache[tuple[object, ...], Callable[[int], Style]] = LRUCache(
            BLOCK_STYLES_KEPT
        )
        """Style lookups per block, for as long as what they depend on stays the same."""
        self._style_cache: LRUCache[tuple[object, ...], Style] = LRUCache(STYLES_KEPT)
        """One Style per (colour, overlap, dimmed, selected): characters share them. Both caches
        hold colours of the theme: :meth:`notify_style_update` empties them."""
        self._boilerplate: list[tuple[int, int]] = []
        self._dragging = False
        self._top_offset = 0
        self._placed = False
        """Whether the view has been laid out at its real size (the first resize)."""
        self._draft = False
        """Whether rows may be drawn plain while the script's offset model loads: for a document
        just opened (the first frame), not after a switch, which waits for it as it always did."""
        self._found: list[tuple[int, int]] = []
        """Find-bar matches (original offsets, in order) and the current one's index."""
        self._found_starts: list[int] = []
        self._found_current: int | None = None

    # Loading

    def show_document(
        self,
        text: str,
        *,
        config: str | None,
        annotations: Sequence[Annotation] = (),
        boilerplate: Sequence[tuple[int, int]] = (),
        top_offset: int = 0,
    ) -> None:
        self.document = DocumentLayout(text)
        # Set without their watchers: a new document is laid out once, below, and its cursor
        # is where the reader left it (not a move anyone follows).
        self.set_reactive(ArticleView.config, config)
        self.set_reactive(ArticleView.selection_anchor, None)
        self.set_reactive(ArticleView.cursor, min(max(top_offset, 0), len(text)))
        self._draft = True
        self._found, self._found_starts, self._found_current = [], [], None
        self._annotations_changed(annotations)
        self._boilerplate = sorted(boilerplate)
        self._top_offset = self.cursor
        self._relayout()
        self._convert_rest()

    def watch_config(self, config: str | None) -> None:
        """Switch script, keeping the same passage at the top of the screen."""
        if self.document is None or self.layout_ is None or self.layout_.config == config:
            return  # nothing shown yet, or already in this script (a binding's first value)
        self._top_offset = self.top_offset()
        self._draft = False
        self.document.keep_only(config)
        self._relayout()
        self._convert_rest()

    def toggle_folding(self) -> bool:
        """Fold or unfold the page's navigation and footer; True when now folded."""
        self.fold_boilerplate = not self.fold_boilerplate
        return self.fold_boilerplate

    def watch_fold_boilerplate(self) -> None:
        if self.layout_ is not None:  # the layout still folds as before: the top as it shows
            self._top_offset = self.top_offset()
        self._relayout()

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        self._annotations_changed(annotations)
        self.refresh()

    def _annotations_changed(self, annotations: Sequence[Annotation]) -> None:
        self._annotations = AnnotationIndex(annotations)
        self._block_styles.clear()

    def _relayout(self) -> None:
        if self.document is None:
            return
        width = max(self.scrollable_content_region.width, 10)
        folded = self._boilerplate if self.fold_boilerplate else ()
        self.layout_ = WrappedLayout(self.document, self.config, width, folded)
        eager = EAGER_WRAP_CHARS if self.config is None else EAGER_WRAP_CONVERTED_CHARS
        if len(self.document.text) <= eager:
            for index in range(len(self.document.blocks)):
                self.layout_.rows_of(index)
        self.virtual_size = Size(width, self.layout_.height)
        # The new virtual size takes effect on the next refresh: scroll after it.
        self.call_after_refresh(self._scroll_to_offset, self._top_offset)
        self.refresh()

    def _scroll_to_offset(self, offset: int) -> None:
        if self.layout_ is not None:
            y, _ = self.layout_.locate(offset)
            self.scroll_to(y=y, animate=False, immediate=True)

    @work(thread=True, exclusive=True, group="convert")
    def _convert_rest(self) -> None:
        """Convert the blocks after (then before) the screen while the user reads."""
        document, config = self.document, self.config
        if document is None or config is None:
            return
        worker = get_current_worker()
        # A busy thread starves the UI thread of the GIL (it waits a switch interval for every
        # hand-back), so stay out of the way: start once the new screen is painted, and pause
        # between blocks. The screen itself never waits for this work.
        time.sleep(BACKGROUND_START_S)
        if not converter(config).model_ready:  # the screen was drawn plain: now with offsets
            converter(config).convert_mapped("")
            self.post_message(self.OffsetsReady())  # the view repaints, then the screen hears
        here = document.block_at(self._top_offset)
        order = [*range(here, len(document.blocks)), *range(here - 1, -1, -1)]
        for index in order:
            if worker.is_cancelled or self.config != config or self.document is not document:
                return
            document.converted(config, index)
            time.sleep(BACKGROUND_PAUSE_S)

    @on(OffsetsReady)
    def repaint_with_offsets(self) -> None:
        """Highlights and the cursor can be placed now: draw them (the message goes on up)."""
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.layout_ is None or self.layout_.width == self.scrollable_content_region.width:
            return
        if self._placed:  # before the first real size, keep the position asked for
            self._top_offset = self.top_offset()
        self._placed = True
        self._relayout()

    # Positions

    def top_offset(self) -> int:
        """Original offset of the first character on screen."""
        if self.layout_ is None:
            return 0
        return self.layout_.offset_at(round(self.scroll_y), 0)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.layout_ is not None and round(old_value) != round(new_value):
            self.virtual_size = Size(self.virtual_size.width, self.layout_.height)
            self.post_message(self.TopMoved())

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected original span [start, end), widened to whole conversion units."""
        if self.document is None:
            return None
        return positions.selection_span(
            self.document, self.config, self.selection_anchor, self.cursor
        )

    def passage(self, start: int, end: int) -> str:
        """The original span [start, end) as it reads in the script on screen."""
        if self.document is None or end <= start:
            return ""
        document = self.document
        if self._drawn_plain() and self.config is not None:
            # Until the offset model has loaded (OffsetsReady), the engine's conversion of the
            # passage alone: the same text unless a phrase crosses its ends.
            return converter(self.config).convert(document.text[start:end])
        return positions.passage(document, self.config, start, end)

    def annotations_at(self, offset: int) -> list[Annotation]:
        """Annotations covering an original offset, innermost first."""
        return self._annotations.at(offset)

    # Find-bar matches (reader.ui.widgets.find_bar)

    def set_found(self, matches: list[tuple[int, int]], current: int | None) -> None:
        """Highlight ``matches`` and bring the current one on screen with context above it."""
        if matches is not self._found:
            self._found = matches
            self._found_starts = [start for start, _ in matches]
            self._block_styles.clear()
        elif self.document is not None:  # only the current match moved: restyle its blocks
            changed = {
                self.document.block_at(offset)
                for number in (self._found_current, current)
                if number is not None and number < len(matches)
                for offset in (matches[number][0], max(matches[number][1] - 1, 0))
            }
            # An LRUCache: no iteration or del, but keys() and discard().
            stale = [key for key in self._block_styles.keys() if key[0] in changed]  # noqa: SIM118
            for key in stale:
                self._block_styles.discard(key)
        self._found_current = current
        if current is not None:
            self.selection_anchor = None
            self.move_cursor(matches[current][0], context_rows=FOUND_CONTEXT_ROWS)
        self.refresh()

    # Cursor and selection

    def move_cursor(self, offset: int, *, extend: bool = False, context_rows: int = 0) -> None:
        """Put the cursor on an original offset and scroll it into view; a jump asks for
        ``context_rows`` rows of text above it, so the passage is read in its context."""
        if self.document is None or self.layout_ is None:
            return
        if extend and self.selection_anchor is None:
            self.selection_anchor = self.cursor
        self.cursor = offset
        self._keep_cursor_visible(context_rows)
        self.post_message(self.CursorMoved(self.cursor))

    def validate_cursor(self, offset: int) -> int:
        """On a character of the text, and never inside a grapheme cluster."""
        if self.document is None:
            return 0
        offset = min(max(offset, 0), max(len(self.document.text) - 1, 0))
        return self.document.cluster_at(offset)[0]

    def _keep_cursor_visible(self, context_rows: int = 0) -> None:
        assert self.layout_ is not None
        y, _ = self.layout_.locate(self.cursor)
        height = self.scrollable_content_region.height
        self.virtual_size = Size(self.virtual_size.width, self.layout_.height)
        context = min(context_rows, max(height // 3, 0))
        if y < self.scroll_y + context or y >= self.scroll_y + height:
            if context_rows:
                self.scroll_to(y=max(y - context, 0), animate=False, immediate=True)
            elif y < self.scroll_y:
                self.scroll_to(y=y, animate=False, immediate=True)
            else:
                self.scroll_to(y=y - height + 1, animate=False, immediate=True)

    def _step_chars(self, delta: int) -> int:
        """The offset one character left or right on screen (a unit like 記憶體 is one step)."""
        assert self.layout_ is not None
        return positions.step_chars(self.layout_, self.cursor, delta)

    def _step_rows(self, delta: int) -> int:
        assert self.layout_ is not None
        return positions.step_rows(self.layout_, self.cursor, delta)

    # After ``v`` plain arrows extend the selection too, as in vim's visual mode.

    def action_move_chars(self, delta: int) -> None:
        self.move_cursor(self._step_chars(delta), extend=self.selection_anchor is not None)

    def action_move_rows(self, delta: int) -> None:
        self.move_cursor(self._step_rows(delta), extend=self.selection_anchor is not None)

    def action_extend_chars(self, delta: int) -> None:
        self.move_cursor(self._step_chars(delta), extend=True)

    def action_extend_rows(self, delta: int) -> None:
        self.move_cursor(self._step_rows(delta), extend=True)

    def action_page(self, direction: int) -> None:
        if self.layout_ is None:
            return
        height = max(self.scrollable_content_region.height - 1, 1)
        y, x = self.layout_.locate(self.cursor)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)
        target = min(max(y + direction * height, 0), max(self.layout_.height - 1, 0))
        self.move_cursor(
            self.layout_.offset_at(target, x), extend=self.selection_anchor is not None
        )

    def action_to_edge(self, end: bool) -> None:
        if self.document is None:
            return
        self.move_cursor(
            len(self.document.text) if end else 0, extend=self.selection_anchor is not None
        )

    def action_toggle_selection(self) -> None:
        self.selection_anchor = None if self.selection_anchor is not None else self.cursor
        self.post_message(self.CursorMoved(self.cursor))

    def clear_selection(self) -> None:
        self.selection_anchor = None

    def action_clear_selection(self) -> None:
        if self.selection_anchor is not None:
            self.clear_selection()
            self.post_message(self.CursorMoved(self.cursor))

    def select(self, start: int, end: int) -> None:
        """Select the original span [start, end) and bring it on screen."""
        self.selection_anchor = start
        self.move_cursor(max(end - 1, start), extend=True)

    # Mouse

    def _offset_under(self, event: events.MouseEvent) -> int | None:
        if self.layout_ is None:
            return None
        position = event.get_content_offset_capture(self)
        return self.layout_.offset_at(round(self.scroll_y) + position.y, position.x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_under(event)
        if offset is None:
            return
        self.focus()
        self._dragging = True
        self.capture_mouse()
        self.selection_anchor = None
        self.move_cursor(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = self._offset_under(event)
        if offset is not None and (offset != self.cursor or self.selection_anchor is not None):
            self.move_cursor(offset, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    # Rendering

    def _drawn_plain(self) -> bool:
        """Whether the view shows the engine's text without offsets (the model is loading)."""
        return self._draft and self.config is not None and not converter(self.config).model_ready

    def notify_style_update(self) -> None:
        """A new theme or stylesheet: the cached styles hold the old colours."""
        super().notify_style_update()
        self._style_cache.clear()
        self._block_styles.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.layout_ is None or self.document is None:
            return Strip.blank(width, base)
        row = self.layout_.row_at(round(self.scroll_y) + y)
        if row is None:
            return Strip.blank(width, base)
        if row.block in self.layout_.fold_markers:
            return self._fold_marker_line(row.block, width, base)
        if self._drawn_plain():
            # The first frame in a script: the engine's text, plain, while the offset model
            # (which places highlights and the cursor) loads in the background.
            text = self.document.converted_text(self.config, row.block)
            plain = Strip([Segment(line_text(text[row.start : row.end]), base)])
            return plain.adjust_cell_length(width, base)
        converted = self.document.converted(self.config, row.block)
        key = (row.block, self.config, self.selection, self.document)
        styles = self._block_styles.get(key)
        if styles is None:
            styles = self._block_styles[key] = self._styles_for_block(row.block)
        cursor_span = (
            positions.cursor_in_block(self.document, self.config, row.block, self.cursor)
            if self.has_focus
            else None
        )
        cursor_dst, cursor_end = cursor_span if cursor_span is not None else (None, -1)
        # The cursor's character is part of a selection (its last or first character): it is
        # painted as selected, marked as the cursor, so what shows as selected is what is saved.
        cursor_style = self.get_component_rich_style(
            "article-view--cursor"
            if self.selection_anchor is None
            else "article-view--selection-cursor"
        )
        segments: list[Segment] = []
        text = converted.text
        run_start = row.start
        run_style: Style | None = None
        for index in range(row.start, row.end + 1):
            style = None
            if index < row.end:
                style = styles(index)
                if cursor_dst is not None and cursor_dst <= index < cursor_end:
                    style = style + cursor_style
            if index == row.end or style != run_style:
                if index > run_start and run_style is not None:
                    shown = line_text(text[run_start:index])  # a document's ESC is data
                    segments.append(Segment(shown, base + run_style))
                run_start, run_style = index, style
        if cursor_dst == row.end == len(text) and row.end == self.layout_.rows_of(row.block)[-1][1]:
            segments.append(Segment(" ", base + cursor_style))
        return Strip(segments).adjust_cell_length(width, base)

    def _fold_marker_line(self, block_index: int, width: int, base: Style) -> Strip:
        assert self.document is not None and self.layout_ is not None
        start, end = self.layout_.fold_markers[block_index]
        lines = self.document.text.count("\n", start, end) + 1
        what = "site navigation" if start == 0 else "page footer"
        label = f"⋯ {what} ({lines} line{'s' if lines > 1 else ''}) folded · n shows it"
        style = base + self.get_component_rich_style("article-view--boilerplate")
        if self.has_focus and self.layout_.folded_span_at(self.cursor) == (start, end):
            style += self.get_component_rich_style("article-view--cursor")
        return Strip([Segment(label, style + Style(italic=True))]).adjust_cell_length(width, base)

    def _styles_for_block(self, index: int) -> Callable[[int], Style]:
        """A function giving the style of each converted character of one block.

        Built once per block as one style per character, so painting is a list lookup however
        many annotations the article has. Where annotations overlap, the innermost one's colour
        wins and the overlap is underlined, so both stay visible.
        """
        document, config = self.document, self.config
        assert document is not None
        block = document.blocks[index]
        length = len(document.converted(config, index).text)
        colors: list[str | None] = [None] * length
        depth = [0] * length
        dimmed = [False] * length
        selected = [False] * length

        def on_screen(src_start: int, src_end: int) -> range:
            return positions.span_in_block(document, config, index, src_start, src_end)

        for span in self._boilerplate:
            for position in on_screen(*span):
                dimmed[position] = True
        here = self._annotations.overlapping(block.start, block.end)
        for annotation in sorted(here, key=lambda a: a.start - a.end):  # longest first
            color = annotation.tags[0].color if annotation.tags else NO_TAG_COLOR
            for position in on_screen(annotation.start, annotation.end):
                colors[position] = color
                depth[position] += 1
        if self.selection is not None:
            for position in on_screen(*self.selection):
                selected[position] = True
        styles = [
            self._character_style(colors[i], depth[i] > 1, dimmed[i], selected[i])
            for i in range(length)
        ]
        if self._found:
            self._paint_found(index, styles, on_screen)
        styles.append(Style())
        return styles.__getitem__

    def _paint_found(
        self, index: int, styles: list[Style], on_screen: Callable[[int, int], range]
    ) -> None:
        """Put the find-bar highlight over the block's matches (the current one stronger)."""
        assert self.document is not None
        block = self.document.blocks[index]
        found = self.get_component_rich_style("article-view--found")
        current = self.get_component_rich_style("article-view--found-current")
        first = max(bisect.bisect_left(self._found_starts, block.start) - 1, 0)
        last = bisect.bisect_left(self._found_starts, block.end)
        for number in range(first, last):
            start, end = self._found[number]
            extra = current if number == self._found_current else found
            for position in on_screen(start, end):
                styles[position] = styles[position] + extra

    def _character_style(
        self, color: str | None, overlap: bool, dimmed: bool, selected: bool
    ) -> Style:
        key = (color, overlap, dimmed, selected)
        style = self._style_cache.get(key)
        if style is None:
            style = Style()
            if dimmed:
                style += self.get_component_rich_style("article-view--boilerplate")
            if color is not None:
                style += Style(bgcolor=color, color="black", underline=overlap)
            if selected:
                style += self.get_component_rich_style("article-view--selection")
            self._style_cache[key] = style
        return style
