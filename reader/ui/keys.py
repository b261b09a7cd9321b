"""Turning bindings into the rows the help screen (and the README) show.

A key is shown as Textual's footer shows it (``App.get_key_display``: ``^r``, ``shift+↑``,
``⏎``), so the footer, the help screen and the README's key table say the same thing, and a key
the user remapped (the config file's ``[keymap]``) is listed under its new key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode


def key_labels(app: App[object], keys: str) -> str:
    """``"shift+up,k"`` -> ``"shift+↑ / k"``: each key as the footer shows it."""
    return " / ".join(
        app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",") if key.strip()
    )


def bound_keys(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys ``binding`` answers to: the keymap's for its id, else its own."""
    return (keymap.get(binding.id) if binding.id else None) or binding.key


def own_bindings(owner: type[DOMNode]) -> list[Binding]:
    """The bindings ``owner`` declares itself (not those it inherits): each is listed once, in
    the place it belongs to."""
    return [b for b in vars(owner).get("BINDINGS", []) if isinstance(b, Binding)]


def help_rows(
    app: App[object],
    where: str,
    bindings: Iterable[BindingType],
    keymap: Mapping[str, str] | None = None,
) -> list[tuple[str, str, str]]:
    """(where, keys, what they do) for each binding that has a description."""
    return [
        (
            where,
            key_labels(app, bound_keys(binding, keymap or {})),
            binding.tooltip or binding.description,
        )
        for binding in bindings
        if isinstance(binding, Binding) and binding.description
    ]
