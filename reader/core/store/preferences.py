"""What the reader remembers between sessions: preferences and reading positions.

Neither is the user's work: on a read-only store they are quietly not saved (refusing would
stop someone reading a file they cannot write).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict, Unpack

from reader.core.store.common import now
from reader.core.store.gateway import Gateway

__all__ = ["PreferenceChanges", "PreferenceStore", "Preferences"]

ORIGINAL = "original"
"""How "no conversion" is stored in the script setting."""


@dataclass(frozen=True)
class Preferences:
    script: str | None = None
    """The OpenCC config last shown, or None for the original text."""
    last_document: int | None = None
    """The document open when the reader last closed."""
    fold_boilerplate: bool = False
    """Whether a web page's navigation and footer are folded away (else shown dimmed)."""


class PreferenceChanges(TypedDict, total=False):
    script: str | None
    last_document: int | None
    fold_boilerplate: bool


# The settings table keeps text values under these keys (the names of schema m001).
_KEYS = {
    "script": "script",
    "last_document": "last_document",
    "fold_boilerplate": "fold_boilerplate",
}


def _encode(field: str, value: object) -> str:
    if field == "script":
        return ORIGINAL if value is None else str(value)
    if field == "fold_boilerplate":
        return "yes" if value else "no"
    return "" if value is None else str(value)


class PreferenceStore:
    def __init__(self, db: Gateway) -> None:
        self._db = db

    def load(self) -> Preferences:
        stored: dict[str, str] = dict(self._db.query("select key, value from settings"))
        script = stored.get(_KEYS["script"])
        last = str(stored.get(_KEYS["last_document"]) or "")
        return Preferences(
            script=None if script in (None, ORIGINAL) else str(script),
            last_document=int(last) if last.isdigit() else None,
            fold_boilerplate=stored.get(_KEYS["fold_boilerplate"]) == "yes",
        )

    def update(self, **changes: Unpack[PreferenceChanges]) -> None:
        """Remember the given preferences (the others stay as they are)."""
        if self._db.read_only or not changes:
            return
        with self._db.transaction():
            for field, value in changes.items():
                self._db.execute(
                    "insert into settings (key, value) values (?, ?)"
                    " on conflict(key) do update set value = excluded.value",
                    [_KEYS[field], _encode(field, value)],
                )

    # Reading positions

    def position(self, document_id: int) -> int:
        """The offset at the top of the screen when the document was last read (0 if never)."""
        row = self._db.one(
            'select "offset" from reading_positions where document_id = ?', [document_id]
        )
        return int(row[0]) if row else 0

    def set_position(self, document_id: int, offset: int) -> None:
        if self._db.read_only:
            return
        with self._db.transaction():
            self._db.execute(
                'insert into reading_positions (document_id, "offset", updated_at) values (?, ?, ?)'
                ' on conflict(document_id) do update set "offset" = excluded."offset",'
                " updated_at = excluded.updated_at",
                [document_id, offset, now()],
            )
