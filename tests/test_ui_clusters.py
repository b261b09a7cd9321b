"""The reading pane moves, selects and paints by grapheme cluster; the library shows new badges."""

from __future__ import annotations

from pathlib import Path

from reader.core.graphemes import cluster_bounds
from reader.core.library import import_file
from reader.core.store import Store
from reader.ui.app import make_app

SIZE = (140, 45)
TEXT = "表情：❤️❤️中👨\u200d👩\u200d👧文🇨🇳ﾊﾟe\u0301内存\u0301。\n"


async def test_arrows_step_over_whole_clusters_and_select_them(
    db_path: Path, tmp_path: Path
) -> None:
    article = tmp_path / "clusters.txt"
    article.write_text(TEXT, encoding="utf-8")
    store = Store(db_path)
    document_id = import_file(store, article).document_id
    text = store.get_document(document_id).text
    bounds = cluster_bounds(text)
    app = make_app(store, [article])
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        view.focus()
        view.move_cursor(0)
        await pilot.pause()
        stops = [view.cursor]
        for _ in range(len(bounds)):
            await pilot.press("right")
            stops.append(view.cursor)
        assert set(stops) <= set(bounds)
        assert stops[:5] == bounds[:5]  # 表 情 ： ❤️ ❤️: each emoji one step
        backwards = []
        for _ in range(len(bounds)):
            await pilot.press("left")
            backwards.append(view.cursor)
        assert set(backwards) <= set(bounds) and backwards[-1] == 0
        view.move_cursor(text.index("👨") + 1)  # inside the family: snapped to its start
        assert view.cursor == text.index("👨")
        await pilot.press("v")
        await pilot.pause()
        assert view.selection == (text.index("👨"), text.index("文"))
        assert view.passage(*view.selection) == "👨\u200d👩\u200d👧"
        # The cursor paints the whole cluster: ❤ and its VS16 in two styles would be measured
        # as 1 cell by Rich and drawn as 2 by the terminal.
        await pilot.press("escape")
        view.move_cursor(text.index("❤"))
        await pilot.pause()
        segments = list(view.render_line(0))
        row = "".join(segment.text for segment in segments)
        assert row.startswith(text[:10])
        edges, position = set(), 0
        for segment in segments:
            position += len(segment.text)
            edges.add(position)
        row_bounds = set(cluster_bounds(row))
        assert edges <= row_bounds, [row[: e + 1] for e in edges - row_bounds]
        assert position > text.index("❤") + 2 and {3, 5} <= edges  # the cursor's own segment
    store.close()


async def test_library_badges_for_japanese_and_undecided_texts(
    db_path: Path, tmp_path: Path
) -> None:
    store = Store(db_path)
    files = {"ja.txt": "東京は雨が降っています。\n", "neutral.txt": "吃凶困于后准伙几愿\n"}
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        import_file(store, tmp_path / name)
    scripts = {d.title: d.script for d in store.list_documents()}
    assert sorted(scripts.values()) == ["japanese", "neutral"]
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        library = app.screen.query_one("#library")
        headings = [library.item_lines(i, 30)[0].plain for i in range(len(library.documents))]
        badges = {heading.split()[0] for heading in headings}
        assert badges == {"日", "中"}
    store.close()
