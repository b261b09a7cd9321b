"""The codebook's actions: the tree of codes, and renaming, merging, deleting, recolouring,
describing and moving codes; memos on codes and documents. Each is one transaction and one
undoable action (the undo log keeps the codes, links and memos before and after it).

A code is a tag (the ``tags`` table): the tag picker and the highlights see a rename or a
recolour at once. Codes nest through ``parent_id``; the store refuses a move that would make a
cycle, and reads a parent that is gone (or a cycle another program wrote) as the top level.
"""

from __future__ import annotations

from collections.abc import Callable

from reader.core.errors import StoreError
from reader.core.models import (
    Code,
    CodebookImport,
    CodeRemoval,
    CodeSpec,
    PlacedCode,
    UndoAction,
)
from reader.core.store.common import as_text, short
from reader.core.store.gateway import Gateway, Row
from reader.core.store.history import History
from reader.core.store.tags import COLOR, Tags, tag_color

__all__ = ["ABOVE_KEPT", "TOTALS_LIMIT", "Codebook", "placed_codes", "tree_order"]

TOTALS_LIMIT = 200_000
"""Most (code, code below it) pairs :meth:`Codebook.subtree_counts` totals over: a 200-code
tree of three levels has 392; a chain of 640 codes would have 204,480, of 3,000 codes 4.5
million."""

ABOVE_KEPT = 16
"""Most names of the codes above a code that :func:`placed_codes` keeps: the top-level one and
the nearest ones. A real codebook is a few levels deep; a chain thousands deep (another
program's data) would otherwise cost the square of its length to hold and to filter."""


def tree_order(rows: list[Code]) -> list[Code]:
    """``rows`` depth first, siblings by name, each with its depth and its parent as shown.

    A code whose parent is missing sits at the top level; codes that reach no top-level code
    (a cycle written by another program) are shown at the top level from the first by name.
    Iterative, so a chain of codes thousands deep is only data.
    """
    by_id = {code.id: code for code in rows}
    children: dict[int | None, list[Code]] = {}
    for code in rows:
        parent = code.parent_id if code.parent_id in by_id and code.parent_id != code.id else None
        children.setdefault(parent, []).append(code)
    for siblings in children.values():
        siblings.sort(key=lambda code: (code.name, code.id))
    ordered: list[Code] = []
    placed: set[int] = set()

    def walk(root: Code) -> None:
        stack: list[tuple[Code, int, int | None]] = [(root, 0, None)]
        while stack:
            code, depth, parent = stack.pop()
            if code.id in placed:
                continue
            placed.add(code.id)
            ordered.append(
                Code(code.id, code.name, code.color, parent, code.description, code.memo,
                     code.passages, code.documents, depth)
            )  # fmt: skip
            stack.extend(
                (child, depth + 1, code.id) for child in reversed(children.get(code.id, []))
            )

    for root in children.get(None, []):
        walk(root)
    for code in sorted(rows, key=lambda code: (code.name, code.id)):
        if code.id not in placed:
            walk(code)
    return ordered


def placed_codes(shown: list[Code]) -> list[PlacedCode]:
    """The codes of :func:`tree_order`'s result, in its order, each with the names of the
    codes it is shown under (its path), top first. One pass: a code's parent as shown comes
    before it in that order, so each path is its parent's and the parent's name."""
    places: dict[int, PlacedCode] = {}
    for code in shown:
        above: tuple[str, ...] = ()
        skipped = 0
        parent = places.get(code.parent_id) if code.parent_id is not None else None
        if parent is not None:
            above, skipped = (*parent.above, parent.name), parent.skipped
            if len(above) > ABOVE_KEPT:  # keep the top-level code, leave out the next one
                above, skipped = (above[0], *above[2:]), skipped + 1
        places[code.id] = PlacedCode(code.id, code.name, code.color, above, skipped)
    return list(places.values())


class Codebook:
    """``store.codebook``: the codes as a tree, and the undoable actions on them."""

    def __init__(self, db: Gateway, tags: Tags, history: History) -> None:
        self._db = db
        self._tags = tags
        self._history = history

    # Reading

    def codes(self, *, counts: bool = True) -> list[Code]:
        """Every code in tree order (depth first, siblings by name), with its counts (0 for
        both when ``counts`` is False: the tree alone costs a millisecond, the counts read
        every coding; a screen shows the tree first and the counts when :meth:`counts`
        returns)."""
        counted = self.counts() if counts else {}
        rows = self._db.query("select id, name, color, parent_id, description, memo from tags")
        return tree_order([_code((*row, *counted.get(row[0], (0, 0)))) for row in rows])

    def placed(self) -> list[PlacedCode]:
        """Every code in tree order with its path (the names of the codes above it), for the
        tag picker: one query for the whole codebook, the tree as :meth:`codes` shows it."""
        rows = self._db.query("select id, name, color, parent_id from tags")
        return placed_codes(tree_order([_code((*row, "", "", 0, 0)) for row in rows]))

    def counts(self) -> dict[int, tuple[int, int]]:
        """(passages, documents) of every code that codes a passage.

        The annotations are read through an index of (document_id, ...) and each one's codes
        through annotation_tags' primary key; the other way round (each coding's annotation
        looked up by id) reads the whole wide annotation rows, six times slower at 100,000
        annotations (benchmarks/codebook.py). CROSS JOIN is how SQLite is told that order;
        elsewhere it is the plain inner join it means.
        """
        return {
            int(code_id): (int(passages), int(documents))
            for code_id, passages, documents in self._db.query(
                "select x.tag_id, count(*), count(distinct a.document_id) from annotations a"
                " cross join annotation_tags x where x.annotation_id = a.id group by x.tag_id"
            )
        }

    def subtree_counts(self) -> dict[int, tuple[int, int]] | None:
        """(passages, documents) of every code with codes under it, taken over the code and
        every code below it in the tree :meth:`codes` shows: a passage is counted once however
        many of those codes it carries (a parent and its child, two children), and so is a
        document.

        The pairs (code, code below it) come from a recursive query over ``parent_id``; a code
        whose stored parent is not the one shown (a parent that is gone, a cycle another
        program wrote: :func:`tree_order` puts it at the top level) counts at the top level
        here too. Each coding is matched to the codes above it through SQLite's automatic
        index on those pairs: at 100,000 annotations and 200 codes in a 3-level tree, three to
        four times :meth:`counts` (the codebook screen shows its own counts first and these
        when they come). None (not totalled) when the pairs would be more than
        :data:`TOTALS_LIMIT` (a chain of hundreds of codes): that would take minutes.
        """
        rows = self._db.query("select id, name, color, parent_id, description, memo from tags")
        shown = tree_order([_code((*row, 0, 0)) for row in rows])
        if sum(code.depth for code in shown) > TOTALS_LIMIT:
            return None
        stored = {int(row[0]): row[3] if isinstance(row[3], int) else None for row in rows}
        tops = [code.id for code in shown if code.parent_id != stored[code.id]]
        if len(tops) > 500:
            return None  # a codebook another program scrambled: not worth a long query
        marks = ", ".join("?" for _ in tops)
        at_top = f" and id not in ({marks})" if tops else ""
        child_at_top = f" and t.id not in ({marks})" if tops else ""
        return {
            int(code_id): (int(passages), int(documents))
            for code_id, passages, documents in self._db.query(
                "with recursive below(ancestor, code) as ("
                f" select parent_id, id from tags where parent_id is not null{at_top}"
                " union select b.ancestor, t.id from below b join tags t on t.parent_id = b.code"
                f" where t.parent_id is not null{child_at_top}),"
                " subtree(ancestor, code) as (select ancestor, code from below"
                " union select ancestor, ancestor from below)"
                " select s.ancestor, count(distinct x.annotation_id), count(distinct a.document_id)"
                " from annotations a cross join annotation_tags x"
                " join subtree s on s.code = x.tag_id"
                " where x.annotation_id = a.id group by s.ancestor",
                [*tops, *tops],
            )
        }

    def get(self, code_id: int) -> Code:
        """One code with its counts (its parent as stored); StoreError if there is none."""
        row = self._db.one(
            "select t.id, t.name, t.color, t.parent_id, t.description, t.memo,"
            " (select count(*) from annotation_tags x where x.tag_id = t.id),"
            " (select count(distinct a.document_id) from annotation_tags x join annotations a"
            " on a.id = x.annotation_id where x.tag_id = t.id) from tags t where t.id = ?",
            [code_id],
        )
        if row is None:
            raise StoreError(f"There is no code with id {code_id} (deleted meanwhile?).")
        return _code(row)

    def find(self, name: str) -> int | None:
        """The id of the code called ``name`` (exactly), or None."""
        row = self._db.one("select id from tags where name = ?", [name])
        return None if row is None else int(row[0])

    def document_memo(self, document_id: int) -> str:
        row = self._db.one("select memo from documents where id = ?", [document_id])
        if row is None:
            raise StoreError(f"There is no document with id {document_id}.")
        return as_text(row[0])

    def removal(self, code_id: int) -> CodeRemoval:
        """What deleting the code would remove: for the confirmation, before :meth:`delete`."""
        code = self.get(code_id)
        untagged = self._db.one(
            "select count(*) from annotation_tags x where x.tag_id = ? and not exists"
            " (select 1 from annotation_tags y where y.annotation_id = x.annotation_id"
            " and y.tag_id <> x.tag_id)",
            [code_id],
        )
        children = tuple(
            as_text(name)
            for (name,) in self._db.query(
                "select name from tags where parent_id = ? and id <> ? order by name",
                [code_id, code_id],
            )
        )
        return CodeRemoval(
            code=code.name,
            passages=code.passages,
            documents=code.documents,
            left_untagged=int(untagged[0]) if untagged else 0,
            children=children,
            has_memo=bool(code.memo.strip()),
            has_description=bool(code.description.strip()),
        )

    # Changing (each one undoable)

    def rename(self, code_id: int, name: str) -> Code:
        """Give the code a new name; refused when another code has it (merge instead)."""
        new = _name(name)
        with self._db.transaction():
            code = self.get(code_id)
            if new == code.name:
                return code
            other = self.find(new)
            if other is not None:
                raise StoreError(
                    f"A code called “{new}” exists already: merge “{code.name}” into it instead."
                )
            self._change(
                UndoAction.RENAME_CODE,
                [code_id],
                f"renamed code “{code.name}” → “{new}”",
                lambda: self._db.execute("update tags set name = ? where id = ?", [new, code_id]),
            )
        return self.get(code_id)

    def recolor(self, code_id: int, color: str) -> Code:
        """Give the code a new colour, ``#rrggbb``."""
        if not COLOR.fullmatch(color.strip()):
            raise StoreError(f"“{color}” is not a colour: write it as #rrggbb, e.g. #8ecae6.")
        wanted = color.strip().lower()
        with self._db.transaction():
            code = self.get(code_id)
            if wanted == code.color:
                return code
            self._change(
                UndoAction.RECOLOR_CODE,
                [code_id],
                f"colour of code “{code.name}” → {wanted}",
                lambda: self._db.execute(
                    "update tags set color = ? where id = ?", [wanted, code_id]
                ),
            )
        return self.get(code_id)

    def describe(self, code_id: int, description: str) -> Code:
        """Set what the code means (its definition in the codebook)."""
        return self._set_text(code_id, "description", description, UndoAction.DESCRIBE_CODE)

    def set_memo(self, code_id: int, memo: str) -> Code:
        """Set the analyst's memo on the code."""
        return self._set_text(code_id, "memo", memo, UndoAction.CODE_MEMO)

    def _set_text(self, code_id: int, column: str, text: str, action: UndoAction) -> Code:
        with self._db.transaction():
            code = self.get(code_id)
            if text == getattr(code, column):
                return code
            what = "description" if column == "description" else "memo"
            self._change(
                action,
                [code_id],
                f"{what} of code “{code.name}”",
                lambda: self._db.execute(
                    f"update tags set {column} = ? where id = ?", [text, code_id]
                ),
            )
        return self.get(code_id)

    def move(self, code_id: int, parent_id: int | None) -> Code:
        """Put the code under ``parent_id`` (None: the top level), with everything under it.

        Refused when the new parent is the code itself or one of the codes under it.
        """
        with self._db.transaction():
            code = self.get(code_id)
            if parent_id is not None:
                parent = self.get(parent_id)
                if parent_id == code_id or code_id in self._ancestors(parent_id):
                    raise StoreError(
                        f"Cannot put “{code.name}” under “{parent.name}”: “{parent.name}” is"
                        f" {'the code itself' if parent_id == code_id else 'under it'}."
                    )
                where = f"under “{parent.name}”"
            else:
                where = "to the top level"
            if parent_id == self._stored_parent(code_id):
                return code
            self._change(
                UndoAction.MOVE_CODE,
                [code_id],
                f"moved code “{code.name}” {where}",
                lambda: self._db.execute(
                    "update tags set parent_id = ? where id = ?", [parent_id, code_id]
                ),
            )
        return self.get(code_id)

    def merge(self, source_id: int, target_id: int) -> Code:
        """Merge ``source_id`` into ``target_id``: every passage coded with the source is coded
        with the target instead (keeping its other codes; one carrying both keeps one), the
        source's child codes move under the target, its memo is added to the target's (and its
        description taken when the target has none), and the source is gone."""
        if source_id == target_id:
            raise StoreError("A code cannot be merged into itself: choose another code.")
        with self._db.transaction():
            source, target = self.get(source_id), self.get(target_id)
            source_parent = self._stored_parent(source_id)
            children = self._children(source_id)
            touched = [source_id, target_id, *children]

            def merge() -> None:
                self._db.execute(
                    "insert into annotation_tags (annotation_id, tag_id)"
                    " select x.annotation_id, ? from annotation_tags x where x.tag_id = ?"
                    " and not exists (select 1 from annotation_tags y"
                    " where y.annotation_id = x.annotation_id and y.tag_id = ?)",
                    [target_id, source_id, target_id],
                )
                self._db.execute("delete from annotation_tags where tag_id = ?", [source_id])
                for child in children:
                    # The target itself, when it was under the source, takes the source's place.
                    parent = source_parent if child == target_id else target_id
                    self._db.execute("update tags set parent_id = ? where id = ?", [parent, child])
                memo = "\n\n".join(text for text in (target.memo, source.memo) if text.strip())
                description = target.description or source.description
                self._db.execute(
                    "update tags set memo = ?, description = ? where id = ?",
                    [memo, description, target_id],
                )
                self._db.execute("delete from tags where id = ?", [source_id])

            plural = "" if source.passages == 1 else "s"
            self._change(
                UndoAction.MERGE_CODES,
                touched,
                f"merged code “{source.name}” into “{target.name}”"
                f" ({source.passages:,} passage{plural})",
                merge,
                links_of=[source_id, target_id],
            )
        return self.get(target_id)

    def delete(self, code_id: int) -> CodeRemoval:
        """Delete the code: it comes off every passage (the passages stay, with their other
        codes and comments) and the codes under it move up to its parent. Returns what it
        removed (as :meth:`removal` said before)."""
        with self._db.transaction():
            removal = self.removal(code_id)
            parent = self._stored_parent(code_id)
            children = self._children(code_id)

            def delete() -> None:
                self._db.execute("delete from annotation_tags where tag_id = ?", [code_id])
                self._db.execute(
                    "update tags set parent_id = ? where parent_id = ? and id <> ?",
                    [parent, code_id, code_id],
                )
                self._db.execute("delete from tags where id = ?", [code_id])

            plural = "" if removal.passages == 1 else "s"
            self._change(
                UndoAction.DELETE_CODE,
                [code_id, *children],
                f"deleted code “{removal.code}” ({removal.passages:,} passage{plural})",
                delete,
                links_of=[code_id],
            )
        return removal

    def set_document_memo(self, document_id: int, memo: str, *, undoable: bool = True) -> str:
        """Set the memo on a document (one undoable action; ``undoable=False`` for part of a
        larger change that is not, such as a project import); gives the memo saved."""
        with self._db.transaction():
            if self.document_memo(document_id) == memo:
                return memo
            if not undoable:
                self._db.execute("update documents set memo = ? where id = ?", [memo, document_id])
                return memo
            title = self._db.one("select title from documents where id = ?", [document_id])
            before = self._tags.state(memos_of=[document_id])
            self._db.execute("update documents set memo = ? where id = ?", [memo, document_id])
            after = self._tags.state(memos_of=[document_id])
            self._history.record_codebook(
                UndoAction.DOCUMENT_MEMO,
                before,
                after,
                f"memo on “{short(as_text(title[0]) if title else '', 24)}”",
                document_id,
            )
        return memo

    def import_codes(
        self, specs: list[CodeSpec], origin: str, *, undoable: bool = True
    ) -> CodebookImport:
        """Merge codes from a codebook file by name, as one undoable action: a new name is a
        new code; a code here takes the file's parent, colour, description and memo where the
        file gives them (it keeps its own where the file says nothing) and its passages.

        Parents may be codes of the file or codes here. Refused whole, with a sentence, when
        a parent is neither, or the result would put a code under itself. ``undoable=False``:
        part of a larger change that is not undoable either (a project import).
        """
        by_name = {spec.name: spec for spec in specs}
        with self._db.transaction():
            existing = {name: self.find(name) for name in by_name}
            added = updated = 0
            touched: list[int] = [code_id for code_id in existing.values() if code_id is not None]
            before = self._tags.state(touched)
            known = {name for name, code_id in existing.items() if code_id is not None}
            for spec in specs:  # create the new codes first: parents may come later in a file
                if existing[spec.name] is None:
                    existing[spec.name] = self._tags.ensure(spec.name, spec.color)
            ids = {name: code_id for name, code_id in existing.items() if code_id is not None}
            for spec in specs:
                code_id = ids[spec.name]
                changes: dict[str, object] = {}
                if spec.parent == "":
                    changes["parent_id"] = None
                elif spec.parent is not None:
                    parent = ids.get(spec.parent) or self.find(spec.parent)
                    if parent is None:
                        raise StoreError(
                            f"The code “{spec.name}” sits under “{spec.parent}”, which is"
                            f" neither in {origin} nor here. Nothing was imported."
                        )
                    changes["parent_id"] = parent
                if spec.color and COLOR.fullmatch(spec.color):
                    changes["color"] = spec.color.lower()
                if spec.description:
                    changes["description"] = spec.description
                if spec.memo:
                    changes["memo"] = spec.memo
                row = self._db.one(
                    "select parent_id, color, description, memo from tags where id = ?",
                    [code_id],
                )
                assert row is not None
                current = dict(zip(("parent_id", "color", "description", "memo"), row, strict=True))
                changed = {k: v for k, v in changes.items() if current[k] != v}
                if changed:
                    self._db.execute(
                        f"update tags set {', '.join(f'{k} = ?' for k in changed)} where id = ?",
                        [*changed.values(), code_id],
                    )
                if spec.name not in known:
                    added += 1
                elif changed:
                    updated += 1
            for code_id in ids.values():
                if code_id in self._ancestors_above(code_id):
                    name = next(name for name, i in ids.items() if i == code_id)
                    raise StoreError(
                        f"Importing {origin} would put the code “{name}” under itself (its"
                        " parents in the file and here make a circle). Nothing was imported."
                    )
            all_ids = list(dict.fromkeys(ids.values()))
            after = self._tags.state(all_ids)
            before["codes"].update({str(i): None for i in all_ids if str(i) not in before["codes"]})
            if undoable and (added or updated):
                self._history.record_codebook(
                    UndoAction.IMPORT_CODES,
                    before,
                    after,
                    f"imported codebook {short(origin, 40)} ({added} new, {updated} changed)",
                )
        return CodebookImport(added, updated, len(specs) - added - updated)

    # Helpers

    def _change(
        self,
        action: UndoAction,
        code_ids: list[int],
        description: str,
        change: Callable[[], None],
        *,
        links_of: list[int] | None = None,
    ) -> None:
        """Snapshot the codes (and links), make the change, snapshot again, log both."""
        before = self._tags.state(code_ids, links_of=links_of or [])
        change()
        after = self._tags.state(code_ids, links_of=links_of or [])
        self._history.record_codebook(action, before, after, description)

    def _stored_parent(self, code_id: int) -> int | None:
        """The parent as stored, or None for the top level (a parent that is gone too)."""
        row = self._db.one(
            "select p.id from tags t join tags p on p.id = t.parent_id where t.id = ?",
            [code_id],
        )
        return None if row is None or int(row[0]) == code_id else int(row[0])

    def _children(self, code_id: int) -> list[int]:
        return [
            int(child)
            for (child,) in self._db.query(
                "select id from tags where parent_id = ? and id <> ? order by id",
                [code_id, code_id],
            )
        ]

    def _ancestors_above(self, code_id: int) -> set[int]:
        """The codes above ``code_id`` by their stored parents (itself only in a cycle)."""
        seen: set[int] = set()
        current = self._db.one("select parent_id from tags where id = ?", [code_id])
        parent = current[0] if current else None
        while isinstance(parent, int) and parent not in seen:
            seen.add(parent)
            row = self._db.one("select parent_id from tags where id = ?", [parent])
            parent = row[0] if row else None
        return seen

    def _ancestors(self, code_id: int) -> set[int]:
        """The codes above ``code_id`` (itself included), stopping at a cycle."""
        seen: set[int] = set()
        current: int | None = code_id
        while current is not None and current not in seen:
            seen.add(current)
            current = self._stored_parent(current)
        return seen


def _name(name: str) -> str:
    new = name.strip()
    if not new:
        raise StoreError("A code needs a name: it cannot be blank.")
    return new


def _code(row: Row) -> Code:
    code_id, name, color, parent_id, description, memo, passages, documents = row
    parent = parent_id if isinstance(parent_id, int) else None
    return Code(
        int(code_id), as_text(name), tag_color(int(code_id), color), parent,
        as_text(description), as_text(memo), int(passages or 0), int(documents or 0),
    )  # fmt: skip
