"""Passages converted from their sentences equal passages cut from the whole converted document.

``reader export --script`` converts only the sentence around each passage (the engine's
safe-cut rule: no dictionary key holds 。！？； or a line break, so each sentence converts as it
does inside the whole). These tests hold that against ``convert_mapped`` of the whole text and
its ``to_dst`` widening, on the samples and the corpus excerpts, in every script the reader
shows, for random passages and for passages that start or end on every kind of boundary.
"""

from __future__ import annotations

import random

import pytest
from conversion_support import EXCERPTS, SEEDS, read_exact

from reader.core import convert
from reader.core.convert import SCRIPT_CYCLE, converter

CONFIGS = [config for config, _ in SCRIPT_CYCLE if config]
TEXTS = [*SEEDS, *EXCERPTS]


def _spans(text: str, rng: random.Random, count: int) -> list[tuple[int, int]]:
    """Random passages (empty, short, across sentences) and ones on sentence boundaries."""
    spans = [(0, 0), (0, len(text)), (len(text), len(text))]
    for _ in range(count):
        start = rng.randrange(len(text) + 1)
        spans.append((start, min(len(text), start + rng.choice((0, 1, 2, 5, 20, 60, 300)))))
    for index, char in enumerate(text):
        if char in "。！？；\n\r" and rng.random() < 0.2:
            width = rng.randint(1, 40)
            spans += [(index, index + 1), (index + 1, min(len(text), index + 1 + width))]
            spans.append((max(0, index - width), index + 1))
    return spans


@pytest.mark.parametrize("whole_after", [float("inf"), 0.5])
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("path", TEXTS, ids=lambda path: path.stem)
def test_passages_equal_whole_document_conversion(path, config, whole_after, monkeypatch) -> None:
    """Sentence by sentence throughout (inf), and switching to the whole text half-way."""
    if not path.exists():
        pytest.skip(f"{path} is missing")
    monkeypatch.setattr(convert, "_WHOLE_AFTER", whole_after)
    text = read_exact(path)
    engine = converter(config)
    whole = engine.convert_mapped(text)
    passages = engine.passages(text)
    rng = random.Random(f"{path.name}-{config}")
    checked = 0
    for start, end in _spans(text, rng, 400):
        a, b = whole.offsets.to_dst(start, end)
        assert passages.convert(start, end) == whole.text[a:b], (path.name, config, start, end)
        checked += 1
    assert checked > 400


def test_phrase_cut_by_a_passage_widens_as_in_the_whole() -> None:
    """鼠标 becomes 滑鼠 whole in s2twp: a passage ending inside it gets the whole phrase."""
    text = "第一句。他买了一个鼠标和内存条。最后一句。"
    engine = converter("s2twp")
    whole = engine.convert_mapped(text)
    start = text.index("鼠")
    for end in (start + 1, start + 2, text.index("存")):
        a, b = whole.offsets.to_dst(start, end)
        assert engine.passages(text).convert(start, end) == whole.text[a:b]
    assert engine.passages(text).convert(start, start + 1) == "滑鼠"


@pytest.mark.parametrize(
    "text",
    [
        "前文。⿰氵发展。内存和鼠标。后文。",  # an IDS operator: the whole text is converted
        "前文\x00内存。鼠标\x00后文。头发",  # NUL is copied, never converted across
    ],
)
def test_unusual_texts_match_the_whole(text: str) -> None:
    engine = converter("s2twp")
    whole = engine.convert_mapped(text)
    passages = engine.passages(text)
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            a, b = whole.offsets.to_dst(start, end)
            assert passages.convert(start, end) == whole.text[a:b], (start, end)


def test_sentences_are_shared_across_documents() -> None:
    engine = converter("s2twp")
    shared: dict = {}
    first = engine.passages("开头。内存不足。", shared)
    assert first.convert(3, 5) == "記憶體"
    assert "内存不足。" in shared
    second = engine.passages("另一篇。内存不足。", shared)
    assert second.convert(4, 6) == "記憶體"


@pytest.mark.parametrize("dense", [False, True])
def test_planned_passages_equal_the_whole(dense: bool) -> None:
    """Passages covering much of a document convert it whole, few convert their sentences:
    the same text either way."""
    path = SEEDS[0]
    if not path.exists():
        pytest.skip(f"{path} is missing")
    text = read_exact(path)
    engine = converter("s2twp")
    whole = engine.convert_mapped(text)
    rng = random.Random(7)
    count = 400 if dense else 5
    spans = [
        (start, start + rng.randint(1, 60)) for start in rng.sample(range(len(text) - 60), count)
    ]
    passages = engine.passages(text)
    passages.plan(spans)
    assert (passages._whole is not None) == dense
    for start, end in spans:
        a, b = whole.offsets.to_dst(start, end)
        assert passages.convert(start, end) == whole.text[a:b]


def test_sentences_shared_from_a_whole_conversion_equal_their_own() -> None:
    """A document converted whole hands its sentences to the next: each must be what
    converting that sentence alone gives, map and all."""
    text = read_exact(SEEDS[0]) if SEEDS[0].exists() else pytest.skip("no sample")
    engine = converter("s2twp")
    shared: dict = {}
    passages = engine.passages(text, shared)
    passages.plan([(0, len(text))])
    assert passages._whole is not None and len(shared) > 50
    for source, converted in shared.items():
        alone = engine.convert_mapped(source)
        assert converted.text == alone.text
        assert converted.offsets.units == alone.offsets.units, source
