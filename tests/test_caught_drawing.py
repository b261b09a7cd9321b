"""What is laid out is the text: rows and newlines give back the converted text, rows are as full
as the rules allow, and a row starts neither with ， nor with the space of a wrapped word.

Each test here fails for a bug of the kind issue 11 lists under "What is drawn vs the text"
(planted one at a time in a copy): a short line's block losing its last character, wrapping one
cell early, ， at a row start, a wrapped Latin word carrying its space. (What the view paints
from these rows is checked in tests/test_caught_ui.py.)
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from support import SIMPLIFIED_SEED, TRADITIONAL_SEED

from reader.core.convert import converter
from reader.core.documents import normalize_text
from reader.core.graphemes import cell_width
from reader.core.layout import (
    CLOSING,
    INSEPARABLE,
    OPENING,
    DocumentLayout,
    WrappedLayout,
    kinsoku_span,
    wrap,
)

SAMPLES = {
    "simplified": SIMPLIFIED_SEED,
    "traditional": TRADITIONAL_SEED,
}
WIDTHS = [*range(4, 41, 3), 57, 64, 79, 80, 100, 139, 140]


def sample(name: str) -> str:
    path = SAMPLES[name]
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return normalize_text(path.read_text(encoding="utf-8"))


def laid_out(layout: WrappedLayout) -> str:
    """Every row's text, rows of a block joined, blocks joined by newlines."""
    document = layout.document
    lines = []
    for index in range(len(document.blocks)):
        text = document.converted(layout.config, index).text
        lines.append("".join(text[start:end] for start, end in layout.rows_of(index)))
    return "\n".join(lines)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("config", [None, "s2t", "t2s", "s2twp"])
def test_rows_and_newlines_are_the_converted_text_at_every_width(
    name: str, config: str | None
) -> None:
    text = sample(name)
    expected = text if config is None else converter(config).convert(text)
    document = DocumentLayout(text)
    for width in WIDTHS:
        layout = WrappedLayout(document, config, width)
        assert laid_out(layout) == expected, width
        # The rows the view asks for, screen line by screen line, are the same rows.
        seen = [layout.row_at(y) for y in range(layout.height)]
        assert None not in seen
        assert layout.row_at(layout.height) is None
        assert len(seen) == sum(len(layout.rows_of(i)) for i in range(len(document.blocks)))


def test_a_short_line_keeps_its_last_character() -> None:
    # One short line per block: the last character of each is the one a bug drops.
    text = "标题\n短行。\n另一行很短\nA\n末"
    document = DocumentLayout(text)
    for width in (2, 3, 10, 80):
        layout = WrappedLayout(document, None, width)
        assert laid_out(layout) == text
        last_rows = [layout.rows_of(i)[-1] for i in range(len(document.blocks))]
        assert [document.block_text(i)[end - 1] for i, (_, end) in enumerate(last_rows)] == [
            "题",
            "。",
            "短",
            "A",
            "末",
        ]


def breakable(text: str, cut: int) -> bool:
    """Whether the rules let a row end before ``text[cut]`` (one cluster per code point)."""
    before, after = text[cut - 1], text[cut]
    if after in CLOSING or before in OPENING:
        return False
    if after in INSEPARABLE and before in INSEPARABLE:
        return False
    latin_word = cell_width(before) == 1 and cell_width(after) == 1
    return not (latin_word and not before.isspace() and not after.isspace())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_row_ends_only_where_the_next_character_would_not_fit_or_may_not_go(
    name: str,
) -> None:
    # A row broken one cell early leaves room for the next character and a break after it
    # that the rules allow: the row should have taken it.
    text = sample(name)
    for line in text.split("\n"):
        for width in WIDTHS:
            rows = wrap(line, width)
            for start, end in rows[:-1]:
                room = width - cell_width(line[start:end])
                next_fits = cell_width(line[end]) <= room
                if next_fits and end + 1 < len(line):
                    assert not breakable(line, end + 1), (width, line[start : end + 2])


@pytest.mark.parametrize(
    ("text", "width", "rows"),
    [
        ("一二三四五六", 6, ["一二三", "四五六"]),
        ("一二三四五六", 7, ["一二三", "四五六"]),
        ("一二三四五六", 4, ["一二", "三四", "五六"]),
        ("abcdefgh", 4, ["abcd", "efgh"]),
        ("一二三，四五六", 6, ["一二", "三，四", "五六"]),  # ， never starts a row
        ("一二，三四，五六，七八", 4, ["一", "二，", "三", "四，", "五", "六，", "七八"]),
        ("你好，世界", 4, ["你", "好，", "世界"]),
        ("hello world foo", 8, ["hello ", "world ", "foo"]),  # the space stays behind
        ("长春 Changchun City 揭牌", 12, ["长春 ", "Changchun ", "City 揭牌"]),
        ("汉字hello world汉字", 10, ["汉字hello ", "world汉字"]),
    ],
)
def test_rows_as_a_reader_expects(text: str, width: int, rows: list[str]) -> None:
    assert [text[a:b] for a, b in wrap(text, width)] == rows


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_no_row_starts_with_a_comma_or_a_wrapped_words_space(name: str) -> None:
    text = sample(name)
    for line in text.split("\n"):
        for width in WIDTHS:
            rows = wrap(line, width)
            for (before, start), (_, end) in pairwise(rows):
                low, high = kinsoku_span(line, range(len(line) + 1), start)
                if cell_width(line[low:high]) <= width:  # else the width wins over 禁则
                    assert line[start] not in "，、。", (width, line[start - 2 : end])
                if line[start].isspace():  # only a space that did not fit the full row above
                    assert cell_width(line[before : start + 1]) > width, (width, line[before:end])


def test_latin_words_wrap_with_their_space_left_behind_at_every_width() -> None:
    line = "The Changchun International Automobile City was inaugurated on 1 March 2024."
    for width in range(12, 80):
        rows = wrap(line, width)
        assert "".join(line[a:b] for a, b in rows) == line
        for start, end in rows:
            assert cell_width(line[start:end]) <= width
        for (before, start), (_, end) in pairwise(rows):
            if line[start].isspace():  # only a space that did not fit the full row above
                assert cell_width(line[before : start + 1]) > width, (width, line[before:end])
