"""What was coded, counted: the queries behind the reports and the retrieval of coded passages.

Only active annotations count: an orphan's offsets belong to an earlier version of its text, so
it has no place in this one (no overlap, no passage to open). Every query is portable SQL (the
same text runs on PostgreSQL). The reports read plain rows (spans, tag rows) and count them in
arrays (reader.core.reports): a join of annotation pairs with their tags grouped in SQL took
SQLite 2-8 s on 100,000 annotations, the scans and the arrays well under one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from reader.core.models import AnnotationStatus
from reader.core.store.common import as_text
from reader.core.store.gateway import Gateway, Params

__all__ = ["CodedSpan", "Coding"]


class CodedSpan(NamedTuple):
    """One (active annotation, tag) with the annotation's passage."""

    annotation_id: int
    document_id: int
    start: int
    end: int
    tag: str


def _in_documents(column: str, documents: Sequence[int] | None) -> tuple[str, Params]:
    """`` and column in (...)`` for a documents filter (nothing for every document)."""
    if documents is None:
        return "", []
    marks = ", ".join("?" for _ in documents) or "null"
    return f" and {column} in ({marks})", list(documents)


class Coding:
    def __init__(self, db: Gateway) -> None:
        self._db = db

    def active_spans(
        self, documents: Sequence[int] | None = None
    ) -> Iterator[list[tuple[int, int, int, int]]]:
        """(annotation id, document id, start, end) of every active annotation, in batches, in
        no particular order (a plain scan: the caller sorts, cheaper than an ordered read)."""
        where, params = _in_documents("document_id", documents)
        yield from self._db.stream(
            "select id, document_id, start_offset, end_offset from annotations"
            " where status = ?" + where,
            [AnnotationStatus.ACTIVE, *params],
            batch=20_000,
        )

    def tag_rows(self, documents: Sequence[int] | None = None) -> Iterator[list[tuple[int, int]]]:
        """(annotation id, tag id) of every tag of every annotation (of ``documents``'), in
        batches; the caller keeps those of active annotations (from active_spans)."""
        sql = "select annotation_id, tag_id from annotation_tags"
        params: Params = []
        if documents is not None:
            where, params = _in_documents("a.document_id", documents)
            sql = (
                "select x.annotation_id, x.tag_id from annotation_tags x"
                " join annotations a on a.id = x.annotation_id where 1 = 1" + where
            )
        yield from self._db.stream(sql, params, batch=20_000)

    def documents(self, documents: Sequence[int] | None = None) -> list[tuple[int, str, str]]:
        """(id, title, published) of every document (or of these), by id."""
        where, params = _in_documents("id", documents)
        rows = self._db.query(
            "select id, title, published from documents where 1 = 1" + where + " order by id",
            params,
        )
        return [(int(i), as_text(title), as_text(published)) for i, title, published in rows]

    def spans(self, tags: Sequence[str], documents: Sequence[int] | None = None) -> list[CodedSpan]:
        """Every active annotation carrying one of ``tags``, once per such tag, in text order
        of each document (by document id)."""
        if not tags:
            return []
        where, params = _in_documents("a.document_id", documents)
        rows = self._db.query(
            "select a.id, a.document_id, a.start_offset, a.end_offset, t.name"
            " from annotations a join annotation_tags x on x.annotation_id = a.id"
            " join tags t on t.id = x.tag_id"
            f" where a.status = ? and t.name in ({', '.join('?' for _ in tags)})"
            + where
            + " order by a.document_id, a.start_offset, a.end_offset, a.id",
            [AnnotationStatus.ACTIVE, *tags, *params],
        )
        return [
            CodedSpan(int(i), int(d), int(s), int(e), as_text(name)) for i, d, s, e, name in rows
        ]

    def orphans(self, documents: Sequence[int] | None = None) -> int:
        """Annotations left out of every count: orphans (whose passage a new text lost)."""
        where, params = _in_documents("a.document_id", documents)
        row = self._db.one(
            "select count(*) from annotations a where a.status <> ?" + where,
            [AnnotationStatus.ACTIVE, *params],
        )
        return int(row[0]) if row else 0
