"""The library-wide concordance (issue 15): every match of a query across the library, one line
each, keyword in context, sortable, filterable, and auto-coded in one undoable action.

The screen orchestrates: the search runs in a thread worker on a connection of its own and
streams its lines in batches (the count grows as they come); the list draws only what is on
screen. Matching is reader.core.search's, so the lines are exactly ``reader search``'s.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from itertools import islice

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from reader.core.display import visible_line
from reader.core.folding import fold
from reader.core.search import (
    ConcordanceLine,
    FoldedCache,
    Query,
    QueryError,
    concordance,
    search,
)
from reader.core.store import Store, StoreError
from reader.ui.messages import ConcordanceBatch, ConcordanceFailed
from reader.ui.screens.confirm import ConfirmDialog
from reader.ui.screens.tag_picker import TagPicker
from reader.ui.widgets.concordance_list import ConcordanceList
from reader.ui.widgets.safe_inputs import SafeInput

CONTEXT = 40
"""Characters of context fetched on each side (a 140-column window shows about 28)."""

LINE_LIMIT = 20_000
"""Lines kept for the list; beyond it matches are only counted (的 in 100 MB is 431,472)."""

FIRST_BATCH = 100
"""Lines in the first batch sent to the screen: the first page appears before the rest."""

BATCH_SECONDS = 0.15
"""Later batches are sent this often (each one re-sorts and redraws the list)."""

TYPING_PAUSE = 0.25
"""Seconds after the last keystroke before the query runs (a scan of the library each time)."""

SORTS = ("document", "left", "right")
SORT_NAMES = {"document": "document", "left": "left context", "right": "right context"}

EMPTY_QUERY = "Type a word in any script: every match in the library is listed here."

UNTAGGED = "\x00untagged"
"""The tag filter's value for "outside every annotation" (no tag name can hold NUL)."""


@dataclass(frozen=True)
class Jump:
    """What the reading screen opens: the match, and the query to keep finding with."""

    document_id: int
    start: int
    end: int
    query: str
    exact: bool
    regex: bool


def sort_key(kind: str):  # type: ignore[no-untyped-def]
    """The key of a sort: by left context read right to left from the match (the classic KWIC
    sort), by the match and right context, or by document; compared folded, so the scripts
    sort together, and ties keep document order."""
    if kind == "left":
        return lambda line: (fold(line.left)[::-1], line.document_id, line.start)
    if kind == "right":
        return lambda line: (fold(line.match + line.right), line.document_id, line.start)
    return lambda line: (line.document_id, line.start)


class ChoiceDialog(ModalScreen[int | None]):
    """Pick one of a few plain-text choices (tag names, titles: data, never markup)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, heading: str, choices: list[str], current: int = 0) -> None:
        super().__init__()
        self.heading = heading
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Content(self.heading), id="dialog-title")
            yield OptionList(
                *(Option(Content(visible_line(choice))) for choice in self.choices),
                id="choices",
            )
            yield Label("Enter choose · ↑↓ move · Esc cancel", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.current
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AutocodeConfirm(ConfirmDialog):
    """The count per document of what auto-coding would create, before anything is written."""

    BINDINGS = [
        Binding("y", "answer(True)", "Code"),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, heading: str, rows: list[str]) -> None:
        super().__init__(heading, confirm_label="Code")
        self.heading = heading
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Content(self.heading), id="dialog-title")
            with VerticalScroll(id="per-document"):
                for row in self.rows:
                    yield Static(Content(row))
            with Horizontal(classes="buttons"):
                yield Button("Code (y)", variant="warning", id="yes")
                yield Button("Cancel (n)", variant="primary", id="no")


class ConcordanceScreen(Screen[Jump | None]):
    """Type a query; the matches of the whole library stream in below it."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Back to the article"),
        # The footer of an 80-column window holds the rest only without this one and the
        # palette's key (both still work; the query's placeholder says what to type).
        Binding("slash", "edit", "Query", tooltip="Edit the query", show=False),
        Binding("o", "cycle_sort", "Sort", tooltip="Sort by document → left → right context"),
        Binding(
            "f",
            "filter_tag",
            "Tag",
            tooltip="Only inside passages with a tag, or outside every annotation",
        ),
        Binding("d", "filter_document", "Doc", tooltip="Only one document, or all"),
        Binding(
            "a",
            "autocode",
            "Code",
            tooltip="Code every match (or the marked ones) with a tag: one undoable action",
        ),
        Binding("u", "undo", "Undo", tooltip="Undo the last change (an auto-code batch whole)"),
        Binding("ctrl+t", "toggle_exact", "Exact", tooltip="Literal match on/off (no folding)"),
        Binding("ctrl+g", "toggle_regex", "Regex", tooltip="Regular expression on/off"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        config: str | None = None,
        query: str = "",
        cache: FoldedCache | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.initial_query = query
        self.cache = cache if cache is not None else FoldedCache()
        self.exact = False
        self.regex = False
        self.sort = "document"
        self.tag_filter: str | None = None
        """A tag name, UNTAGGED, or None for every match."""
        self.document_filter: int | None = None
        self.lines: list[ConcordanceLine] = []
        """The lines received so far, in the current sort."""
        self.total = 0
        """Matches found so far (beyond LINE_LIMIT they are counted, not listed)."""
        self.per_document: Counter[int] = Counter()
        self.done = True
        self.error = ""
        self._generation = 0
        self._typing: Timer | None = None
        self._titles: dict[int, str] = {}
        self._in_script = lambda text: text

    def compose(self) -> ComposeResult:
        with Horizontal(id="concordance-bar"):
            yield Label("Search", id="concordance-label")
            yield SafeInput(
                self.initial_query,
                placeholder="any script: 发展 finds 發展 (Enter: to the lines)",
                id="concordance-query",
            )
        yield Label("", id="concordance-status")
        yield ConcordanceList(id="concordance-lines")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        from reader.core.convert import converter

        if self.config:
            self._in_script = converter(self.config).convert
        lines = self.query_one(ConcordanceList)
        lines.config = self.config
        lines.titles = self._title
        lines.empty_message = EMPTY_QUERY
        self.query_one("#concordance-query", Input).focus()
        if self.initial_query:
            self._start()
        else:
            self._show_status()

    def _title(self, document_id: int) -> str:
        if document_id not in self._titles:
            titles = self.store.documents.titles([document_id])
            self._titles[document_id] = self._in_script(titles.get(document_id, ""))
        return self._titles[document_id]

    # The query

    @on(Input.Changed, "#concordance-query")
    def query_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._start)

    @on(Input.Submitted, "#concordance-query")
    def query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
            self._start()
        self.query_one(ConcordanceList).focus()

    def action_edit(self) -> None:
        self.query_one("#concordance-query", Input).focus()

    def action_toggle_exact(self) -> None:
        self.exact = not self.exact
        self._start()

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._start()

    def current_query(self) -> Query | None:
        """The query as typed with the toggles, or None (empty or invalid: the status says)."""
        text = self.query_one("#concordance-query", Input).value
        self.error = ""
        if not text:
            return None
        try:
            return Query(text, exact=self.exact, regex=self.regex)
        except QueryError as problem:
            self.error = str(problem)
            return None

    def _filters(self) -> tuple[list[int] | None, tuple[str, ...], bool]:
        documents = None if self.document_filter is None else [self.document_filter]
        if self.tag_filter == UNTAGGED:
            return documents, (), True
        return documents, ((self.tag_filter,) if self.tag_filter else ()), False

    # Searching: a worker streams the lines in

    def _start(self) -> None:
        self._typing = None
        self._generation += 1
        self.lines, self.total, self.per_document = [], 0, Counter()
        listing = self.query_one(ConcordanceList)
        listing.marked.clear()
        query = self.current_query()
        if query is None:
            self.done = True
            listing.empty_message = self.error or EMPTY_QUERY
            listing.show([])
            self._show_status()
            return
        self.done = False
        listing.empty_message = "Searching…"
        listing.show([])
        self._show_status()
        documents, tags, untagged = self._filters()
        self._search(self._generation, query, documents, tags, untagged)

    @work(thread=True, exclusive=True, group="concordance")
    def _search(
        self,
        generation: int,
        query: Query,
        documents: list[int] | None,
        tags: tuple[str, ...],
        untagged: bool,
    ) -> None:
        worker = get_current_worker()
        batch: list[ConcordanceLine] = []
        per_document: Counter[int] = Counter()
        sent_at = time.monotonic()
        first = True
        try:
            store = Store(self.store.target, read_only=True)
        except StoreError as error:
            self.post_message(ConcordanceFailed(generation, str(error)))
            return
        try:
            matches = search(
                store, query, documents=documents, tags=tags, untagged=untagged, cache=self.cache
            )
            for line in concordance(store, islice(matches, LINE_LIMIT), CONTEXT):
                if worker.is_cancelled:
                    return
                batch.append(line)
                per_document[line.document_id] += 1
                due = (
                    len(batch) >= FIRST_BATCH
                    if first
                    else (time.monotonic() - sent_at >= BATCH_SECONDS)
                )
                if due:
                    self.post_message(ConcordanceBatch(generation, batch, per_document, False))
                    batch, per_document, first = [], Counter(), False
                    sent_at = time.monotonic()
            for found in matches:  # beyond the list: counted only
                if worker.is_cancelled:
                    return
                per_document[found.document_id] += 1
            self.post_message(ConcordanceBatch(generation, batch, per_document, True))
        except (QueryError, StoreError) as error:
            self.post_message(ConcordanceFailed(generation, str(error)))
        finally:
            store.close()

    @on(ConcordanceBatch)
    def add_found_lines(self, event: ConcordanceBatch) -> None:
        if event.generation != self._generation:
            return  # lines of a query that has since changed
        batch, per_document, done = event.lines, event.per_document, event.done
        listing = self.query_one(ConcordanceList)
        self.total += sum(per_document.values())
        self.per_document.update(per_document)
        self.done = done
        if self.sort == "document":
            self.lines.extend(batch)
            listing.lines = self.lines
            listing.grow(len(self.lines))
        else:
            keep = listing.current
            self.lines.extend(batch)
            self.lines.sort(key=sort_key(self.sort))
            listing.show(self.lines, keep=keep)
        if done and not self.lines:
            listing.empty_message = "No match." + (
                " (Filters are on: f, d.)" if self.tag_filter or self.document_filter else ""
            )
            listing.refresh()
        self._show_status()

    @on(ConcordanceFailed)
    def show_search_failure(self, event: ConcordanceFailed) -> None:
        if event.generation == self._generation:
            self.done, self.error = True, event.error
            self._show_status()

    def _show_status(self) -> None:
        parts: list[str] = []
        if self.error:
            parts.append(self.error)
        elif self.query_one("#concordance-query", Input).value:
            noun = "match" if self.total == 1 else "matches"
            documents = len(self.per_document)
            parts.append(
                f"{self.total:,} {noun} in {documents} doc{'s' if documents != 1 else ''}"
                + ("" if self.done else " …")
            )
            if self.total > len(self.lines) and self.done:
                parts.append(f"first {len(self.lines):,} listed")
        parts.append(f"sort: {SORT_NAMES[self.sort]}")
        if self.tag_filter == UNTAGGED:
            parts.append("outside annotations")
        elif self.tag_filter:
            parts.append(f"tag {visible_line(self.tag_filter)}")
        if self.document_filter is not None:
            parts.append(f"doc {visible_line(self._title(self.document_filter))[:16]}")
        modes = [name for name, on_ in (("exact", self.exact), ("regex", self.regex)) if on_]
        parts.extend(modes)
        marked = len(self.query_one(ConcordanceList).marked)
        if marked:
            parts.append(f"{marked} marked")
        self.query_one("#concordance-status", Label).update(Content(" · ".join(parts)))

    @on(ConcordanceList.MarksChanged)
    def marks_changed(self) -> None:
        self._show_status()

    # Sorting and filtering

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        listing = self.query_one(ConcordanceList)
        keep = listing.current
        self.lines.sort(key=sort_key(self.sort))
        listing.show(self.lines, keep=keep)
        self._show_status()

    @work
    async def action_filter_tag(self) -> None:
        tags = [tag.name for tag in self.store.tags.all()]
        values: list[str | None] = [None, UNTAGGED, *tags]
        labels = ["Every match", "Outside every annotation", *(f"Inside “{t}”" for t in tags)]
        current = values.index(self.tag_filter) if self.tag_filter in values else 0
        chosen = await self.app.push_screen_wait(ChoiceDialog("Only the matches…", labels, current))
        if chosen is not None:
            self.tag_filter = values[chosen]
            self._start()

    @work
    async def action_filter_document(self) -> None:
        documents = self.store.documents.summaries()
        values: list[int | None] = [None, *(d.id for d in documents)]
        labels = ["Every document"]
        for document in documents:
            count = self.per_document.get(document.id, 0)
            title = self._in_script(document.title) or "(untitled)"
            labels.append(f"#{document.id} {title}" + (f" · {count:,}" if count else ""))
        current = values.index(self.document_filter) if self.document_filter in values else 0
        chosen = await self.app.push_screen_wait(ChoiceDialog("Only in…", labels, current))
        if chosen is not None:
            self.document_filter = values[chosen]
            self._start()

    # Opening a match, closing

    @on(ConcordanceList.Opened)
    def open_match(self, event: ConcordanceList.Opened) -> None:
        line = event.line
        typed = self.query_one("#concordance-query", Input).value
        self._stop_searching()
        self.dismiss(Jump(line.document_id, line.start, line.end, typed, self.exact, self.regex))

    def action_close(self) -> None:
        self._stop_searching()
        self.dismiss(None)

    def _stop_searching(self) -> None:
        """No more lines: a batch still on its way is dropped (its generation is old)."""
        if self._typing is not None:
            self._typing.stop()
        self._generation += 1
        self.workers.cancel_group(self, "concordance")

    # Auto-coding and undo

    def _spans_to_code(self) -> list[tuple[int, int, int]] | None:
        """The marked matches, else every match of the query and filters (searched again when
        the list holds only the first LINE_LIMIT, or is still filling)."""
        marked = self.query_one(ConcordanceList).marked
        if marked:
            return sorted(
                (line.document_id, line.start, line.end)
                for line in self.lines
                if (line.document_id, line.start) in marked
            )
        if self.done and self.total == len(self.lines):
            return sorted((line.document_id, line.start, line.end) for line in self.lines)
        query = self.current_query()
        if query is None:
            return None
        documents, tags, untagged = self._filters()
        return [
            (found.document_id, found.start, found.end)
            for found in search(
                self.store,
                query,
                documents=documents,
                tags=tags,
                untagged=untagged,
                cache=self.cache,
            )
        ]

    @work
    async def action_autocode(self) -> None:
        if self.store.read_only:
            self.notify("The database is read-only: nothing can be coded.", severity="warning")
            return
        spans = self._spans_to_code()
        if not spans:
            self.notify("Nothing to code: type a query that has matches first.")
            return
        what = "marked match" if self.query_one(ConcordanceList).marked else "match"
        noun = what + ("es" if len(spans) != 1 else "")
        title = f"Auto-code {len(spans):,} {noun}: which tag?"
        names = await self.app.push_screen_wait(
            TagPicker(self.store.codebook.placed(), title=title)
        )
        if not names:
            return
        if len(names) > 1:
            self.notify("Auto-coding takes one tag at a time: choose just one.")
            return
        tag = names[0].strip()
        coded = {
            (document_id, start, end)
            for document_id, items in self.store.annotations.spans(
                [tag], coder=self.store.coder
            ).items()
            for start, end in items
        }
        new = Counter(span[0] for span in spans if span not in coded)
        skipped = len(spans) - sum(new.values())
        if not new:
            self.notify(
                f"All {len(spans):,} already carry “{visible_line(tag)}”: nothing to do.",
                markup=False,
            )
            return
        rows = [
            f"{count:>7,}  #{document_id} {visible_line(self._title(document_id))}"
            for document_id, count in sorted(new.items())
        ]
        heading = (
            f"Code {sum(new.values()):,} passages in {len(new)} document"
            f"{'s' if len(new) != 1 else ''} with “{visible_line(tag)}”?"
            + (f" ({skipped:,} already coded, skipped)" if skipped else "")
            + " One action: u undoes it all."
        )
        if not await self.app.push_screen_wait(AutocodeConfirm(heading, rows)):
            return
        try:
            created, skipped = self.store.annotations.autocode(tag, spans)
        except StoreError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=10, markup=False)
            return
        total = sum(created.values())
        self.notify(
            f"Coded {total:,} passages with “{visible_line(tag)}” ({skipped:,} skipped). u undoes.",
            title="Code",
            markup=False,
        )
        self._start()  # a tag filter may now keep other matches

    def action_undo(self) -> None:
        try:
            result = self.store.history.undo()
        except StoreError as error:
            self.notify(str(error), title="Not undone", severity="error", timeout=10, markup=False)
            return
        if result is None:
            self.notify("Nothing to undo.")
            return
        self.notify(visible_line(self._in_script(result.description)), title="Undo", markup=False)
        self._start()
