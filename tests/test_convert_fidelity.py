"""Conversion output is OpenCC's own, on OpenCC's test cases and on real novels."""

from __future__ import annotations

import pytest
from conversion_support import EXCERPTS, SEEDS, official, opencc_cases, read_exact

from reader.core.convert import CONFIGS, Converter, converter
from reader.core.opencc_engine import model, safe_cut_chars


def test_the_test_cases_cover_every_config() -> None:
    cases = opencc_cases()
    assert len(cases) == 556
    assert {config for _, config, _, _ in cases} == set(CONFIGS)


@pytest.mark.parametrize("config", CONFIGS)
def test_opencc_test_cases(config: str) -> None:
    engine = converter(config)
    cases = [case for case in opencc_cases() if case[1] == config]
    wrong = [
        (case_id, text, expected, engine.convert(text), engine.convert_mapped(text).text)
        for case_id, _, text, expected in cases
        if engine.convert(text) != expected or engine.convert_mapped(text).text != expected
    ]
    assert wrong == []
    assert engine.fallbacks == 0


@pytest.mark.parametrize("config", ["s2t", "t2s", "s2tw", "s2twp", "tw2sp"])
@pytest.mark.parametrize("path", EXCERPTS + SEEDS, ids=lambda path: path.stem)
def test_real_text_matches_the_official_engine(config: str, path) -> None:
    text = read_exact(path)
    expected = official(config).convert(text)
    engine = converter(config)
    mapped = engine.convert_mapped(text)
    assert engine.convert(text) == expected
    assert mapped.text == expected
    assert (mapped.offsets.src_length, mapped.offsets.dst_length) == (len(text), len(expected))


@pytest.mark.parametrize("config", CONFIGS)
def test_the_model_replays_the_engine_on_the_samples(config: str) -> None:
    """The offsets come from the model only while it agrees: it must agree on real text."""
    for path in [*SEEDS, *EXCERPTS]:
        text = read_exact(path)[:6000]
        assert model(config).convert(text)[0] == official(config).convert(text)


@pytest.mark.parametrize("config", CONFIGS)
def test_sentence_ends_are_safe_places_to_cut(config: str) -> None:
    assert set("\n\r。！？；") <= safe_cut_chars(config)


@pytest.mark.parametrize("config", [c for c in CONFIGS if not c.endswith("p")])
def test_character_configs_never_change_length(config: str) -> None:
    for path in [*SEEDS, *EXCERPTS]:
        text = read_exact(path)
        assert len(official(config).convert(text)) == len(text)


def test_compatibility_ideographs_are_normalized_before_segmentation() -> None:
    # U+F901 is 更's compatibility twin: normalized first, it joins the phrase 更仆难数.
    text = "\uf901仆难数"
    assert converter("s2twp").convert_mapped(text).text == official("s2twp").convert(text)
    assert converter("s2twp").convert(text) == "更僕難數"


def test_an_ideographic_description_sequence_is_copied_whole() -> None:
    text = "⿰氵发头发"
    assert official("s2t").convert(text) == "⿰氵发頭髮"
    assert converter("s2t").convert_mapped(text).text == "⿰氵发頭髮"


def test_nul_and_lone_surrogates_pass_through_instead_of_truncating() -> None:
    # OpenCC drops the rest of a segment after NUL and cannot take surrogates at all.
    engine = Converter("s2twp")
    assert engine.convert("鼠标\x00内存") == "滑鼠\x00記憶體"
    mapped = engine.convert_mapped("内存\udc80鼠标")
    assert mapped.text == "記憶體\udc80滑鼠"
    assert mapped.offsets.to_dst(2, 3) == (3, 4)
