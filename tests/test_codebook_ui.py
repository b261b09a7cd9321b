"""The codebook screen, as a user drives it: the tree, each action with its dialog, undo with u,
and the reading screen following a rename or a recolour; memos on a code and a document."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from payloads import ALL
from textual.widgets import Input, Label, OptionList, TextArea

from reader.core.display import CONTROL
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.commands import reader_commands
from reader.ui.screens.codebook import CodebookScreen
from reader.ui.screens.codebook_dialogs import CodeChooser, ColourDialog, NameDialog
from reader.ui.screens.comment_editor import CommentEditor
from reader.ui.screens.confirm import ConfirmDialog
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.code_tree import CodeTree

SIZE = (140, 45)


@pytest.fixture
def coded(store: Store) -> Store:
    """The first sample coded: 经济 > 产业 > 汽车, 经济 > 政策, and 地名."""
    first, second = (d.id for d in store.documents.summaries())
    store.annotations.create(first, 0, 4, ["汽车", "地名"])
    store.annotations.create(first, 10, 20, ["产业"])
    store.annotations.create(first, 30, 40, ["政策", "产业"])
    store.annotations.create(second, 5, 9, ["汽车"])
    economy = store.tags.ensure_tag("经济").id
    store.codebook.move(store.codebook.find("产业") or 0, economy)
    store.codebook.move(store.codebook.find("汽车") or 0, store.codebook.find("产业"))
    store.codebook.move(store.codebook.find("政策") or 0, economy)
    store.preferences.update(last_document=first)
    return store


def rows(screen: CodebookScreen) -> list[tuple[str, int]]:
    return [(code.name, code.depth) for code in screen.code_tree.rows]


def line(tree: CodeTree, index: int) -> str:
    return tree.render_line(index - round(tree.scroll_y)).text


async def open_codebook(app: ReaderApp, pilot) -> CodebookScreen:  # type: ignore[no-untyped-def]
    await pilot.press("b")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CodebookScreen)
    await counted(app, pilot)
    return screen


async def counted(app: ReaderApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the counts the screen reads in a thread."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def highlight(pilot, screen: CodebookScreen, name: str) -> None:  # type: ignore[no-untyped-def]
    index = next(i for i, code in enumerate(screen.code_tree.rows) if code.name == name)
    screen.code_tree.highlight(index)
    await pilot.pause()


async def test_the_tree_shows_codes_counts_descriptions_and_folds(coded: Store) -> None:
    coded.codebook.describe(coded.codebook.find("产业") or 0, "industry\nsecond line")
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        tree = screen.code_tree
        assert rows(screen) == [("地名", 0), ("经济", 0), ("产业", 1), ("汽车", 2), ("政策", 1)]
        assert tree.counted and "counting" not in str(tree.border_title)
        industry = line(tree, 2)
        assert "产业" in industry and "industry" in industry and "second" not in industry
        assert industry.split("产业")[1].split()[:2] == ["2", "1"]  # passages, documents
        assert "▾" in line(tree, 1)
        assert "1 passage in 1 document" in str(screen.query_one("#codebook-detail").render())
        await highlight(pilot, screen, "经济")
        await pilot.press("left")  # fold
        assert rows(screen) == [("地名", 0), ("经济", 0)]
        assert "▸" in line(tree, 1)
        await pilot.press("enter")  # unfold again
        assert len(rows(screen)) == 5
        await highlight(pilot, screen, "汽车")
        await pilot.press("left")  # a leaf: goes to its parent
        assert tree.highlighted_code is not None and tree.highlighted_code.name == "产业"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_a_parent_shows_its_own_counts_and_its_subtree_s_once_each(coded: Store) -> None:
    first = coded.documents.summaries()[0].id
    coded.annotations.create(first, 50, 60, ["产业", "汽车"])  # a parent and its child
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        tree = screen.code_tree
        assert screen.totals_shown
        assert "incl. subcodes" in str(screen.query_one("#codebook-header").render())
        # passages, documents, then over the subtree: 经济 codes nothing itself; 产业 3 + 汽车
        # 3 passages, one of them carrying both: 5.
        assert line(tree, 1).split("经济")[1].split()[:4] == ["0", "0", "5", "2"]
        assert line(tree, 2).split("产业")[1].split()[:4] == ["3", "1", "5", "2"]
        assert line(tree, 3).split("汽车")[1].split()[:2] == ["3", "2"]  # a leaf: no total
        assert line(tree, 3).split("汽车")[1].split()[2:] == []
        await highlight(pilot, screen, "产业")
        detail = str(screen.query_one("#codebook-detail").render())
        assert "3 passages in 1 document" in detail
        assert "with the codes under it: 5 passages in 2 documents" in detail
        # Moving a code under another: the totals follow.
        await highlight(pilot, screen, "地名")
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"政策", "enter")
        await counted(app, pilot)
        assert [name for name, _ in rows(screen)][-2:] == ["政策", "地名"]
        index = [name for name, _ in rows(screen)].index("政策")
        assert line(tree, index).split("政策")[1].split()[:4] == ["1", "1", "2", "1"]


async def test_rename_shows_at_once_in_the_panel_and_u_undoes_it(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "地名")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, NameDialog)
        app.screen.query_one(Input).value = "地点 [b]x[/b]"
        await pilot.press("enter")
        await pilot.pause()
        assert coded.codebook.find("地点 [b]x[/b]") is not None
        assert "地点 [b]x[/b]" in line(screen.code_tree, 0)
        await pilot.press("escape")
        await pilot.pause()
        panel = app.screen.query_one(AnnotationPanel)
        first = next(a for a in panel.annotations if a.start == 0)
        assert "地点 [b]x[/b]" in [t.name for t in first.tags]
        screen = await open_codebook(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        assert coded.codebook.find("地名") is not None
        assert rows(screen)[0] == ("地名", 0)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert coded.codebook.find("地名") is None


async def test_recolour_reaches_the_highlights(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "地名")  # the first tag of the passage at 0: its colour
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ColourDialog)
        await pilot.press(*"#123abc", "enter")
        await pilot.pause()
        assert coded.codebook.get(coded.codebook.find("地名") or 0).color == "#123abc"
        await pilot.press("escape")
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.view.annotations_at(0)[0].tags[0].color == "#123abc"
        painted = {
            str(segment.style.bgcolor.triplet.hex)
            for segment in main.view.render_line(0)
            if segment.style and segment.style.bgcolor and segment.style.bgcolor.triplet
        }
        assert "#123abc" in painted


async def test_a_colour_that_is_not_one_is_refused_in_the_dialog(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"red", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ColourDialog)
        assert "not a colour" in str(app.screen.query_one("#problem", Label).render())
        await pilot.press("escape")


async def test_merge_asks_for_the_target_then_u_undoes_it(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "政策")
        await pilot.press("m")
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, CodeChooser)
        assert "政策" not in [c.name for c in chooser.codes]
        await pilot.press(*"产业")
        await pilot.pause()
        assert chooser.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await counted(app, pilot)  # the merge runs in a worker
        assert coded.codebook.find("政策") is None
        assert rows(screen) == [("地名", 0), ("经济", 0), ("产业", 1), ("汽车", 2)]
        industry = coded.codebook.get(coded.codebook.find("产业") or 0)
        assert industry.passages == 2  # the passage that had both keeps one
        await counted(app, pilot)
        assert line(screen.code_tree, 2).split("产业")[1].split()[:2] == ["2", "1"]
        await pilot.press("u")
        await counted(app, pilot)
        assert coded.codebook.find("政策") is not None
        assert len(rows(screen)) == 5


@contextlib.contextmanager
def another_connection_writing(store: Store) -> Iterator[Store]:
    """Another connection (another app, the CLI) in the middle of a write: its transaction
    holds the database's write lock (SQLite's, or the server's advisory lock) until the block
    ends, so the screen's worker waits for it; the write is a description of 地名."""
    other = Store(store.target, coder="bo")
    try:
        with other.gateway.transaction():
            other.codebook.describe(other.codebook.find("地名") or 0, "places, from another app")
            yield other
    finally:
        other.close()


def notices(app: ReaderApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_a_merge_runs_in_a_worker_says_so_and_refuses_a_second_action(
    coded: Store,
) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "政策")
        with another_connection_writing(coded):
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*"产业", "enter")
            await pilot.pause()
            # Waiting for the other write: the UI is not, and says what it is doing.
            assert screen.code_tree.border_subtitle == "Merging “政策” into “产业”…"
            assert screen.code_tree.has_class("-working")
            assert coded.codebook.find("政策") is not None
            for key in ("r", "d", "u", "escape"):  # another action, closing: refused
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen, key
            refused = [n for n in notices(app) if "wait until it is done" in n]
            assert len(refused) == 4
            assert refused[0] == "Merging “政策” into “产业”: wait until it is done."
            await pilot.press("down")  # moving about still works
            await pilot.pause()
        await counted(app, pilot)  # the other write committed: the merge ran after it
        assert coded.codebook.find("政策") is None
        assert coded.codebook.get(coded.codebook.find("地名") or 0).description.startswith(
            "places"
        )
        assert rows(screen) == [("地名", 0), ("经济", 0), ("产业", 1), ("汽车", 2)]
        assert not screen.code_tree.border_subtitle
        assert not screen.code_tree.has_class("-working")
        assert "Merged “政策” into “产业”: it now codes 2 passages. u undoes it." in notices(app)
        assert line(screen.code_tree, 2).split("产业")[1].split()[:2] == ["2", "1"]
        await pilot.press("u")  # the undo of a merge runs in the worker too
        await counted(app, pilot)
        assert coded.codebook.find("政策") is not None
        assert len(rows(screen)) == 5
        await pilot.press("escape")  # idle again: closes
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_a_delete_runs_in_a_worker_and_a_refused_one_says_why(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "产业")
        with another_connection_writing(coded):
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert screen.code_tree.border_subtitle == "Deleting “产业”…"
            assert coded.codebook.find("产业") is not None
        await counted(app, pilot)
        assert coded.codebook.find("产业") is None
        assert rows(screen) == [("地名", 0), ("经济", 0), ("政策", 1), ("汽车", 1)]
        # A delete the store refuses when its turn comes (the other program deleted the code
        # while this one waited): one sentence, the screen idle again, nothing else changed.
        await highlight(pilot, screen, "汽车")
        with another_connection_writing(coded) as other:
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert screen.code_tree.border_subtitle == "Deleting “汽车”…"
            other.codebook.delete(other.codebook.find("汽车") or 0)
        await counted(app, pilot)
        assert not screen.code_tree.has_class("-working")
        assert any("There is no code with id" in n for n in notices(app))
        assert [name for name, _ in rows(screen)] == ["地名", "经济", "政策"]


async def until(pilot, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds (its poll or a server's notice), at most
    about ten seconds of polls (a limit so that a failure ends, not a timing assert)."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"never happened: {what}")


async def test_the_screen_follows_another_programs_changes_keeping_the_cursor(
    coded: Store,
) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "政策")
        policy = coded.codebook.find("政策")
        other = Store(coded.target, coder="bo")  # another app, the CLI, another coder
        try:
            other.codebook.delete(other.codebook.find("地名") or 0)  # the row above goes
            other.codebook.rename(policy or 0, "产业政策")  # the highlighted code renamed
            other.annotations.create(
                other.documents.summaries()[1].id, 20, 24, ["产业政策", "新代码"]
            )
        finally:
            other.close()
        await until(pilot, lambda: "产业政策" in [n for n, _ in rows(screen)], "the rename")
        await counted(app, pilot)
        assert rows(screen) == [
            ("新代码", 0), ("经济", 0), ("产业", 1), ("汽车", 2), ("产业政策", 1)
        ]  # fmt: skip
        code = screen.code_tree.highlighted_code
        assert code is not None and code.id == policy  # the same code, at its new place
        assert line(screen.code_tree, 4).split("产业政策")[1].split()[:2] == ["2", "2"]
        assert "产业政策" in str(screen.query_one("#codebook-detail").render())
        # Acting on it here afterwards acts on that code; the cursor stays across the polls.
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one(Input).value = "政策"
        await pilot.press("enter")
        await pilot.pause(2.5)  # a poll has run
        assert rows(screen)[-1] == ("政策", 1)
        assert screen.code_tree.highlighted_code_id == policy


async def test_delete_says_what_it_removes_first(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "产业")
        await pilot.press("d")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        question = confirm.question
        assert "“产业”" in question and "2 passages in 1 document" in question
        assert "1 of them keep no code" in question and "“汽车” moves up" in question
        await pilot.press("n")
        await pilot.pause()
        assert coded.codebook.find("产业") is not None  # kept
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert coded.codebook.find("产业") is None
        assert rows(screen) == [("地名", 0), ("经济", 0), ("政策", 1), ("汽车", 1)]
        await pilot.press("u")
        await pilot.pause()
        assert len(rows(screen)) == 5 and coded.codebook.find("产业") is not None


async def test_move_offers_no_code_under_itself_and_the_top_level(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "产业")
        await pilot.press("p")
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, CodeChooser)
        assert sorted(c.name for c in chooser.codes) == ["地名", "政策", "经济"]
        await pilot.press("enter")  # the first option: the top level
        await pilot.pause()
        assert coded.codebook.get(coded.codebook.find("产业") or 0).parent_id is None
        assert ("产业", 0) in rows(screen) and ("汽车", 1) in rows(screen)
        await pilot.press("u")
        await pilot.pause()
        assert ("产业", 1) in rows(screen)


async def test_description_and_memo_are_edited_like_comments(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        await highlight(pilot, screen, "地名")
        for key, text in (("e", "Place names\n地名"), ("n", "memo [red]x")):
            await pilot.press(key)
            await pilot.pause()
            editor = app.screen
            assert isinstance(editor, CommentEditor)
            editor.query_one(TextArea).text = text
            await pilot.press("ctrl+s")
            await pilot.pause()
        code = coded.codebook.get(coded.codebook.find("地名") or 0)
        assert (code.description, code.memo) == ("Place names\n地名", "memo [red]x")
        detail = str(screen.query_one("#codebook-detail").render())
        assert "Place names" in detail and "memo [red]x" in detail
        await pilot.press("u")
        await pilot.pause()
        assert coded.codebook.get(code.id).memo == ""


async def test_the_document_memo_is_written_with_M_and_undone_with_u(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen) and main.document is not None
        document = main.document.id
        await pilot.press("M")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, CommentEditor)
        editor.query_one(TextArea).text = "Read again: 一汽 numbers"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert coded.codebook.document_memo(document) == "Read again: 一汽 numbers"
        assert "memo: Read again" in str(main.query_one("#panel").border_subtitle)
        await pilot.press("u")
        await pilot.pause()
        assert coded.codebook.document_memo(document) == ""
        assert not main.query_one("#panel").border_subtitle


async def test_an_empty_codebook_says_how_to_make_a_code(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_codebook(app, pilot)
        assert "No codes yet" in line(screen.code_tree, 0)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is screen  # nothing to rename: no dialog


@pytest.mark.parametrize("payload", ALL)
async def test_hostile_names_and_texts_are_drawn_as_plain_text(store: Store, payload: str) -> None:
    name = payload.strip() or "blank"
    store.annotations.create(store.documents.summaries()[0].id, 0, 4, [name])
    store.codebook.describe(store.codebook.find(name) or 0, payload)
    store.codebook.set_memo(store.codebook.find(name) or 0, payload)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_codebook(app, pilot)
        drawn = line(screen.code_tree, 0)
        assert CONTROL.search(drawn) is None
        detail = str(screen.query_one("#codebook-detail").render())
        assert CONTROL.search(detail) is None
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")


async def test_the_palette_opens_the_codebook(coded: Store) -> None:
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        commands = {name: run for name, run, _ in reader_commands(main)}
        assert "Memo on this document" in commands
        codebook = next(run for name, run in commands.items() if name.startswith("Codebook"))
        codebook()
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)


async def test_a_tree_too_deep_to_total_shows_a_dash_and_says_why(coded: Store) -> None:
    db = coded.gateway
    previous = coded.codebook.find("地名")
    with coded.transaction():  # a chain of 650 codes under 地名: 211,575 pairs
        for index in range(650):
            previous = db.insert(
                "insert into tags (name, color, parent_id) values (?, '#ffffff', ?) returning id",
                [f"链{index:03}", previous],
            )
    app = make_app(coded)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(app, pilot)
        assert screen.counts_shown and not screen.code_tree.totalled
        assert line(screen.code_tree, 0).split("地名")[1].split()[:4] == ["1", "1", "—", "—"]
        await highlight(pilot, screen, "地名")
        detail = str(screen.query_one("#codebook-detail").render())
        assert "not totalled with the codes under it (too deep a tree)" in detail
