"""The tag picker knows the codebook's tree: each code with its path (经济 › 产业 ›), in tree
order, filtered on the path; long paths cut to the dialog's width with the name kept whole.
Pilot on the samples in a real SQLite file, at 80x24 and 140x45; and the fitting itself."""

from __future__ import annotations

from typing import Any

import pytest
from payloads import ALL
from rich.cells import cell_len
from textual.widgets import Input, Label, OptionList

from reader.core.display import CONTROL, visible_line
from reader.core.models import PlacedCode
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.code_path import CodePrompt, fitted_path
from reader.ui.screens.coded_passages import CodedPassagesScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.tag_picker import TagPicker

WIDE = (140, 45)
NARROW = (80, 24)
LONG_TOP = "国家重大区域发展战略与地方经济社会高质量发展研究"
LONG_MIDDLE = "长三角一体化示范区生态绿色发展制度创新试验"


@pytest.fixture
def coded(store: Store) -> Store:
    """The samples: 经济 > 产业 > 汽车, 经济 > 政策, 地名 at the top level, and a code under two
    long ones; the cursor in the first sample."""
    first = store.documents.summaries()[0].id
    store.annotations.create(first, 0, 4, ["汽车", "地名"])
    store.annotations.create(first, 10, 20, ["政策", "产业"])
    economy = store.tags.ensure_tag("经济").id
    store.codebook.move(store.codebook.find("产业") or 0, economy)
    store.codebook.move(store.codebook.find("汽车") or 0, store.codebook.find("产业"))
    store.codebook.move(store.codebook.find("政策") or 0, economy)
    top = store.tags.ensure_tag(LONG_TOP).id
    middle = store.tags.ensure_tag(LONG_MIDDLE).id
    store.codebook.move(middle, top)
    store.codebook.move(store.tags.ensure_tag("示范车").id, middle)
    store.preferences.update(last_document=first)
    return store


async def open_picker(app: ReaderApp, pilot: Any) -> TagPicker:
    """Select two characters of the article and press t."""
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, MainScreen)
    screen.view.move_cursor(100)
    await pilot.press("v", "right", "t")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, TagPicker)
    return picker


def rows(picker: TagPicker) -> list[str]:
    """The list's rows as drawn, one per code (each scrolled into view in turn)."""
    matches = picker.query_one("#matches", OptionList)
    drawn = []
    for index in range(matches.option_count):
        matches.scroll_to(y=index, animate=False, immediate=True)
        drawn.append(matches.render_line(index - round(matches.scroll_y)).text.rstrip())
    return drawn


async def typed(pilot: Any, picker: TagPicker, text: str) -> None:
    picker.query_one("#filter", Input).value = text
    await pilot.pause()


def shown(picker: TagPicker) -> list[str]:
    """The codes listed, by name (the option ids; the "new tag" option has none)."""
    matches = picker.query_one("#matches", OptionList)
    return [
        str(matches.get_option_at_index(index).id)
        for index in range(matches.option_count)
        if matches.get_option_at_index(index).id is not None
    ]


async def test_each_code_shows_its_path_in_tree_order(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        picker = await open_picker(app, pilot)
        assert shown(picker) == [
            LONG_TOP,
            LONG_MIDDLE,
            "示范车",
            "地名",
            "经济",
            "产业",
            "汽车",
            "政策",
        ]
        drawn = rows(picker)
        assert drawn[3].split() == ["地名"]
        assert drawn[5].split() == ["经济", "›", "产业"]
        assert drawn[6].split() == ["经济", "›", "产业", "›", "汽车"]
        assert drawn[7].split() == ["经济", "›", "政策"]


async def test_typing_a_parent_lists_the_codes_under_it(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        picker = await open_picker(app, pilot)
        await typed(pilot, picker, "经济")
        # 经济 itself, everything under it, and the long code whose own name holds 经济 (with
        # the code under it); 地名 is not there.
        assert shown(picker) == [LONG_TOP, LONG_MIDDLE, "示范车", "经济", "产业", "汽车", "政策"]
        # The code named as typed is the one Enter takes, wherever the tree puts it.
        matches = picker.query_one("#matches", OptionList)
        assert matches.highlighted_option is not None
        assert matches.highlighted_option.id == "经济"
        await typed(pilot, picker, "产业")
        assert shown(picker) == ["产业", "汽车"]
        await typed(pilot, picker, "经济 › 产业 › 汽")  # the path as drawn matches too
        assert shown(picker) == ["汽车"]
        await typed(pilot, picker, "ZZZ")
        assert shown(picker) == []


async def test_enter_tab_and_a_new_name_behave_as_before(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        picker = await open_picker(app, pilot)
        await typed(pilot, picker, "经济")
        await pilot.press("down", "down")  # from 经济 (highlighted) to 汽车 under 产业
        await pilot.press("tab")
        await pilot.pause()
        assert picker.chosen == ["汽车"]
        await typed(pilot, picker, "新代码")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        created = [
            a for a in coded.annotations.all() if {"汽车", "新代码"} <= {t.name for t in a.tags}
        ]
        assert len(created) == 1
        # A new name is a new code at the top level.
        assert next(p for p in coded.codebook.placed() if p.name == "新代码").above == ()
        # Esc cancels: nothing changes.
        before = [(a.id, sorted(t.name for t in a.tags)) for a in coded.annotations.all()]
        picker = await open_picker(app, pilot)
        await typed(pilot, picker, "政策")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert [(a.id, sorted(t.name for t in a.tags)) for a in coded.annotations.all()] == before


async def test_at_80x24_long_paths_are_cut_and_names_kept_whole(coded: Store) -> None:
    for number in range(30):  # a codebook longer than the list: the hint must stay on screen
        coded.codebook.move(
            coded.tags.ensure_tag(f"细目{number:02}").id, coded.codebook.find("政策")
        )
    app = make_app(coded)
    async with app.run_test(size=NARROW) as pilot:
        picker = await open_picker(app, pilot)
        matches = picker.query_one("#matches", OptionList)
        width = matches.scrollable_content_region.width
        drawn = rows(picker)
        assert all(cell_len(row) <= width for row in drawn)
        middle = drawn[shown(picker).index(LONG_MIDDLE)]
        assert middle.endswith(LONG_MIDDLE) and "… ›" in middle
        assert middle.lstrip().startswith(LONG_TOP[:2])
        under_both = drawn[shown(picker).index("示范车")]
        assert under_both.endswith(" 示范车") and "…" in under_both
        assert under_both.lstrip().startswith(LONG_TOP[:2])
        assert rows(picker)[shown(picker).index("细目00")].split() == [
            "经济", "›", "政策", "›", "细目00",
        ]  # fmt: skip
        # The hint line is on screen, inside the terminal.
        hint = picker.query_one(".hint", Label)
        assert hint.region.bottom <= NARROW[1] and hint.region.height == 1
        assert matches.region.bottom <= hint.region.y
    # At 140x45 (a wider dialog) the same path has more room.
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        picker = await open_picker(app, pilot)
        wide = rows(picker)[shown(picker).index(LONG_MIDDLE)]
        assert wide.endswith(LONG_MIDDLE) and len(wide.strip()) > len(middle.strip())
        assert wide.lstrip().startswith(LONG_TOP[:10])


@pytest.mark.parametrize("payload", ALL)
async def test_hostile_names_in_a_path_are_drawn_as_plain_text(store: Store, payload: str) -> None:
    parent = store.tags.ensure_tag(payload).id
    store.codebook.move(store.tags.ensure_tag("子码").id, parent)
    store.preferences.update(last_document=store.documents.summaries()[0].id)
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        picker = await open_picker(app, pilot)
        assert shown(picker) == [payload, "子码"]
        drawn = rows(picker)
        assert all(CONTROL.search(row) is None for row in drawn)
        expected = f"{visible_line(payload)} › "
        assert drawn[1].strip() == f"{expected} 子码" or (
            "…" in drawn[1] and drawn[1].endswith(" 子码")
        )
        await typed(pilot, picker, payload)  # typed as stored, the parent and its child
        assert shown(picker) == [payload, "子码"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_the_codes_chosen_for_coded_passages_show_their_paths(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        if not isinstance(app.screen, TagPicker):
            assert isinstance(app.screen, CodedPassagesScreen)
            await pilot.press("c")
            await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TagPicker)
        await typed(pilot, picker, "汽车")
        assert rows(picker)[0].split() == ["经济", "›", "产业", "›", "汽车"]


# Fitting a path into a width


PLACE = PlacedCode(1, "汽车", "#f4d35e", ("经济", "产业政策", "整车"))


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (40, "经济 › 产业政策 › 整车 › "),
        (25, "经济 › 产业政策 › 整车 › "),
        (24, "经济 › … › 整车 › "),
        (18, "经济 › … › 整车 › "),
        (17, "经济 › … › "),
        (11, "经济 › … › "),
        (10, "经… › "),
        (6, "经… › "),
        (5, "… "),
        (2, "… "),
        (1, ""),
        (0, ""),
    ],
)
def test_a_path_gives_way_from_the_middle(width: int, expected: str) -> None:
    assert fitted_path(PLACE, width) == expected


def test_a_fitted_path_never_exceeds_its_width_nor_splits_a_character() -> None:
    names = ("👨‍👩‍👧家庭", "a\x1b[2Jb", "[bold]粗[/bold]", "ﾊﾟ半角", "经济")
    for skipped in (0, 3):
        place = PlacedCode(1, "码", "#f4d35e", names, skipped)
        for width in range(60):
            fitted = fitted_path(place, width)
            assert cell_len(fitted) <= width
            assert CONTROL.search(fitted) is None
            assert "‍…" not in fitted  # never cut inside the family's cluster


def test_a_chain_with_codes_left_out_says_so() -> None:
    place = PlacedCode(1, "码", "#f4d35e", ("顶", "近二", "近一"), skipped=14)
    assert fitted_path(place, 80) == "顶 › … › 近二 › 近一 › "


def test_a_row_keeps_the_name_whole_and_wraps_only_a_name_wider_than_it() -> None:
    prompt = CodePrompt(PLACE, "✓ ")
    row = prompt.fitted(20)
    assert row.plain.endswith(" 汽车 ") and row.cell_len <= 20
    wide_name = CodePrompt(PlacedCode(1, "很" * 30, "#f4d35e", ("经济",)), "  ")
    wrapped = wide_name.fitted(20)
    assert wrapped.plain == "   " + "很" * 30 + " " and not wrapped.no_wrap


async def test_tab_right_after_typing_takes_what_was_typed(coded: Store) -> None:
    """Tab is a priority binding: typed fast or pasted, it arrives before the field's Changed
    message has listed the matches. It takes what the field holds, not the match listed for
    the text before (the first code, with an empty field)."""
    app = make_app(coded)
    async with app.run_test(size=WIDE) as pilot:
        picker = await open_picker(app, pilot)
        picker.query_one("#filter", Input).value = "新代码"  # Changed not handled yet
        picker.action_add_and_continue()
        assert picker.chosen == ["新代码"]
        picker.query_one("#filter", Input).value = "汽车"
        picker.action_add_and_continue()
        assert picker.chosen == ["新代码", "汽车"]
