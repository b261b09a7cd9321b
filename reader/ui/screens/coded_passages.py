"""Coded passages (issue 9): pick codes and a rule, read every passage they take across the
library, a line of context each, grouped by document, in the script on screen.

The rule logic is reader.core.retrieval's; the lines are the concordance's (its list widget, its
keyword-in-context lines). The passages are found in a thread worker on a connection of its own,
so a library of 100,000 annotations never stalls the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label

from reader.core.display import visible_line
from reader.core.retrieval import RULE_NAMES, CodedPassage, Rule, describe, lines
from reader.core.search import ConcordanceLine
from reader.core.store import Store, StoreError
from reader.ui.screens.export_dialog import ExportDialog
from reader.ui.widgets.concordance_list import ConcordanceList
from reader.ui.widgets.passage_list import PassageList
from reader.ui.widgets.safe_inputs import SafeInput

CONTEXT = 40
"""Characters of context read on each side of a passage (the line shows what fits)."""

LINE_LIMIT = 20_000
"""Passages listed; beyond it they are counted (and exported), not drawn."""

RULES = (Rule.ANY, Rule.ALL, Rule.BUT_NOT)

NO_CODES = "Press c to choose the codes whose passages to read."


@dataclass(frozen=True)
class PassageJump:
    """The passage the reading screen opens."""

    document_id: int
    start: int
    end: int


class PassagesExportDialog(ExportDialog):
    """Where to write the view as CSV."""

    def __init__(self, base: Path, value: str | None = None) -> None:
        super().__init__(base, value or f"passages-{date.today():%Y%m%d}.csv")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Export these passages as CSV", id="dialog-title")
            yield SafeInput(self.value, id="path")
            yield Label("", id="target", classes="quote")
            yield Label("Enter export (the columns of reader export) · Esc cancel", classes="hint")


class CodedPassagesScreen(Screen[PassageJump | None]):
    """The passages of the chosen codes by the chosen rule, grouped by document."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Back to the article"),
        Binding("c", "choose_codes", "Codes", tooltip="Choose the codes (Tab adds another)"),
        Binding(
            "r",
            "cycle_rule",
            "Rule",
            tooltip="Rule: any of the codes → all of them on overlapping passages → the first"
            " but not the others",
        ),
        Binding("e", "export", "Export", tooltip="Export these passages as CSV (reader export's)"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        config: str | None = None,
        codes: tuple[str, ...] = (),
        rule: Rule = Rule.ANY,
    ) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.codes: tuple[str, ...] = codes
        self.rule = rule
        self.passages: list[CodedPassage] = []
        self.documents = 0
        self.done = True
        self.error = ""
        self._generation = 0
        self._titles: dict[int, str] = {}
        self._in_script = lambda text: text

    def compose(self) -> ComposeResult:
        with Horizontal(id="passages-bar"):
            yield Label("Coded passages", id="passages-label")
            yield Label("", id="passages-codes")
        yield Label("", id="passages-status")
        yield PassageList(id="passages-lines")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        from reader.core.convert import converter

        if self.config:
            self._in_script = converter(self.config).convert
        listing = self.query_one(PassageList)
        listing.config = self.config
        listing.titles = self._title
        listing.empty_message = NO_CODES
        listing.focus()
        if self.codes:
            self._start()
        else:
            self._show_status()
            self.action_choose_codes()

    def _title(self, document_id: int) -> str:
        if document_id not in self._titles:
            titles = self.store.documents.titles([document_id])
            self._titles[document_id] = self._in_script(titles.get(document_id, ""))
        return self._titles[document_id]

    # Choosing

    @work
    async def action_choose_codes(self) -> None:
        from reader.ui.screens.tag_picker import choose_codes

        codes = await choose_codes(
            self, self.store, self.codes, "Read the passages of which codes?"
        )
        if codes is not None:
            self.codes = codes
            self._start()

    def action_cycle_rule(self) -> None:
        self.rule = RULES[(RULES.index(self.rule) + 1) % len(RULES)]
        self._start()

    # Finding: a worker reads the passages and their lines

    def _start(self) -> None:
        self._generation += 1
        self.passages, self.documents, self.error = [], 0, ""
        listing = self.query_one(PassageList)
        if not self.codes:
            self.done = True
            listing.empty_message = NO_CODES
            listing.show([])
            self._show_status()
            return
        self.done = False
        listing.empty_message = "Reading…"
        listing.show([])
        self._show_status()
        self._find(self._generation, self.codes, self.rule)

    @work(thread=True, exclusive=True, group="passages")
    def _find(self, generation: int, codes: tuple[str, ...], rule: Rule) -> None:
        from reader.core.retrieval import coded_passages

        try:
            store = Store(self.store.target, read_only=True)
        except StoreError as error:
            self.app.call_from_thread(self._failed, generation, str(error))
            return
        try:
            passages = coded_passages(store, codes, rule)
            found = list(lines(store, passages[:LINE_LIMIT], CONTEXT))
        except StoreError as error:
            self.app.call_from_thread(self._failed, generation, str(error))
            return
        finally:
            store.close()
        self.app.call_from_thread(self._receive, generation, passages, found)

    def _receive(
        self, generation: int, passages: list[CodedPassage], found: list[ConcordanceLine]
    ) -> None:
        if generation != self._generation:
            return  # the codes or the rule changed meanwhile
        self.passages, self.done = passages, True
        self.documents = len({passage.document_id for passage in passages})
        listing = self.query_one(PassageList)
        listing.empty_message = "No passage: " + (
            "no two of these codes meet on a passage."
            if self.rule == Rule.ALL and len(self.codes) > 1
            else "none is coded so (r changes the rule, c the codes)."
        )
        listing.show(found)
        self._show_status()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.done, self.error = True, message
            self._show_status()

    def _show_status(self) -> None:
        self.query_one("#passages-codes", Label).update(
            Content(visible_line(self._in_script(describe(self.codes, self.rule))))
        )
        parts = [f"rule: {RULE_NAMES[self.rule]}"]
        if self.error:
            parts.insert(0, self.error)
        elif self.codes:
            count = len(self.passages)
            parts.insert(
                0,
                "…"
                if not self.done
                else f"{count:,} passage{'s' if count != 1 else ''} in {self.documents:,}"
                f" document{'s' if self.documents != 1 else ''}"
                + (f" (first {LINE_LIMIT:,} listed)" if count > LINE_LIMIT else ""),
            )
        self.query_one("#passages-status", Label).update(Content(" · ".join(parts)))

    # Opening, exporting, closing

    @on(ConcordanceList.Opened)
    def open_passage(self, event: ConcordanceList.Opened) -> None:
        line = event.line
        self._generation += 1
        self.dismiss(PassageJump(line.document_id, line.start, line.end))

    def action_close(self) -> None:
        self._generation += 1
        self.workers.cancel_group(self, "passages")
        self.dismiss(None)

    @work
    async def action_export(self) -> None:
        from reader.ui.screens.confirm import ConfirmDialog

        if not self.done or not self.passages:
            self.notify("Nothing to export yet: choose codes whose passages are listed (c).")
            return
        value: str | None = None
        while True:
            path = await self.app.push_screen_wait(PassagesExportDialog(Path.cwd(), value))
            if path is None:
                return
            if not path.exists() or await self.app.push_screen_wait(
                ConfirmDialog(f"{visible_line(str(path))} is already there. Replace it?", "Replace")
            ):
                break
            value = str(path)
        self._export_to(path)

    def _export_to(self, path: Path) -> None:
        from reader.core.retrieval import write_csv
        from reader.core.safefile import replacing

        try:
            with replacing(path) as out:
                count = write_csv(self.store, out, self.passages, self.codes, self.config)
        except (StoreError, OSError) as error:
            self.notify(str(error), title="Export failed", severity="error", timeout=15)
            return
        extra = f" (with passage_converted in {self.config})" if self.config else ""
        noun = "passage" if count == 1 else "passages"
        self.notify(f"Exported {count:,} {noun} to {path}{extra}", title="Export", markup=False)
