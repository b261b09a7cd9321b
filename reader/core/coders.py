"""Who is coding: the current coder's name, and what a coder's name may be.

Every annotation records its coder (issue 10 §2). On SQLite the front end says who is coding:
``--coder NAME``, else the ``READER_CODER`` environment variable, else the name of the user
logged in to the operating system. On PostgreSQL the database role is the coder, and the
gateway says so (``Gateway.coder``); nothing here is consulted then.
"""

from __future__ import annotations

import getpass
import os
import unicodedata
from collections.abc import Mapping

__all__ = [
    "CODER_ENV",
    "FALLBACK_CODER",
    "CoderNameError",
    "check_coder_name",
    "default_coder",
    "next_whose",
    "resolve_coder",
    "usable_coder_name",
    "whose_choices",
    "whose_label",
]

CODER_ENV = "READER_CODER"

FALLBACK_CODER = "coder"
"""The name used when neither ``--coder``, READER_CODER nor the OS names anybody (a container
without a passwd entry for its user id)."""

MAX_CODER_LENGTH = 64


class CoderNameError(ValueError):
    """A coder name that cannot be used: the message says why, in one line."""


def check_coder_name(name: str) -> str:
    """``name`` with surrounding space removed, or CoderNameError saying what is wrong.

    A name is one line of printable text: no control character (it is shown in the panel and
    printed by the command line), no comma (``reader agreement --coders A,B`` separates names
    with commas), at most 64 characters.
    """
    cleaned = name.strip()
    if not cleaned:
        raise CoderNameError("a coder name cannot be empty")
    if "," in cleaned:
        raise CoderNameError(
            f"a coder name cannot contain a comma ({cleaned!r}): --coders A,B separates names"
            " with commas"
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in cleaned):
        raise CoderNameError(f"a coder name cannot contain control characters ({cleaned!r})")
    if len(cleaned) > MAX_CODER_LENGTH:
        raise CoderNameError(f"a coder name is at most {MAX_CODER_LENGTH} characters")
    return cleaned


def usable_coder_name(name: str) -> str:
    """A name from another tool's file (a REFI-QDA user) made usable here: commas and control
    characters become spaces, runs of space one, cut at 64 characters; "" when nothing is
    left. A name that is usable already comes back as it is."""
    try:
        return check_coder_name(name)
    except CoderNameError:
        pass
    kept = "".join(
        " " if char == "," or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
        for char in name
    )
    return " ".join(kept.split())[:MAX_CODER_LENGTH].strip()


def default_coder(environ: Mapping[str, str] | None = None) -> str:
    """The coder when no ``--coder`` is given: READER_CODER, else the OS user, else "coder".

    A READER_CODER that is not a usable name raises CoderNameError (a typo in the environment
    should be seen, not silently replaced by another name).
    """
    env = os.environ if environ is None else environ
    chosen = env.get(CODER_ENV, "")
    if chosen.strip():
        return check_coder_name(chosen)
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no LOGNAME/USER and no passwd entry
        return FALLBACK_CODER
    try:
        return check_coder_name(user)
    except CoderNameError:
        return FALLBACK_CODER


def resolve_coder(explicit: str | None = None) -> str:
    """The current coder on SQLite: ``explicit`` (``--coder``) when given, else the default."""
    if explicit is not None:
        return check_coder_name(explicit)
    return default_coder()


# Whose highlights the reader shows (a key cycles, the palette picks one)


def whose_choices(me: str, coders: list[str]) -> list[str | None]:
    """What the reader can show, in the order a key cycles through it: everyone's (None), mine,
    then each other coder with annotations, by name."""
    return [None, me, *sorted(set(coders) - {me})]


def next_whose(current: str | None, me: str, coders: list[str]) -> str | None:
    """The choice after ``current`` (a coder no longer there: back to everyone's)."""
    choices = whose_choices(me, coders)
    if current not in choices:
        return None
    return choices[(choices.index(current) + 1) % len(choices)]


def whose_label(choice: str | None, me: str) -> str:
    """``everyone's``, ``mine (anna)`` or ``bo's``."""
    if choice is None:
        return "everyone's"
    if choice == me:
        return f"mine ({me})"
    return f"{choice}'s"
