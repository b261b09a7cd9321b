"""Turning bindings into the rows the help screen (and the README) show."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType

KEY_NAMES = {
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "escape": "Esc",
    "delete": "Del",
}


def key_label(keys: str) -> str:
    labels = []
    for key in keys.split(","):
        key = key.strip()
        labels.append(KEY_NAMES.get(key, key.replace("ctrl+", "Ctrl+").replace("shift+", "Shift+")))
    return " / ".join(labels)


def help_rows(where: str, bindings: Iterable[BindingType]) -> list[tuple[str, str, str]]:
    return [
        (where, key_label(binding.key), binding.description)
        for binding in bindings
        if isinstance(binding, Binding) and binding.description
    ]
