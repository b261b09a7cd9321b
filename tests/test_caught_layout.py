"""Layout and graphemes at their edges: folded spans, estimated heights, cursor stops at the ends
of blocks and texts, cluster spans (mutants the first mutmut run left alive)."""

from __future__ import annotations

import pytest

from reader.core.graphemes import cluster_bounds, cluster_span
from reader.core.layout import DocumentLayout, WrappedLayout, estimated_cells, wrap

NAVIGATION = "首页 | 新闻\n体育 | 财经"
ARTICLE = "标题\n正文第一段。\n正文第二段。"
TEXT = NAVIGATION + "\n" + ARTICLE


def test_estimated_cells_counts_wide_characters_twice() -> None:
    assert estimated_cells("") == 0
    assert estimated_cells("ab") == 2
    assert estimated_cells("长春") == 4
    assert estimated_cells("长a春b") == 6


def test_heights_are_estimated_until_a_block_is_wrapped() -> None:
    text = "长" * 50 + "\n\n" + "a" * 25
    document = DocumentLayout(text)
    layout = WrappedLayout(document, None, 20)
    # 100 cells in rows of 20, an empty line, 25 cells: 5 + 1 + 2 rows, before any wrapping.
    assert [layout.is_exact(i) for i in range(3)] == [False, False, False]
    assert layout.height == 8
    assert [layout.block_top(i) for i in range(3)] == [0, 5, 6]
    assert layout.rows_of(0) == [(i, i + 10) for i in range(0, 50, 10)]
    assert layout.is_exact(0)
    assert layout.rows_of(0) is layout.rows_of(0)  # wrapped once, kept
    assert layout.row_at(7) is not None and layout.row_at(8) is None
    assert layout.row_at(-1) is None


def test_width_one_is_width_one() -> None:
    layout = WrappedLayout(DocumentLayout("abc"), None, 1)
    assert layout.width == 1
    assert layout.rows_of(0) == [(0, 1), (1, 2), (2, 3)]
    assert WrappedLayout(DocumentLayout("abc"), None, 0).width == 1


def test_a_folded_span_is_one_marker_row_and_hides_its_other_blocks() -> None:
    document = DocumentLayout(TEXT)
    folded = (0, len(NAVIGATION) + 1)
    layout = WrappedLayout(document, None, 40, [folded])
    assert layout.fold_markers == {0: folded}
    assert layout.rows_of(0) == [(0, 0)]
    assert layout.rows_of(1) == []
    assert layout.height == 1 + 3  # the marker, then the article's three lines
    first = layout.row_at(0)
    assert first is not None and first.block == 0
    headline = layout.row_at(1)
    assert headline is not None and document.block_text(headline.block) == "标题"
    # Anything hidden sits on the marker; the marker leads to the span's start.
    assert layout.folded_span_at(3) == folded
    assert layout.folded_span_at(folded[1]) is None
    assert layout.locate(5) == (0, 0)
    assert layout.offset_at(0, 3) == 0
    assert layout.locate(TEXT.index("标题")) == (1, 0)
    assert layout.offset_at(1, 2) == TEXT.index("题")


def test_only_blocks_wholly_inside_a_span_are_folded() -> None:
    document = DocumentLayout(TEXT)
    # The span ends inside the second navigation line: only the first line is folded.
    partial = (0, len("首页 | 新闻\n体育"))
    layout = WrappedLayout(document, None, 40, [partial])
    assert layout.fold_markers == {0: partial}
    assert layout.rows_of(1) == [(0, len("体育 | 财经"))]
    # A span starting inside the first line folds from the second line on.
    late = (2, len(NAVIGATION) + 1)
    layout = WrappedLayout(document, None, 40, [late])
    assert layout.fold_markers == {1: late}
    assert layout.rows_of(0) == [(0, len("首页 | 新闻"))]
    # A footer span at the end: its first block is the marker.
    footer = (TEXT.index("正文第二段"), len(TEXT))
    layout = WrappedLayout(document, None, 40, [footer])
    assert layout.fold_markers == {4: footer}
    # Two spans, both folded.
    both = WrappedLayout(document, None, 40, [(0, len(NAVIGATION) + 1), footer])
    assert set(both.fold_markers) == {0, 4}
    assert both.height == 1 + 2 + 1


def test_cursor_stops_at_the_ends_of_blocks_and_of_the_text() -> None:
    text = "长春\n汽车"
    document = DocumentLayout(text)
    assert document.cluster_at(2) == (2, 3)  # the newline is a stop of its own
    assert document.cluster_at(len(text)) == (len(text), len(text))
    assert document.cluster_at(-5) == (0, 1)
    assert document.next_stop(1) == 2
    assert document.next_stop(2) == 3
    assert document.next_stop(len(text)) == len(text)
    assert document.previous_stop(3) == 2
    assert document.previous_stop(1) == 0
    assert document.previous_stop(0) == 0
    flags = "国旗🇨🇳\n后"
    flagged = DocumentLayout(flags)
    assert flagged.cluster_at(3) == (2, 4)
    assert flagged.next_stop(2) == 4
    assert flagged.previous_stop(4) == 2
    assert flagged.previous_stop(5) == 4


@pytest.mark.parametrize(
    ("text", "offset", "start", "span"),
    [
        ("ab", 2, 0, (2, 2)),
        ("ab", 5, 0, (2, 2)),
        ("ab", 1, 0, (1, 2)),
        ("e\u0301x", 0, 0, (0, 2)),
        ("e\u0301x", 1, 0, (0, 2)),
        ("e\u0301x", 2, 0, (2, 3)),
        ("x🇨🇳🇯🇵", 3, 0, (3, 5)),
        ("x🇨🇳🇯🇵", 4, 1, (3, 5)),
        ("ab👨\u200d👩\u200d👧cd", 4, 2, (2, 7)),
        ("ab👨\u200d👩\u200d👧cd", 7, 0, (7, 8)),
    ],
)
def test_the_cluster_holding_an_offset(
    text: str, offset: int, start: int, span: tuple[int, int]
) -> None:
    assert cluster_span(text, offset, start) == span
    assert cluster_span(text, offset) == span  # from the text's start, by default
    bounds = cluster_bounds(text)
    if offset < len(text):
        assert span[0] in bounds and span[1] in bounds


def test_the_cells_of_a_character_drawn_alone() -> None:
    from reader.core.graphemes import char_cells

    assert [char_cells[c] for c in "a长\x1b\u0301🇨"] == [1, 2, 1, 0, 1]
    assert char_cells["長"] == 2 and "長" in char_cells  # measured once, then kept


def test_a_wrapped_row_never_splits_a_flag() -> None:
    text = "旗" * 3 + "🇨🇳" * 3
    for width in range(2, 12):
        for start, end in wrap(text, width):
            assert start in cluster_bounds(text) and end in cluster_bounds(text)


def test_a_tab_is_one_cell_as_it_is_drawn() -> None:
    from reader.core.graphemes import cell_width

    assert cell_width("\t") == 1
    assert cell_width("a\tb") == 3
    assert cell_width("长\t春") == 5
