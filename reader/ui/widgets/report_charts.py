"""The reports as terminal charts and tables (Rich renderables): bars per code, a heat map of
co-occurrence, a line of months per code. Names and titles are data: every cell is a ``Text``
(never markup) with control characters shown as symbols."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.color import Color
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from reader.core.display import visible_line
from reader.core.reports import Cooccurrence, Frequencies, Timeline, bar

NAME_CELLS = 20
"""At most this many cells of a code's name in a chart row."""

HEAT_CELL = 5
"""Cells per column of the heat map."""

SPARKS = "▁▂▃▄▅▆▇█"

TIMELINE_CODES = 12
"""Codes drawn as lines over time (the most used); the table below has every one."""

PAIRS_LISTED = 200
"""Rows of the co-occurrence table (the most frequent pairs)."""


def name_text(name: str, cells: int = NAME_CELLS) -> Text:
    """A code's name as text, cut to ``cells`` cells with an ellipsis."""
    shown = visible_line(name)
    if cell_len(shown) > cells:
        while cell_len(shown) > cells - 1:
            shown = shown[:-1]
        shown += "…"
    return Text(shown)


def _heat(value: int, largest: int) -> Style:
    """Dark blue for a little, warm yellow for the most: a scale readable in either theme."""
    if value <= 0 or largest <= 0:
        return Style(dim=True)
    share = value / largest
    low, high = (38, 70, 120), (244, 211, 94)
    rgb = tuple(round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return Style(bgcolor=Color.from_rgb(*rgb), color="black" if share > 0.5 else "white")


def frequencies_chart(report: Frequencies, width: int) -> RenderableType:
    """One row per code, most used first: name, passages, documents, a bar in its colour."""
    codes = sorted(report.codes, key=lambda code: (-code.passages, code.tag))
    largest = max((code.passages for code in codes), default=0)
    bar_cells = max(width - NAME_CELLS - 24, 8)
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column(Text("code"), no_wrap=True)
    table.add_column(Text("passages"), justify="right", no_wrap=True)
    table.add_column(Text("docs"), justify="right", no_wrap=True)
    table.add_column(Text(""), no_wrap=True)
    for code in codes:
        table.add_row(
            name_text(code.tag),
            Text(f"{code.passages:,}"),
            Text(f"{code.documents:,}"),
            Text(bar(code.passages, largest, bar_cells), style=Style(color=code.color)),
        )
    if not codes:
        return Text("No codes yet: tag a passage (t) to start the codebook.")
    return _with_orphans(table, report.orphans)


def heat_map(report: Cooccurrence, order: list[str], width: int) -> RenderableType:
    """The codes (most used first, as many as fit) against each other: the count in each cell,
    its background warmer the more two codes meet. Columns are numbered; the rows say which
    code each number is."""
    label_cells = NAME_CELLS + 4
    fit = max((width - label_cells) // HEAT_CELL, 1)
    shown = order[:fit]
    if len(shown) < 2:
        return Text("Co-occurrence needs two codes with passages.")
    largest = max((report.count(a, b) for a in shown for b in shown if a != b), default=0)
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 0))
    table.add_column(Text(""), no_wrap=True, width=label_cells)
    for number in range(1, len(shown) + 1):
        table.add_column(Text(str(number)), justify="right", no_wrap=True, width=HEAT_CELL)
    for row, name in enumerate(shown, 1):
        cells: list[Text] = []
        for column in shown:
            if column == name:
                cells.append(Text("  ·  "[:HEAT_CELL], style=Style(dim=True)))
                continue
            count = report.count(name, column)
            cells.append(Text(f"{count:>{HEAT_CELL - 1},} " if count else "    ·",
                              style=_heat(count, largest)))  # fmt: skip
        label = Text(f"{row:>2} ")
        label.append_text(name_text(name))
        table.add_row(label, *cells)
    note = (
        Text(
            f"The {len(shown)} most used of {len(order)} codes (a wider window shows more).",
            style="dim",
        )
        if len(shown) < len(order)
        else Text("")
    )
    return Group(table, note)


def pairs_table(report: Cooccurrence) -> RenderableType:
    """The pairs that meet, most often first."""
    pairs = sorted(report.pairs, key=lambda pair: (-pair.count, pair.tag_a, pair.tag_b))
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column(Text("code A"), no_wrap=True)
    table.add_column(Text("code B"), no_wrap=True)
    table.add_column(Text("count"), justify="right", no_wrap=True)
    for pair in pairs[:PAIRS_LISTED]:
        table.add_row(name_text(pair.tag_a), name_text(pair.tag_b), Text(f"{pair.count:,}"))
    if not pairs:
        return Text("No two codes meet on a passage.")
    more = len(pairs) - PAIRS_LISTED
    if more > 0:
        return Group(table, Text(f"… and {more:,} more pairs (reader report cooccurrence)"))
    return _with_orphans(table, report.orphans)


def timeline_chart(
    report: Timeline, order: list[str], colors: dict[str, str], width: int
) -> RenderableType:
    """A line per code over the months (the most used codes): one character a month, its
    height the passages of that month; the first and last month below."""
    months = list(report.months)
    if not months:
        return Text("No coded passages yet.")
    dated = every_month(month for month in months if month != "unknown")
    room = max(width - NAME_CELLS - 12, 8)
    if len(dated) > room:  # the latest months that fit
        dated = dated[-room:]
    largest = max((report.passages.get((code, m), 0) for code in order for m in dated), default=0)
    step = max(1, min(4, room // max(len(dated), 1)))  # cells a month: wider when few
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column(Text("code"), no_wrap=True)
    table.add_column(Text(f"{dated[0]} … {dated[-1]}" if dated else "", overflow="crop"),
                     no_wrap=True)  # fmt: skip
    table.add_column(Text("no date"), justify="right", no_wrap=True)
    for code in order[:TIMELINE_CODES]:
        line = Text(style=Style(color=colors.get(code)))
        for month in dated:
            count = report.passages.get((code, month), 0)
            if count and largest:
                spark = SPARKS[min(len(SPARKS) - 1, count * len(SPARKS) // (largest + 1))]
            else:
                spark = " "
            line.append(spark * step)
        unknown = report.passages.get((code, "unknown"), 0)
        table.add_row(name_text(code), line, Text(f"{unknown:,}" if unknown else ""))
    return _with_orphans(table, report.orphans)


def every_month(months: Iterable[str]) -> list[str]:
    """Every ``YYYY-MM`` from the first of ``months`` to the last, gaps included: a line over
    time needs its empty months too."""
    present = sorted(months)
    if not present:
        return []
    year, month = (int(part) for part in present[0].split("-"))
    last = tuple(int(part) for part in present[-1].split("-"))
    filled = []
    while (year, month) <= last:
        filled.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return filled


def timeline_table(report: Timeline, order: list[str], width: int = 0) -> RenderableType:
    """Passages per code per month: a code a row and a month a column when the months fit
    ``width``, else one row per (code, month) as ``reader report timeline`` lists them."""
    months = list(report.months)
    if months and NAME_CELLS + 9 * len(months) <= width:
        grid = Table(box=None, pad_edge=False, show_edge=False)
        grid.add_column(Text("code"), no_wrap=True)
        for month in months:
            grid.add_column(Text(month), justify="right", no_wrap=True)
        for code in order:
            counts = [report.passages.get((code, month), 0) for month in months]
            if any(counts):
                grid.add_row(name_text(code), *(Text(f"{n:,}" if n else "·") for n in counts))
        return grid
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column(Text("code"), no_wrap=True)
    table.add_column(Text("month"), no_wrap=True)
    table.add_column(Text("passages"), justify="right", no_wrap=True)
    for code in order:
        for month in report.months:
            count = report.passages.get((code, month), 0)
            if count:
                table.add_row(name_text(code), Text(month), Text(f"{count:,}"))
    return table


def _with_orphans(renderable: RenderableType, orphans: int) -> RenderableType:
    if not orphans:
        return renderable
    noun = "annotation" if orphans == 1 else "annotations"
    return Group(
        renderable,
        Text(f"({orphans:,} orphaned {noun} not counted: their passage is gone)", style="dim"),
    )
