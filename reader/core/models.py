"""The values the store hands out: plain frozen dataclasses, no database handles inside."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    script: str
    """``"simplified"``, ``"traditional"``, ``"japanese"`` or ``"neutral"`` (nothing decides)."""
    annotation_count: int = 0


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    source: str
    published: str
    path: str
    script: str
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
    status: str = "active"
    """``"active"``, or ``"orphan"`` when a changed text no longer holds its passage."""


@dataclass(frozen=True)
class UndoResult:
    """What an undo or redo changed, so a front end can refresh and jump to the passage."""

    annotation_id: int
    document_id: int
    action: str
    """The original action: ``"create"``, ``"tags"``, ``"comment"``, ``"range"`` or ``"delete"``."""
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
