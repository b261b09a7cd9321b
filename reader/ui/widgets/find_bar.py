"""The find bar: `/` over the article, script-blind like `reader search` (issue 15).

It holds the find state (the query, the matches in the open article, which one is current) and
posts :class:`FindBar.Found` whenever they change; the screen hands the matches to the article
view, which paints them in the script on screen and scrolls to the current one. Matching is
reader.core.search's: the article is folded once when the bar opens, so each keystroke costs
one scan of the folded text, however long the article.
"""

from __future__ import annotations

import bisect

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from reader.core.folding import fold
from reader.core.search import Query, QueryError, find_in_text
from reader.ui.safe_text import plain_line
from reader.ui.widgets.safe_inputs import SafeInput

MATCH_LIMIT = 100_000
"""Matches highlighted at most (a one-character query in a novel stays responsive)."""


class FindBar(Horizontal, can_focus=True):
    """Type to find; `Enter`/`n` next, `N` previous, `Esc` closes. Focus stays in the bar after
    `Enter`, so `n`/`N` step through matches instead of typing; `/` edits the query again."""

    BINDINGS = [
        Binding("enter,n", "step(1)", "Next match", tooltip="Next match", show=False),
        Binding("N", "step(-1)", "Previous match", tooltip="Previous match", show=False),
        Binding("slash", "edit", "Edit query", tooltip="Edit the query", show=False),
        Binding("escape", "close", "Close find", tooltip="Close the find bar", show=False),
        Binding(
            "ctrl+t", "toggle_exact", "Exact", tooltip="Literal match on/off (no script folding)"
        ),
        Binding("ctrl+g", "toggle_regex", "Regex", tooltip="Regular expression on/off"),
    ]

    class Found(Message):
        """The matches (original offsets, in text order) and the index of the current one."""

        def __init__(self, matches: list[tuple[int, int]], current: int | None) -> None:
            super().__init__()
            self.matches = matches
            self.current = current

    class Closed(Message):
        """The bar closed: highlights go away and the article takes the focus back."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self._folded = ""
        self.matches: list[tuple[int, int]] = []
        self.current: int | None = None
        self.exact = False
        self.regex = False
        self._origin = 0
        """Where the reader was when the query changed: the first match shown is the next one."""

    def compose(self) -> ComposeResult:
        yield Label("Find", id="find-label")
        yield SafeInput(placeholder="any script: 发展 finds 發展", id="find-input")
        yield Label("", id="find-count")

    @property
    def is_open(self) -> bool:
        return self.display

    def open(self, text: str, cursor: int) -> None:
        """Show the bar for ``text`` (the stored original) with the caret in the query."""
        if text is not self.text:
            self.text = text
            self._folded = fold(text)
        self._origin = cursor
        self.display = True
        self.query_one(Input).focus()
        self._search()

    def open_on(self, text: str, cursor: int, typed: str, *, exact: bool, regex: bool) -> None:
        """Show the bar already holding a query (a match opened from the concordance), the
        match at ``cursor`` current and the focus on the bar, so n/N go on from there."""
        self.exact, self.regex = exact, regex
        field = self.query_one(Input)
        with field.prevent(Input.Changed):
            field.value = typed
        self.open(text, cursor)
        self.focus()

    def action_close(self) -> None:
        if not self.display:
            return
        self.display = False
        self.matches, self.current = [], None
        self.post_message(self.Closed())

    def action_edit(self) -> None:
        self.query_one(Input).focus()

    def action_step(self, delta: int) -> None:
        if not self.matches:
            return
        self.focus()
        if self.current is None:
            self.current = 0
        else:
            self.current = (self.current + delta) % len(self.matches)
        self._announce()

    def action_toggle_exact(self) -> None:
        self.exact = not self.exact
        self._search()

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._search()

    @on(Input.Changed, "#find-input")
    def query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search()

    @on(Input.Submitted, "#find-input")
    def query_submitted(self, event: Input.Submitted) -> None:
        """Enter in the query: go to the next match and leave the caret for n/N."""
        event.stop()
        self.action_step(1)

    def _search(self) -> None:
        typed = self.query_one(Input).value
        self.matches, self.current = [], None
        error = ""
        if typed:
            try:
                query = Query(typed, exact=self.exact, regex=self.regex)
            except QueryError as problem:
                error = str(problem)
            else:
                haystack = self.text if self.exact else self._folded
                for number, span in enumerate(find_in_text(query, haystack)):
                    if number >= MATCH_LIMIT:
                        break
                    self.matches.append(span)
        if self.matches:
            starts = [start for start, _ in self.matches]
            self.current = bisect.bisect_left(starts, self._origin) % len(self.matches)
        self._announce(error)

    def _announce(self, error: str = "") -> None:
        modes = "".join((" · exact" if self.exact else "", " · regex" if self.regex else ""))
        count = self.query_one("#find-count", Label)
        if error:
            count.update(plain_line(f"{error}{modes}"))  # the error quotes the query
        elif self.current is None:
            count.update(f"0/0{modes}" if self.query_one(Input).value else modes.lstrip(" ·"))
        else:
            more = "+" if len(self.matches) >= MATCH_LIMIT else ""
            count.update(f"{self.current + 1}/{len(self.matches)}{more}{modes}")
        self.post_message(self.Found(self.matches, self.current))
