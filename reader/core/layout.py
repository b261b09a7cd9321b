"""Laying a document out for a terminal: blocks, script conversion per block, wrapping to rows.

Nothing here is done for the whole document up front. A novel can be one line of 800,000
characters, so the text is cut into blocks at line and sentence ends (where converting in pieces
equals converting whole), and each block is converted and wrapped only when it is first shown.
Blocks not yet wrapped carry an estimated height, so opening a novel costs what opening a short
article costs.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import regex

from reader.core.convert import Converted, OffsetMap, converter
from reader.core.graphemes import (
    cell_width,
    char_cells,
    cluster_bounds,
    cluster_span,
    has_joiners,
    is_additive,
)

__all__ = [
    "CLOSING",
    "OPENING",
    "Block",
    "DocumentLayout",
    "Row",
    "WrappedLayout",
    "kinsoku_span",
    "split_blocks",
    "wrap",
]

BLOCK_CHARS = 600
"""Longest block worth converting at once: a few screens of text at most."""

_EXTEND = (
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}]*"
)
SENTENCE_END = regex.compile(rf"(?:[。！？；!?;…]{_EXTEND})+(?:[”’」』）)》〉\"']{_EXTEND})*")
"""A sentence end and the closing marks after it, with any marks that belong to them (so a
cut after it is a cluster boundary). None of these characters occurs in any OpenCC key."""

# Line-breaking classes: UAX #14 (the Unicode line-breaking algorithm) for CJK, with the 禁则
# of the W3C's Requirements for Chinese Text Layout (clreq, 3.1.7). Classes go by the first code
# point of a cluster (UAX #14 LB9: a combining mark takes its base's class).
CLOSING = frozenset(
    "、。，．：；？！‼⁇⁈⁉）］｝〕〉》」』】〙〗〟｠’”»"  # CL, CP, EX, IS; clreq 点号, closing 标号
    "…‥"  # IN (LB22: never break before); clreq: 省略号 stays with what precedes
    "・·〜゠ー々〻ゝゞヽヾ"  # NS; clreq 间隔号
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"  # CJ, as NS
    "｡｣､･ｰｧｨｩｪｫｬｭｮｯﾞﾟ"  # halfwidth forms
    "﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞"  # small form variants
    ",.;:?!)]}%‰℃′″"  # ASCII CL/CP/EX/IS, PO
)
"""What may not begin a row (行首禁则): closing marks, stops, small kana. A whole run of them
goes down to the next row together with the character before it."""
OPENING = frozenset("（［｛〔〈《「『【〘〖〝｟‘“«([{｢﹙﹛﹝")
"""What may not end a row (行尾禁则): opening brackets and quotes (UAX #14 OP; clreq)."""
INSEPARABLE = frozenset("—―⸺⸻")
"""Dashes: two in a row (破折号 ——) are one mark and never split (UAX #14 LB17, B2 × B2)."""


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
    of names) is cut at the first seam past the limit where converting the two sides apart
    equals converting them together and no cluster is split (:func:`_forced_cut`).
    """
    pieces: list[Block] = []
    piece_start = start
    while end - piece_start > limit:
        window_end = min(end, piece_start + 4 * limit)
        found = SENTENCE_END.search(text, piece_start + limit // 2, window_end)
        cut = found.end() if found else _forced_cut(text, piece_start, end, limit)
        if cut >= end:
            break
        pieces.append(Block(piece_start, cut))
        piece_start = cut
    pieces.append(Block(piece_start, end))
    return pieces


def _forced_cut(text: str, start: int, end: int, limit: int) -> int:
    """The first cluster boundary at or past ``start + limit`` where no OpenCC dictionary key
    of any config spans the seam (:func:`opencc_engine.safe_seam`); ``end`` if there is none."""
    from reader.core.opencc_engine import safe_seam

    window = start
    span = 4 * limit
    while True:
        window_end = min(end, window + span)
        bounds = cluster_bounds(text[window:window_end])
        if window_end < end:
            bounds.pop()  # the window's own end is no boundary of the text
        for bound in bounds[1:]:
            cut = window + bound
            if cut - start >= limit and (cut == end or safe_seam(text, cut)):
                return cut
        if window_end == end:
            return end
        if bounds[-1] == 0:  # one cluster longer than the window: look further
            span *= 2
        window += bounds[-1]


def estimated_cells(text: str) -> int:
    """Cell width of a text without looking at each character.

    UTF-8 spends 1 byte on ASCII (1 cell) and 3 on CJK (2 cells), so the byte count gives the
    width of Chinese prose to within a few cells, in C speed.
    """
    length = len(text)
    wide = (len(text.encode("utf-8", "surrogatepass")) - length) // 2
    return length + wide


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Rows [start, end) of ``text`` that fit ``width`` cells as drawn, broken like a book.

    - A row breaks only between grapheme clusters, each measured as it is drawn
      (:func:`reader.core.graphemes.cell_width`): ❤️ is 2 cells, a ZWJ family one glyph.
    - CJK breaks between any two characters, but a row never begins with a closing mark
      (。」 ？」 …… and the like: :data:`CLOSING`) nor ends with an opening bracket (「 “ 《:
      :data:`OPENING`); where the width falls on one, the characters before it are *pushed
      down* to the next row with it, never hung past the edge. Latin words stay whole.
    - No row is ever wider than ``width``: where the rules cannot be kept in that width, they
      give way (first the whole-word rule, then 禁则). The one exception is a single cluster
      wider than the whole width (a CJK character at width 1), which gets a row of its own.
    """
    if not text:
        return [(0, 0)]
    width = max(width, 1)
    bounds: Sequence[int]
    if has_joiners(text):
        bounds = cluster_bounds(text)
        sizes = [cell_width(text[a:b]) for a, b in pairwise(bounds)]
    else:  # one cluster per code point
        bounds = range(len(text) + 1)
        sizes = list(map(char_cells.__getitem__, text))
    if not is_additive(text):
        return _wrap_exact(text, bounds, sizes, width)
    rows: list[tuple[int, int]] = []
    start = 0
    cells = 0
    for index, size in enumerate(sizes):
        cells += size
        if cells > width and index > start:
            cut = _break_before(text, bounds, sizes, start, index, width, None)
            rows.append((bounds[start], bounds[cut]))
            start = cut
            cells = sum(sizes[start : index + 1])
    rows.append((bounds[start], len(text)))
    return rows


def _wrap_exact(
    text: str, bounds: Sequence[int], sizes: list[int], width: int
) -> list[tuple[int, int]]:
    """:func:`wrap` for text with ZWJ or VS16, whose width is not a sum: each row is measured
    whole, as Rich will measure it (a stray VS16 after a zero-width cluster still widens)."""

    def measure(first: int, stop: int) -> int:
        return cell_width(text[bounds[first] : bounds[stop]])

    rows: list[tuple[int, int]] = []
    start = 0
    for index in range(len(sizes)):
        if index > start and measure(start, index + 1) > width:
            cut = _break_before(text, bounds, sizes, start, index, width, measure)
            rows.append((bounds[start], bounds[cut]))
            start = cut
    rows.append((bounds[start], len(text)))
    return rows


def _break_before(
    text: str,
    bounds: Sequence[int],
    sizes: list[int],
    start: int,
    index: int,
    width: int,
    measure: Callable[[int, int], int] | None,
) -> int:
    """Where to end the row of clusters [start, ...) that cluster ``index`` overflows.

    The latest break at or before ``index`` that the rules allow and whose pushed-down part
    (clusters from the break through ``index``) fits a row; first keeping Latin words whole,
    then not; failing both, right before ``index`` (the width wins over the rules).
    """
    for whole_words in (True, False):
        pushed = 0
        for cut in range(index, start, -1):
            if measure is None:
                pushed += sizes[cut]
            else:
                pushed = measure(cut, index + 1)
            if pushed > width:
                break
            after = text[bounds[cut]]
            before = text[bounds[cut - 1]]
            if after in CLOSING or before in OPENING:
                continue
            if after in INSEPARABLE and before in INSEPARABLE:
                continue
            if (
                whole_words
                and sizes[cut] == 1
                and sizes[cut - 1] == 1
                and not after.isspace()
                and not before.isspace()
            ):
                continue
            return cut
    return index


def kinsoku_span(text: str, bounds: Sequence[int], cut: int) -> tuple[int, int]:
    """The stretch around a break at ``cut`` (a cluster boundary in ``bounds``) that 禁则 keeps
    on one row: the opening brackets, the character they open, the closing marks after it
    (and a 破折号's two halves). A row break inside it is a violation only where the stretch
    fits the width; this is what the tests and the benchmark hold :func:`wrap` to."""
    index = bisect.bisect_left(bounds, cut)
    last_index = len(bounds) - 1

    def joined(i: int) -> bool:  # may no break fall between cluster i - 1 and cluster i?
        after, before = text[bounds[i]], text[bounds[i - 1]]
        return (
            after in CLOSING
            or before in OPENING
            or (after in INSEPARABLE and before in INSEPARABLE)
        )

    first = index
    while first > 0 and joined(first):
        first -= 1
    last = max(index, first) + 1
    while last < last_index and joined(last):
        last += 1
    return bounds[first], bounds[min(last, last_index)]


class DocumentLayout:
    """A document's blocks and their conversions, shared by every width."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks = split_blocks(text)
        self._starts = [block.start for block in self.blocks]
        self._converted: dict[str | None, list[Converted | None]] = {}
        self._texts: dict[str | None, list[str | None]] = {}
        """The engine's text of blocks whose offset map is not needed yet (wrapping)."""

    def block_text(self, index: int) -> str:
        block = self.blocks[index]
        return self.text[block.start : block.end]

    def block_at(self, offset: int) -> int:
        """The block holding an original offset (a newline belongs to the block it ends)."""
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def cluster_at(self, offset: int) -> tuple[int, int]:
        """The grapheme cluster of the original holding ``offset``: [start, end)."""
        offset = min(max(offset, 0), len(self.text))
        block = self.blocks[self.block_at(offset)]
        if offset >= block.end:  # a newline, or the end of the text
            return offset, min(offset + 1, len(self.text))
        return cluster_span(self.text, offset, block.start)

    def next_stop(self, offset: int) -> int:
        """The cursor stop after the one at ``offset``: the end of its cluster."""
        return max(self.cluster_at(offset)[1], min(offset + 1, len(self.text)))

    def previous_stop(self, offset: int) -> int:
        """The cursor stop before ``offset``: the start of the cluster before it."""
        return self.cluster_at(offset - 1)[0] if offset > 0 else 0

    def converted_text(self, config: str | None, index: int) -> str:
        """A block's text in a script: OpenCC's C++ engine alone, without the offset map.

        Wrapping needs only this; the map (a Python replay of the conversion, ten times the
        cost) is made when a block is drawn or an offset in it is asked for.
        """
        if config is None:
            return self.block_text(index)
        mapped = self._converted.get(config)
        if mapped is not None and mapped[index] is not None:
            return mapped[index].text  # type: ignore[union-attr]
        texts = self._texts.setdefault(config, [None] * len(self.blocks))
        found = texts[index]
        if found is None:
            found = texts[index] = converter(config).convert(self.block_text(index))
        return found

    def keep_only(self, config: str | None) -> None:
        """Release the conversions of every other script (a novel's are tens of MB each)."""
        for cache in (self._converted, self._texts):
            for other in [key for key in cache if key != config]:
                del cache[other]

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
            texts = self._texts.get(config)
            if texts is not None:
                texts[index] = None
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
        self.width = max(width, 1)
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
            text = self.document.converted_text(self.config, index)
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
        local = min(max(offset - block.start, 0), block.end - block.start)
        if local == 0:  # a block's start is its converted start: no offset map needed
            return self.block_top(index), 0
        converted = self.document.converted(self.config, index)
        dst, _ = converted.offsets.to_dst(local, local)
        rows = self.rows_of(index)
        row_index = max(0, bisect.bisect_right([start for start, _ in rows], dst) - 1)
        row_start = rows[row_index][0]
        return self.block_top(index) + row_index, cell_width(converted.text[row_start:dst])

    def offset_at(self, y: int, x: int) -> int:
        """The original offset of the character drawn at screen (y, x)."""
        row = self.row_at(min(max(y, 0), max(self.height - 1, 0)))
        if row is None:
            return len(self.document.text)
        if row.block in self.fold_markers:
            return self.fold_markers[row.block][0]
        converted = self.document.converted(self.config, row.block)
        row_text = converted.text[row.start : row.end]
        bounds = cluster_bounds(row_text)  # a row starts a cluster
        dst = row.start
        for end in bounds[1:]:
            if cell_width(row_text[:end]) > x:
                break
            dst = row.start + end
        if dst == row.end and len(bounds) > 1 and row.end < len(converted.text):
            dst = row.start + bounds[-2]  # past the end of a row that is not the last: its last
        src, _ = converted.offsets.to_src(dst, dst)
        return self.document.blocks[row.block].start + src
