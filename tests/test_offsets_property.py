"""Property tests: offsets round-trip, pieces convert like the whole, lengths survive."""

from __future__ import annotations

import re
from functools import cache

from conversion_support import EXCERPTS, SEEDS, official, read_exact
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.convert import CONFIGS, converter

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@cache
def corpus() -> tuple[str, ...]:
    return tuple(read_exact(path) for path in [*SEEDS, *EXCERPTS])


@st.composite
def slices(draw: st.DrawFn) -> str:
    """A random slice of a sample or a novel excerpt, up to 400 characters."""
    text = draw(st.sampled_from(corpus()))
    start = draw(st.integers(0, len(text) - 1))
    return text[start : start + draw(st.integers(1, 400))]


@SETTINGS
@given(config=st.sampled_from(CONFIGS), text=slices(), data=st.data())
def test_any_span_maps_back_to_a_span_containing_it(config: str, text: str, data) -> None:
    mapped = converter(config).convert_mapped(text)
    assert mapped.text == official(config).convert(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    dst_start, dst_end = mapped.offsets.to_dst(start, end)
    assert 0 <= dst_start <= dst_end <= len(mapped.text)
    back_start, back_end = mapped.offsets.to_src(dst_start, dst_end)
    assert back_start <= start and end <= back_end
    # Widened once, a span is whole units: it maps back to exactly itself.
    assert mapped.offsets.to_dst(back_start, back_end) == (dst_start, dst_end)
    assert mapped.offsets.to_src(dst_start, dst_end) == (back_start, back_end)


@SETTINGS
@given(config=st.sampled_from(CONFIGS), text=slices())
def test_units_tile_both_texts_in_order(config: str, text: str) -> None:
    offsets = converter(config).convert_mapped(text).offsets
    src = dst = 0
    for unit in offsets.units:
        assert unit.src_start - src == unit.dst_start - dst >= 0
        assert unit.src_end > unit.src_start and unit.dst_end > unit.dst_start
        src, dst = unit.src_end, unit.dst_end
    assert offsets.src_length - src == offsets.dst_length - dst >= 0
    assert offsets.src_length == len(text)


@SETTINGS
@given(config=st.sampled_from(CONFIGS), text=slices())
def test_converting_in_pieces_equals_converting_whole(config: str, text: str) -> None:
    pieces = [piece for piece in re.split("(?<=[。！？\n])", text) if piece]
    engine = converter(config)
    whole = official(config).convert(text)
    assert "".join(engine.convert(piece) for piece in pieces) == whole
    assert "".join(engine.convert_mapped(piece).text for piece in pieces) == whole


@SETTINGS
@given(
    config=st.sampled_from(CONFIGS),
    text=slices(),
    extra=st.lists(st.sampled_from(["😀", "👍🏽", "𠀋", "\U0002a6a5"]), min_size=1, max_size=4),
)
def test_code_points_outside_the_bmp_survive(config: str, text: str, extra: list[str]) -> None:
    affix = "".join(extra)
    text = affix + text + affix
    mapped = converter(config).convert_mapped(text)
    assert mapped.text == official(config).convert(text)
    assert mapped.text.startswith(affix) and mapped.text.endswith(affix)
    assert (mapped.offsets.src_length, mapped.offsets.dst_length) == (len(text), len(mapped.text))
    assert mapped.offsets.to_dst(0, len(affix)) == (0, len(affix))
    assert mapped.offsets.to_src(len(mapped.text) - len(affix), len(mapped.text)) == (
        len(text) - len(affix),
        len(text),
    )
