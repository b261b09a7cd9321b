"""The search index (issue 15): every document's text folded to one script, kept in step.

``search_index.folded`` is the current text of a document through reader.core.folding, as UTF-8
(same length in characters as the original, so a match's offsets are offsets into the text).
Documents writes it in the same transaction as the import or new version that changes the text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reader.core.store.gateway import Gateway, Params

__all__ = ["SearchIndex"]


def _ids_in(column: str, document_ids: Sequence[int] | None) -> tuple[str, Params]:
    """A ``where`` clause for ``column in (ids)``, or none for every document."""
    if document_ids is None:
        return "", []
    marks = ", ".join("?" for _ in document_ids) or "null"
    return f" where {column} in ({marks})", list(document_ids)


class SearchIndex:
    def __init__(self, db: Gateway) -> None:
        self._db = db

    def index(self, document_id: int, text: str) -> None:
        """Write the document's folded text; call inside the transaction that changes it."""
        from reader.core.folding import fold

        self._db.execute(
            "insert into search_index (document_id, folded) values (?, ?)"
            " on conflict(document_id) do update set folded = excluded.folded",
            [document_id, fold(text).encode("utf-8")],
        )

    def folded(self, document_ids: Sequence[int] | None = None) -> Iterator[tuple[int, bytes]]:
        """(document id, folded text as UTF-8) of every document, or of these, by id."""
        where, params = _ids_in("document_id", document_ids)
        # Reading 100 MB of blobs through memory-mapped I/O takes a third of the time of
        # read() calls into SQLite's page cache (benchmarks/search.py); only for this scan.
        with self._db.scanning():
            for rows in self._db.stream(
                "select document_id, folded from search_index" + where + " order by document_id",
                params,
                batch=16,
            ):
                for document_id, folded in rows:
                    yield int(document_id), bytes(folded)

    def originals(self, document_ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        """(document id, stored original text) of every document, or of these, by id."""
        where, params = _ids_in("id", document_ids)
        for rows in self._db.stream(
            "select id, text from documents" + where + " order by id", params, batch=16
        ):
            for document_id, text in rows:
                yield int(document_id), text

    def stamps(self, document_ids: Sequence[int] | None = None) -> dict[int, tuple[int, str]]:
        """(version, imported_at) per document, by id: changes whenever its text does."""
        where, params = _ids_in("id", document_ids)
        return {
            int(document_id): (int(version), imported_at)
            for document_id, version, imported_at in self._db.query(
                "select id, version, imported_at from documents" + where + " order by id", params
            )
        }
