"""The codebook: tag names, their colours, and which annotations carry them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reader.core.models import Tag
from reader.core.store.common import as_text
from reader.core.store.gateway import Gateway

__all__ = ["COLOR", "TAG_COLORS", "Tags", "make_tag", "tag_color"]

TAG_COLORS = (
    "#f4d35e", "#8ecae6", "#f4a261", "#a7c957", "#e5989b", "#b8b8ff",
    "#90e0ef", "#ffb4a2", "#cdb4db", "#ffd6a5", "#caffbf", "#9bf6ff",
)  # fmt: skip
"""Light backgrounds that keep dark text readable; new tags take the next one in turn."""

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
"""The only colour form the store hands out: anything else in the file is someone's data."""


def tag_color(tag_id: int, stored: object) -> str:
    """The tag's stored colour when it is ``#rrggbb``, else the palette colour for its id.

    The colour is handed to a front end as a style; a file from elsewhere could hold
    ``bold blink red`` or no colour at all, which must never reach one as a style.
    """
    if isinstance(stored, str) and COLOR.fullmatch(stored):
        return stored.lower()
    return TAG_COLORS[tag_id % len(TAG_COLORS)]


def make_tag(tag_id: int, name: object, color: object) -> Tag:
    """A Tag from a stored row, whatever another program put in its cells."""
    return Tag(tag_id, as_text(name), tag_color(tag_id, color))


class Tags:
    def __init__(self, db: Gateway) -> None:
        self._db = db

    def all(self) -> list[Tag]:
        """Every tag, by name."""
        rows = self._db.query("select id, name, color from tags order by name")
        return [make_tag(*row) for row in rows]

    def colour_notice(self, location: str) -> str | None:
        """A sentence when some stored colours are not ``#rrggbb`` (shown in palette colours)."""
        bad = [
            color
            for (color,) in self._db.query("select color from tags")
            if not (isinstance(color, str) and COLOR.fullmatch(color))
        ]
        if not bad:
            return None
        example = next((color for color in bad if color is not None), None)
        shown = f" (such as {str(example)!r})" if example is not None else ""
        return (
            f"{len(bad)} tag{'s' if len(bad) != 1 else ''} in {location} had a colour"
            f" that is not #rrggbb{shown}: shown in palette colours instead."
        )

    def ensure(self, name: str, color: str | None = None) -> int:
        """The id of the tag called ``name``, created if there is none: in ``color`` when that
        is ``#rrggbb``, else the palette's next colour. An existing tag keeps its colour."""
        row = self._db.one("select id from tags where name = ?", [name])
        if row:
            return int(row[0])
        if color is None or not COLOR.fullmatch(color):
            counted = self._db.one("select count(*) from tags")
            color = TAG_COLORS[(int(counted[0]) if counted else 0) % len(TAG_COLORS)]
        return self._db.insert(
            "insert into tags (name, color) values (?, ?) returning id", [name, color.lower()]
        )

    def ensure_tag(self, name: str, color: str | None = None) -> Tag:
        """:meth:`ensure` in its own transaction, giving the Tag."""
        with self._db.transaction():
            tag_id = self.ensure(name, color)
            row = self._db.one("select id, name, color from tags where id = ?", [tag_id])
        assert row is not None
        return make_tag(*row)

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
