"""The one exception the core raises for problems a user can fix (kept apart to avoid cycles)."""

from __future__ import annotations

__all__ = ["StoreError"]


class StoreError(Exception):
    """A database problem explained in words a user can act on."""
