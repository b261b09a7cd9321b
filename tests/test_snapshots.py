"""What a user sees, as pictures (pytest-textual-snapshot): the main screen in the original and in
臺灣用語 (s2twp) with overlapping highlights, at 140×45 and 80×24, and every dialog.

Each picture is deterministic: a fixed size, the dark theme set explicitly, no user config (the
conftest points XDG_CONFIG_HOME into the test's folder), no clock in the header, no date or
temporary path on screen (the export and import dialogs are given a fixed folder and name), one
coder's name (READER_CODER), carets held steady, and a script's offsets waited for. The SVGs
live in tests/__snapshots__/; after a deliberate change of what the screen shows,
`pytest tests/test_snapshots.py --snapshot-update` writes them again, and the changed pictures
are reviewed before they are committed (the README says how).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.main import MainScreen

WIDE = (140, 45)
NARROW = (80, 24)
FOLDER = Path("/home/reader/project")
"""The folder the path dialogs show: fixed, so no temporary path is in a picture."""

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]

OUTER = "全面建设“双一流”的长春国际汽车城"
INNER = "长春国际汽车城"


@pytest.fixture(autouse=True)
def _one_coder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every annotation is a coder's, shown by name: the same name on every machine (the
    default is the OS user's)."""
    monkeypatch.setenv("READER_CODER", "lin")


@pytest.fixture
def annotated(store: Store, simplified_text: str) -> Store:
    """The simplified sample with two overlapping annotations (an outer one with a comment, an
    inner one with two tags) and one more further on."""
    document = store.documents.summaries()[0]
    text = store.documents.text(document.id)
    start = text.index(OUTER)
    store.annotations.create(document.id, start, start + len(OUTER), tags=["政策"], comment="要点")
    inner = text.index(INNER, start)
    store.annotations.create(document.id, inner, inner + len(INNER), tags=["地名", "经济"])
    later = text.index("全局谋划")
    store.annotations.create(document.id, later, later + 4, tags=["规划"])
    store.preferences.update(last_document=document.id)
    return store


def app_for(store: Store) -> ReaderApp:
    app = make_app(store)
    app.theme = "textual-dark"
    return app


async def settle(pilot: Pilot[Any]) -> None:
    """The article's background work done (a script's offsets, the other blocks converted) and
    the screen drawn. (A dialog is a worker too, waiting for its answer: not waited for.)"""
    converting = [worker for worker in pilot.app.workers if worker.group == "convert"]
    if converting:  # (an empty list would mean every worker)
        await pilot.app.workers.wait_for_complete(converting)
    await pilot.pause()
    # A blinking caret is on in one picture and off in the next: hold it on.
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()


def at_the_passage(*keys: str) -> RunBefore:
    """Put the cursor on the overlapping passage (so it is on screen and under the cursor),
    then press ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        assert screen.document is not None
        screen.view.move_cursor(screen.document.text.index(OUTER), context_rows=3)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_main_screen_in_the_original(snap_compare: SnapCompare, annotated: Store) -> None:
    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=at_the_passage())


def test_main_screen_in_s2twp(snap_compare: SnapCompare, annotated: Store) -> None:
    s2twp = at_the_passage(*["s"] * 5)  # original → 简体 → 繁體 → 臺灣 → 香港 → 臺灣用語
    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=s2twp)


def test_main_screen_at_80x24(snap_compare: SnapCompare, annotated: Store) -> None:
    assert snap_compare(app_for(annotated), terminal_size=NARROW, run_before=at_the_passage())


def test_main_screen_at_80x24_with_the_annotations(
    snap_compare: SnapCompare, annotated: Store
) -> None:
    run_before = at_the_passage("a")
    assert snap_compare(app_for(annotated), terminal_size=NARROW, run_before=run_before)


def test_selection_in_s2twp(snap_compare: SnapCompare, annotated: Store) -> None:
    """A selection grown to whole units: 記憶體-like rewrites are selected whole."""
    run_before = at_the_passage(*["s"] * 5, "v", "right", "right", "right")
    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=run_before)


def test_comment_editor(snap_compare: SnapCompare, annotated: Store) -> None:
    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=at_the_passage("c"))


def test_tag_picker(snap_compare: SnapCompare, annotated: Store) -> None:
    run_before = at_the_passage("v", "right", "t")
    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=run_before)


def test_tag_picker_with_paths_at_80x24(snap_compare: SnapCompare, annotated: Store) -> None:
    """Codes in a tree: each with its path, a long one cut before the name, the name whole."""
    codebook = annotated.codebook
    economy = codebook.find("经济")
    codebook.move(codebook.find("政策") or 0, economy)
    codebook.move(codebook.find("规划") or 0, codebook.find("政策"))
    long_top = annotated.tags.ensure_tag("国家重大区域发展战略与地方经济社会高质量发展研究").id
    long_middle = annotated.tags.ensure_tag("长三角一体化示范区生态绿色发展制度创新试验").id
    codebook.move(long_middle, long_top)
    codebook.move(codebook.find("地名") or 0, long_middle)
    run_before = at_the_passage("v", "right", "t")
    assert snap_compare(app_for(annotated), terminal_size=NARROW, run_before=run_before)


def test_confirm_delete(snap_compare: SnapCompare, annotated: Store) -> None:
    run_before = at_the_passage("a", "d")  # the annotations pane, delete: it asks first
    assert snap_compare(app_for(annotated), terminal_size=NARROW, run_before=run_before)


def test_help(snap_compare: SnapCompare, annotated: Store) -> None:
    run_before = at_the_passage("question_mark")
    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=run_before)


def test_export_dialog(snap_compare: SnapCompare, annotated: Store) -> None:
    from reader.ui.screens.export_dialog import ExportDialog

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.push_screen(ExportDialog(FOLDER, "annotations-20260101.csv"))
        await settle(pilot)

    assert snap_compare(app_for(annotated), terminal_size=WIDE, run_before=run_before)


def test_import_dialog(snap_compare: SnapCompare, annotated: Store) -> None:
    from reader.ui.screens.import_dialog import ImportDialog

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.push_screen(ImportDialog(base=FOLDER))
        await settle(pilot)

    assert snap_compare(app_for(annotated), terminal_size=NARROW, run_before=run_before)
