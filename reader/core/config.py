"""The user's settings file: ``$XDG_CONFIG_HOME/reader/config.toml`` (``~/.config/reader/``).

A small TOML file the user writes by hand; the app only reads it, never rewrites it::

    script = "s2twp"         # the script to open in: original, t2s, s2t, s2tw, s2hk, s2twp
    theme = "gruvbox"        # a Textual theme (Ctrl+P, "theme", lists them)

    [panes]                  # shown at the start on a wide window (narrow: on demand)
    library = true
    annotations = false

    [keymap]                 # binding id = "keys", as posting does; see the README's list
    tag = "g"
    undo = "u,ctrl+z"

Loading never fails: a missing file is the defaults; a file that cannot be read or parsed is the
defaults and one sentence saying where and why; a setting of the wrong kind is that setting's
default and a sentence. The file itself is left as it was, so nothing the user wrote is lost.
Which themes exist and which binding ids there are is the app's to check (the core knows
neither).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.core.convert import SCRIPT_CYCLE

ORIGINAL = "original"
"""The config file's name for the stored original text (no conversion)."""

SCRIPTS = [ORIGINAL, *(config for config, _ in SCRIPT_CYCLE if config is not None)]
"""What ``script`` may be, in the order ``s`` cycles through them."""

PANES = ("library", "annotations")


@dataclass(frozen=True)
class Settings:
    """What the config file asks for; every field's default is "as if there were no file"."""

    script: str | None = None
    """An OpenCC config of the cycle, or ``"original"``; None: the script last chosen."""
    theme: str | None = None
    """A Textual theme's name; None: Textual's default."""
    panes: Mapping[str, bool] = field(default_factory=lambda: dict.fromkeys(PANES, True))
    """Which side panes a wide window shows at the start."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id -> keys ("g", "u,ctrl+z"): those keys instead of the binding's own."""

    @property
    def start_config(self) -> str | None:
        """The OpenCC config to start in (None: the original); only when ``script`` is set."""
        return None if self.script in (None, ORIGINAL) else self.script


def config_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the file is: ``$XDG_CONFIG_HOME/reader/config.toml``, or under ``~/.config``
    when that is unset or not absolute (the XDG Base Directory rule)."""
    base = environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "reader" / "config.toml"


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings in ``path`` (default :func:`config_path`), and a sentence per problem."""
    path = config_path() if path is None else path
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return Settings(), [f"{path}: cannot be read ({reason}); using the defaults."]
    try:
        table = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        return Settings(), [f"{path}: not valid TOML ({error}); using the defaults."]
    return settings_from(table, str(path))


def settings_from(table: Mapping[str, Any], where: str) -> tuple[Settings, list[str]]:
    """Settings from a parsed file; what is wrong is left at its default and reported."""
    problems: list[str] = []

    def wrong(what: str) -> None:
        problems.append(f"{where}: {what}")

    script = table.get("script")
    if script is not None and script not in SCRIPTS:
        wrong(f"script = {script!r} is not one of {', '.join(SCRIPTS)}; not used.")
        script = None
    theme = table.get("theme")
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        wrong(f"theme = {theme!r} is not a theme's name; not used.")
        theme = None
    panes = dict.fromkeys(PANES, True)
    for name, shown in _table(table, "panes", wrong).items():
        if name not in PANES:
            wrong(f"[panes] {name} is not a pane (they are {', '.join(PANES)}); not used.")
        elif not isinstance(shown, bool):
            wrong(f"[panes] {name} = {shown!r} is not true or false; not used.")
        else:
            panes[name] = shown
    keymap: dict[str, str] = {}
    for binding_id, keys in _table(table, "keymap", wrong).items():
        if isinstance(keys, str) and keys.strip() and all(k.strip() for k in keys.split(",")):
            keymap[binding_id] = ",".join(key.strip() for key in keys.split(","))
        else:
            wrong(f'[keymap] {binding_id} = {keys!r} is not keys such as "g" or "u,ctrl+z".')
    for name in table:
        if name not in ("script", "theme", "panes", "keymap"):
            wrong(f"{name} is not a setting (script, theme, [panes], [keymap]); not used.")
    return Settings(script, theme, panes, keymap), problems


def _table(table: Mapping[str, Any], name: str, wrong: Any) -> Mapping[str, Any]:
    value = table.get(name, {})
    if not isinstance(value, Mapping):
        wrong(f"{name} must be a table ([{name}]); not used.")
        return {}
    return value
