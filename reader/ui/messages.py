"""What the app's workers report, as typed messages (toolong's ``messages.py``).

A thread worker posts one of these to the screen that started it (``post_message`` is safe from
any thread) instead of calling back into the UI with ``call_from_thread``: the screen handles
each as an event, with a handler that says what it does, and a test can wait for it.

Widgets' own messages (a panel's intents, the view's cursor) are nested in the widget that posts
them, as posting does; these are the ones no widget owns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from reader.core.importing import ImportResult
from reader.core.search import ConcordanceLine


@dataclass
class ImportProgressed(Message):
    """One more file of a background import is done."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        """A burst of files is drawn once: only the latest count matters."""
        return isinstance(message, ImportProgressed)


@dataclass
class ImportFinished(Message):
    """A background import ended: what it imported, and a sentence per file it could not."""

    imported: list[ImportResult]
    failures: list[str]


@dataclass
class ExportFinished(Message):
    """An export was written: ``count`` annotations into ``path``."""

    path: Path
    count: int
    script: str | None
    """The script of the ``passage_converted`` column (None: no such column)."""


@dataclass
class ExportFailed(Message):
    """An export could not be written; any earlier file at ``path`` is untouched."""

    path: Path
    error: str


@dataclass
class ConcordanceBatch(Message):
    """More lines of a library search, streamed in while it runs."""

    generation: int
    """Which query they answer: a batch of a query that has since changed is dropped."""
    lines: list[ConcordanceLine]
    per_document: Counter[int]
    """Matches per document in this batch (lines and those beyond the list)."""
    done: bool


@dataclass
class ConcordanceFailed(Message):
    """A library search stopped: a bad query or a database error, as a sentence."""

    generation: int
    error: str


@dataclass
class DatabaseChanged(Message):
    """A database server told of a commit (LISTEN/NOTIFY): another coder changed something."""

    def can_replace(self, message: Message) -> bool:
        """A burst of commits is looked at once."""
        return isinstance(message, DatabaseChanged)


@dataclass
class ConnectionChanged(Message):
    """The connection to a database server was lost (``up`` False) or is back."""

    up: bool


@dataclass
class CodebookActionDone(Message):
    """A codebook action that can take long (merge, delete, undo, redo: thousands of passages)
    ended in the worker that ran it on its own connection."""

    kind: str
    """"merge", "delete", "undo" or "redo"."""
    outcome: object
    """What the store returned: the merged Code, an UndoResult (None: nothing to undo), ..."""
    highlight: int | None
    """The code to highlight afterwards (None: the one highlighted now)."""
    subject: str = ""
    """The name of the code acted on (for the notice)."""
    error: str | None = None
    """Why nothing was changed (a StoreError's sentence), or None."""


@dataclass
class CodebookCounted(Message):
    """The codebook screen's counting worker read the codes' counts (``totals`` None), then the
    totals over each parent code's subtree (``totals`` set)."""

    counts: dict[int, tuple[int, int]]
    """(passages, documents) per code that codes a passage."""
    totals: dict[int, tuple[int, int]] | None
    """(passages, documents) over each parent code's subtree; None: not read yet, or (when
    ``final``) not totalled (see store.codebook.subtree_counts)."""
    final: bool = False
    """The worker is done: these are the totals too."""
