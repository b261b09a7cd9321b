"""What several job modules of the store share: the clock, and a passage's anchor."""

from __future__ import annotations

from datetime import UTC, datetime

from reader.core.errors import StoreError

__all__ = [
    "QUOTE_CONTEXT",
    "as_int",
    "as_text",
    "check_bounds",
    "check_span",
    "is_postgres_url",
    "now",
    "passage_anchor",
    "short",
]

QUOTE_CONTEXT = 32
"""Characters of text kept before and after each passage, to re-anchor it if the text changes."""


def now() -> str:
    """The time stamp every row gets: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def passage_anchor(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(quote, prefix, suffix) of a passage: what re-anchoring looks for if the text changes."""
    return (
        text[start:end],
        text[max(0, start - QUOTE_CONTEXT) : start],
        text[end : end + QUOTE_CONTEXT],
    )


def as_text(value: object) -> str:
    """A stored text value as text: another program may have put NULL, a number or a blob
    where we keep text, and a front end must never be handed anything but a string."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def as_int(value: object, what: str) -> int:
    """A stored whole number, or a sentence saying which value is not one."""
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise StoreError(
            f"{what} is {value!r}, not a whole number: this database was changed by another"
            " program. Restore a backup, or correct that row with sqlite3."
        ) from None


def check_span(text: str, start: int, end: int) -> None:
    check_bounds(len(text), start, end)


def check_bounds(length: int, start: int, end: int) -> None:
    """A passage [start, end) is a non-empty stretch of a text of ``length`` characters."""
    if not 0 <= start < end <= length:
        raise StoreError(f"passage [{start}, {end}) is outside the document")


def short(quote: str, limit: int = 16) -> str:
    """A passage shortened for a one-line description."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_postgres_url(target: object) -> bool:
    """Whether a --db value names a PostgreSQL database (a ``postgresql://`` URL) rather than
    an SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))
