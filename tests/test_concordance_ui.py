"""The library-wide concordance (issue 15), driven through the real app with Pilot: Ctrl+F, the
lines against a brute-force oracle in both scripts, the aligned match column at 80 and 140
columns, the three sorts, the tag and document filters, Enter opening the article at the match,
auto-code (all or marked) after a per-document confirm, and `u` undoing the batch whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from payloads import CONTROLS, MARKUP
from rich.cells import cell_len
from support import SIMPLIFIED_SEED, TRADITIONAL_SEED, oracle

from reader.core.documents import normalize_text
from reader.core.folding import fold
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.concordance import AutocodeConfirm, ChoiceDialog, ConcordanceScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.tag_picker import TagPicker
from reader.ui.widgets.concordance_list import ConcordanceList
from reader.ui.widgets.find_bar import FindBar

CORPUS = Path(__file__).resolve().parent / "data" / "corpus" / "long"
EXCERPT = 20_000
WIDE, NARROW = (140, 45), (80, 24)




def excerpt(name: str) -> str:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus excerpt missing: {path}")
    return normalize_text(path.read_text(encoding="utf-8"))[:EXCERPT]


@pytest.fixture
def library(tmp_path: Path) -> Store:
    """Both novels (traditional and simplified) and both samples, in a real database file."""
    store = Store(tmp_path / "library.db")
    store.documents.add(
        text=excerpt("紅樓夢.traditional.one-line.txt"), title="紅樓夢", script="traditional"
    )
    store.documents.add(text=excerpt("红楼梦.simplified.crlf.txt"), title="红楼梦")
    for seed in (SIMPLIFIED_SEED, TRADITIONAL_SEED):
        store.documents.add(text=normalize_text(seed.read_text(encoding="utf-8")), title=seed.stem)
    yield store
    store.close()


def expected(store: Store, query: str) -> list[tuple[int, int, int]]:
    return [
        (document.id, start, end)
        for document in sorted(store.documents.summaries(), key=lambda d: d.id)
        for start, end in oracle(store.documents.get(document.id).text, query)
    ]


async def open_concordance(pilot, app: ReaderApp, query: str) -> ConcordanceScreen:
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ConcordanceScreen)
    screen.query_one("#concordance-query").value = query
    await pilot.press("enter")  # runs it now and goes to the lines
    await settle(pilot, app)
    return screen


async def settle(pilot, app: ReaderApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def spans(screen: ConcordanceScreen) -> list[tuple[int, int, int]]:
    return [(line.document_id, line.start, line.end) for line in screen.lines]


def match_columns(listing: ConcordanceList) -> list[int]:
    """The cell column where the match (drawn reversed) starts, on each line on screen."""
    columns = []
    for y in range(min(listing.count, listing.scrollable_content_region.height)):
        cells = 0
        for segment in listing.render_line(y):
            if segment.style is not None and segment.style.reverse:
                columns.append(cells)
                break
            cells += cell_len(segment.text)
    return columns


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_lines_are_the_oracle_in_both_scripts_with_the_matches_aligned(
    library: Store, size: tuple[int, int]
) -> None:
    app = make_app(library)
    async with app.run_test(size=size) as pilot:
        screen = await open_concordance(pilot, app, "宝玉")
        wanted = expected(library, "宝玉")
        assert spans(screen) == wanted
        assert {d for d, _, _ in wanted} == {1, 2}  # traditional 寶玉 and simplified 宝玉
        status = str(screen.query_one("#concordance-status").render())
        assert f"{len(wanted):,} matches in 2 docs" in status
        listing = screen.query_one(ConcordanceList)
        assert listing.has_focus
        columns = match_columns(listing)
        assert len(columns) == min(len(wanted), listing.scrollable_content_region.height)
        assert len(set(columns)) == 1, columns
        # The match is drawn as stored: both scripts appear (script on screen: the original).
        drawn = {line.match for line in screen.lines}
        assert drawn == {"寶玉", "宝玉"}


async def test_lines_show_in_the_script_on_screen(library: Store) -> None:
    library.preferences.update(script="s2t")
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_concordance(pilot, app, "宝玉")
        listing = screen.query_one(ConcordanceList)
        shown = "".join(
            segment.text
            for y in range(listing.scrollable_content_region.height)
            for segment in listing.render_line(y)
            if segment.style is not None and segment.style.reverse
        )
        assert shown and set(shown) <= set("寶玉")


async def test_the_three_sorts_keep_the_highlighted_line(library: Store) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_concordance(pilot, app, "道")
        in_order = spans(screen)
        assert in_order == expected(library, "道")
        await pilot.press("down", "down", "down")
        chosen = screen.query_one(ConcordanceList).current
        await pilot.press("o")
        assert screen.sort == "left"
        keys = [fold(line.left)[::-1] for line in screen.lines]
        assert keys == sorted(keys) and len(set(keys)) > 1
        assert sorted(spans(screen)) == sorted(in_order)
        assert screen.query_one(ConcordanceList).current is chosen
        await pilot.press("o")
        assert screen.sort == "right"
        keys = [fold(line.match + line.right) for line in screen.lines]
        assert keys == sorted(keys)
        assert screen.query_one(ConcordanceList).current is chosen
        await pilot.press("o")
        assert screen.sort == "document"
        assert spans(screen) == in_order
        assert "sort: document" in str(screen.query_one("#concordance-status").render())


async def choose(pilot, app: ReaderApp, key: str, label_part: str) -> None:
    """Press ``key``, pick the choice whose label contains ``label_part``."""
    await pilot.press(key)
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ChoiceDialog)
    index = next(i for i, label in enumerate(dialog.choices) if label_part in label)
    dialog.query_one("#choices").highlighted = index
    await pilot.press("enter")
    await settle(pilot, app)


async def test_tag_and_document_filters(library: Store) -> None:
    every = expected(library, "发展")
    seeds = sorted({d for d, _, _ in every})
    assert len(seeds) == 2
    first, second = [s for s in every if s[0] == seeds[0]][:2]
    # One passage tagged 经济 around the first match, another annotation (no tag) on the second.
    library.annotations.create(first[0], first[1] - 2, first[2] + 2, tags=["经济"])
    library.annotations.create(second[0], second[1], second[2])
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_concordance(pilot, app, "發展")
        assert spans(screen) == every
        await choose(pilot, app, "f", "Inside “经济”")
        assert spans(screen) == [first]
        assert "tag 经济" in str(screen.query_one("#concordance-status").render())
        await choose(pilot, app, "f", "Outside every annotation")
        assert spans(screen) == [s for s in every if s not in (first, second)]
        await choose(pilot, app, "f", "Every match")
        await choose(pilot, app, "d", f"#{seeds[1]} ")
        assert spans(screen) == [s for s in every if s[0] == seeds[1]]
        await choose(pilot, app, "d", "Every document")
        assert spans(screen) == every


async def test_enter_opens_the_article_at_the_match_with_the_find_bar(library: Store) -> None:
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_concordance(pilot, app, "宝玉")
        listing = screen.query_one(ConcordanceList)
        in_simplified = [i for i, line in enumerate(screen.lines) if line.document_id == 2]
        assert len(in_simplified) >= 2
        target = in_simplified[-2]  # a match with another after it, in the other script
        listing.highlight(target)
        line = screen.lines[target]
        await pilot.press("enter")
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.document is not None and main.document.id == line.document_id
        assert main.view.cursor == line.start
        bar = main.query_one(FindBar)
        assert bar.is_open and bar.current is not None
        assert bar.matches[bar.current] == (line.start, line.end)
        await pilot.press("n")
        assert main.view.cursor == bar.matches[bar.current][0] > line.start


async def answer_tag(pilot, app: ReaderApp, name: str) -> None:
    picker = app.screen
    assert isinstance(picker, TagPicker)
    picker.query_one("#filter").value = name
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def tagged(store: Store, name: str) -> list[tuple[int, int, int]]:
    return sorted(
        (a.document_id, a.start, a.end)
        for a in store.annotations.all()
        if a.status == "active" and any(tag.name == name for tag in a.tags)
    )


async def test_autocode_all_then_marked_and_undo_each_batch(library: Store) -> None:
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_concordance(pilot, app, "黛玉")
        every = expected(library, "黛玉")
        assert spans(screen) == every and len(every) > 20
        await pilot.press("a")
        await answer_tag(pilot, app, "人物")
        confirm = app.screen
        assert isinstance(confirm, AutocodeConfirm)
        per_document = {d: sum(1 for s in every if s[0] == d) for d, _, _ in every}
        assert f"Code {len(every)} passages in {len(per_document)} documents" in confirm.heading
        for document_id, count in per_document.items():
            assert any(row.split() [:2] == [f"{count:,}", f"#{document_id}"]
                       for row in confirm.rows)  # fmt: skip
        await pilot.press("y")
        await settle(pilot, app)
        assert tagged(library, "人物") == every
        await pilot.press("u")
        await settle(pilot, app)
        assert tagged(library, "人物") == []
        # Marked ones only: space marks and moves down.
        await pilot.press("home", "space", "space", "down", "space")
        marked = [every[0], every[1], every[3]]
        assert "3 marked" in str(screen.query_one("#concordance-status").render())
        await pilot.press("a")
        await answer_tag(pilot, app, "人物")
        assert isinstance(app.screen, AutocodeConfirm)
        assert "Code 3 passages" in app.screen.heading
        await pilot.press("y")
        await settle(pilot, app)
        assert tagged(library, "人物") == marked
        # Coding again skips what is coded already: nothing new, nothing asked.
        await pilot.press("home", "space", "space")
        await pilot.press("a")
        await answer_tag(pilot, app, "人物")
        assert isinstance(app.screen, ConcordanceScreen)
        await pilot.press("u")
        await settle(pilot, app)
        assert tagged(library, "人物") == []
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_hostile_titles_and_tags_are_drawn_as_text(library: Store) -> None:
    hostile = MARKUP[5] + CONTROLS[0]
    document_id = library.documents.add(text="前文发展后文", title=hostile)
    library.annotations.create(document_id, 0, 6, tags=[MARKUP[4]])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_concordance(pilot, app, "发展")
        await choose(pilot, app, "f", MARKUP[4])
        assert [line.document_id for line in screen.lines] == [document_id]
        listing = screen.query_one(ConcordanceList)
        drawn = "".join(segment.text for segment in listing.render_line(0))
        assert "[@click=app.quit]" in drawn and "\x1b" not in drawn
        status = str(screen.query_one("#concordance-status").render())
        assert MARKUP[4] in status
        assert app.is_running
