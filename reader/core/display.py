"""Text from files, databases and users, made safe to show on a terminal.

A document, a title, a tag name or an error message can hold control characters: ESC starts
sequences that wipe the screen, set the clipboard (OSC 52) or plant hyperlinks (OSC 8). Nothing
we did not write ourselves may reach the terminal as a control character, so every C0 and C1
control (but newline and tab) is shown as a visible symbol instead: U+2400 + code for C0
(``\\x1b`` → ␛), U+2421 ␡ for DEL and U+2426 ␦ for the C1 range, which has no pictures of its
own. Each symbol takes exactly one cell, as one would expect of one character, and replaces
exactly one code point, so offsets into the stored text are the same on screen.

The stored text is never changed: this is applied where text is drawn or printed.
"""

from __future__ import annotations

import re

__all__ = ["CONTROL", "has_controls", "visible", "visible_line"]

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Every C0 and C1 control character, and DEL, except tab (\\x09) and newline (\\x0a)."""

C1_SYMBOL = "\u2426"


def _picture(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return C1_SYMBOL


_PICTURES = {code: _picture(code) for code in [*range(0x20), *range(0x7F, 0xA0)]}
_PICTURES_KEEP_LAYOUT = {
    code: symbol for code, symbol in _PICTURES.items() if code not in (0x09, 0x0A)
}
_LINE = {**_PICTURES, 0x09: " ", 0x0A: " "}


def has_controls(text: str) -> bool:
    return CONTROL.search(text) is not None


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab shown as a symbol.

    Same length as ``text``: position i of the result shows code point i of the original.
    """
    if CONTROL.search(text) is None:  # the common case costs one regex scan
        return text
    return text.translate(_PICTURES_KEEP_LAYOUT)


def visible_line(text: str) -> str:
    """For one-line places (a list row, a title bar): tab and newline become spaces too."""
    return text.translate(_LINE)
