"""Strings that are data, made safe for the screen: never markup, never a control character.

Every title, passage, tag name, comment, file name and error text the TUI draws goes through
one of these on its way to a widget:

- :func:`plain` / :func:`plain_line`: a Textual ``Content`` that is the string itself, for a
  ``Label``, a ``Static`` or a notification (a ``str`` there would be parsed as markup: ``[/]``
  crashes, ``[@click=app.quit]`` runs an action);
- :func:`safe_strip`: for the Line-API widgets, which build their own ``Segment``\\s.

Both show control characters as the one-cell symbols of :mod:`reader.core.display`, one symbol
per code point, so offsets into the stored text stay the offsets on screen.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip

from reader.core.display import visible, visible_line

__all__ = ["line_text", "plain", "plain_line", "safe_strip"]

_NOT_FOR_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Control characters, tab and newline included: none belongs inside one drawn line."""


def plain(text: str) -> Content:
    """``text`` as literal content: markup stays text, controls become symbols, lines stay."""
    return Content(visible(text))


def plain_line(text: str) -> Content:
    """As :func:`plain`, on one line: newline and tab become spaces too."""
    return Content(line_text(text))


def line_text(text: str) -> str:
    """``text`` for one line of a Line-API widget or a list row (same length)."""
    return visible_line(text) if _NOT_FOR_A_LINE.search(text) else text


def safe_strip(strip: Strip) -> Strip:
    """``strip`` with every control character in its text shown as a symbol.

    A raw tab or newline inside a line would also break the cell count the compositor relies
    on, so both become spaces. Control segments (cursor moves Textual itself adds) are kept.
    A control character took no cell and its symbol takes one, so the line is cut back to
    the width it had.
    """
    if not any(not segment.control and _NOT_FOR_A_LINE.search(segment.text) for segment in strip):
        return strip
    shown = Strip(
        [
            segment if segment.control else Segment(line_text(segment.text), segment.style)
            for segment in strip
        ]
    )
    return shown.crop(0, strip.cell_length) if shown.cell_length > strip.cell_length else shown
