"""The picture of every control character (mutants the first mutmut run left alive).

The table is built when the module is imported, so the test imports it afresh: what it checks
is what the module builds, not what an earlier import left behind.
"""

from __future__ import annotations

import importlib

import reader.core.display


def test_every_control_character_has_its_picture() -> None:
    display = importlib.reload(reader.core.display)
    for code in range(0x20):
        if code in (0x09, 0x0A):
            assert display.visible(chr(code)) == chr(code)  # layout is kept
            assert display.visible_line(chr(code)) == " "
        else:
            assert display.visible(chr(code)) == chr(0x2400 + code)
            assert display.visible_line(chr(code)) == chr(0x2400 + code)
    assert display.visible("\x7f") == "\u2421"
    for code in range(0x80, 0xA0):
        assert display.visible(chr(code)) == "\u2426"
    for text in (" ", "~", "\xa0", "长春", "\u2400"):
        assert display.visible(text) == text
        assert display.visible_line(text) == text


def test_has_controls_finds_any_one() -> None:
    display = reader.core.display
    assert not display.has_controls("长春 国际\t汽车城\n")
    assert display.has_controls("长春\x1b[2J")
    assert display.has_controls("\x85")
    assert display.has_controls("\x7f")
