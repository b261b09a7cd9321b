"""Blocks and wrapping: what the reading pane shows must be the text, whole, in any width."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from reader.core.convert import converter
from reader.core.layout import DocumentLayout, WrappedLayout, split_blocks, wrap

ONE_LINE = Path(__file__).parent / "data" / "corpus" / "long" / "紅樓夢.traditional.one-line.txt"


def test_blocks_cover_the_text_and_cut_after_sentences() -> None:
    text = ONE_LINE.read_text(encoding="utf-8")
    assert "\n" not in text.strip()
    blocks = split_blocks(text, limit=600)
    assert len(blocks) > 20
    assert "".join(text[b.start : b.end] for b in blocks) == text
    for block in blocks[:-1]:
        assert text[block.end - 1] in "。！？；!?;…”’」』）)》〉\"'", text[
            block.end - 5 : block.end
        ]


def test_converting_block_by_block_equals_converting_whole() -> None:
    text = ONE_LINE.read_text(encoding="utf-8")
    document = DocumentLayout(text)
    for config in ("t2s", "s2twp"):
        pieces = [document.converted(config, i).text for i in range(len(document.blocks))]
        assert "".join(pieces) == converter(config).convert(text)


@pytest.mark.parametrize("width", [2, 7, 40, 64])
def test_wrapping_keeps_every_character_and_fits(simplified_text: str, width: int) -> None:
    for line in simplified_text.split("\n")[:60]:
        rows = wrap(line, width)
        assert "".join(line[a:b] for a, b in rows) == line  # nothing lost, nothing inserted
        for a, b in rows:
            assert cell_len(line[a:b]) <= max(width, 2)


def test_wrapping_keeps_closing_punctuation_off_the_start_of_a_row() -> None:
    rows = wrap(
        "一二三四五。六七", 10
    )  # five wide characters fill the row; 。 would start the next
    assert [("一二三四五。六七")[a:b] for a, b in rows] == ["一二三四", "五。六七"]


def test_screen_positions_and_offsets_agree_in_a_longer_script(simplified_text: str) -> None:
    document = DocumentLayout(simplified_text)
    layout = WrappedLayout(document, "s2twp", 40)
    start = simplified_text.index("全局谋划")
    y, x = layout.locate(start + 2)  # 谋, after 全域性 (5 cells + 1 more than 全局)
    assert layout.offset_at(y, x) == start + 2
    y0, x0 = layout.locate(start)
    if y == y0:
        assert x - x0 == cell_len("全域性") == 6
    else:  # wrapped between them: 谋 is on the next row, after what of 全域性 moved down
        assert y == y0 + 1
        assert 0 < x < 6


@pytest.mark.parametrize("config", ["s2twp", "t2s", "s2hk"])
def test_wrapping_text_equals_the_mapped_conversion(simplified_text: str, config: str) -> None:
    """Rows are wrapped from the engine's text before any offset map exists: it must be the
    text the map is made for, block by block, and the rows the same either way."""
    document = DocumentLayout(simplified_text)
    for index in range(len(document.blocks)):
        engine_text = document.converted_text(config, index)
        assert engine_text == document.converted(config, index).text
        assert document.converted_text(config, index) == engine_text  # from the map now
    fresh = DocumentLayout(simplified_text)
    early = WrappedLayout(fresh, config, 37)
    late = WrappedLayout(document, config, 37)
    assert [early.rows_of(i) for i in range(len(fresh.blocks))] == [
        late.rows_of(i) for i in range(len(document.blocks))
    ]


def test_switching_keeps_only_the_script_shown(simplified_text: str) -> None:
    document = DocumentLayout(simplified_text)
    for config in ("t2s", "s2t", "s2twp"):
        document.converted(config, 0)
        document.converted_text(config, 1)
    document.keep_only("s2twp")
    assert set(document._converted) == {"s2twp"} and set(document._texts) == {"s2twp"}
    document.keep_only(None)
    assert not document._converted and not document._texts


def test_only_the_last_converter_stays_loaded() -> None:
    first = converter("s2t")
    assert converter("s2t") is first
    converter("t2s")
    again = converter("s2t")
    assert again is not first  # released when t2s was asked for, loaded anew
    assert first.convert("内存") == again.convert("内存") == "內存"
