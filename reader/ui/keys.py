"""Turning bindings into the rows the help screen (and the README) show."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

KEY_NAMES = {
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "escape": "Esc",
    "home": "Home",
    "end": "End",
    "space": "Space",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "delete": "Del",
    "enter": "Enter",
    "backspace": "Backspace",
    "slash": "/",
}


def key_label(keys: str) -> str:
    """``"shift+up,k"`` -> ``"Shift+↑ / k"``."""
    labels = []
    for key in keys.split(","):
        *modifiers, name = key.strip().split("+")
        name = KEY_NAMES.get(name, name.upper() if modifiers and len(name) == 1 else name)
        labels.append("+".join([*(m.capitalize() for m in modifiers), name]))
    return " / ".join(labels)


def own_bindings(owner: type[DOMNode]) -> list[Binding]:
    """The bindings ``owner`` declares itself (not those it inherits): each is listed once, in
    the place it belongs to."""
    return [b for b in vars(owner).get("BINDINGS", []) if isinstance(b, Binding)]


def help_rows(where: str, bindings: Iterable[BindingType]) -> list[tuple[str, str, str]]:
    return [
        (where, key_label(binding.key), binding.tooltip or binding.description)
        for binding in bindings
        if isinstance(binding, Binding) and binding.description
    ]
