"""How a fuzzy window is fitted to the edited passage (reader.core.reanchor._fitted): each end
moves at most ``slack`` characters, the best whole-passage ratio wins, and of equally good spans
the nearer one (found by mutmut: the tie and the window's edges went untested)."""

from __future__ import annotations

from rapidfuzz import fuzz

from reader.core.reanchor import _fitted


def slack(quote: str) -> int:
    return max(2, len(quote) // 3)


def test_of_two_equally_good_spans_the_nearer_wins() -> None:
    text, quote, window = "丙丁乙丙丁丙丙丙甲丁丙甲丁乙", "甲丙丁丙丙丙", (7, 13)
    score, start, end = _fitted(text, quote, *window)
    assert (start, end) == (8, 11)
    assert fuzz.ratio(quote, text[5:11]) == score  # as good, but 4 characters of moves away
    text, quote, window = "丁丙甲甲丁丙丙乙丁丁丙丙", "甲甲丁甲乙乙", (1, 7)
    assert _fitted(text, quote, *window)[1:] == (2, 8)
    assert fuzz.ratio(quote, text[2:5]) == fuzz.ratio(quote, text[2:8])  # farther: (2, 5)


def test_the_start_may_move_right_up_to_the_slack_and_no_further_left() -> None:
    text, quote = "丙乙甲丁丁乙丁丙甲丙甲丁乙丙丙", "甲丁甲丙甲丁丁"
    assert slack(quote) == 2
    assert _fitted(text, quote, 3, 10)[1:] == (5, 12)  # the start moved right by the slack
    text, quote = "乙丁丁丙甲丙乙甲丙丙丁丙甲乙", "丁丙丁甲丁乙乙甲"
    score, start, end = _fitted(text, quote, 5, 13)
    assert (start, end) == (7, 14)
    assert fuzz.ratio(quote, text[2:11]) > score  # better, but 3 characters left: too far
