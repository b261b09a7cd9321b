"""The last offset edges: IDS with compatibility ideographs, units over marks, script guesses.

The replay must agree with OpenCC's engine everywhere (a disagreement makes a whole sentence
one coarse unit: selecting 天 would highlight 13 characters), and no unit may end or start
inside a grapheme cluster, in either text.
"""

from __future__ import annotations

import random
from functools import cache

import pytest
from conversion_support import official
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import opencc_engine
from reader.core.convert import CONFIGS, Converter
from reader.core.documents import detect_script
from reader.core.graphemes import cluster_bounds

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


def assert_exact_and_whole(config: str, text: str) -> Converter:
    """Convert with a fresh converter: OpenCC's text, no fallback, no cluster split."""
    converter = Converter(config)
    mapped = converter.convert_mapped(text)
    # OpenCC drops the rest of a segment after NUL: the converter passes NUL through around it.
    assert mapped.text == "\x00".join(official(config).convert(part) for part in text.split("\x00"))
    assert converter.fallbacks == 0, f"{config}: the replay disagreed on {text!r}"
    src_bounds, dst_bounds = set(cluster_bounds(text)), set(cluster_bounds(mapped.text))
    for unit in mapped.offsets.units:
        assert unit.src_start in src_bounds and unit.src_end in src_bounds, (config, unit)
        assert unit.dst_start in dst_bounds and unit.dst_end in dst_bounds, (config, unit)
    return converter


@pytest.mark.parametrize("config", CONFIGS)
def test_ids_with_a_compatibility_ideograph_keeps_fine_offsets(config: str) -> None:
    text = "今天⿰氵\uf93c我们去公园。明天"  # U+F93C: a compatibility form of 祿
    assert_exact_and_whole(config, text)
    mapped = Converter(config).convert_mapped(text)
    assert mapped.offsets.to_dst(1, 2) == (1, 2)  # 天 is one character, not 13


@pytest.mark.parametrize("config", CONFIGS)
def test_ids_sequences_agree_with_the_engine(config: str) -> None:
    for text in [
        "⿰祿字",
        "⿰\uf93c字",
        "⿱\uf900⿰\uf901\uf902",  # nested, all compatibility ideographs
        "\uf93c⿰氵",  # an incomplete IDS: normalised around it
        "⿰氵\uf93c\uf93c",  # the second one is outside the sequence
        "⿲\uf93c",
        "\u2ffe\uf93c发",
    ]:
        assert_exact_and_whole(config, text)


@pytest.mark.parametrize(
    ("config", "text", "unit"),
    [
        ("s2twp", "内存\u0301", (0, 3, 0, 4)),
        ("s2twp", "B超\ufe00", (0, 3, 0, 4)),
        ("s2twp", "内存\U000e0100", (0, 3, 0, 4)),
        ("jp2t", "賛辞\u0301", (0, 3, 0, 3)),
    ],
)
def test_a_unit_takes_the_marks_of_its_last_character(
    config: str, text: str, unit: tuple[int, int, int, int]
) -> None:
    assert_exact_and_whole(config, text)
    units = Converter(config).convert_mapped(text).offsets.units
    assert [(u.src_start, u.src_end, u.dst_start, u.dst_end) for u in units] == [unit]


@cache
def audit_phrases(config: str) -> tuple[str, ...]:
    """Every key of the config's dictionaries whose value has another length (内存 -> 記憶體),
    then a fixed sample of the other phrases it rewrites, then of the characters (t2tw, t2jp
    have no phrases): 3,000 in all at most."""
    model = opencc_engine.model(config)
    rewritten = {
        key: value
        for step in model.chain
        for table in step.tables
        for key, value in table.items()
        if value is not None and value != key
    }
    changing = sorted(key for key, value in rewritten.items() if len(value) != len(key))
    chosen = list(changing)
    randomness = random.Random(config)
    for wanted_length in (lambda n: n > 1, lambda n: n == 1):
        others = sorted(k for k in rewritten if wanted_length(len(k)) and k not in changing)
        chosen += randomness.sample(others, min(len(others), 3000 - len(chosen)))
    return tuple(chosen)


AUDIT_SEPARATORS = [
    "\u0301",  # a combining mark on the phrase's last character
    "\ufe0f",
    "\ufe00",
    "\U000e0100",
    "👨\u200d👩\u200d👧",
    "🇨🇳",
    "1\ufe0f\u20e3",
    "\U00020000",
    "\U00031350",  # Extension H
    "ｶﾞ",
    "\r\n",
    "⿰氵\uf93c",
    "\u0600",  # a prepended concatenation mark, joining the next cluster
    "\x00",
    "。",
    "",
]


@pytest.mark.parametrize("config", CONFIGS)
def test_every_length_changing_phrase_with_the_audits_neighbours(config: str) -> None:
    phrases = audit_phrases(config)
    assert len(phrases) >= 30  # t2tw rewrites 39 characters, s2t thousands of phrases
    randomness = random.Random(config)
    text = "".join(phrase + randomness.choice(AUDIT_SEPARATORS) for phrase in phrases)
    assert_exact_and_whole(config, text)


PIECES = [
    "内存",
    "鼠标",
    "软件",
    "B超",
    "头发",
    "賛辞",
    "今天",
    "⿰",
    "⿱",
    "⿲",
    "\u2ffe",
    "\uf93c",
    "\uf900",
    "\ufa10",
    "氵",
    "祿",
    "\u0301",
    "\ufe0f",
    "\ufe00",
    "\u200d",
    "❤",
    "🇨",
    "ﾊ",
    "ﾟ",
    "\u0600",
    "。",
    "a",
    " ",
]


@SETTINGS
@given(
    config=st.sampled_from(CONFIGS),
    text=st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join),
)
def test_replay_agrees_and_units_keep_clusters_whole(config: str, text: str) -> None:
    assert_exact_and_whole(config, text)


# Script detection


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("吃凶困于后准伙几愿", "neutral"),  # written alike in both scripts
        ("中文 123 hello", "neutral"),
        ("", "neutral"),
        ("他後來吃了幾個", "traditional"),  # short, and mostly characters both scripts use
        ("他后来吃了几个", "simplified"),
        ("我們于是准備", "traditional"),
        ("日本語の文章です。", "japanese"),
        ("東京都は雨が降っています", "japanese"),
        ("株式会社トヨタ自動車", "japanese"),
        ("國際関係について", "japanese"),
        ("我們去公園・散步", "traditional"),  # ・ alone is no kana
        ("他说：“東京はいい”，然后走了。我们一起去了公园，看了很多花，天气很好。", "simplified"),
    ],
)
def test_script_detection(text: str, script: str) -> None:
    assert detect_script(text) == script
