"""The disagreement browser in the app (issue 12), driven through Pilot on a real file: the key
and the palette open it, the places are listed with both coders' spans painted in the script
on screen, a key settles one (one undo of the current coder), Enter opens the article there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.style import Style

from reader.core.convert import converter
from reader.core.disagreement import Disagreement, DisagreementKind
from reader.core.importing import import_seeds
from reader.core.models import Annotation
from reader.core.store import Store
from reader.ui.app import make_app
from reader.ui.commands import reader_commands
from reader.ui.screens.disagreements import DisagreementScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.disagreement_list import (
    A_STYLE,
    B_STYLE,
    BOTH_STYLE,
    DisagreementList,
    painted_passage,
    rows_of,
)


@pytest.fixture
def lead(db_path: Path) -> Iterator[Store]:
    """The lead's session; anna and bo coded 机构 on the simplified sample."""
    store = Store(db_path, coder="lead")
    import_seeds(store)
    text = store.documents.get(1).text
    anna = Store(db_path, coder="anna")
    bo = Store(db_path, coder="bo")
    city = text.index("长春国际汽车城")
    anna.annotations.create(1, city, city + 7, ["机构"], "全称")
    bo.annotations.create(1, city + 2, city + 7, ["机构"])  # different extents
    duty = text.index("殷殷嘱托")
    anna.annotations.create(1, duty, duty + 4, ["机构"])  # only anna
    faw = text.index("一汽")
    bo.annotations.create(1, faw, faw + 2, ["机构"])  # only bo
    anna.annotations.create(1, 0, 3, ["事件"])
    bo.annotations.create(1, 0, 3, ["事件"])  # the same: no disagreement on 事件
    anna.close()
    bo.close()
    yield store
    store.close()


def styled(text, style: Style) -> str:
    """The characters of a rich Text painted with ``style``, in order."""
    return "".join(text.plain[span.start : span.end] for span in text.spans if span.style == style)


def test_both_coders_spans_are_painted_in_the_script_on_screen() -> None:
    text = "他说：我们的内存很大，软件也好。"
    start = text.index("内存")
    place = Disagreement(
        1,
        start,
        start + 4,
        DisagreementKind.EXTENT,
        (Annotation(1, 1, start, start + 2, "内存", coder="a"),),
        (Annotation(2, 1, start + 1, start + 4, "存很大", coder="b"),),
    )
    original = painted_passage(text, place, None, context=3)
    assert original.plain == "…我们的内存很大，软件…"
    assert styled(original, A_STYLE) == "内" and styled(original, BOTH_STYLE) == "存"
    assert styled(original, B_STYLE) == "很大"
    # s2twp turns 内存 into 記憶體 (2 characters into 3): the paint follows the offset map.
    taiwan = painted_passage(text, place, "s2twp", context=3)
    whole = converter("s2twp").convert_mapped(text[start - 3 : start + 7])
    assert taiwan.plain == "…" + whole.text + "…" and "記憶體" in taiwan.plain
    # A's 内 and the shared 存 are one phrase there: each paints the whole of 記憶體.
    assert styled(taiwan, A_STYLE) == styled(taiwan, BOTH_STYLE) == "記憶體"
    assert styled(taiwan, B_STYLE) == "很大"
    painted = {i for span in taiwan.spans for i in range(span.start, span.end)}
    assert "".join(taiwan.plain[i] for i in sorted(painted)) == "記憶體很大"


def test_a_long_passage_is_cut_to_rows_by_cells() -> None:
    from rich.text import Text

    rows = rows_of(Text("长春" * 30), 10, 2)
    assert [row.plain for row in rows] == ["长春长春长", "春长春长…"]
    assert all(len(row.plain) * 2 <= 10 for row in rows)


async def test_the_browser_lists_settles_undoes_and_jumps(lead: Store) -> None:
    app = make_app(lead)
    async with app.run_test(size=(140, 45)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        await pilot.press("D")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        # lead has coded nothing: A and B are the first two coders; the first code both used.
        assert screen.pair == ("anna", "bo") and screen.code == "事件"
        assert screen.places == []
        assert "agree everywhere" in screen.query_one(DisagreementList).empty_text()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.code == "机构"
        kinds = [place.kind for place in screen.places]
        assert kinds == [DisagreementKind.EXTENT, DisagreementKind.ONLY_A, DisagreementKind.ONLY_B]
        status = str(screen.query_one("#disagreement-status").render())
        assert "“机构” · 3 places: 1 only anna, 1 only bo, 1 different extents" in status
        # m: merge the first place to the union; one undo entry, by the lead.
        await pilot.press("m")
        await pilot.pause()
        assert [p.kind for p in screen.places] == kinds[1:]
        assert lead.history.can_undo()
        await pilot.press("u")
        await pilot.pause()
        assert [p.kind for p in screen.places] == kinds and not lead.history.can_undo()
        # Enter on the second place (only anna): the article opens there, everyone's shown.
        main.whose = "bo"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is main
        assert main.view.cursor == lead.documents.get(1).text.index("殷殷嘱托")
        assert main.whose is None
        assert {a.coder for a in main.view.annotations_at(main.view.cursor)} == {"anna"}


async def test_the_palette_opens_it_and_one_coder_is_told_why_nothing(db_path: Path) -> None:
    store = Store(db_path, coder="solo")
    import_seeds(store)
    store.annotations.create(1, 0, 4, ["机构"])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        commands = {name: run for name, run, _ in reader_commands(app.screen)}
        commands["Disagreements between coders"]()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        message = screen.query_one(DisagreementList).empty_text()
        assert "two coders" in message and "solo" in message
        await pilot.press("a")  # nothing to settle: said, nothing changes
        await pilot.pause()
        assert len(store.annotations.for_document(1)) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    store.close()
