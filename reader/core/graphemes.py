"""Grapheme clusters and their cell widths: the units a reader sees, measured as they are drawn.

A *grapheme cluster* (Unicode UAX #29, extended) is what a reader takes for one character:
``❤️`` (U+2764 U+FE0F), the family ``👨‍👩‍👧`` (five code points joined by U+200D), the flag ``🇨🇳``
(two regional indicators), halfwidth ``ﾊﾟ`` (a kana and its sound mark), ``é`` written as e +
U+0301. A row break or a cursor stop inside one would cut a glyph in half, so layout and the
cursor move by clusters. Segmentation is the ``regex`` module's ``\\X`` (the full UAX #29
algorithm, in C, kept current with Unicode); Rich's own ``split_graphemes`` is simpler and
splits flags and halfwidth kana in two.

Widths are what Rich, and so Textual, count when they pad and crop a line (``cell_len``; it
counts U+FE0F after an emoji as making it wide, and a ZWJ sequence as its first emoji), measured
on the text as the UI draws it: control characters shown as one-cell symbols
(:func:`reader.core.display.visible`). :func:`cell_width` is the one measure used by wrapping,
cursor placement and drawing alike, so they can never disagree.
"""

from __future__ import annotations

import regex
from rich.cells import cell_len

from reader.core.display import visible

__all__ = [
    "cell_width",
    "char_cells",
    "cluster_bounds",
    "cluster_span",
    "has_joiners",
    "is_additive",
]

_CLUSTER = regex.compile(r"\X")

_JOINERS = regex.compile(
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}\p{Grapheme_Cluster_Break=Prepend}"
    r"\p{Grapheme_Cluster_Break=Regional_Indicator}\p{Grapheme_Cluster_Break=L}"
    r"\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}\r]"
)
"""Code points that can join a neighbour into one cluster. A text without any of them (almost
all Chinese prose) has one cluster per code point, which is checked with one C-speed search."""

_CONTEXTUAL = ("\u200d", "\ufe0f")
"""The only code points that make Rich's width of a text differ from the sum of its code
points' widths (ZWJ hides the next code point, VS16 widens the one before)."""


def cell_width(text: str) -> int:
    """Cells ``text`` takes on screen, as Rich/Textual count them when drawing it.

    A tab inside a row is drawn as one space (a raw tab would move the terminal's cursor to a
    tab stop the compositor knows nothing of), so it is measured as one cell.
    """
    return cell_len(visible(text).replace("\t", " "))


class _CharCells(dict[str, int]):
    """Cell width of each code point drawn on its own, filled on first use."""

    def __missing__(self, char: str) -> int:
        size = cell_width(char)
        self[char] = size
        return size


char_cells = _CharCells()
"""``char_cells[c]``: cells of code point ``c`` drawn alone (a control character is 1)."""


def has_joiners(text: str) -> bool:
    """Whether some cluster of ``text`` is longer than one code point."""
    return _JOINERS.search(text) is not None


def is_additive(text: str) -> bool:
    """Whether the width of any slice of ``text`` is the sum of its code points' widths."""
    return not any(char in text for char in _CONTEXTUAL)


def cluster_bounds(text: str) -> list[int]:
    """Every cluster boundary of ``text``: 0, the start of each later cluster, and len(text)."""
    if not has_joiners(text):
        return list(range(len(text) + 1))
    bounds = [match.start() for match in _CLUSTER.finditer(text)]
    bounds.append(len(text))
    return bounds


def cluster_span(text: str, offset: int, start: int = 0) -> tuple[int, int]:
    """The cluster holding ``offset``: [first code point, end). ``start`` must be a boundary
    at or before the offset (a line start, say), from where segmentation begins."""
    if offset >= len(text):
        return len(text), len(text)
    if _JOINERS.search(text, max(start, offset - 1), offset + 2) is None:
        return offset, offset + 1  # neither neighbour can join: the code point stands alone
    position = start
    for match in _CLUSTER.finditer(text, start):
        position = match.end()
        if position > offset:
            return match.start(), position
    return offset, offset + 1
