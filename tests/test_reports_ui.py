"""The reports screen (issue 9), driven through the real app with Pilot at 80x24 and 140x45:
the three tabs show the same counts as ``reader report``, the filters (codes, one document)
change them as ``--tag`` and ``--document`` do, and hostile code names stay text."""

from __future__ import annotations

import contextlib
import io

import pytest
from payloads import CONTROLS, MARKUP
from rich.console import Console
from textual.widgets import Static, TabbedContent
from textual.worker import WorkerCancelled

from reader.core.reports import Cooccurrence, Frequencies, Timeline, build
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.concordance import ChoiceDialog
from reader.ui.screens.main import MainScreen
from reader.ui.screens.reports import ReportsScreen
from reader.ui.screens.tag_picker import TagPicker
from reader.ui.widgets.report_charts import every_month

WIDE, NARROW = (140, 45), (80, 24)
HOSTILE = MARKUP[1], CONTROLS[0]


@pytest.fixture
def coded(store: Store) -> Store:
    """Both samples (published 2021-09 and 2020-01), overlapping passages, hostile names."""
    first, second = (summary.id for summary in store.documents.summaries())
    with store.transaction():
        store.annotations.create(first, 100, 120, ["产业", "政策"])
        store.annotations.create(first, 110, 130, ["政策", HOSTILE[0]])
        store.annotations.create(first, 300, 320, ["产业"])
        store.annotations.create(second, 10, 30, ["产业", HOSTILE[1]])
        store.annotations.create(second, 25, 40, ["政策"])
    return store


def drawn(screen: ReportsScreen, widget_id: str, width: int = 200) -> str:
    """What a chart or table shows, as plain text."""
    content = screen.query_one(f"#{widget_id}", Static).content
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def settle(pilot, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    counting = [worker for worker in app.workers if worker.group == "reports"]
    if counting:
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete(counting)
    await pilot.pause()


def rows_of(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_the_tabs_show_the_reports(coded: Store, size: tuple[int, int]) -> None:
    app = make_app(coded)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        frequencies = build(coded, "frequencies")
        assert isinstance(frequencies, Frequencies)
        assert screen.reports["frequencies"] == frequencies
        lines = rows_of(drawn(screen, "frequencies-chart"))
        by_name = {row[0]: row[1:3] for row in lines[1:]}
        for code in frequencies.codes:
            if code.tag.isprintable() and " " not in code.tag:
                assert by_name[code.tag] == [str(code.passages), str(code.documents)]
        assert lines[1][0] in ("产业", "政策")  # most used first (3 passages each)
        await pilot.press("2")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "cooccurrence"
        pairs = build(coded, "cooccurrence")
        assert isinstance(pairs, Cooccurrence)
        table = rows_of(drawn(screen, "cooccurrence-table"))
        assert ["产业", "政策", str(pairs.count("产业", "政策"))] in table
        assert pairs.count("产业", "政策") == 3  # by hand: (x1, x1), (x1, x2), (x4, x5)
        heat = drawn(screen, "cooccurrence-chart")
        assert "产业" in heat and "政策" in heat
        await pilot.press("3")
        await pilot.pause()
        timeline = build(coded, "timeline")
        assert isinstance(timeline, Timeline)
        assert timeline.months == ("2020-01", "2021-09")
        chart = drawn(screen, "timeline-chart")
        assert "2020-01 … 2021-09" in chart
        assert len(every_month(timeline.months)) == 21
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_filters_are_the_cli_filters(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, TagPicker)
        app.screen.query_one("#filter").value = "政策"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.codes == ("政策",)
        assert screen.reports["frequencies"] == build(coded, "frequencies", tags=["政策"])
        assert screen.reports["cooccurrence"] == build(coded, "cooccurrence", tags=["政策"])
        assert "政策 · every document" in str(screen.query_one("#reports-status").render())
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "down", "enter")  # the second document
        await settle(pilot, app)
        second = coded.documents.summaries()[1].id
        assert screen.document == second
        expected = build(coded, "timeline", tags=["政策"], documents=[second])
        assert screen.reports["timeline"] == expected
        assert isinstance(expected, Timeline) and expected.months == ("2020-01",)


async def test_hostile_names_are_text(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        for widget in ("frequencies-chart", "cooccurrence-table", "timeline-table"):
            text = drawn(screen, widget)
            assert "[/quote]" in text  # shown as written, not read as markup
            assert "\x1b" not in text and "␛[2J清屏" in text


async def test_an_empty_library_says_so(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert "No codes yet" in drawn(screen, "frequencies-chart")
        assert "two codes" in drawn(screen, "cooccurrence-chart")
        assert "No coded passages" in drawn(screen, "timeline-chart")
