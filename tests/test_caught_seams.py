"""Where long text may be cut for conversion: never inside a dictionary key nor within reach of
an Ideographic Description Sequence (found by mutmut on layout._forced_cut and
opencc_engine.safe_seam)."""

from __future__ import annotations

import itertools

from support import SIMPLIFIED_SEED

from reader.core.convert import converter
from reader.core.layout import split_blocks
from reader.core.opencc_engine import safe_seam


def test_a_seam_inside_a_phrase_is_not_safe_and_converting_apart_shows_why() -> None:
    text = "这台电脑的内存很大"
    inside = text.index("存")
    assert not safe_seam(text, inside)
    engine = converter("s2twp")
    whole = engine.convert(text)
    assert engine.convert(text[:inside]) + engine.convert(text[inside:]) != whole
    assert "記憶體" in whole
    assert safe_seam(text, 0) and safe_seam(text, len(text))


def test_a_line_without_sentence_ends_is_cut_at_the_first_safe_seam_past_the_limit() -> None:
    ids = 20
    text = "一" * ids + "⿰氵发" + "一" * 150
    blocks = split_blocks(text, limit=8)
    assert blocks[0].start == 0 and blocks[-1].end == len(text)
    for block, after in itertools.pairwise(blocks):
        assert block.end == after.start
        safe = [i for i in range(block.start + 8, len(text)) if safe_seam(text, i)]
        assert block.end == safe[0]
    # the seams after the IDS are unsafe for 64 code points: one block reaches past them
    assert any(b.start < ids + 64 < b.end for b in blocks)
    assert all(safe_seam(text, b.end) for b in blocks)


def test_a_seam_an_earlier_step_rewrites_into_a_phrase_is_not_safe() -> None:
    """s2twp writes 创建 as 創建 character by character, then TWPhrases rewrites 創建 as 建立:
    no dictionary key holds 创建, yet converting 一汽创 and 建世界 apart gives 創建."""
    assert converter("s2twp").convert("一汽创建世界") != (
        converter("s2twp").convert("一汽创") + converter("s2twp").convert("建世界")
    )
    assert not safe_seam("一汽创建世界", 3)


def test_every_safe_seam_of_the_sample_converts_apart_as_inside_the_whole() -> None:
    text = SIMPLIFIED_SEED.read_text(encoding="utf-8")
    engines = [converter(config).convert for config in ("s2twp", "s2tw", "s2hk", "s2t")]
    for at in range(12, len(text) - 12):
        if not safe_seam(text, at):
            continue
        window, cut = text[at - 12 : at + 12], 12
        for convert in engines:
            assert convert(window[:cut]) + convert(window[cut:]) == convert(window), (at, window)
