"""The whole loop a user lives, driven through the real app with Textual's Pilot."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rich.style import Style

from reader.core.convert import SCRIPT_CYCLE
from reader.core.models import DocumentSummary
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_view import ArticleView

SIZE = (140, 45)
S2TWP_PRESSES = [config for config, _ in SCRIPT_CYCLE].index("s2twp")


async def highlighted_text(pilot, view: ArticleView, color: str) -> str:
    """The characters painted on the tag's background colour in the visible rows.

    The cursor is drawn only while the view has focus; it would paint over one character.
    """
    view.screen.query_one("#library").focus()
    await pilot.pause()
    wanted = Style(bgcolor=color).bgcolor
    painted = []
    for y in range(view.scrollable_content_region.height):
        for segment in view.render_line(y):
            if segment.style is not None and segment.style.bgcolor == wanted:
                painted.append(segment.text)
    return "".join(painted)


def first_article(store: Store) -> tuple[DocumentSummary, str]:
    """The Simplified sample, as the library lists it, and its stored text."""
    document = store.documents.summaries()[0]
    return document, store.documents.get(document.id).text


async def put_cursor(pilot, view: ArticleView, offset: int) -> None:
    view.move_cursor(offset)
    await pilot.pause()


@pytest.fixture
def app(store: Store) -> ReaderApp:
    return make_app(store)


async def test_select_tag_comment_switch_and_export(
    app: ReaderApp, store: Store, tmp_path: Path
) -> None:
    document, text = first_article(store)
    start = text.index("全局谋划")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        view = screen.view
        # Select 全局谋划 with the keyboard: v at the first character, then three steps right.
        await put_cursor(pilot, view, start)
        await pilot.press("v", "right", "right", "right")
        assert view.selection == (start, start + 4)
        # Tag it with a new tag typed into the picker.
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"规划", "enter")
        await pilot.pause()
        [annotation] = store.annotations.for_document(document.id)
        assert (annotation.start, annotation.end, annotation.quote) == (
            start,
            start + 4,
            "全局谋划",
        )
        color = annotation.tags[0].color
        assert await highlighted_text(pilot, view, color) == "全局谋划"
        # Comment on the annotation under the cursor.
        await put_cursor(pilot, view, start + 1)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"要点", "enter", *"第二行", "ctrl+s")
        await pilot.pause()
        assert store.annotations.get(annotation.id).comment == "要点\n第二行"
        # Switch to Taiwan phrasing: the highlight covers the converted passage, longer now.
        await pilot.press(*["s"] * S2TWP_PRESSES)
        await pilot.pause()
        assert screen.config == "s2twp"
        assert "臺灣用語" in screen.sub_title
        assert await highlighted_text(pilot, view, color) == "全域性謀劃"
        # Export through the dialog.
        target = tmp_path / "export.csv"
        await pilot.press("e")
        await pilot.pause()
        dialog_input = app.screen.query_one("Input")
        dialog_input.value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()  # the export is written by a worker
    with target.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["passage"] == "全局谋划"
    assert row["passage_converted"] == "全域性謀劃"
    assert row["tags"] == "规划"
    assert row["comment"] == "要点\n第二行"


async def test_selection_in_s2twp_maps_back_to_the_original(app: ReaderApp, store: Store) -> None:
    _, text = first_article(store)
    start = text.index("全局谋划")
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await pilot.press(*["s"] * S2TWP_PRESSES)
        await put_cursor(pilot, view, start)
        # 全域性謀劃 is five characters on screen, but 域性 came from 局 and moves as one with it.
        await pilot.press("v")
        presses = 0
        while view.cursor < start + 3 and presses < 5:
            await pilot.press("right")
            presses += 1
        assert view.cursor == start + 3
        assert presses < 4
        assert view.selection == (start, start + 4)
        assert view.passage(*view.selection) == "全域性謀劃"


async def test_mouse_drag_selects_a_passage(app: ReaderApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await pilot.pause()
        # Row 0 of the simplified sample is navigation: 无障碍 一网搜 ...; drag over 一网搜.
        await pilot.mouse_down(view, offset=(9, 1))
        await pilot.hover(view, offset=(13, 1))
        await pilot.mouse_up(view, offset=(13, 1))
        assert view.selection is not None
        assert view.passage(*view.selection) == "一网搜"


async def test_script_and_reading_position_survive_a_restart(db_path: Path, store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await pilot.press("s", "s")
        await pilot.press("pagedown", "pagedown")
        await pilot.pause(0.7)
        top = view.top_offset()
        assert top > 0
    store.close()
    again = make_app(Store(db_path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.screen.config == "s2t"
        assert again.screen.view.top_offset() == top


async def test_delete_asks_first(app: ReaderApp, store: Store) -> None:
    document, text = first_article(store)
    start = text.index("新篇章")
    store.annotations.create(document.id, start, start + 3, tags=["历史"])
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one("#panel")
        panel.focus()
        panel.highlight(0)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert len(store.annotations.for_document(document.id)) == 1
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert store.annotations.for_document(document.id) == []


async def test_help_lists_every_key(app: ReaderApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        keys = {keys for _, keys, _ in app.screen.rows}
        assert {"s", "t", "c", "e", "v", "?"} <= keys


async def test_navigation_folds_and_unfolds(app: ReaderApp, store: Store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await pilot.pause()
        assert view.render_line(0).text.startswith("无障碍")
        await pilot.press("n")
        await pilot.pause()
        assert "site navigation" in view.render_line(0).text
        assert view.render_line(1).text.startswith("【汽开区】")
        # The cursor steps over the fold as one character.
        view.move_cursor(0)
        await pilot.press("right")
        title = first_article(store)[1].index("【汽开区】")
        assert view.cursor == title
        assert store.preferences.load().fold_boilerplate
        await pilot.press("n")
        await pilot.pause()
        assert not store.preferences.load().fold_boilerplate


async def test_import_action_runs_in_a_worker_and_opens_the_file(
    app: ReaderApp, store: Store
) -> None:
    gbk = Path(__file__).parent / "data" / "corpus" / "encodings" / "三国演义.gbk.txt"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("Input").value = str(gbk)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.document is not None
        assert screen.document.encoding == "gbk"
        assert store.documents.count() == 3
        assert screen.document.title == "三国演义"  # the .gbk suffix is not part of a title
        assert screen.view.render_line(0).text.startswith("第一回\u3000宴桃园豪杰三结义")


async def test_undo_and_redo_from_the_keyboard(app: ReaderApp, store: Store) -> None:
    document, text = first_article(store)
    start = text.index("新篇章")
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await put_cursor(pilot, view, start)
        await pilot.press("v", "right", "right", "t")
        await pilot.pause()
        await pilot.press(*"历史", "enter")
        await pilot.pause()
        [annotation] = store.annotations.for_document(document.id)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"注", "ctrl+s")
        await pilot.pause()
        assert store.annotations.get(annotation.id).comment == "注"
        await pilot.press("u")
        await pilot.pause()
        assert store.annotations.get(annotation.id).comment == ""
        await pilot.press("u")
        await pilot.pause()
        assert store.annotations.for_document(document.id) == []
        assert app.screen.view.annotations_at(start) == []
        await pilot.press("ctrl+r", "ctrl+r")
        await pilot.pause()
        again = store.annotations.get(annotation.id)
        assert (again.quote, again.comment, [t.name for t in again.tags]) == (
            "新篇章",
            "注",
            ["历史"],
        )
        assert [a.id for a in app.screen.view.annotations_at(start)] == [annotation.id]


async def test_changes_from_another_program_show_up(
    app: ReaderApp, store: Store, db_path: Path
) -> None:
    document, text = first_article(store)
    start = text.index("新篇章")
    async with app.run_test(size=SIZE) as pilot:
        other = Store(db_path)
        other.annotations.create(document.id, start, start + 3, tags=["外部"])
        other.close()
        await pilot.pause(2.5)  # one poll of the store's change_token
        panel = app.screen.query_one("#panel")
        assert panel.count == 1
        assert [a.start for a in app.screen.view.annotations_at(start)] == [start]


async def test_overlapping_annotations_stay_visible(app: ReaderApp, store: Store) -> None:
    document, text = first_article(store)
    start = text.index("全局谋划")
    outer = store.annotations.create(document.id, start - 1, start + 4, tags=["外层"])
    inner = store.annotations.create(document.id, start + 1, start + 3, tags=["内层"])
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await pilot.pause()
        view.move_cursor(start)
        view.screen.query_one("#library").focus()
        await pilot.pause()
        painted: dict[str, list[tuple[str, bool]]] = {}
        for y in range(view.scrollable_content_region.height):
            for segment in view.render_line(y):
                if segment.style is not None and segment.style.bgcolor is not None:
                    painted.setdefault(segment.style.bgcolor.name, []).append(
                        (segment.text, bool(segment.style.underline))
                    )
        outer_color = Style(bgcolor=outer.tags[0].color).bgcolor.name
        inner_color = Style(bgcolor=inner.tags[0].color).bgcolor.name
        assert painted[inner_color] == [("局谋", True)]  # the inner one wins, underlined
        assert painted[outer_color] == [("从全", False), ("划", False)]


async def test_an_orphan_is_listed_and_can_be_reattached(db_path: Path, tmp_path: Path) -> None:
    from reader.core.importing import import_file

    article = tmp_path / "article.txt"
    article.write_text("第一段：全局谋划。\n第二段：以一域服务全局。\n", encoding="utf-8")
    store = Store(db_path)
    document_id = import_file(store, article).document_id
    store.annotations.create(document_id, 4, 8, tags=["规划"])  # 全局谋划
    article.write_text("第一段：统筹安排。\n第二段：以一域服务全局。\n", encoding="utf-8")
    assert import_file(store, article).orphaned == 1
    app = make_app(store, [article])
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        panel = screen.query_one("#panel")
        assert [a.status for a in panel.annotations] == ["orphan"]
        assert "orphan" in "".join(t.plain for t in panel.item_lines(0, 40))
        panel.highlight(0)
        screen.view.select(4, 8)  # 统筹安排
        await pilot.press("m")
        await pilot.pause()
        [moved] = store.annotations.for_document(document_id)
        assert (moved.status, moved.quote) == ("active", "统筹安排")
    store.close()


async def test_several_tags_at_once_from_the_codebook_and_new(app: ReaderApp, store: Store) -> None:
    document, text = first_article(store)
    start = text.index("新篇章")
    store.annotations.create(document.id, 0, 3, tags=["政策"])  # puts 政策 in the codebook
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        await put_cursor(pilot, view, start)
        await pilot.press("v", "right", "right", "t")
        await pilot.pause()
        await pilot.press(*"政", "tab", *"新:标签", "enter")  # filter to 政策, then a new one
        await pilot.pause()
        [annotation] = [a for a in store.annotations.for_document(document.id) if a.start == start]
        assert [tag.name for tag in annotation.tags] == ["政策", "新:标签"]
        assert len({tag.color for tag in annotation.tags}) == 2


async def test_first_frame_in_a_script_is_drawn_before_the_offset_model(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved script paints the engine's text at once, plain; highlights follow the model."""
    from reader.core.convert import converter
    from reader.ui.widgets import article_view

    # The background worker loads the model after this pause: long enough to look first.
    monkeypatch.setattr(article_view, "BACKGROUND_START_S", 3.0)

    document, text = first_article(store)
    start = text.index("长春国际汽车城")
    store.annotations.create(document.id, start, start + 7, tags=["城市"])
    store.preferences.update(script="s2twp")
    converter("t2s")  # only the last converter stays loaded: s2twp's model is not
    assert not converter("s2twp").model_ready
    app = make_app(Store(db_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.view
        base = view.rich_style
        first = [view.render_line(row) for row in range(view.scrollable_content_region.height)]
        engine = converter("s2twp")
        assert not engine.model_ready
        shown = first[0].text.rstrip()
        assert shown == engine.convert(text[: len(shown)])[: len(shown)]
        assert all(s.style == base for line in first for s in line if s.text.strip())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert engine.model_ready
        row, _ = view.layout_.locate(start)
        line = view.render_line(row - round(view.scroll_y))
        assert any(s.style != base and "長春" in s.text for s in line)
        panel_text = " ".join(
            "".join(s.text for s in app.screen.query_one("#panel").render_line(y))
            for y in range(10)
        )
        assert "長春國際汽車城" in panel_text


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_rows_are_wrapped_at_the_width_they_are_drawn(store: Store, size) -> None:
    """The scrollbar takes cells once the layout's height is known: rows wrapped before it
    appeared would lose their last character on screen."""
    store.preferences.update(script="s2twp")
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        view = app.screen.view
        assert view.layout_ is not None
        assert view.layout_.width == view.scrollable_content_region.width
