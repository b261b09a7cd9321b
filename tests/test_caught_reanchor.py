"""Re-anchoring at its edges: overlapping occurrences, context counted to the character, ties
by distance, the length limits, the bracketed search's neighbours (mutants the first mutmut run
left alive)."""

from __future__ import annotations

import pytest

from reader.core.reanchor import Anchor, context_support, occurrences, reanchor

QUOTE = "长春国际汽车城揭牌了"
EDITED = "长春国际汽车镇揭幕了"  # two edits: 80, the threshold
TWIN = "长春国际汽车村揭幕了"  # as far off, elsewhere


def test_occurrences_overlap_and_come_in_order() -> None:
    assert occurrences("aaaa", "aa") == [0, 1, 2]
    assert occurrences("abcabc", "c") == [2, 5]
    assert occurrences("abc", "x") == []


def test_context_support_counts_matching_characters_on_both_sides() -> None:
    text = "前文甲乙丙丁好的开始戊己庚"
    anchor = Anchor("好的开始", "XX甲乙丙丁", "戊己YY", 6)
    assert context_support(text, 6, 10, anchor) == 4 + 2
    # At the very start of the text the prefix has nothing to match but the text's start.
    assert context_support("好的开始戊己", 0, 4, Anchor("好的开始", "甲乙", "戊己", 0)) == 2
    assert context_support("乙好的开始", 1, 5, Anchor("好的开始", "甲乙", "", 1)) == 1
    assert context_support("好的开始", 0, 4, Anchor("好的开始", "", "", 0)) == 0


def test_a_tie_by_distance_is_not_guessed_wherever_the_candidates_are() -> None:
    text = "前前好的开始XXXX好的开始"
    assert reanchor(text, Anchor("好的开始", "", "", 6)) is None  # 4 from each
    nearer = reanchor(text, Anchor("好的开始", "", "", 7))
    assert nearer is not None and nearer.start == 10


def test_a_lone_passage_of_eight_characters_needs_no_context() -> None:
    text = "一些无关文字。八个字的引文段落。后面"
    placed = reanchor(text, Anchor("八个字的引文段落", "完全不同的", "也不同", 100))
    assert placed is not None and placed.exact and placed.start == 7
    # Seven characters without agreeing context are not trusted.
    shorter = "一些无关文字。七个字引文段落。后面"
    assert reanchor(shorter, Anchor("七个字引文段落", "完全不同的", "也不同", 100)) is None


def test_four_characters_may_move_fuzzily_three_may_not() -> None:
    # Between unchanged neighbours, 长春汽车 with a character inserted scores 89.
    text = "前面的文字长春大汽车后面的话"
    placed = reanchor(text, Anchor("长春汽车", "前面的文字", "后面的话", 5))
    assert placed is not None and not placed.exact
    assert (placed.start, placed.end) == (5, 10)
    shorter = "前面的文字长大汽后面的话"
    assert reanchor(shorter, Anchor("长汽", "前面的文字", "后面的话", 5)) is None
    assert reanchor("前面", Anchor("", "", "", 0)) is None


@pytest.mark.parametrize(
    ("prefix", "suffix", "placed"),
    [
        ("开头甲乙", "丙丁戊己", True),  # four characters each side: enough to bracket
        ("甲乙", "丙丁戊己", False),  # too short a prefix: the search anywhere sees a tie
        ("头甲乙", "丙丁戊己", False),
        ("开头甲乙", "丙丁戊", False),  # too short a suffix
    ],
)
def test_the_bracketed_search_needs_four_characters_each_side(
    prefix: str, suffix: str, placed: bool
) -> None:
    text = "开头甲乙" + EDITED + "丙丁戊己。中间文字很多。" + TWIN + "。"
    found = reanchor(text, Anchor(QUOTE, prefix, suffix, 4))
    if placed:
        assert found is not None and not found.exact
        assert (found.start, found.end) == (4, 14)
    else:
        assert found is None


def test_the_bracketed_search_looks_for_the_suffix_after_the_prefix() -> None:
    # The suffix also occurs before the prefix; only the one after it closes the passage.
    text = "丙丁戊己。开头甲乙" + EDITED + "丙丁戊己。" + TWIN + "。"
    found = reanchor(text, Anchor(QUOTE, "开头甲乙", "丙丁戊己", 9))
    assert found is not None and (found.start, found.end) == (9, 19)


def test_the_bracketed_search_keeps_only_the_last_twelve_characters_of_context() -> None:
    # Context beyond twelve characters changed: the twelve nearest still bracket it.
    far = "很久以前的完全不同的开头文字"
    before, after = "近处的十二个字的前文内容", "近处的后文内容十二个字呀"
    text = "新的开头" + before + EDITED + after + "另一处" + TWIN
    anchor = Anchor(QUOTE, far + before, after + far, 30)
    found = reanchor(text, anchor)
    start = text.index(EDITED)
    assert found is not None and (found.start, found.end) == (start, start + len(EDITED))


def test_the_bracketed_passage_ends_at_the_first_suffix_after_it() -> None:
    text = "开头甲乙" + EDITED + "丙丁戊己。丙丁戊己中间的文字很多很多。" + TWIN + "。"
    found = reanchor(text, Anchor(QUOTE, "开头甲乙", "丙丁戊己", 4))
    assert found is not None and (found.start, found.end) == (4, 14)


def test_a_prefix_without_its_suffix_nearby_does_not_end_the_bracketed_search() -> None:
    lonely = "开头甲乙" + "很多无关的文字，" * 6 + "。"
    text = lonely + "开头甲乙" + EDITED + "丙丁戊己。中间的文字。" + TWIN
    found = reanchor(text, Anchor(QUOTE, "开头甲乙", "丙丁戊己", 4))
    start = text.index(EDITED)
    assert found is not None and (found.start, found.end) == (start, start + 10)


@pytest.mark.parametrize("tail", ["长春", "长春国", "长春国际"])
def test_a_scrap_of_the_passage_after_it_is_no_rival(tail: str) -> None:
    # Too short to be another place of the passage, though all of it is in the quote.
    text = "很多无关的文字在前面。" + EDITED + tail
    found = reanchor(text, Anchor(QUOTE, "", "", 11))
    assert found is not None and (found.start, found.end) == (11, 21)
    text = tail + EDITED + "很多无关的文字在后面。"
    found = reanchor(text, Anchor(QUOTE, "", "", len(tail)))
    assert found is not None and (found.start, found.end) == (len(tail), len(tail) + 10)
