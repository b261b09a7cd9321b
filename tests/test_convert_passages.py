"""Passages converted alone equal passages cut from the whole converted document.

``reader export --script`` converts only each passage, widened to the nearest seams (positions
no dictionary key spans), and replays only the word around an end that is not a seam; where
the replay model disagrees, the sentences around it (the engine's safe-cut rule: no dictionary
key holds 。！？； or a line break, so each sentence converts as it does inside the whole).
These tests hold that against ``convert_mapped`` of the whole text and its ``to_dst``
widening, on the samples and the corpus excerpts, in every script the reader shows, for random
passages and for passages that start or end on every kind of boundary.
"""

from __future__ import annotations

import random

import pytest
from conversion_support import EXCERPTS, SEEDS, read_exact

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


@pytest.mark.parametrize("planned", [False, True])
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("path", TEXTS, ids=lambda path: path.stem)
def test_passages_equal_whole_document_conversion(path, config, planned) -> None:
    """Each passage on its own, and all of them planned (converted in one call) first."""
    if not path.exists():
        pytest.skip(f"{path} is missing")
    text = read_exact(path)
    engine = converter(config)
    whole = engine.convert_mapped(text)
    passages = engine.passages(text)
    rng = random.Random(f"{path.name}-{config}")
    spans = _spans(text, rng, 400)
    if planned:
        passages.plan(spans)
    checked = 0
    for start, end in spans:
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
        "推进文明城创建、常态化。他创建了公司。",  # 創建 (step 1) becomes 建立 whole (step 2)
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


def test_pieces_are_shared_across_documents() -> None:
    engine = converter("s2twp")
    first = engine.passages("开头。内存不足。")
    assert first.convert(3, 4) == "記憶體"  # 内 alone: the phrase 内存 is one unit
    mapped = engine.mapped_piece("内存")
    assert mapped is not None and mapped.text == "記憶體"
    assert engine.mapped_piece("内存") is mapped
    second = engine.passages("另一篇。内存不足。")
    assert second.convert(5, 6) == "記憶體"


def test_a_piece_the_model_gets_wrong_converts_from_its_sentence(monkeypatch) -> None:
    """Where the replay disagrees with the engine, the passage is what the whole text's map
    gives (the sentence's own map), not a guess."""
    engine = converter("s2twp")
    text = "第一句。他买了一个鼠标和内存条。最后一句。"
    whole = engine.convert_mapped(text)
    monkeypatch.setattr(engine, "mapped_piece", lambda piece: None)
    shared: dict = {}
    passages = engine.passages(text, shared)
    start = text.index("鼠")
    for end in (start + 1, text.index("存"), text.index("条") + 1):
        a, b = whole.offsets.to_dst(start + 1, end)
        assert passages.convert(start + 1, end) == whole.text[a:b]
    assert "他买了一个鼠标和内存条。" in shared


def test_many_texts_convert_in_one_call_as_each_alone() -> None:
    engine = converter("s2twp")
    texts = ["内存", "鼠标\n头发", "", "\n", "软件。\r\n网络", "发展"]
    assert engine.convert_many(texts) == [engine.convert(text) for text in texts]
    assert engine.convert_many(["内存\x00鼠标", "头发"]) == ["記憶體\x00滑鼠", "頭髮"]


def test_planned_passages_equal_the_whole() -> None:
    """Passages planned together (one call of the engine) equal the whole text's, and
    planning them again converts nothing new."""
    path = SEEDS[0]
    if not path.exists():
        pytest.skip(f"{path} is missing")
    text = read_exact(path)
    engine = converter("s2twp")
    whole = engine.convert_mapped(text)
    rng = random.Random(7)
    spans = [
        (start, start + rng.randint(1, 60)) for start in rng.sample(range(len(text) - 60), 400)
    ]
    passages = engine.passages(text)
    passages.plan(spans)
    planned = dict(passages._stretches)
    assert len(planned) > 300
    passages.plan(spans)
    assert passages._stretches == planned
    for start, end in spans:
        a, b = whole.offsets.to_dst(start, end)
        assert passages.convert(start, end) == whole.text[a:b]
    assert passages._stretches == planned


def test_a_sentence_in_two_documents_is_mapped_once_and_cut_from() -> None:
    """A sentence seen in one document is only noted; when a second document has it, its map
    is made and its passages are cut from it: the same text either way."""
    engine = converter("s2twp")
    shared: dict = {}
    sentence = "他创建了内存公司。"
    for number, text in enumerate([f"开头。{sentence}结尾一。", f"另一篇。{sentence}结尾二。"]):
        whole = engine.convert_mapped(text)
        passages = engine.passages(text, shared)
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                a, b = whole.offsets.to_dst(start, end)
                assert passages.convert(start, end) == whole.text[a:b], (number, start, end)
        seen = shared[sentence]
        assert (seen is None) if number == 0 else (seen.text == "他建立了記憶體公司。")
