"""The offset map on the named examples, and the map's own arithmetic."""

from __future__ import annotations

from conversion_support import ROOT, official

from reader.core.convert import OffsetMap, Unit, converter


def units(config: str, text: str) -> list[tuple[int, int, int, int]]:
    mapped = converter(config).convert_mapped(text)
    assert mapped.text == official(config).convert(text)
    return [(u.src_start, u.src_end, u.dst_start, u.dst_end) for u in mapped.offsets.units]


def test_memory_grows_from_two_characters_to_three() -> None:
    assert converter("s2twp").convert("内存") == "記憶體"
    assert units("s2twp", "内存") == [(0, 2, 0, 3)]


def test_usb_stick_is_one_unit() -> None:
    assert converter("s2twp").convert("U盘") == "隨身碟"
    assert units("s2twp", "U盘") == [(0, 2, 0, 3)]


def test_mouse_is_rewritten_whole_not_character_by_character() -> None:
    assert converter("s2twp").convert("鼠标") == "滑鼠"
    assert units("s2twp", "鼠标") == [(0, 2, 0, 2)]
    offsets = converter("s2twp").convert_mapped("我的鼠标坏了").offsets
    assert offsets.to_dst(3, 4) == (2, 4)  # 标 alone maps to the whole 滑鼠
    assert offsets.to_src(2, 3) == (2, 4)  # and 滑 back to the whole 鼠标


def test_a_phrase_respelled_character_by_character_keeps_character_offsets() -> None:
    # 头发 -> 頭髮 comes from a phrase entry, but each character maps to its own variant.
    assert converter("s2t").convert("头发") == "頭髮"
    assert units("s2t", "头发") == []


def test_units_shift_what_follows() -> None:
    text = "我的鼠标和内存，还有U盘。"
    mapped = converter("s2twp").convert_mapped(text)
    assert mapped.text == "我的滑鼠和記憶體，還有隨身碟。"
    assert mapped.offsets.to_dst(5, 7) == (5, 8)
    assert mapped.offsets.to_dst(7, 8) == (8, 9)  # ，
    assert mapped.offsets.to_src(14, 15) == (12, 13)  # 。
    assert mapped.offsets.to_src(6, 7) == (5, 7)  # 憶 belongs to 内存


def test_the_simplified_sample_gains_seven_characters_in_s2twp() -> None:
    path = ROOT / "seeds" / "changchun-auto-city-simplified.txt"
    text = path.read_bytes().decode("utf-8")
    mapped = converter("s2twp").convert_mapped(text)
    assert mapped.text == official("s2twp").convert(text)
    assert len(mapped.text) - len(text) == 7
    growth = sum(u.dst_end - u.dst_start - u.src_end + u.src_start for u in mapped.offsets.units)
    assert growth == 7


def test_identity_and_inverse() -> None:
    assert OffsetMap.identity(5).to_dst(1, 3) == (1, 3)
    forward = OffsetMap(4, 5, [Unit(1, 3, 1, 4)])
    backward = forward.inverse()
    assert (backward.src_length, backward.dst_length) == (5, 4)
    assert forward.to_dst(2, 3) == (1, 4)
    assert backward.to_dst(2, 3) == (1, 3)
    assert forward.to_dst(3, 4) == (4, 5)
    assert forward.to_src(0, 5) == (0, 4)
    assert forward.to_dst(2, 2) == (1, 1)
