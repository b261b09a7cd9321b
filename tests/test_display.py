"""Control characters from content are shown as symbols, one cell each, offsets unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.core.display import CONTROL, visible, visible_line

PAYLOADS = [
    "\x1b[2J清屏",
    "\x1b]52;c;aGk=\x07剪贴板",
    "\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\",
    "\x9b31m八位CSI",
    "退格\x08删除\x7f",
]


def test_no_control_character_survives() -> None:
    for payload in PAYLOADS:
        shown = visible(payload)
        assert CONTROL.search(shown) is None
        assert len(shown) == len(payload)
    assert visible("\x1b[2J") == "␛[2J"
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible_line("a\tb\nc\x1b") == "a b c␛"


@given(st.text())
def test_same_length_and_one_cell_per_control(text: str) -> None:
    shown = visible(text)
    assert len(shown) == len(text)
    for original, symbol in zip(text, shown, strict=True):
        if CONTROL.match(original):
            assert cell_len(symbol) == 1
        else:
            assert symbol == original
