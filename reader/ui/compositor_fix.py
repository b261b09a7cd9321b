"""A work-around for Textual 8.2.8 cutting wide characters out of overlays (notifications).

Textual's compositor cuts every screen line at every visible widget's edges, the edges of the
widgets *under* an overlay included, and divides each widget's line at those cuts. A
double-width character that straddles one is replaced by two spaces (``Segment.split_cells``),
though the overlay owns the cells on both sides: a notice over the pane borders lost a
character per border (``Undid: deleted “  化城市路网”``). Upstream:
https://github.com/Textualize/textual/issues/6357 (open in 8.2.8); a minimal example is in the
closing note of issue 13.

The fix, where the same widget wins both pieces around a cut inside a wide character: the left
piece keeps the whole character (one cell more), the right piece starts one cell later behind
a move-to-column control (zero width), so full and partial updates both put every cell where
it belongs. Any other cut is divided as before. This replaces a private method, so it is
applied only to the Textual version it was written for (pinned in pyproject.toml); any other
version keeps Textual's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import textual
from rich.cells import get_character_cell_size
from rich.control import Control
from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

FOR_VERSION = "8.2.8"


def _inside_wide_characters(strip: Strip) -> set[int]:
    """Cell positions that are the right half of a double-width character."""
    inside: set[int] = set()
    x = 0
    for segment in strip:
        if segment.control:
            continue
        for character in segment.text:
            size = get_character_cell_size(character)
            if size == 2:
                inside.add(x + 1)
            x += size
    return inside


def _divide(strip: Strip, render_x: int, cuts: list[int], free: list[bool]) -> list[Strip]:
    """``strip`` divided at ``cuts[1:]`` (screen columns) into one piece per cut.

    ``free[i]``: the piece at ``cuts[i]`` will be drawn (no widget above has claimed it).
    """
    local = [cut - render_x for cut in cuts[1:]]
    if strip.cell_length == len(strip.text) or not any(
        free[index] and free[index + 1] for index in range(len(local))
    ):
        # No wide character, or no cut between two pieces of this widget: Textual's division.
        return list(strip.divide(local))
    inside = _inside_wide_characters(strip)
    shifted = [
        cut + 1 if cut in inside and free[index] and free[index + 1] else cut
        for index, cut in enumerate(local)
    ]
    pieces = list(strip.divide(shifted))
    for index, (cut, moved) in enumerate(zip(local, shifted, strict=True)):
        if moved != cut and index + 1 < len(pieces):
            column = Control.move_to_column(render_x + moved).segment
            pieces[index + 1] = Strip([column, *pieces[index + 1]], pieces[index + 1].cell_length)
    return pieces


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """Compositor._render_chops of Textual 8.2.8, dividing with :func:`_divide`."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):  # noqa: B905 (as Textual)
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            if len(final_cuts) > 2:  # cuts inside this widget: a wide character may straddle one
                free = [chops_line.get(cut) is None for cut in final_cuts]
                pieces = _divide(strip, render_x, final_cuts, free)
            else:
                pieces = strip.divide([cut - render_x for cut in final_cuts[1:]])
            for cut, piece in zip(final_cuts, pieces):  # noqa: B905
                if chops_line.get(cut) is None:
                    chops_line[cut] = piece
    return chops  # type: ignore[return-value]


def apply() -> bool:
    """Install the fix if this is the Textual it was written for; True when installed."""
    if textual.__version__ != FOR_VERSION:
        return False
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
    return True
