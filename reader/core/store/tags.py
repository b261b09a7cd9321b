"""The codebook: tag names, their colours, and which annotations carry them.

Also the codebook's undo snapshots (:meth:`Tags.state` / :meth:`Tags.restore`): the rows of
some codes, which annotations carry some codes, some documents' memos; the undo log keeps one
before and one after each codebook action (reader.core.store.codebook).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from reader.core.errors import StoreError
from reader.core.models import Tag
from reader.core.store.common import as_text
from reader.core.store.gateway import Gateway, Row

__all__ = [
    "CODE_COLUMNS",
    "COLOR",
    "TAG_COLORS",
    "CodebookConflict",
    "CodebookState",
    "Tags",
    "make_tag",
    "tag_color",
    "tag_names",
]


class CodebookConflict(StoreError):
    """A codebook undo would take a name a code in use has since, or remove passages coded
    since: the step is skipped, never applied halfway."""


CODE_COLUMNS = ("id", "name", "color", "parent_id", "description", "memo")
"""A code's stored row, as a codebook snapshot keeps it."""

CodebookState = dict[str, Any]
"""``{"codes": {id: row or None}, "links": {id: [annotation ids]}, "memos": {document id:
memo}}`` (keys as strings, JSON): the codes an action touched as they were (None: it did not
exist), the annotations carrying the codes whose passages it changed, and document memos."""

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


def tag_names(names: Iterable[str]) -> list[str]:
    """The tag names a user gave, as stored: trimmed, blank ones dropped, each once, in order."""
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


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
        is ``#rrggbb``, else the palette's next colour. An existing tag keeps its colour.

        Race-free: two coders creating the same new tag at once get the one tag (the second
        insert does nothing, and reads the first's row once it is committed)."""
        row = self._db.one("select id from tags where name = ?", [name])
        if row:
            return int(row[0])
        if color is None or not COLOR.fullmatch(color):
            counted = self._db.one("select count(*) from tags")
            color = TAG_COLORS[(int(counted[0]) if counted else 0) % len(TAG_COLORS)]
        row = self._db.one(
            "insert into tags (name, color) values (?, ?) on conflict (name) do nothing"
            " returning id",
            [name, color.lower()],
        ) or self._db.one("select id from tags where name = ?", [name])
        assert row is not None
        return int(row[0])

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

    def attach(self, annotation_id: int, names: Iterable[str], *, new: bool = False) -> list[Tag]:
        """Make ``names`` the annotation's tags (blank names dropped, duplicates once);
        ``new``: it has none yet. Returns them, by name.

        Call inside a transaction: it replaces the tags in several statements. Tags that exist
        are linked in one statement; a name that is no tag yet costs more."""
        if not new:
            self.detach_all(annotation_id)
        wanted = tag_names(names)
        if not wanted:
            return []
        statement, params = self.link_existing(annotation_id, wanted)
        return self.linked(annotation_id, wanted, self._db.query(statement, params))

    def link_existing(self, annotation_id: int, names: list[str]) -> tuple[str, list[object]]:
        """The statement (and its parameters) that links the annotation to those of ``names``
        that are tags already, and gives their rows: for :meth:`linked`. An action may send it
        with other statements (History.record's ``then``)."""
        return (
            "insert into annotation_tags (annotation_id, tag_id) select ?, id from tags"
            f" where name in ({', '.join('?' for _ in names)}) returning tag_id,"
            " (select name from tags t where t.id = tag_id),"
            " (select color from tags t where t.id = tag_id)",
            [annotation_id, *names],
        )

    def linked(self, annotation_id: int, names: list[str], rows: Iterable[Row]) -> list[Tag]:
        """The tags ``names``, by name, given what :meth:`link_existing` returned: a name that
        was no tag yet is made one (race-free, Tags.ensure) and linked now."""
        found = {tag.name: tag for tag in (make_tag(*row) for row in rows)}
        for name in names:
            if name not in found:
                row = self._db.one(
                    "insert into annotation_tags (annotation_id, tag_id) values (?, ?)"
                    " returning tag_id, (select name from tags t where t.id = tag_id),"
                    " (select color from tags t where t.id = tag_id)",
                    [annotation_id, self.ensure(name)],
                )
                assert row is not None
                found[name] = make_tag(*row)
        return sorted((found[name] for name in names), key=lambda tag: tag.name)

    def detach_all(self, annotation_id: int) -> None:
        self._db.execute("delete from annotation_tags where annotation_id = ?", [annotation_id])

    # The codebook's undo snapshots

    def state(
        self,
        code_ids: Iterable[int] = (),
        *,
        links_of: Iterable[int] = (),
        memos_of: Iterable[int] = (),
    ) -> CodebookState:
        """The rows of ``code_ids``, which annotations carry each of ``links_of``, and the memos
        of the documents ``memos_of``: what :meth:`restore` puts back."""
        columns = ", ".join(CODE_COLUMNS)
        codes: dict[str, dict[str, Any] | None] = {}
        for code_id in dict.fromkeys(code_ids):
            row = self._db.one(f"select {columns} from tags where id = ?", [code_id])
            codes[str(code_id)] = None if row is None else dict(zip(CODE_COLUMNS, row, strict=True))
        links = {
            str(code_id): [
                int(annotation_id)
                for (annotation_id,) in self._db.query(
                    "select annotation_id from annotation_tags where tag_id = ?"
                    " order by annotation_id",
                    [code_id],
                )
            ]
            for code_id in dict.fromkeys(links_of)
        }
        memos: dict[str, str] = {}
        for document_id in dict.fromkeys(memos_of):
            row = self._db.one("select memo from documents where id = ?", [document_id])
            if row is not None:
                memos[str(document_id)] = as_text(row[0])
        return {"codes": codes, "links": links, "memos": memos}

    def restore(self, state: CodebookState, leaving: CodebookState, description: str) -> None:
        """Go back (or forward) from ``leaving`` to ``state``, the two snapshots of one codebook
        action, changing only what that action changed.

        Call inside a transaction. Only the differences are applied: the fields of a code that
        differ between the two, the links one has and the other has not, the memos. So what
        others did since to the same codes (another coder coding passages with a merged code,
        renaming it, describing it) stays. A code that comes back under a name another code
        has taken since takes it back from an empty code (no passages, codes under it or
        texts); a code in use keeps it (CodebookConflict), as does a code to be removed that has
        passages coded since: never renamed, merged or emptied silently. Annotations deleted
        since do not get their links back.
        """
        to_codes = _codes(state)
        from_codes = _codes(leaving)
        to_links = _links(state)
        from_links = _links(leaving)
        removed = [code_id for code_id, row in to_codes.items() if row is None]
        for code_id in removed:
            known = from_links.get(code_id, set())
            newer = [
                annotation_id
                for (annotation_id,) in self._db.query(
                    "select annotation_id from annotation_tags where tag_id = ?", [code_id]
                )
                if annotation_id not in known
            ]
            if newer:
                name = (from_codes.get(code_id) or {}).get("name", code_id)
                raise CodebookConflict(
                    f"Cannot undo “{description}”: the code “{name}” has {len(newer):,}"
                    " passage(s) coded since, which that would remove."
                )
        kept = {code_id: row for code_id, row in to_codes.items() if row is not None}
        for code_id, row in kept.items():
            if (from_codes.get(code_id) or {}).get("name") == row["name"]:
                continue  # keeps its name: nothing to take back
            self._take_name(row["name"], code_id, set(kept), description)
        for code_id, wanted in to_links.items():
            gone = sorted(from_links.get(code_id, set()) - wanted)
            self._db.execute_many(
                "delete from annotation_tags where tag_id = ? and annotation_id = ?",
                [(code_id, annotation_id) for annotation_id in gone],
            )
        for code_id in removed:
            self._db.execute("delete from annotation_tags where tag_id = ?", [code_id])
            self._db.execute("delete from tags where id = ?", [code_id])
        names = ", ".join(CODE_COLUMNS)
        for code_id, row in kept.items():
            before = from_codes.get(code_id)
            exists = self._db.one("select 1 from tags where id = ?", [code_id])
            if before is None or exists is None:
                self._db.execute(
                    f"insert into tags ({names}) values ({', '.join('?' for _ in CODE_COLUMNS)})",
                    [row[column] for column in CODE_COLUMNS],
                )
                continue
            changed = [c for c in CODE_COLUMNS if c != "id" and row[c] != before.get(c)]
            if changed:
                self._db.execute(
                    f"update tags set {', '.join(f'{c} = ?' for c in changed)} where id = ?",
                    [*(row[c] for c in changed), code_id],
                )
        for code_id, wanted in to_links.items():
            if code_id in removed:
                continue
            added = sorted(wanted - from_links.get(code_id, set()))
            self._db.execute_many(
                "insert into annotation_tags (annotation_id, tag_id) select a.id, ?"
                " from annotations a where a.id = ? and not exists (select 1 from"
                " annotation_tags x where x.annotation_id = a.id and x.tag_id = ?)",
                [(code_id, annotation_id, code_id) for annotation_id in added],
            )
        memos = leaving.get("memos", {})
        for key, memo in state.get("memos", {}).items():
            if memos.get(key) != memo:
                self._db.execute("update documents set memo = ? where id = ?", [memo, int(key)])

    def _take_name(self, name: str, code_id: int, kept: set[int], description: str) -> None:
        """Free ``name`` for ``code_id``: an empty code made since gives it back; a code in
        use does not (CodebookConflict)."""
        taken = self._db.one(
            "select id, (select count(*) from annotation_tags where tag_id = t.id),"
            " (select count(*) from tags c where c.parent_id = t.id), description, memo"
            " from tags t where name = ? and id <> ?",
            [name, code_id],
        )
        if taken is None or int(taken[0]) in kept:
            return
        other, passages, children, text, memo = taken
        if passages or children or as_text(text).strip() or as_text(memo).strip():
            raise CodebookConflict(
                f"Cannot undo “{description}”: a code called “{name}” was made since"
                f" and holds {'passages' if passages else 'codes or notes'}."
            )
        # An empty code of that name was made since (a tag typed, its passage undone): it
        # gives the name back.
        self._db.execute("delete from tags where id = ?", [other])


def _codes(state: CodebookState) -> dict[int, dict[str, Any] | None]:
    return {int(key): row for key, row in state.get("codes", {}).items()}


def _links(state: CodebookState) -> dict[int, set[int]]:
    return {int(key): set(ids) for key, ids in state.get("links", {}).items()}
