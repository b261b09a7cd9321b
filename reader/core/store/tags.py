"""The codebook: tag names, their colours, and which annotations carry them."""

from __future__ import annotations

from collections.abc import Iterable

from reader.core.models import Tag
from reader.core.store.gateway import Gateway

__all__ = ["TAG_COLORS", "Tags"]

TAG_COLORS = (
    "#f4d35e", "#8ecae6", "#f4a261", "#a7c957", "#e5989b", "#b8b8ff",
    "#90e0ef", "#ffb4a2", "#cdb4db", "#ffd6a5", "#caffbf", "#9bf6ff",
)  # fmt: skip
"""Light backgrounds that keep dark text readable; new tags take the next one in turn."""


class Tags:
    def __init__(self, db: Gateway) -> None:
        self._db = db

    def all(self) -> list[Tag]:
        """Every tag, by name."""
        return [
            Tag(*row) for row in self._db.query("select id, name, color from tags order by name")
        ]

    def ensure(self, name: str) -> int:
        """The id of the tag called ``name``, created (with the next colour) if there is none."""
        row = self._db.one("select id from tags where name = ?", [name])
        if row:
            return int(row[0])
        counted = self._db.one("select count(*) from tags")
        count = int(counted[0]) if counted else 0
        return self._db.insert(
            "insert into tags (name, color) values (?, ?) returning id",
            [name, TAG_COLORS[count % len(TAG_COLORS)]],
        )

    def names_of(self, annotation_id: int) -> list[str]:
        """The names of an annotation's tags, sorted."""
        return [
            name
            for (name,) in self._db.query(
                "select t.name from annotation_tags at join tags t on t.id = at.tag_id"
                " where at.annotation_id = ? order by t.name",
                [annotation_id],
            )
        ]

    def attach(self, annotation_id: int, names: Iterable[str]) -> None:
        """Make ``names`` the annotation's tags (blank names dropped, duplicates once).

        Call inside a transaction: it replaces the tags in several statements.
        """
        self.detach_all(annotation_id)
        for name in dict.fromkeys(name.strip() for name in names if name.strip()):
            self._db.execute(
                "insert into annotation_tags (annotation_id, tag_id) values (?, ?)",
                [annotation_id, self.ensure(name)],
            )

    def detach_all(self, annotation_id: int) -> None:
        self._db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])
