"""The search index (issue 15, reader.core.char_index), kept in step with every text.

For each document and each folded character, the code-point offsets where it occurs (uint32,
little-endian, ascending) in ``search_chars``, so a literal query reads only its characters'
positions instead of scanning the library; and in ``search_marks`` the byte offset in the
original's UTF-8 of every 256th character, so a match's context is read from the middle of a
long text. Documents writes it in the same transaction as the import or new version that
changes the text; an import of many documents defers it (:meth:`SearchIndex.deferred`) and
writes the rows of all of them at the end of its transaction, sorted, in one statement.
"""

from __future__ import annotations

import contextlib
import sys
from array import array
from collections.abc import Iterator, Sequence

from reader.core.store.gateway import Gateway, Params

__all__ = ["SearchIndex", "index_rows"]


def _ids_in(column: str, document_ids: Sequence[int] | None) -> tuple[str, Params]:
    """A condition ``column in (ids)`` (and its parameters), or none for every document."""
    if document_ids is None:
        return "", []
    marks = ", ".join("?" for _ in document_ids) or "null"
    return f" and {column} in ({marks})", list(document_ids)


def index_rows(document_id: int, text: str) -> tuple[list[tuple[int, int, int, bytes]], bytes]:
    """The ``search_chars`` rows (char, document id, count, positions) and the byte marks of
    one document: what the store writes, and what the migration that builds the index does."""
    from reader.core.char_index import build

    index = build(text)
    rows = [(char, document_id, len(positions) // 4, positions) for char, positions in index.lists]
    return rows, index.byte_marks


DEFERRED_CHARS = 4_000_000
"""Characters of deferred texts indexed per statement: bounds the rows held in memory (a
thousand 6,000-character articles make 845,000 rows)."""
IDS_PER_STATEMENT = 500
"""Document ids per ``in (...)`` list (SQLite allows 32,766 parameters, older builds 999)."""


class SearchIndex:
    def __init__(self, db: Gateway) -> None:
        self._db = db
        self._pending: set[int] | None = None
        """Documents whose text changed inside :meth:`deferred`, their rows not written yet."""

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """A transaction in which :meth:`index` only notes the documents; their rows are
        written at its end, before it commits, so the committed index is as exact as ever.

        Inserting one document's rows costs a random walk through the (char, document) key
        of a table that holds every document's; a thousand small documents indexed one by one
        took three times as long as the rest of their import. At the end the rows of all of
        them go in sorted by that key, in one statement per few million characters. The
        texts are read back from the store then, so a document whose change a savepoint
        rolled back (a file that failed) is indexed as it is, or not at all if it is gone.
        Searches inside the block do not see the noted documents' new text.
        """
        if self._pending is not None:  # nested: the outermost one writes
            with self._db.transaction():
                yield
            return
        self._pending = set()
        try:
            with self._db.bulk_writes(), self._db.transaction():
                yield
                self._write_pending()
        finally:
            self._pending = None

    def index(self, document_id: int, text: str) -> None:
        """Write the document's index rows, replacing any it had; call inside the transaction
        that changes its text (inside :meth:`deferred`, the rows wait for its end)."""
        if self._pending is not None:
            self._pending.add(document_id)
            return
        rows, byte_marks = index_rows(document_id, text)
        self._db.execute("delete from search_chars where document_id = ?", [document_id])
        self._db.execute_many(
            "insert into search_chars (char, document_id, count, positions) values (?, ?, ?, ?)",
            rows,
        )
        self._db.execute(
            "insert into search_marks (document_id, byte_marks) values (?, ?)"
            " on conflict(document_id) do update set byte_marks = excluded.byte_marks",
            [document_id, byte_marks],
        )

    def _write_pending(self) -> None:
        pending = sorted(self._pending or ())
        self._pending = set()
        rows: list[tuple[int, int, int, bytes]] = []
        marks: list[tuple[int, bytes]] = []
        held = 0
        for start in range(0, len(pending), IDS_PER_STATEMENT):
            ids = pending[start : start + IDS_PER_STATEMENT]
            where, params = _ids_in("document_id", ids)
            self._db.execute("delete from search_chars where 1 = 1" + where, params)
            for document_id, text in self.originals(ids):
                document_rows, byte_marks = index_rows(document_id, text)
                rows.extend(document_rows)
                marks.append((document_id, byte_marks))
                held += len(text)
                if held >= DEFERRED_CHARS:
                    self._write_rows(rows, marks)
                    rows, marks, held = [], [], 0
        self._write_rows(rows, marks)

    def _write_rows(
        self, rows: list[tuple[int, int, int, bytes]], marks: list[tuple[int, bytes]]
    ) -> None:
        rows.sort()  # the primary key's order, (char, document id): each page visited once
        self._db.execute_many(
            "insert into search_chars (char, document_id, count, positions) values (?, ?, ?, ?)",
            rows,
        )
        self._db.execute_many(
            "insert into search_marks (document_id, byte_marks) values (?, ?)"
            " on conflict(document_id) do update set byte_marks = excluded.byte_marks",
            marks,
        )

    # Counts and positions of folded characters: a literal query's matches

    def char_counts(
        self, chars: Sequence[int], document_ids: Sequence[int] | None = None
    ) -> dict[int, dict[int, int]]:
        """document id -> {folded code point: occurrences} for the documents (of
        ``document_ids``, or all) that hold every one of ``chars``, in id order."""
        wanted = sorted(set(chars))
        where, params = _ids_in("document_id", document_ids)
        found: dict[int, dict[int, int]] = {}
        for document_id, char, count in self._db.query(
            "select document_id, char, count from search_chars"
            f" where char in ({', '.join('?' for _ in wanted) or 'null'})" + where,
            [*wanted, *params],
        ):
            found.setdefault(int(document_id), {})[int(char)] = int(count)
        return {doc: counts for doc, counts in sorted(found.items()) if len(counts) == len(wanted)}

    def char_count(self, char: int, document_ids: Sequence[int] | None = None) -> int:
        """Occurrences of one folded code point in the library (or in ``document_ids``)."""
        where, params = _ids_in("document_id", document_ids)
        row = self._db.one(
            "select coalesce(sum(count), 0) from search_chars where char = ?" + where,
            [char, *params],
        )
        return int(row[0]) if row else 0

    def char_positions(self, document_id: int, chars: Sequence[int]) -> dict[int, bytes]:
        """folded code point -> its positions in the document (uint32, ascending)."""
        wanted = sorted(set(chars))
        rows = self._db.query(
            "select char, positions from search_chars where document_id = ?"
            f" and char in ({', '.join('?' for _ in wanted) or 'null'})",
            [document_id, *wanted],
        )
        # Whole uint32s only: a damaged or hand-edited row must not stop the search.
        return {int(char): bytes(data[: len(data) // 4 * 4]) for char, data in rows}

    # Reading the texts

    def windows(self, document_id: int, spans: Sequence[tuple[int, int]]) -> list[str] | None:
        """text[start:end] for each span, read from the middle of the stored UTF-8 by the byte
        marks (none of the text before it is read or decoded); None when the index or the
        backend cannot (then read them by characters: Documents.slices)."""
        from reader.core.char_index import MARK_EVERY

        row = self._db.one(
            "select byte_marks from search_marks where document_id = ?", [document_id]
        )
        if row is None:
            return None
        data = bytes(row[0])
        marks = array("I", data[: len(data) // 4 * 4])  # stored little-endian (char_index)
        if sys.byteorder == "big":
            marks.byteswap()
        if not len(marks):
            return None
        ranges: list[tuple[int, int]] = []
        skips: list[tuple[int, int]] = []
        for start, end in spans:
            start = max(start, 0)
            mark = min(start // MARK_EVERY, len(marks) - 1)
            skip = start - mark * MARK_EVERY
            ranges.append((marks[mark], (skip + end - start) * 4))
            skips.append((skip, max(end - start, 0)))
        pieces = self._db.read_utf8("documents", "text", document_id, ranges)
        if pieces is None:
            return None
        return [
            raw.decode("utf-8", "ignore")[skip : skip + length]  # a cut last character dropped
            for raw, (skip, length) in zip(pieces, skips, strict=True)
        ]

    def folded(self, document_ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        """(document id, folded text) of every document, or of these, by id: the originals
        folded as they are read (an array gather, reader.core.char_index.fold_text), for
        regular expressions, which the character positions cannot answer."""
        from reader.core.char_index import fold_text

        for document_id, text in self.originals(document_ids):
            yield document_id, fold_text(text)

    def originals(self, document_ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        """(document id, stored original text) of every document, or of these, by id."""
        where, params = _ids_in("id", document_ids)
        for rows in self._db.stream(
            "select id, text from documents where 1 = 1" + where + " order by id",
            params,
            batch=16,
        ):
            for document_id, text in rows:
                yield int(document_id), text

    def stamps(self, document_ids: Sequence[int] | None = None) -> dict[int, tuple[int, str]]:
        """(version, imported_at) per document, by id: changes whenever its text does."""
        where, params = _ids_in("id", document_ids)
        return {
            int(document_id): (int(version), imported_at)
            for document_id, version, imported_at in self._db.query(
                "select id, version, imported_at from documents where 1 = 1"
                + where
                + " order by id",
                params,
            )
        }
