"""Typesetting like a book: rows that fit as drawn, 禁则 (kinsoku), whole grapheme clusters.

The properties of the issue's "Done when", checked on the novels in the corpus and on generated
strings, for every width from 1 to 120: no row wider than the width as Rich draws it, no row
starting with a closing mark or ending with an opening bracket where the width allows otherwise,
no cluster split, nothing lost.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.display import visible
from reader.core.documents import normalize_text
from reader.core.graphemes import cell_width, cluster_bounds
from reader.core.layout import (
    CLOSING,
    OPENING,
    DocumentLayout,
    WrappedLayout,
    kinsoku_span,
    split_blocks,
    wrap,
)

LONG = Path(__file__).parent / "data" / "corpus" / "long"
NOVELS = (
    "紅樓夢.traditional.one-line.txt",
    "红楼梦.simplified.crlf.txt",
    "西遊記.traditional.wikisource.txt",
)
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)

PIECES = (
    "中文字一二三我們说話",
    "。，、；：？！」』）》〉”’…—",
    "「『（《〈“‘【",
    "abc",
    "Hello",
    " ",
    "❤️",  # VS16: 2 cells, not 1
    "☺️",
    "👨\u200d👩\u200d👧",  # a ZWJ family: one glyph
    "🇨🇳",  # a flag: two regional indicators
    "ﾊﾟ",  # halfwidth kana and its sound mark
    "e\u0301",  # a combining mark
    "1\ufe0f\u20e3",  # a keycap
    "👍🏽",  # a skin tone modifier
    "\U00020000",  # Extension B: two UTF-16 units
    "\x1b",  # a control character: drawn as one cell (␛)
    "\u200b",  # zero width space: its own cluster, no cells
    "\ufe0f",  # a stray VS16
    "\u200d",
    "——",
    "……",
    "ｶﾞ",
    "\u0301",
    "가",
    "\u1100\u1161",  # a Hangul syllable from jamo
)


def clusters_of(text: str) -> set[int]:
    return set(cluster_bounds(text))


def check_rows(text: str, width: int) -> None:
    """Every property a wrap must have, with a message that says which one failed."""
    rows = wrap(text, width)
    assert "".join(text[a:b] for a, b in rows) == text, "characters lost or added"
    assert rows[0][0] == 0 and all(b == c for (_, b), (c, _) in pairwise(rows))
    bounds = cluster_bounds(text)
    bound_set = set(bounds)
    for start, end in rows:
        assert start in bound_set and end in bound_set, f"cluster split at {start}-{end}"
        drawn = cell_width(text[start:end])
        single = bounds.index(end) - bounds.index(start) == 1
        assert drawn <= width or single, f"row {text[start:end]!r} is {drawn} cells > {width}"
    for (_, cut), _next in pairwise(rows):
        if cut == len(text):
            continue
        broken = text[cut] in CLOSING or text[bounds[bounds.index(cut) - 1]] in OPENING
        if broken:
            first, last = kinsoku_span(text, bounds, cut)
            inside = bounds[bounds.index(first) : bounds.index(last) + 1]
            # Cluster by cluster: Rich lets a stray ZWJ hide the cluster after it.
            stretch = sum(cell_width(text[a:b]) for a, b in pairwise(inside))
            assert stretch > width, (
                f"break before {text[cut]!r} at {cut} though {text[first:last]!r} fits {width}"
            )


@cache
def novel_lines(name: str) -> tuple[str, ...]:
    path = LONG / name
    if not path.exists():
        pytest.skip(f"corpus file {name} is missing")
    text = normalize_text(path.read_text(encoding="utf-8"))
    blocks = split_blocks(text)
    return tuple(text[b.start : b.end] for b in blocks if b.end > b.start)


@pytest.mark.parametrize("name", NOVELS)
def test_novel_rows_keep_every_rule_at_every_width(name: str) -> None:
    lines: list[str] = []
    for line in novel_lines(name):  # prose, not the table of contents: 4,000 characters
        if len(line) >= 40 and sum(map(len, lines)) < 4_000:
            lines.append(line)
    assert sum(map(len, lines)) >= 4_000
    for width in range(1, 121):
        for line in lines:
            check_rows(line, width)


@SETTINGS
@given(
    text=st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join),
    width=st.integers(1, 120),
)
def test_generated_rows_keep_every_rule(text: str, width: int) -> None:
    check_rows(text, width)


@SETTINGS
@given(text=st.text(min_size=1, max_size=80), width=st.integers(1, 30))
def test_any_text_wraps_without_loss_or_overflow(text: str, width: int) -> None:
    check_rows(text, width)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(NOVELS),
    data=st.data(),
    width=st.integers(1, 120),
)
def test_novel_slices_with_emoji_keep_every_rule(name: str, data, width: int) -> None:
    lines = novel_lines(name)
    line = data.draw(st.sampled_from(lines))
    pieces = [line[i : i + 7] for i in range(0, min(len(line), 280), 7)]
    mixed = data.draw(st.lists(st.sampled_from([*pieces, *PIECES]), min_size=1, max_size=30))
    check_rows("".join(mixed), width)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("一二三。」五", 8, ["一二", "三。」五"]),  # the whole closing run goes down, with 三
        ("她說：「你好」", 8, ["她說：", "「你好」"]),  # 「 never ends a row
        ("ab，", 2, ["ab", "，"]),  # too narrow for the rule: the width wins
        ("a中，", 3, ["a中", "，"]),
        ("中文", 1, ["中", "文"]),  # width 1: each wide character alone, nothing dropped
        ("❤️" * 10, 10, ["❤️" * 5, "❤️" * 5]),  # each heart is drawn 2 cells wide
        ("中☺️", 3, ["中", "☺️"]),
        ("👨\u200d👩\u200d👧🇨🇳ﾊﾟ", 2, ["👨\u200d👩\u200d👧", "🇨🇳", "ﾊﾟ"]),
        ("hello world", 8, ["hello ", "world"]),
        ("一二三——四五", 6, ["一二三", "——四五"]),  # a 破折号 stays whole
    ],
)
def test_examples_from_the_issue(text: str, width: int, expected: list[str]) -> None:
    assert [text[a:b] for a, b in wrap(text, width)] == expected


def test_control_characters_take_the_one_cell_they_are_drawn_in() -> None:
    text = "\x1b[31m" * 4  # 20 code points, each drawn as one visible cell
    rows = wrap(text, 10)
    assert [b - a for a, b in rows] == [10, 10]
    assert all(len(visible(text[a:b])) == cell_width(text[a:b]) == 10 for a, b in rows)


def test_kinsoku_holds_on_the_novels_at_reading_widths() -> None:
    """The audit's finding, measured: no row starts with 。」 nor ends with 「 at width 40."""
    starts = ends = 0
    for name in NOVELS:
        for line in novel_lines(name):
            rows = wrap(line, 40)
            starts += sum(line[a] in CLOSING for a, _ in rows[1:])
            ends += sum(line[b - 1] in OPENING for _, b in rows[:-1])
    assert (starts, ends) == (0, 0)


# Cursor stops and screen positions


CLUSTERED = "前言❤️中👨\u200d👩\u200d👧文🇨🇳ﾊﾟe\u0301。\n第二行内存\u0301。"


def test_cursor_stops_are_cluster_boundaries() -> None:
    document = DocumentLayout(CLUSTERED)
    bounds = clusters_of(CLUSTERED)
    stops = [0]
    while stops[-1] < len(CLUSTERED):
        stops.append(document.next_stop(stops[-1]))
    assert set(stops) <= bounds | {len(CLUSTERED)}
    assert stops == sorted(bounds)  # every cluster is one stop, none is skipped
    backwards = [len(CLUSTERED)]
    while backwards[-1] > 0:
        backwards.append(document.previous_stop(backwards[-1]))
    assert backwards == stops[::-1]
    for offset in range(len(CLUSTERED)):
        start, end = document.cluster_at(offset)
        assert start <= offset < end and start in bounds and end in bounds


@pytest.mark.parametrize("config", [None, "s2twp"])
@pytest.mark.parametrize("width", [2, 3, 5, 9, 40])
def test_screen_positions_land_on_cluster_starts(width: int, config: str | None) -> None:
    document = DocumentLayout(CLUSTERED)
    layout = WrappedLayout(document, config, width)
    bounds = clusters_of(CLUSTERED)
    for offset in sorted(bounds - {len(CLUSTERED)}):
        y, x = layout.locate(offset)
        found = layout.offset_at(y, x)
        if config is None:
            assert found == offset
        else:  # s2twp: 内存◌́ is one unit (記憶體◌́), found at its start
            assert found in bounds and found <= offset
            assert layout.locate(found) == (y, x)
        assert layout.offset_at(y, x + 1) in bounds  # the second cell of a wide glyph


# Long lines: forced cuts


def test_forced_cuts_keep_conversion_and_clusters_whole() -> None:
    from reader.core.convert import CONFIGS, converter

    # No sentence end anywhere: the line must be cut, and every cut at 600 would split 内存
    # (s2twp: 記憶體 whole, 內存 in halves), an emoji, or a flag.
    unit = "内存鼠标❤️🇨🇳e\u0301软件"
    text = unit * 400
    blocks = split_blocks(text)
    assert len(blocks) > 5
    bounds = clusters_of(text)
    for block in blocks:
        assert block.start in bounds and block.end in bounds
    for config in CONFIGS:
        whole = converter(config).convert(text)
        pieces = "".join(converter(config).convert(text[b.start : b.end]) for b in blocks)
        assert pieces == whole, config


def test_no_dictionary_key_holds_a_sentence_end_blocks_are_cut_after() -> None:
    """Blocks end after these marks, so converting block by block equals converting whole."""
    from reader.core.convert import CONFIGS
    from reader.core.opencc_engine import model

    marks = set("。！？；!?;…”’」』）)》〉\"'")
    for config in CONFIGS:
        assert not marks & model(config).key_chars(), config
