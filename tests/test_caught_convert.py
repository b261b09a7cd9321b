"""Conversion paths the other tests did not reach: a whole file converted here when forking
does not pay, and two alignments chained where both move text (found by mutmut on convert and
opencc_engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conversion_support import DATA, official

from reader.core import opencc_engine
from reader.core.convert import converter
from reader.core.opencc_engine import compose


def test_whole_file_conversion_here_when_forking_does_not_pay() -> None:
    text = (DATA / "hongloumeng-simplified-crlf-excerpt.txt").read_text(encoding="utf-8")
    engine = converter("s2twp")
    here = engine.convert_whole_file(text, processes=3, min_chars=0, fork_worth_s=float("inf"))
    assert here == engine.convert(text)


def test_two_alignments_that_both_move_text_chain_into_one() -> None:
    # a -> b: a[0:1] became b[0:2] (one character became two), the rest shifted by one.
    # b -> c: b[4:6] became c[4:5] (two became one).
    a, b, c = "甲乙丙丁戊", "子丑乙丙丁戊", "子丑乙丙己"
    first, second = [(0, 1, 0, 2)], [(4, 6, 4, 5)]
    assert (a[0:1], b[0:2], b[4:6], c[4:5]) == ("甲", "子丑", "丁戊", "己")
    # Chained: a[0:1] -> c[0:2]; a[3:5] (丁戊, b[4:6]) -> c[4:5]; the rest one to one.
    assert compose(first, second) == [(0, 1, 0, 2), (3, 5, 4, 5)]
    # Pieces that overlap in the middle text merge: a[0:2] -> b[0:3] and b[2:5] -> c[2:3]
    # are one piece a[0:4] -> c[0:3].
    assert compose([(0, 2, 0, 3)], [(2, 5, 2, 3)]) == [(0, 4, 0, 3)]
    assert compose([], second) == second and compose(first, []) == first


def test_dictionaries_parsed_without_a_cache_replay_opencc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, simplified_text: str
) -> None:
    """The replay model parses OpenCC's text dictionaries once and keeps them in a cache: built
    from the text files (an empty cache folder) and again from the cache it wrote, it converts
    the sample as OpenCC's own engine does, with the same alignment both times."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    try:
        opencc_engine._dictionary.cache_clear()
        opencc_engine.model.cache_clear()
        parsed, spans = opencc_engine.model("s2twp").convert(simplified_text)
        assert parsed == official("s2twp").convert(simplified_text)
        cached = {path.stem for path in tmp_path.glob("reader/*/*.marshal")}
        assert cached == set(opencc_engine.model("s2twp").files)  # each one kept
        opencc_engine._dictionary.cache_clear()
        opencc_engine.model.cache_clear()
        assert opencc_engine.model("s2twp").convert(simplified_text) == (parsed, spans)
    finally:
        opencc_engine._dictionary.cache_clear()
        opencc_engine.model.cache_clear()
