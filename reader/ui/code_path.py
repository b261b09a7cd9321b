"""A code drawn with its place in the codebook: ``经济 › 产业 › `` dimmed, then the code's own
name on its colour, cut to the width it is given.

The names above a code are data (another program may have put markup or control characters in
them): they are measured and drawn as :func:`reader.ui.safe_text.line_text` shows them, as a
plain ``Text``, never parsed. When the row is too narrow, the path gives way and the name stays
whole: codes in the middle of the path are left out first (``经济 › … › 产业 › ``; the top-level
code says the branch, the nearest one what the code refines), then the top-level name is cut
(``经… › ``). Only a name wider than the row itself wraps.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from reader.core.graphemes import cluster_bounds
from reader.core.models import PlacedCode
from reader.ui.safe_text import line_text

__all__ = ["SEPARATOR", "CodePrompt", "fitted_path", "path_text"]

SEPARATOR = " › "
"""Between the names of a path, and after the last name above the code."""

LEFT_OUT = "…"
"""In place of the names of a path left out."""


def path_text(place: PlacedCode) -> str:
    """The code's whole path as one string, its own name last, names as stored: what the
    picker's filter searches (so a parent's name finds the codes under it)."""
    above = list(place.above)
    if place.skipped:
        above.insert(1, LEFT_OUT)
    return SEPARATOR.join((*above, place.name))


def _above(place: PlacedCode) -> list[str]:
    """The names above the code as drawn, … for those left out."""
    names = [line_text(name) for name in place.above]
    if place.skipped:
        names.insert(1, LEFT_OUT)
    return names


def fitted_path(place: PlacedCode, width: int) -> str:
    """The names above the code, each followed by :data:`SEPARATOR`, in at most ``width``
    cells: all of them if they fit; else the top-level one, … for those left out, and as many
    of the nearest as fit; else the top-level one cut short; "" when not even that fits."""
    above = [line_text(name) for name in place.above]
    if not above:
        return ""
    for kept in range(len(above) - 1, -1, -1):
        nearest = above[len(above) - kept :] if kept else []
        left_out = place.skipped + len(above) - 1 - kept
        names = [above[0], *([LEFT_OUT] if left_out else []), *nearest]
        shown = _joined(names)
        if cell_len(shown) <= width:
            return shown
    tail = LEFT_OUT + SEPARATOR
    head = _head(above[0], width - cell_len(tail))
    if head == above[0]:  # "经济… › " must read as 经济 cut short, never as 经济 whole
        head = head[: cluster_bounds(head)[-2]]
    if head:
        return head + tail
    return LEFT_OUT + " " if width >= 2 else ""


def _joined(names: Sequence[str]) -> str:
    return "".join(name + SEPARATOR for name in names)


def _head(text: str, width: int) -> str:
    """The longest start of ``text`` that takes at most ``width`` cells, never half a
    character (a grapheme cluster stays whole)."""
    if width <= 0:
        return ""
    bounds = cluster_bounds(text)
    end = 0
    for bound in bounds[1:]:
        if cell_len(text[:bound]) > width:
            break
        end = bound
    return text[:end]


class CodePrompt:
    """One row of a list of codes: a mark (chosen or not), the path dimmed, the name on its
    colour. A Rich renderable, so the path is fitted to the width the list draws it at (the
    dialog's, after every resize)."""

    def __init__(self, place: PlacedCode, mark: str = "") -> None:
        self.place = place
        self.mark = mark

    def _name(self) -> Text:
        return Text(f" {line_text(self.place.name)} ", style=f"black on {self.place.color}")

    def fitted(self, width: int) -> Text:
        """The row in ``width`` cells (longer only when the mark and name alone are)."""
        name = self._name()
        room = width - cell_len(self.mark) - name.cell_len
        row = Text(self.mark, no_wrap=True, overflow="crop")
        if room < 0:  # the name alone is wider than the row: it wraps, whole
            row.no_wrap = False
            row.overflow = "fold"
        else:
            row.append(fitted_path(self.place, room), style="dim")
        row.append_text(name)
        return row

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.fitted(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        full = cell_len(self.mark) + cell_len(_joined(_above(self.place))) + self._name().cell_len
        least = cell_len(self.mark) + self._name().cell_len
        return Measurement(min(least, full), full).clamp(max_width=options.max_width)
