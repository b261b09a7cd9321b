"""The annotation store: the only package that speaks SQL.

``Store(path)`` opens a database and holds one object per job: ``documents`` (texts and their
versions), ``annotations`` (passages, tags, comments; export, restore and auto-coding),
``tags`` (tag names and colours), ``codebook`` (the tree of codes, its undoable actions,
memos), ``coding`` (what was coded, counted: reports and retrieval), ``history`` (undo and
redo), ``preferences`` (settings and reading positions) and ``search_index`` (the folded
texts a search reads).
They speak SQL through a Gateway (reader.core.store.gateway); SQLiteGateway is the one backend
today. Every user action is one transaction, committed before the method returns, so a killed
process loses nothing that was reported as saved; ``store.transaction()`` groups several.
Methods raise StoreError (a sentence a user can act on), never a raw driver error.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from reader.core.errors import StoreError
from reader.core.store.annotations import (
    Annotations,
    ExportDocument,
    ExportFilter,
    ExportRow,
    ExportTagRow,
)
from reader.core.store.codebook import Codebook
from reader.core.store.coding import Coding
from reader.core.store.common import QUOTE_CONTEXT, is_postgres_url, now, passage_anchor
from reader.core.store.documents import Documents, DocumentVersion, VersionReport
from reader.core.store.gateway import Gateway
from reader.core.store.history import History
from reader.core.store.preferences import Preferences, PreferenceStore
from reader.core.store.search_index import SearchIndex
from reader.core.store.tags import TAG_COLORS, Tags

__all__ = [
    "QUOTE_CONTEXT",
    "TAG_COLORS",
    "Codebook",
    "DocumentVersion",
    "ExportDocument",
    "ExportFilter",
    "ExportRow",
    "ExportTagRow",
    "Preferences",
    "Store",
    "StoreError",
    "VersionReport",
    "now",
    "passage_anchor",
]


class Store:
    """One annotations database, by job."""

    def __init__(
        self, path: str | Path, *, read_only: bool = False, coder: str | None = None
    ) -> None:
        """Open (and if needed create or upgrade) the database at ``path``: an SQLite file, or
        a ``postgresql://`` URL (reader.core.store.postgres); coding as ``coder`` (a name
        checked by reader.core.coders.check_coder_name; None: READER_CODER, else the OS user).
        On PostgreSQL the coder is the database role, whatever ``coder`` says.

        See reader.core.store.sqlite for what happens with broken, newer or unwritable files.
        """
        self.target = str(path)
        """What was opened, as given (a path or a URL without a password): to open it again."""
        if is_postgres_url(path):
            # Imported here: psycopg is not needed by a project in a file.
            from reader.core.store.postgres import PostgresGateway, database_name

            self.path = Path(database_name(self.target) or "reader")
            self._init(PostgresGateway(self.target, read_only=read_only))
            return
        # Imported here: sqlite-utils (the schema migrations) is not needed before a store opens.
        from reader.core.store.sqlite import SQLiteGateway

        self.path = Path(path)
        self._init(SQLiteGateway(self.path, read_only=read_only, coder=coder))

    @classmethod
    def on(cls, gateway: Gateway, path: str | Path = "") -> Store:
        """A store on an already open backend."""
        store = cls.__new__(cls)
        store.target = str(path or gateway.location)
        store.path = Path(path or gateway.location)
        store._init(gateway)
        return store

    def _init(self, gateway: Gateway) -> None:
        self.gateway = gateway
        """The backend: SQL for tests and benchmarks that need to reach under the jobs."""
        self.location = gateway.location
        """Where the database is, for messages (a path; a URL for a server, never a password)."""
        self.search_index = SearchIndex(gateway)
        self.documents = Documents(gateway, self.search_index)
        self.tags = Tags(gateway)
        self.coding = Coding(gateway)
        self.history = History(gateway, self.tags, load=lambda i: self.annotations.get(i))
        self.annotations = Annotations(gateway, self.documents, self.tags, self.history)
        self.codebook = Codebook(gateway, self.tags, self.history)
        self.preferences = PreferenceStore(gateway)
        self.notices: list[str] = [*gateway.notices]
        """Sentences about what was found on opening and worked around (for the front end)."""
        colours = self.tags.colour_notice(gateway.location)
        if colours:
            self.notices.append(colours)

    @property
    def coder(self) -> str:
        """Who is coding: the name every new annotation and undo step records (the gateway
        supplies it: SQLite from --coder, READER_CODER or the OS user; PostgreSQL the role)."""
        return self.gateway.coder

    @property
    def read_only(self) -> bool:
        """True when the file or folder is not writable (or asked for): writes raise StoreError."""
        return self.gateway.read_only

    def transaction(self) -> AbstractContextManager[None]:
        """Several changes as one: all of them are saved, or (on any exception) none."""
        return self.gateway.transaction()

    def bulk_transaction(self) -> AbstractContextManager[None]:
        """A transaction that adds or changes many documents (an import): as transaction(),
        but their search index is written at its end, all of it at once (SearchIndex.deferred)."""
        return self.search_index.deferred()

    def read_snapshot(self) -> AbstractContextManager[None]:
        """Several reads that see one state of the database, whatever others commit meanwhile."""
        return self.gateway.read_snapshot()

    def change_token(self) -> int:
        """A number that changes when another program commits to the database.

        Cheap enough to poll every second: a front end compares it with the last value it saw
        and reloads when another program (an import, a second window) changed the database.
        Its own commits do not change it.
        """
        return self.gateway.change_token()

    def close(self) -> None:
        self.gateway.close()
