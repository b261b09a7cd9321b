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
    """What an undo log entry did: to its annotation, or (the codebook actions) to codes and
    memos."""

    CREATE = "create"
    TAGS = "tags"
    COMMENT = "comment"
    RANGE = "range"
    DELETE = "delete"
    RENAME_CODE = "rename_code"
    MERGE_CODES = "merge_codes"
    DELETE_CODE = "delete_code"
    RECOLOR_CODE = "recolor_code"
    DESCRIBE_CODE = "describe_code"
    MOVE_CODE = "move_code"
    CODE_MEMO = "code_memo"
    DOCUMENT_MEMO = "document_memo"
    IMPORT_CODES = "import_codes"

    @property
    def on_codebook(self) -> bool:
        """A codebook action (codes, memos), not an action on one annotation."""
        return self in CODEBOOK_ACTIONS


CODEBOOK_ACTIONS = frozenset(
    {
        UndoAction.RENAME_CODE,
        UndoAction.MERGE_CODES,
        UndoAction.DELETE_CODE,
        UndoAction.RECOLOR_CODE,
        UndoAction.DESCRIBE_CODE,
        UndoAction.MOVE_CODE,
        UndoAction.CODE_MEMO,
        UndoAction.DOCUMENT_MEMO,
        UndoAction.IMPORT_CODES,
    }
)


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    color: str
    """A ``#rrggbb`` background colour, picked when the tag is created."""


@dataclass(frozen=True)
class Code:
    """One code of the codebook: a tag with its place in the tree, its texts and its use."""

    id: int
    name: str
    color: str
    """``#rrggbb``, as Tag.color."""
    parent_id: int | None
    """The code it sits under; None at the top level (also for a parent that is gone, or a
    cycle another program wrote: such a code is shown at the top level)."""
    description: str
    """What the code means: the codebook's definition, exported to CSV and .qdc."""
    memo: str
    """The analyst's running notes on the code."""
    passages: int
    """Annotations carrying it (orphans too)."""
    documents: int
    """Documents with at least one of those annotations."""
    depth: int = 0
    """0 at the top level, 1 under a top-level code, ..."""

    @property
    def tag(self) -> Tag:
        return Tag(self.id, self.name, self.color)


@dataclass(frozen=True)
class PlacedCode:
    """A code with its place in the codebook's tree, as the tag picker lists it."""

    id: int
    name: str
    color: str
    """``#rrggbb``, as Tag.color."""
    above: tuple[str, ...] = ()
    """The names of the codes it sits under, the top-level one first: ``("经济", "产业")`` for
    汽车 under 产业 under 经济; empty at the top level (also for a code whose parent is gone, or
    in a cycle another program wrote). A chain deeper than
    :data:`reader.core.store.codebook.ABOVE_KEPT` keeps its top-level code and the nearest ones."""
    skipped: int = 0
    """How many codes between the top-level one and the nearest ones ``above`` leaves out (0
    but in a chain deeper than ABOVE_KEPT)."""


@dataclass(frozen=True)
class CodeSpec:
    """A code as a codebook file gives it, merged into the store by name. None (or blank
    colour) means the file says nothing about it: the code here keeps its own."""

    name: str
    parent: str | None = None
    """The name of the code it sits under (in the file or already here); "" for the top
    level; None when the file does not say (a CSV without a parent column)."""
    color: str | None = None
    description: str | None = None
    memo: str | None = None


@dataclass(frozen=True)
class CodebookImport:
    """What merging a codebook file did."""

    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class CodeRemoval:
    """What deleting a code removes (asked before, for the confirmation, and reported after)."""

    code: str
    passages: int
    """Annotations that lose the code (they stay, with their other codes and comments)."""
    documents: int
    left_untagged: int
    """Of those, the annotations that have no other code (they stay, untagged)."""
    children: tuple[str, ...]
    """Codes directly under it: they move up to its parent."""
    has_memo: bool = False
    has_description: bool = False

    def sentence(self) -> str:
        """One sentence a confirmation can show."""
        if self.passages:
            plural = "" if self.passages == 1 else "s"
            uses = (
                f"it comes off {self.passages:,} passage{plural} in {self.documents:,}"
                f" document{'' if self.documents == 1 else 's'}"
            )
        else:
            uses = "it codes no passage"
        parts = [f"Delete the code “{self.code}”: {uses}"]
        if self.left_untagged:
            parts.append(f"{self.left_untagged:,} of them keep no code (they stay, untagged)")
        if self.children:
            shown = ", ".join(f"“{name}”" for name in self.children[:5])
            more = f" and {len(self.children) - 5} more" if len(self.children) > 5 else ""
            verb = "moves" if len(self.children) == 1 else "move"
            parts.append(f"{shown}{more} {verb} up a level")
        texts = [
            what
            for what, has in (("description", self.has_description), ("memo", self.has_memo))
            if has
        ]
        if texts:
            parts.append(f"its {' and '.join(texts)} go{'es' if len(texts) == 1 else ''} with it")
        return "; ".join(parts) + ". u undoes it."


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

    @property
    def on_codebook(self) -> bool:
        """A codebook action (codes, memos): ``annotation_id`` is 0, ``document_id`` the
        document of a document memo, else 0. A front end redraws highlights and the panel."""
        return self.action.on_codebook


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
