"""What the reader sees and does: every row drawn whole, ``[``/``]``, ``t``/``c`` where annotations
overlap, orphans never painted, the left arrow over 記憶體, the read-only warning, the README's
script order.

Each test here fails for a bug of the kind issue 11 lists under "UI" and "What is drawn vs the
text" (planted one at a time in a copy).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.style import Style
from support import ROOT

from reader.core.convert import SCRIPT_CYCLE, converter
from reader.core.display import visible_line
from reader.core.importing import import_file
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.comment_editor import CommentEditor
from reader.ui.screens.main import MainScreen
from reader.ui.screens.tag_picker import TagPicker
from reader.ui.widgets.article_view import ArticleView

SIZES = [(80, 24), (140, 45)]


def main_screen(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


# Every row drawn whole


SHORT_LINES = "\n".join(
    [
        "标题",
        "短行。",
        "另一行很短",
        "A",
        "内存",
        "末尾一行，比较长的一行文字，足够在窄的窗口里折成两行或三行。",
        "末",
    ]
)


async def drawn_rows(pilot, view: ArticleView) -> list[tuple[str, str]]:
    """(drawn, expected) for every row of the document, scrolling through it page by page."""
    layout, document = view.layout_, view.document
    assert layout is not None and document is not None
    height = view.scrollable_content_region.height
    pairs: list[tuple[str, str]] = []
    for top in range(0, layout.height, height):
        view.scroll_to(y=top, animate=False, immediate=True)
        await pilot.pause()
        assert round(view.scroll_y) == min(top, max(layout.height - height, 0))
        for y in range(height):
            screen_y = round(view.scroll_y) + y
            if screen_y < top or screen_y >= min(top + height, layout.height):
                continue
            row = layout.row_at(screen_y)
            assert row is not None
            text = document.converted(view.config, row.block).text
            drawn = "".join(segment.text for segment in view.render_line(y))
            pairs.append((drawn, visible_line(text[row.start : row.end])))
    return pairs


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("config", [None, "s2twp"])
async def test_every_row_is_drawn_whole(
    db_path: Path, size: tuple[int, int], config: str | None
) -> None:
    store = Store(db_path)
    document = store.documents.add(text=SHORT_LINES, title="短行", content_hash="short-lines")
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        screen = main_screen(app)
        screen.open_document(document)
        screen.show_script(config)
        view = screen.view
        view.screen.query_one("#library").focus()  # no cursor painted over a character
        await pilot.pause()
        pairs = await drawn_rows(pilot, view)
        expected_text = SHORT_LINES if config is None else converter(config).convert(SHORT_LINES)
        assert len(pairs) >= expected_text.count("\n") + 1
        for drawn, expected in pairs:
            assert drawn.startswith(expected), (drawn, expected)
            assert drawn[len(expected) :].strip() == "", (drawn, expected)
    store.close()


async def test_the_samples_are_drawn_whole_at_80_columns(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        view = main_screen(app).view
        view.screen.query_one("#library").focus()
        await pilot.pause()
        for drawn, expected in await drawn_rows(pilot, view):
            assert drawn.startswith(expected), (drawn, expected)
            assert drawn[len(expected) :].strip() == "", (drawn, expected)


# [ and ]


async def test_brackets_go_to_the_next_and_previous_annotation(store: Store) -> None:
    document = store.documents.summaries()[0]
    text = store.documents.get(document.id).text
    starts = [text.index(p) for p in ("全局谋划", "新篇章", "一汽")]
    starts.sort()
    for start in starts:
        store.annotations.create(document.id, start, start + 2, ["位置"])
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        view = main_screen(app).view
        view.move_cursor(0)
        await pilot.pause()
        visited = []
        for _ in range(4):  # the last press has nowhere further to go
            await pilot.press("right_square_bracket")
            visited.append(view.cursor)
        assert visited == [*starts, starts[-1]]
        back = []
        for _ in range(3):
            await pilot.press("left_square_bracket")
            back.append(view.cursor)
        assert back == [starts[1], starts[0], starts[0]]


# t and c on overlapping annotations


async def test_t_and_c_act_on_the_innermost_annotation_under_the_cursor(store: Store) -> None:
    document = store.documents.summaries()[0]
    text = store.documents.get(document.id).text
    start = text.index("全局谋划")
    outer = store.annotations.create(document.id, start - 2, start + 6, ["外层"], "外面的")
    inner = store.annotations.create(document.id, start + 1, start + 3, ["内层"], "里面的")
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        view = main_screen(app).view
        view.move_cursor(start + 2)  # inside both
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CommentEditor)
        assert app.screen.comment == "里面的"
        await pilot.press(*"改", "ctrl+s")
        await pilot.pause()
        assert store.annotations.get(inner.id).comment == "里面的改"
        assert store.annotations.get(outer.id).comment == "外面的"
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagPicker)
        await pilot.press("escape")
        await pilot.pause()
        # Outside the inner one only the outer one is under the cursor.
        view.move_cursor(start - 1)
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CommentEditor)
        assert app.screen.comment == "外面的"
        await pilot.press("escape")


# Orphans are listed, never painted


async def test_an_orphan_is_not_painted_at_its_stale_offsets(db_path: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("第一段：全局谋划。\n第二段：以一域服务全局。\n", encoding="utf-8")
    store = Store(db_path)
    document_id = import_file(store, article).document_id
    orphan = store.annotations.create(document_id, 4, 8, tags=["孤儿"])
    kept_at = store.documents.get(document_id).text.index("一域")
    kept = store.annotations.create(document_id, kept_at, kept_at + 2, tags=["留下"])
    article.write_text("第一段：统筹安排。\n第二段：以一域服务全局。\n", encoding="utf-8")
    assert import_file(store, article).orphaned == 1
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = main_screen(app)
        screen.open_document(document_id)
        view = screen.view
        view.screen.query_one("#library").focus()
        await pilot.pause()
        painted: dict[str, str] = {}
        for y in range(view.scrollable_content_region.height):
            for segment in view.render_line(y):
                if segment.style is not None and segment.style.bgcolor is not None:
                    name = segment.style.bgcolor.name
                    painted[name] = painted.get(name, "") + segment.text
        orphan_color = Style(bgcolor=store.annotations.get(orphan.id).tags[0].color).bgcolor
        kept_color = Style(bgcolor=kept.tags[0].color).bgcolor
        assert orphan_color is not None and kept_color is not None
        assert orphan_color.name not in painted  # 统筹安排 sits where the orphan was
        assert painted[kept_color.name] == "一域"
    store.close()


# The left arrow over a unit that converts to another length


async def test_arrows_step_over_a_whole_unit_like_記憶體(db_path: Path) -> None:
    store = Store(db_path)
    text = "电脑的内存不够了。"
    document = store.documents.add(text=text, title="内存", content_hash="memory")
    app = make_app(store)
    unit = text.index("内存")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = main_screen(app)
        screen.open_document(document)
        screen.show_script("s2twp")
        view = screen.view
        await pilot.pause()
        assert "記憶體" in view.passage(0, len(text))
        view.move_cursor(unit + 2)  # 不, just after the unit
        await pilot.pause()
        await pilot.press("left")
        assert view.cursor == unit  # the whole of 記憶體, never into its middle
        await pilot.press("left")
        assert view.cursor == unit - 1
        await pilot.press("right", "right")
        assert view.cursor == unit + 2
        # Selected with v and a left arrow, the unit is whole.
        await pilot.press("v", "left")
        assert view.selection == (unit, unit + 3)
    store.close()


# The read-only warning


async def test_a_read_only_library_says_so_when_the_app_opens(db_path: Path) -> None:
    store = Store(db_path)
    store.documents.add(text="只读的文字。", title="只读", content_hash="read-only")
    store.close()
    read_only = Store(db_path, read_only=True)
    assert read_only.read_only
    app = make_app(read_only)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert [n.title for n in warnings] == ["Read-only"]
        assert "cannot be written" in warnings[0].message
        assert str(db_path) in warnings[0].message
        assert "read-only" in main_screen(app).sub_title
    read_only.close()


async def test_a_writable_library_gives_no_read_only_warning(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert not [n for n in app._notifications if n.title == "Read-only"]
        assert "read-only" not in main_screen(app).sub_title


# The README's script order


def test_the_readme_and_the_s_key_give_the_script_order_s_follows() -> None:
    labels = {
        None: "original",
        "t2s": "简体",
        "s2t": "繁體",
        "s2tw": "臺灣",
        "s2hk": "香港",
        "s2twp": "臺灣用語",
    }
    order = [labels[config] for config, _ in SCRIPT_CYCLE]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if "| `s` |" in line)
    named = re.findall(r"(original|简体|繁體|臺灣用語|臺灣|香港)", row)
    assert named == order
    configs = re.findall(r"\((\w+)\)", row)
    assert configs == [config for config, _ in SCRIPT_CYCLE if config is not None]
    # The opening summary lists them in the same order.
    summary = re.search(r"\((original, [^)]*)\)", readme)
    assert summary is not None
    assert re.findall(r"original|简体|繁體|臺灣用語|臺灣|香港", summary.group(1)) == order
    tooltip = next(b for b in MainScreen.BINDINGS if getattr(b, "id", None) == "script")
    assert re.findall(r"original|简体|繁體|臺灣用語|臺灣|香港", tooltip.tooltip) == order
