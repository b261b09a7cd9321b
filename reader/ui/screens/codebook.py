"""The codebook screen (issue 9): every code in its tree with colour, counts and description,
and the actions on them, each one undoable with ``u``.

The screen orchestrates: the store does every action (store.codebook) in one transaction and
one undo step; the dialogs only ask. After each change the tree is read again, and the
reading screen is told (``on_change``) so its highlights and panel show new names and colours
at once.

The actions that touch every passage of a code (merge, delete, and undo or redo, which may be
a merge's) run in a thread worker on a connection of its own, as the export does: at 10,000
passages they take a few tenths of a second, longer on a busy machine or a server. Meanwhile
the tree's title says what is being done, and every other action (and closing) is refused with
a sentence; the worker's :class:`CodebookActionDone` brings the result back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from reader.core.models import Code, UndoResult
from reader.core.store import Store, StoreError
from reader.ui.messages import CodebookActionDone, CodebookCounted, DatabaseChanged
from reader.ui.safe_text import line_text, plain
from reader.ui.widgets.code_tree import CodeTree
from reader.ui.widgets.footer import ReaderFooter

T = TypeVar("T")


class CodebookScreen(Screen[bool]):
    """The codebook: ↑↓ to move, ←→ Enter to fold, a letter for each action."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Back to the article", show=False),
        Binding("r", "rename", "Rename", tooltip="Rename the code (everywhere at once)"),
        Binding("m", "merge", "Merge", tooltip="Merge the code into another one"),
        Binding("p", "move", "Move", tooltip="Move the code under another (or to the top level)"),
        Binding("c", "recolor", "Colour", tooltip="Give the code another colour"),
        Binding("e", "describe", "Describe", tooltip="Edit the code's description"),
        Binding("n", "memo", "Memo", tooltip="Edit the code's memo"),
        Binding("d,delete", "delete", "Delete", tooltip="Delete the code (says what it removes)"),
        Binding("u", "undo", "Undo", tooltip="Undo the last change (codebook or annotation)"),
        Binding("ctrl+r", "redo", "Redo", tooltip="Redo what was undone", show=False),
    ]

    def __init__(self, store: Store, on_change: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.store = store
        self.on_change = on_change or (lambda: None)
        self._counts: dict[int, tuple[int, int]] = {}
        """(passages, documents) per code, as last counted."""
        self._counted = False
        self._changed = False
        """Something was changed here: the reading screen redraws when this screen closes."""
        self._working: str | None = None
        """What a worker is doing now ("Merging “A” into “B”"), or None: one at a time."""
        self._seen_version: int | None = None
        """The store's change token when the tree was last read (another program's commit
        changes it: see :meth:`_follow_other_writers`)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="codebook"):
            yield Static(id="codebook-header")
            yield CodeTree(id="codebook-tree")
            yield Static(id="codebook-detail")
        yield ReaderFooter()  # made once, not again at each binding update

    def on_mount(self) -> None:
        # The counts first: they take longest (a tenth of a second at 100,000 annotations),
        # and the worker's query runs beside the tree being laid out and painted.
        self._count_in_background()
        tree = self.query_one(CodeTree)
        tree.border_title = "Codebook"
        self._load(count=False)
        tree.focus()
        # Another app, the CLI or another coder on the server may change the codebook while it
        # is open: looked for as the reading screen does (a server also tells at once, through
        # the reading screen's DatabaseChanged, passed on to the screen on top).
        from reader.ui.screens.main import POLL_SECONDS

        self.set_interval(POLL_SECONDS, self._follow_other_writers)

    @property
    def counts_shown(self) -> bool:
        """The tree shows the counts (not "…" while they are read)."""
        return self._counted

    @property
    def totals_shown(self) -> bool:
        """The tree shows the parent codes' subtree totals too."""
        return self._counted and self.code_tree.totals is not None

    @property
    def code_tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    def _load(self, highlight: int | None = None, *, count: bool = True) -> None:
        """The tree at once (one small query), with the counts known so far; the counts are
        read again in a thread (at 100,000 annotations they take longer than the tree)."""
        with suppress(StoreError):
            self._seen_version = self.store.change_token()  # before reading: nothing missed
        codes = self.store.codebook.codes(counts=False)
        self.code_tree.show_codes(self._with_counts(codes), highlight, counted=self._counted)
        self._title(codes)
        if count:
            self._count_in_background()

    def _with_counts(self, codes: list[Code]) -> list[Code]:
        return [
            replace(code, passages=passages, documents=documents)
            for code in codes
            for passages, documents in [self._counts.get(code.id, (0, 0))]
        ]

    def _title(self, codes: list[Code]) -> None:
        if self._counted:
            total = sum(passages for passages, _ in self._counts.values())
            title = f"Codebook · {len(codes)} codes · {total:,} codings"
        else:
            title = f"Codebook · {len(codes)} codes · counting…"
        self.code_tree.border_title = title
        self.code_tree.border_subtitle = f"{self._working}…" if self._working else ""
        self.code_tree.set_class(self._working is not None, "-working")

    @work(thread=True, exclusive=True, group="codebook-counts")
    def _count_in_background(self) -> None:
        """store.codebook.counts(), then the subtree totals (four times as long), on a
        connection of the worker's own (a connection belongs to the thread that made it;
        opening one costs two milliseconds); each comes back as a :class:`CodebookCounted`."""
        try:
            store = Store(self.store.target, read_only=True, coder=self.store.coder)
            try:
                counts = store.codebook.counts()
                if get_current_worker().is_cancelled:
                    return
                self.post_message(CodebookCounted(counts, None))
                totals = store.codebook.subtree_counts()
            finally:
                store.close()
        except StoreError as error:
            self.app.call_from_thread(
                self.notify, str(error), title="Not counted", severity="error", timeout=10
            )
            return
        if not get_current_worker().is_cancelled:
            self.post_message(CodebookCounted(counts, totals, final=True))

    @on(CodebookCounted)
    def _show_counts(self, event: CodebookCounted) -> None:
        self._counts = event.counts
        self._counted = True
        codes = self._with_counts(self.code_tree.codes)
        self.code_tree.show_codes(codes, counted=True)
        self.code_tree.show_totals(
            event.totals if event.totals is not None or not event.final else {},
            totalled=event.totals is not None or not event.final,
        )
        self._title(codes)

    @on(DatabaseChanged)
    def _follow_other_writers(self) -> None:
        """Read the tree (and count) again if another program committed since it was read,
        keeping the cursor on the same code (by id; on its neighbour if that code is gone)."""
        if self._working is not None:
            return  # the worker's own commit: the tree is read again when it is done
        try:
            version = self.store.change_token()
        except StoreError:
            return  # a lost connection: the reading screen says so
        if version != self._seen_version:
            self._load(self._kept())

    def on_resize(self) -> None:
        self._show_header()

    def _show_header(self) -> None:
        width = self.code_tree.scrollable_content_region.width or self.size.width
        self.query_one("#codebook-header", Static).update(self.code_tree.header(width))

    @on(CodeTree.Highlighted)
    def show_detail(self, event: CodeTree.Highlighted) -> None:
        self._show_header()
        detail = self.query_one("#codebook-detail", Static)
        code = event.code
        if code is None:
            detail.update("")
            return
        text = Text()
        text.append("  ", style=f"on {code.color}")
        text.append(f" {line_text(code.name)}", style="bold")
        counts = (
            f" · {code.passages:,} passage{'s' if code.passages != 1 else ''}"
            f" in {code.documents:,} document{'s' if code.documents != 1 else ''}"
            if self._counted
            else " · counting…"
        )
        text.append(f"   {code.color}{counts}", style="dim")
        totals = self.code_tree.totals
        if self.code_tree.has_children(code.id):
            if not self.code_tree.totalled:
                text.append(
                    " · not totalled with the codes under it (too deep a tree)",
                    style="dim",
                )
            elif totals is None:
                text.append(" · with the codes under it: counting…", style="dim")
            else:
                passages, documents = totals.get(code.id, (0, 0))
                text.append(
                    f" · with the codes under it: {passages:,}"
                    f" passage{'s' if passages != 1 else ''} in {documents:,}"
                    f" document{'s' if documents != 1 else ''}",
                    style="dim",
                )
        if code.parent_id is not None:
            parent = next((c for c in self.code_tree.codes if c.id == code.parent_id), None)
            if parent is not None:
                text.append(f" · under {line_text(parent.name)}", style="dim")
        text.append("\n")
        text.append_text(_labelled("Description", code.description, "e to write one"))
        text.append("\n")
        text.append_text(_labelled("Memo", code.memo, "n to write one"))
        detail.update(text)

    # The actions: each asks, then one store call (one undo step), then everything redrawn.

    def _idle(self) -> bool:
        """True when no action is running; else says which one is (one action at a time: the
        second would be decided on a tree the first is changing)."""
        if self._working is None:
            return True
        self.notify(f"{self._working}: wait until it is done.", title="Busy")
        return False

    def _code(self) -> Code | None:
        if not self._idle():
            return None
        code = self.code_tree.highlighted_code
        if code is None:
            self.notify("No code here yet: tag a passage in the article to make one.")
        return code

    def _apply(self, change: Callable[[], T], highlight: int | None = None) -> T | None:
        if not self._idle():
            return None
        try:
            result = change()
        except StoreError as error:
            self.notify(str(error), title="Not changed", severity="error", timeout=10)
            return None
        self._changed = True
        self._load(highlight)
        self.on_change()
        return result

    @work
    async def action_rename(self) -> None:
        from reader.ui.screens.codebook_dialogs import NameDialog

        code = self._code()
        if code is None:
            return
        name = await self.app.push_screen_wait(
            NameDialog(f"Rename “{visible_name(code)}”", code.name)
        )
        if name is not None and name != code.name:
            self._apply(lambda: self.store.codebook.rename(code.id, name), code.id)

    @work
    async def action_merge(self) -> None:
        from reader.ui.screens.codebook_dialogs import CodeChooser

        code = self._code()
        if code is None:
            return
        others = [c for c in self.code_tree.codes if c.id != code.id]
        if not others:
            self.notify("There is no other code to merge it into.")
            return
        target = await self.app.push_screen_wait(
            CodeChooser(f"Merge “{visible_name(code)}” ({code.passages:,} passages) into", others)
        )
        if target is not None and self._idle():
            into = next((c for c in others if c.id == target), None)
            into_name = visible_name(into) if into is not None else "the other code"
            self._start(
                f"Merging “{visible_name(code)}” into “{into_name}”",
                "merge",
                lambda store: store.codebook.merge(code.id, target),
                target,
                code.name,
            )

    @work
    async def action_move(self) -> None:
        from reader.ui.screens.codebook_dialogs import TOP_LEVEL, CodeChooser

        code = self._code()
        if code is None:
            return
        below = _subtree(self.code_tree.codes, code.id)
        places = [c for c in self.code_tree.codes if c.id not in below]
        parent = await self.app.push_screen_wait(
            CodeChooser(f"Move “{visible_name(code)}” under", places, top_level=True)
        )
        if parent is not None:
            new_parent = None if parent == TOP_LEVEL else parent
            self._apply(lambda: self.store.codebook.move(code.id, new_parent), code.id)

    @work
    async def action_recolor(self) -> None:
        from reader.ui.screens.codebook_dialogs import ColourDialog

        code = self._code()
        if code is None:
            return
        colour = await self.app.push_screen_wait(
            ColourDialog(f"Colour of “{visible_name(code)}”", code.color)
        )
        if colour is not None and colour != code.color:
            self._apply(lambda: self.store.codebook.recolor(code.id, colour), code.id)

    @work
    async def action_describe(self) -> None:
        from reader.ui.screens.comment_editor import CommentEditor

        code = self._code()
        if code is None:
            return
        text = await self.app.push_screen_wait(
            CommentEditor(code.description, heading=f"Description of “{visible_name(code)}”")
        )
        if text is not None and text != code.description:
            self._apply(lambda: self.store.codebook.describe(code.id, text), code.id)

    @work
    async def action_memo(self) -> None:
        from reader.ui.screens.comment_editor import CommentEditor

        code = self._code()
        if code is None:
            return
        text = await self.app.push_screen_wait(
            CommentEditor(code.memo, heading=f"Memo on “{visible_name(code)}”")
        )
        if text is not None and text != code.memo:
            self._apply(lambda: self.store.codebook.set_memo(code.id, text), code.id)

    @work
    async def action_delete(self) -> None:
        from reader.ui.screens.confirm import ConfirmDialog

        code = self._code()
        if code is None:
            return
        try:
            removal = self.store.codebook.removal(code.id)
        except StoreError as error:
            self.notify(str(error), title="Not changed", severity="error", timeout=10)
            return
        if await self.app.push_screen_wait(ConfirmDialog(removal.sentence())) and self._idle():
            self._start(
                f"Deleting “{visible_name(code)}”",
                "delete",
                lambda store: store.codebook.delete(code.id),
                None,
                code.name,
            )

    def action_undo(self) -> None:
        if self._idle():
            self._start("Undoing", "undo", lambda store: store.history.undo(), None, "")

    def action_redo(self) -> None:
        if self._idle():
            self._start("Redoing", "redo", lambda store: store.history.redo(), None, "")

    def _start(
        self,
        working: str,
        kind: str,
        change: Callable[[Store], object],
        highlight: int | None,
        name: str,
    ) -> None:
        """Run ``change`` in a worker, saying meanwhile what is being done (``working``)."""
        self._working = working
        self._title(self.code_tree.codes)
        self._run_in_background(kind, change, highlight, name)

    @work(thread=True, group="codebook-action")
    def _run_in_background(
        self, kind: str, change: Callable[[Store], object], highlight: int | None, name: str
    ) -> None:
        """One long action on a connection of the worker's own (a connection belongs to the
        thread that made it); its end comes back as :class:`CodebookActionDone`."""
        try:
            store = Store(self.store.target, read_only=self.store.read_only, coder=self.store.coder)
            try:
                outcome = change(store)
            finally:
                store.close()
        except StoreError as error:
            self.post_message(CodebookActionDone(kind, None, highlight, name, str(error)))
        else:
            self.post_message(CodebookActionDone(kind, outcome, highlight, name))

    @on(CodebookActionDone)
    def show_action_done(self, event: CodebookActionDone) -> None:
        self._working = None
        if event.error is not None:
            titles = {"undo": "Not undone", "redo": "Not redone"}
            self.notify(
                event.error, title=titles.get(event.kind, "Not changed"), severity="error",
                timeout=10,
            )  # fmt: skip
            self._load(self._kept())  # refused, often because another program changed it
            return
        outcome = event.outcome
        if event.kind in ("undo", "redo") and not isinstance(outcome, UndoResult):
            self.notify("Nothing to undo." if event.kind == "undo" else "Nothing to redo.")
            self._title(self.code_tree.codes)
            return
        self._changed = True
        self._load(event.highlight if event.highlight is not None else self._kept())
        self.on_change()
        if isinstance(outcome, UndoResult):
            self.notify(outcome.description, title=event.kind.capitalize())
        elif isinstance(outcome, Code):
            self.notify(
                f"Merged “{event.subject}” into “{outcome.name}”: it now codes"
                f" {outcome.passages:,} passages. u undoes it.",
                title="Merged",
            )

    def _kept(self) -> int | None:
        return self.code_tree.highlighted_code_id

    def action_close(self) -> None:
        if self._idle():
            self.dismiss(self._changed)


def visible_name(code: Code) -> str:
    """A code's name for a one-line heading (control characters as symbols, kept short)."""
    name = line_text(code.name)
    return name if len(name) <= 40 else name[:39] + "…"


def _labelled(label: str, value: str, hint: str) -> Text:
    text = Text(f"{label}: ", style="bold")
    if value.strip():
        text.append(plain(value).plain)
    else:
        text.append(f"none ({hint})", style="dim italic")
    return text


def _subtree(codes: list[Code], code_id: int) -> set[int]:
    """``code_id`` and every code under it (codes in tree order: its subtree follows it)."""
    found: set[int] = set()
    depth: int | None = None
    for code in codes:
        if depth is not None:
            if code.depth <= depth:
                break
            found.add(code.id)
        elif code.id == code_id:
            found.add(code.id)
            depth = code.depth
    return found
