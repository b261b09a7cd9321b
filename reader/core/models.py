"""The values the store hands out: plain frozen dataclasses, no database handles inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self


class _Stored(StrEnum):
    """A value kept as text in the database."""

    @classmethod
    def of(cls, stored: object) -> Self:
        """The value a row holds; anything unknown (a file from elsewhere) as the default."""
        try:
            return cls(str(stored))
        except ValueError:
            return cls._default()

    @classmethod
    def _default(cls) -> Self:
        return next(iter(cls))


class Script(_Stored):
    """The script a stored original is written in (as detected on import).

    Unknown values read as NEUTRAL: the original is shown as it is.
    """

    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"
    NEUTRAL = "neutral"
    """Chinese whose characters are the same in both scripts, or too little to tell."""
    JAPANESE = "japanese"
    """Japanese text (kana), which OpenCC's Chinese conversions would damage."""

    @classmethod
    def _default(cls) -> Script:
        return cls.NEUTRAL


class AnnotationStatus(_Stored):
    """Unknown values read as ORPHAN: offsets that cannot be trusted are not painted."""

    ACTIVE = "active"
    ORPHAN = "orphan"
    """A changed text no longer holds its passage: offsets are stale, the quote is kept."""

    @classmethod
    def _default(cls) -> AnnotationStatus:
        return cls.ORPHAN


class UndoAction(_Stored):
    """What an undo log entry did to its annotation."""

    CREATE = "create"
    TAGS = "tags"
    COMMENT = "comment"
    RANGE = "range"
    DELETE = "delete"


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    color: str
    """A ``#rrggbb`` background colour, picked when the tag is created."""


@dataclass(frozen=True)
class DocumentSummary:
    """What the library lists: everything but the text."""

    id: int
    title: str
    source: str
    published: str
    path: str
    script: Script
    """The script the original is written in."""
    annotation_count: int = 0


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    source: str
    published: str
    path: str
    script: Script
    text: str
    """The stored original: the file's text with line endings and BOM normalised."""
    encoding: str = "utf-8"
    content_hash: str = ""
    version: int = 1
    """1 on first import; each re-import of changed content at the same path adds one."""
    author: str = ""


@dataclass(frozen=True)
class Annotation:
    id: int
    document_id: int
    start: int
    """Code-point offset into the stored original text."""
    end: int
    quote: str
    """The original passage, kept so the annotation can be re-anchored if the text changes."""
    comment: str = ""
    tags: tuple[Tag, ...] = field(default_factory=tuple)
    created_at: str = ""
    updated_at: str = ""
    status: AnnotationStatus = AnnotationStatus.ACTIVE
    coder: str = ""
    """Who made it (reader.core.coders): on SQLite the name given, on PostgreSQL the role."""


@dataclass(frozen=True)
class UndoResult:
    """What an undo or redo changed, so a front end can refresh and jump to the passage."""

    annotation_id: int
    document_id: int
    action: UndoAction
    """The original action."""
    description: str
    """A sentence for a status line, e.g. ``Undid: tags of “东北老工业基地” → 政策``."""
    annotation: Annotation | None = None
    """The annotation as it is now, or None when the undo/redo left it deleted."""


@dataclass(frozen=True)
class RestoredAnnotation:
    """One annotation read back from an exported CSV, already matched to a document here."""

    id: int | None
    """The id it had when exported: kept if no annotation here has ever used it."""
    document_id: int
    start: int
    end: int
    tags: tuple[str, ...] = ()
    comment: str = ""
    created_at: str = ""
    updated_at: str = ""
    passage: str = ""
    """The exported passage: when given, the text must still hold it at [start, end)."""
    coder: str = ""
    """The exported coder; empty (an export from before coders): the current coder."""
