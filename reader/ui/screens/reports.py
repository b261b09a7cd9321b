"""The reports screen (issue 9): ``reader report``'s three reports as charts and tables, filtered
like the command line (codes, one document).

The counting is reader.core.reports' (all three from one reading, in a thread worker on a
connection of its own); the drawing is reader.ui.widgets.report_charts'. Each tab scrolls.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, TabbedContent, TabPane

from reader.core.display import visible_line
from reader.core.reports import (
    Cooccurrence,
    Frequencies,
    Report,
    ReportError,
    Timeline,
    build_all,
)
from reader.core.store import Store, StoreError
from reader.ui.screens.concordance import ChoiceDialog
from reader.ui.widgets.report_charts import (
    frequencies_chart,
    heat_map,
    pairs_table,
    timeline_chart,
    timeline_table,
)

TABS = ("frequencies", "cooccurrence", "timeline")


class ReportsScreen(Screen[None]):
    """Frequencies (bars), co-occurrence (a heat map and the pairs), timeline (lines)."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Back to the article"),
        Binding("1", "show_tab('frequencies')", "Frequencies", tooltip="Passages per code"),
        Binding(
            "2",
            "show_tab('cooccurrence')",
            "Co-occurrence",
            tooltip="Codes that meet on overlapping passages",
        ),
        Binding(
            "3",
            "show_tab('timeline')",
            "Timeline",
            tooltip="Passages per code per month of the documents' dates",
        ),
        Binding("f", "filter_codes", "Codes", tooltip="Only some codes (as --tag), or all"),
        Binding("d", "filter_document", "Doc", tooltip="Only one document (as --document)"),
    ]

    def __init__(self, store: Store, *, config: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.codes: tuple[str, ...] = ()
        """The code filter (none: every code)."""
        self.document: int | None = None
        self.reports: dict[str, Report] = {}
        self.error = ""
        self._generation = 0
        self._in_script = lambda text: text

    def compose(self) -> ComposeResult:
        yield Label("", id="reports-status")
        with TabbedContent(id="reports-tabs"):
            with TabPane("1 Frequencies", id="frequencies"), VerticalScroll():
                yield Static(id="frequencies-chart")
            with TabPane("2 Co-occurrence", id="cooccurrence"), VerticalScroll():
                yield Static(id="cooccurrence-chart")
                yield Static(id="cooccurrence-table", classes="report-table")
            with TabPane("3 Timeline", id="timeline"), VerticalScroll():
                yield Static(id="timeline-chart")
                yield Static(id="timeline-table", classes="report-table")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        from reader.core.convert import converter

        if self.config:
            self._in_script = converter(self.config).convert
        self._start()

    # Counting, in a worker

    def _start(self) -> None:
        self._generation += 1
        self.error = ""
        self._show_status(counting=True)
        documents = None if self.document is None else [self.document]
        self._count(self._generation, self.codes, documents)

    @work(thread=True, exclusive=True, group="reports")
    def _count(self, generation: int, codes: tuple[str, ...], documents: list[int] | None) -> None:
        try:
            store = Store(self.store.target, read_only=True)
        except StoreError as error:
            self.app.call_from_thread(self._failed, generation, str(error))
            return
        try:
            made = build_all(store, TABS, tags=codes, documents=documents)
        except (StoreError, ReportError) as error:
            self.app.call_from_thread(self._failed, generation, str(error))
            return
        finally:
            store.close()
        self.app.call_from_thread(self._receive, generation, dict(zip(TABS, made, strict=True)))

    def _receive(self, generation: int, reports: dict[str, Report]) -> None:
        if generation != self._generation:
            return
        self.reports = reports
        self._draw()
        self._show_status()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.error = message
            self._show_status()

    def _show_status(self, *, counting: bool = False) -> None:
        codes = ", ".join(self._in_script(code) for code in self.codes) or "every code"
        if self.document is None:
            where = "every document"
        else:
            titles = self.store.documents.titles([self.document])
            where = f"#{self.document} {self._in_script(titles.get(self.document, ''))}"
        parts = [self.error] if self.error else (["counting…"] if counting else [])
        parts += [codes, where, "f codes · d document"]
        self.query_one("#reports-status", Label).update(Content(visible_line(" · ".join(parts))))

    # Drawing

    def _draw(self) -> None:
        frequencies = self.reports.get("frequencies")
        cooccurrence = self.reports.get("cooccurrence")
        timeline = self.reports.get("timeline")
        if not isinstance(frequencies, Frequencies):
            return
        width = max(self.size.width - 4, 20)
        # Codes are named in the script on screen; counting and order use the stored names.
        order = [c.tag for c in sorted(frequencies.codes, key=lambda c: (-c.passages, c.tag))]
        colors = {code.tag: code.color for code in frequencies.codes}
        shown = self._shown_names
        named_frequencies = shown(frequencies)
        assert isinstance(named_frequencies, Frequencies)
        self.query_one("#frequencies-chart", Static).update(
            frequencies_chart(named_frequencies, width)
        )
        if isinstance(cooccurrence, Cooccurrence):
            named = shown(cooccurrence)
            assert isinstance(named, Cooccurrence)
            self.query_one("#cooccurrence-chart", Static).update(
                heat_map(named, [self._in_script(name) for name in order], width)
            )
            self.query_one("#cooccurrence-table", Static).update(pairs_table(named))
        if isinstance(timeline, Timeline):
            named_timeline = shown(timeline)
            assert isinstance(named_timeline, Timeline)
            in_script = [self._in_script(name) for name in order]
            script_colors = {self._in_script(name): color for name, color in colors.items()}
            self.query_one("#timeline-chart", Static).update(
                timeline_chart(named_timeline, in_script, script_colors, width)
            )
            self.query_one("#timeline-table", Static).update(
                timeline_table(named_timeline, in_script, width)
            )

    def _shown_names(self, report: Report) -> Report:
        """The report with its code names in the script on screen."""
        if not self.config:
            return report
        name = self._in_script
        if isinstance(report, Frequencies):
            from dataclasses import replace

            return replace(report, codes=tuple(replace(c, tag=name(c.tag)) for c in report.codes))
        if isinstance(report, Cooccurrence):
            from reader.core.reports import Pair

            return Cooccurrence(
                tuple(name(code) for code in report.codes),
                tuple(Pair(name(p.tag_a), name(p.tag_b), p.count) for p in report.pairs),
                report.orphans,
            )
        if isinstance(report, Timeline):
            return Timeline(
                tuple(name(code) for code in report.codes),
                report.months,
                {(name(code), month): n for (code, month), n in report.passages.items()},
                report.orphans,
            )
        return report

    def on_resize(self) -> None:
        self._draw()

    # Keys

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @work
    async def action_filter_codes(self) -> None:
        from reader.ui.screens.tag_picker import choose_codes

        codes = await choose_codes(
            self, self.store, self.codes, "Report on which codes? (none: every code)"
        )
        if codes is not None:
            self.codes = codes
            self._start()

    @work
    async def action_filter_document(self) -> None:
        documents = self.store.documents.summaries()
        values: list[int | None] = [None, *(d.id for d in documents)]
        labels = ["Every document"] + [
            f"#{d.id} {self._in_script(d.title) or '(untitled)'}" for d in documents
        ]
        current = values.index(self.document) if self.document in values else 0
        chosen = await self.app.push_screen_wait(ChoiceDialog("Report on…", labels, current))
        if chosen is not None:
            self.document = values[chosen]
            self._start()

    def action_close(self) -> None:
        self._generation += 1
        self.workers.cancel_group(self, "reports")
        self.dismiss(None)
