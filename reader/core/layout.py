"""Laying a document out for a terminal: blocks, script conversion per block, wrapping to rows.

Nothing here is done for the whole document up front. A novel can be one line of 800,000
characters, so the text is cut into blocks at line and sentence ends (where converting in pieces
equals converting whole), and each block is converted and wrapped only when it is first shown.
Blocks not yet wrapped carry an estimated height, so opening a novel costs what opening a short
article costs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import get_character_cell_size

from reader.core.convert import Converted, OffsetMap, converter

__all__ = ["Block", "DocumentLayout", "Row", "WrappedLayout", "split_blocks", "wrap"]

BLOCK_CHARS = 600
"""Longest block worth converting at once: a few screens of text at most."""

SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)》〉\"']*")
NO_LINE_START = frozenset("，。、；：？！）」』”’》〉…—,.;:?!)%")
"""Punctuation that may not begin a row (kinsoku): it is pulled up with the character before it."""


@dataclass(frozen=True)
class Block:
    """A piece of one line of the original: [start, end) in code points, newline excluded."""

    start: int
    end: int


@dataclass(frozen=True)
class Row:
    """One screen row: [start, end) of a block's converted text."""

    block: int
    start: int
    end: int


def split_blocks(text: str, limit: int = BLOCK_CHARS) -> list[Block]:
    """Cut the text into lines, and long lines after sentence ends."""
    blocks: list[Block] = []
    position = 0
    for line in text.split("\n"):
        end = position + len(line)
        if end - position <= limit:
            blocks.append(Block(position, end))
        else:
            blocks.extend(_split_long_line(text, position, end, limit))
        position = end + 1
    return blocks


def _split_long_line(text: str, start: int, end: int, limit: int) -> list[Block]:
    """Cut one long line after the first sentence end past half the limit.

    One regex search per block, not a Python step per sentence: an 800,000-character line
    splits in a few milliseconds. A run with no sentence end for far too long (a table, a list
    of names) is cut where it must be; OpenCC phrases are short, so only the seam may differ.
    """
    pieces: list[Block] = []
    piece_start = start
    while end - piece_start > limit:
        window_end = min(end, piece_start + 4 * limit)
        found = SENTENCE_END.search(text, piece_start + limit // 2, window_end)
        cut = found.end() if found else piece_start + limit
        if cut >= end:
            break
        pieces.append(Block(piece_start, cut))
        piece_start = cut
    pieces.append(Block(piece_start, end))
    return pieces


def estimated_cells(text: str) -> int:
    """Cell width of a text without looking at each character.

    UTF-8 spends 1 byte on ASCII (1 cell) and 3 on CJK (2 cells), so the byte count gives the
    width of Chinese prose to within a few cells, in C speed.
    """
    length = len(text)
    wide = (len(text.encode("utf-8", "surrogatepass")) - length) // 2
    return length + wide


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Rows [start, end) that fit ``width`` cells: CJK breaks anywhere, Latin words stay whole."""
    if not text:
        return [(0, 0)]
    width = max(width, 2)
    rows: list[tuple[int, int]] = []
    start = 0
    cells = 0
    last_space = -1
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        size = get_character_cell_size(char)
        if cells + size > width and index > start:
            cut = index
            if char.isascii() and char.isalnum() and last_space > start:
                cut = last_space + 1
            elif char in NO_LINE_START and index - 1 > start:
                cut = index - 1
            rows.append((start, cut))
            start = cut
            cells = sum(get_character_cell_size(c) for c in text[start:index])
            last_space = -1
        if char == " ":
            last_space = index
        cells += size
        index += 1
    rows.append((start, length))
    return rows


class DocumentLayout:
    """A document's blocks and their conversions, shared by every width."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks = split_blocks(text)
        self._starts = [block.start for block in self.blocks]
        self._converted: dict[str | None, list[Converted | None]] = {}

    def block_text(self, index: int) -> str:
        block = self.blocks[index]
        return self.text[block.start : block.end]

    def block_at(self, offset: int) -> int:
        """The block holding an original offset (a newline belongs to the block it ends)."""
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def converted(self, config: str | None, index: int) -> Converted:
        """A block in a script, converted on first use and kept."""
        # setdefault: the background thread and the UI thread may both get here first.
        cache = self._converted.setdefault(config, [None] * len(self.blocks))
        found = cache[index]
        if found is None:
            source = self.block_text(index)
            found = (
                Converted(source, OffsetMap.identity(len(source)))
                if config is None
                else converter(config).convert_mapped(source)
            )
            cache[index] = found
        return found


class WrappedLayout:
    """A document in one script at one width: rows, found by screen line, built lazily.

    Blocks lying wholly inside a ``folded`` span (a page's site navigation, say) are not shown:
    the first of them becomes one marker row, the rest take no rows at all.
    """

    def __init__(
        self,
        document: DocumentLayout,
        config: str | None,
        width: int,
        folded: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.document = document
        self.config = config
        self.width = max(width, 2)
        count = len(document.blocks)
        self._rows: list[list[tuple[int, int]] | None] = [None] * count
        self.fold_markers: dict[int, tuple[int, int]] = {}
        """Block index -> the folded span [start, end) its marker row stands for."""
        for span_start, span_end in folded:
            inside = [
                index
                for index in range(document.block_at(span_start), count)
                if document.blocks[index].start >= span_start
                and document.blocks[index].end <= span_end
                and document.blocks[index].start < span_end
            ]
            if inside:
                self.fold_markers[inside[0]] = (span_start, span_end)
                self._rows[inside[0]] = [(0, 0)]
                for index in inside[1:]:
                    self._rows[index] = []
        self._heights = [
            len(rows) if rows is not None else self._estimate(index)
            for index, rows in enumerate(self._rows)
        ]
        self._tops: list[int] | None = None

    def _estimate(self, index: int) -> int:
        cells = estimated_cells(self.document.block_text(index))
        return max(1, -(-cells // self.width))

    # Heights and positions

    @property
    def height(self) -> int:
        tops = self._block_tops()
        return tops[-1] + self._heights[-1] if self._heights else 0

    def _block_tops(self) -> list[int]:
        if self._tops is None:
            tops = [0] * len(self._heights)
            total = 0
            for index, height in enumerate(self._heights):
                tops[index] = total
                total += height
            self._tops = tops
        return self._tops

    def block_top(self, index: int) -> int:
        return self._block_tops()[index]

    def is_exact(self, index: int) -> bool:
        return self._rows[index] is not None

    def rows_of(self, index: int) -> list[tuple[int, int]]:
        """The block's rows, wrapping (and converting) it on first use."""
        rows = self._rows[index]
        if rows is None:
            text = self.document.converted(self.config, index).text
            rows = wrap(text, self.width)
            self._rows[index] = rows
            if len(rows) != self._heights[index]:
                self._heights[index] = len(rows)
                self._tops = None
        return rows

    def row_at(self, y: int) -> Row | None:
        """The row shown at screen line ``y`` of the whole document."""
        if y < 0 or not self._heights:
            return None
        tops = self._block_tops()
        # Folded blocks take no rows and share their top with the next block: take the last.
        index = bisect.bisect_right(tops, y) - 1
        rows = self.rows_of(index)
        if self._tops is None:  # wrapping changed the heights: look again
            return self.row_at(y)
        row_index = y - tops[index]
        if row_index >= len(rows):
            return None
        start, end = rows[row_index]
        return Row(index, start, end)

    # Offsets <-> screen positions

    def folded_span_at(self, offset: int) -> tuple[int, int] | None:
        for span in self.fold_markers.values():
            if span[0] <= offset < span[1]:
                return span
        return None

    def locate(self, offset: int) -> tuple[int, int]:
        """Screen (y, x) of the character at an original offset."""
        span = self.folded_span_at(offset)
        if span is not None:  # hidden text sits on its fold marker
            marker = next(i for i, s in self.fold_markers.items() if s == span)
            return self.block_top(marker), 0
        index = self.document.block_at(offset)
        block = self.document.blocks[index]
        converted = self.document.converted(self.config, index)
        local = min(max(offset - block.start, 0), block.end - block.start)
        dst, _ = converted.offsets.to_dst(local, local)
        rows = self.rows_of(index)
        row_index = max(0, bisect.bisect_right([start for start, _ in rows], dst) - 1)
        row_start = rows[row_index][0]
        x = sum(get_character_cell_size(char) for char in converted.text[row_start:dst])
        return self.block_top(index) + row_index, x

    def offset_at(self, y: int, x: int) -> int:
        """The original offset of the character drawn at screen (y, x)."""
        row = self.row_at(min(max(y, 0), max(self.height - 1, 0)))
        if row is None:
            return len(self.document.text)
        if row.block in self.fold_markers:
            return self.fold_markers[row.block][0]
        converted = self.document.converted(self.config, row.block)
        dst = row.start
        cells = 0
        while dst < row.end:
            size = get_character_cell_size(converted.text[dst])
            if cells + size > x:
                break
            cells += size
            dst += 1
        src, _ = converted.offsets.to_src(dst, dst)
        return self.document.blocks[row.block].start + src
