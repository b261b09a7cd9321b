"""What several job modules of the store share: the clock, and a passage's anchor."""

from __future__ import annotations

from datetime import UTC, datetime

from reader.core.errors import StoreError

__all__ = ["QUOTE_CONTEXT", "check_span", "now", "passage_anchor", "short"]

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


def check_span(text: str, start: int, end: int) -> None:
    if not 0 <= start < end <= len(text):
        raise StoreError(f"passage [{start}, {end}) is outside the document")


def short(quote: str, limit: int = 16) -> str:
    """A passage shortened for a one-line description."""
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
