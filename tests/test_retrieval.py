"""Coded passages (issue 9): the three rules against a character-by-character oracle, the view's
CSV against ``reader export``'s rows, and the screen driven through the real app with Pilot
(codes, rules, Enter opening the article at the passage, export) at 80x24 and 140x45."""

from __future__ import annotations

import contextlib
import csv
import io
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from payloads import CONTROLS, MARKUP
from textual.worker import WorkerCancelled

from reader.cli import cli
from reader.core.retrieval import Rule, coded_passages, describe, lines, write_csv
from reader.core.store import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.coded_passages import CodedPassagesScreen, PassagesExportDialog
from reader.ui.screens.main import MainScreen
from reader.ui.screens.tag_picker import TagPicker
from reader.ui.widgets.passage_list import PassageList

CODES = ("产业", "政策", "人物", "=公式")
WIDE, NARROW = (140, 45), (80, 24)


@pytest.fixture
def coded(store: Store) -> Store:
    """Both samples with annotations on real passages: overlapping, nested, adjacent, with one
    to three codes, some with none; and an orphan."""
    rng = random.Random(5)
    with store.transaction():
        for summary in store.documents.summaries():
            length = len(store.documents.text(summary.id))
            made: list[tuple[int, int]] = []
            for _ in range(40):
                if made and rng.random() < 0.3:
                    outer = rng.choice(made)
                    start = rng.randint(outer[0], outer[1] - 1)
                    end = min(start + rng.randint(1, 30), length)
                elif made and rng.random() < 0.2:
                    start = rng.choice(made)[1]
                    end = start + rng.randint(1, 10)
                else:
                    start = rng.randrange(0, 600)
                    end = start + rng.randint(1, 40)
                made.append((start, end))
                store.annotations.create(
                    summary.id, start, end, rng.sample(CODES, rng.randint(0, 3))
                )
    first = store.documents.summaries()[0]
    store.annotations.create(first.id, 2000, 2010, list(CODES))
    text = store.documents.text(first.id)
    store.documents.add_version(
        first.id, text=text[:2000] + text[2010:], content_hash="x", title=first.title
    )
    return store


def active(store: Store) -> list[tuple[int, int, int, int, set[str]]]:
    """(id, document, start, end, codes) of every active annotation."""
    return [
        (a.id, a.document_id, a.start, a.end, {tag.name for tag in a.tags})
        for a in store.annotations.all()
        if a.status == "active"
    ]


def oracle(store: Store, codes: list[str], rule: Rule) -> list[int]:
    """The rule read literally, character by character."""
    annotations = active(store)

    def covered(document: int, char: int, code: str) -> bool:
        return any(d == document and s <= char < e and code in names
                   for _, d, s, e, names in annotations)  # fmt: skip

    found = []
    for key, document, start, end, names in annotations:
        if rule == Rule.ANY:
            ok = bool(names & set(codes))
        elif rule == Rule.ALL:
            ok = bool(names & set(codes)) and any(
                all(covered(document, char, code) for code in codes) for char in range(start, end)
            )
        else:
            ok = codes[0] in names and not any(
                covered(document, char, code) for char in range(start, end) for code in codes[1:]
            )
        if ok:
            found.append((document, start, end, key))
    return [key for *_, key in sorted(found)]


@pytest.mark.parametrize(
    ("codes", "rule"),
    [
        (["产业"], Rule.ANY),
        (["产业", "政策"], Rule.ANY),
        (["产业", "政策"], Rule.ALL),
        (["产业", "政策", "人物"], Rule.ALL),
        (["=公式"], Rule.ALL),
        (["产业", "政策"], Rule.BUT_NOT),
        (["人物", "产业", "=公式"], Rule.BUT_NOT),
        (["政策"], Rule.BUT_NOT),
    ],
)
def test_rules_equal_the_oracle(coded: Store, codes: list[str], rule: Rule) -> None:
    got = coded_passages(coded, codes, rule)
    expected = oracle(coded, codes, rule)
    assert [p.annotation_id for p in got] == expected
    assert expected  # every case has passages: the fixture is rich enough
    for passage in got:
        assert set(passage.codes) <= set(codes) and passage.codes


def test_rules_differ_where_they_should(coded: Store) -> None:
    every = {p.annotation_id for p in coded_passages(coded, ["产业", "政策"], Rule.ANY)}
    both = {p.annotation_id for p in coded_passages(coded, ["产业", "政策"], Rule.ALL)}
    only = {p.annotation_id for p in coded_passages(coded, ["产业", "政策"], Rule.BUT_NOT)}
    assert both < every and only < every and not both & only
    first = coded.documents.summaries()[0].id
    in_first = coded_passages(coded, ["产业"], "any", documents=[first])
    assert in_first and {p.document_id for p in in_first} == {first}
    assert coded_passages(coded, [], Rule.ALL) == []
    assert coded_passages(coded, ["没有这个"], Rule.ANY) == []


def test_an_adjacent_passage_is_not_overlapping(store: Store) -> None:
    document = store.documents.summaries()[0].id
    a = store.annotations.create(document, 10, 20, ["A"])
    b = store.annotations.create(document, 20, 30, ["B"])
    assert coded_passages(store, ["A", "B"], Rule.ALL) == []
    assert [p.annotation_id for p in coded_passages(store, ["A", "B"], Rule.BUT_NOT)] == [a.id]
    c = store.annotations.create(document, 19, 21, ["C"])
    found = coded_passages(store, ["A", "B", "C"], Rule.ALL)
    assert found == []  # A and B each meet C, but no character holds all three
    assert {p.annotation_id for p in coded_passages(store, ["A", "C"], Rule.ALL)} == {a.id, c.id}
    in_order = [p.annotation_id for p in coded_passages(store, ["B", "A"], Rule.ANY)]
    assert in_order == [a.id, b.id]  # text order, whatever the order of the codes


def test_describe() -> None:
    assert describe(["a", "b"], Rule.ANY) == "a or b"
    assert describe(["a", "b"], Rule.ALL) == "a and b (overlapping)"
    assert describe(["a", "b", "c"], Rule.BUT_NOT) == "a but not b or c"
    assert describe([], Rule.ANY) == "no codes chosen"


def test_lines_hold_the_passage_and_its_context(coded: Store) -> None:
    passages = coded_passages(coded, ["产业", "政策"], Rule.ALL)
    found = list(lines(coded, passages, 10))
    assert len(found) == len(passages)
    for passage, line in zip(passages, found, strict=True):
        text = coded.documents.text(passage.document_id)
        assert (line.document_id, line.start, line.end) == (
            passage.document_id,
            passage.start,
            passage.end,
        )
        assert line.match == text[passage.start : passage.end]
        assert line.left == text[max(0, passage.start - 10) : passage.start]
        assert line.right == text[passage.end : passage.end + 10]


def exported_lines(db: Path) -> dict[str, str]:
    """``reader export``'s data lines (as written, CRLF), by annotation id."""
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "-o", "-"])
    assert result.exit_code == 0
    text = result.stdout_bytes.decode()
    records = list(csv.reader(io.StringIO(text, newline="")))
    raw = text.split("\r\n")
    assert len(raw) - 1 == len(records)  # no line break inside a cell in this library
    return {record[0]: line for record, line in zip(records[1:], raw[1:], strict=False)}


def test_the_view_exports_as_reader_export_does(coded: Store) -> None:
    passages = coded_passages(coded, ["=公式", "人物"], Rule.BUT_NOT)
    out = io.StringIO(newline="")
    assert write_csv(coded, out, passages, ["=公式", "人物"]) == len(passages)
    header, *rows = out.getvalue().split("\r\n")[:-1]
    everything = exported_lines(coded.path)
    assert header == next(iter(exported_lines(coded.path).values())).__class__(header)
    assert rows == [everything[str(p.annotation_id)] for p in passages]
    assert all("\"'=公式" in row for row in rows)  # the formula guard, as in the export
    converted = io.StringIO(newline="")
    write_csv(coded, converted, passages, ["=公式", "人物"], script="s2t")
    assert converted.getvalue().split("\r\n")[0].endswith('"passage_converted"')


# The screen


async def settle(pilot, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    """Until the passages are read (a dialog's worker waits for its answer: not that one)."""
    await pilot.pause()
    finding = [worker for worker in app.workers if worker.group == "passages"]
    if finding:  # (an empty list would mean every worker)
        with contextlib.suppress(WorkerCancelled):  # a search the next key replaced
            await app.workers.wait_for_complete(finding)
    await pilot.pause()


async def choose(pilot, app: ReaderApp, codes: list[str]) -> CodedPassagesScreen:  # type: ignore[no-untyped-def]
    """p, then the codes typed into the picker (Tab between them), Enter."""
    if not isinstance(app.screen, CodedPassagesScreen):
        await pilot.press("p")
        await pilot.pause()
    else:
        await pilot.press("c")
        await pilot.pause()
    assert isinstance(app.screen, TagPicker)
    for index, code in enumerate(codes):
        if index:
            await pilot.press("tab")
        app.screen.query_one("#filter").value = code
        await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, app)
    screen = app.screen
    assert isinstance(screen, CodedPassagesScreen)
    return screen


def shown(screen: CodedPassagesScreen) -> list[tuple[int, int, int]]:
    listing = screen.query_one(PassageList)
    return [(line.document_id, line.start, line.end) for line in listing.lines]


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_screen_rules_open_and_export(
    coded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(coded)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = await choose(pilot, app, ["产业", "政策"])
        for rule in (Rule.ANY, Rule.ALL, Rule.BUT_NOT, Rule.ANY):
            expected = coded_passages(coded, ["产业", "政策"], rule)
            assert screen.rule == rule
            assert shown(screen) == [(p.document_id, p.start, p.end) for p in expected]
            status = str(screen.query_one("#passages-status").render())
            assert f"{len(expected)} passage" in status
            await pilot.press("r")
            await settle(pilot, app)
        # Grouped by document: the title once per document, then "·".
        listing = screen.query_one(PassageList)
        titles = [listing.title_cell(i) for i in range(listing.count)]
        documents = [line.document_id for line in listing.lines]
        firsts = [i for i in range(listing.count) if i == 0 or documents[i - 1] != documents[i]]
        assert [i for i, title in enumerate(titles) if title.strip() != "·"] == firsts
        assert len(firsts) == 2
        # Export the view.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PassagesExportDialog)
        app.screen.query_one("#path").value = "view.csv"
        await pilot.press("enter")
        await settle(pilot, app)
        out = io.StringIO(newline="")
        write_csv(coded, out, screen.passages, ["产业", "政策"])
        assert (tmp_path / "view.csv").read_bytes().decode("utf-8") == out.getvalue()
        # Enter on the third line opens its article with the cursor on the passage.
        await pilot.press("down", "down")
        target = listing.lines[2]
        await pilot.press("enter")
        await settle(pilot, app)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.document is not None and main.document.id == target.document_id
        assert main.view.cursor == target.start


async def test_screen_in_a_script_and_with_hostile_codes(store: Store) -> None:
    document = store.documents.summaries()[0].id
    text = store.documents.text(document)
    at = text.index("发展")  # a passage that reads differently in 繁體
    hostile = [MARKUP[1], CONTROLS[0]]
    for index, name in enumerate(hostile):
        store.annotations.create(document, at + index, at + index + 2, [name])
    app = make_app(store)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("s", "s")  # 繁體 (s2t)
        await pilot.pause()
        screen = await choose(pilot, app, hostile)
        assert len(shown(screen)) == 2
        bar = str(screen.query_one("#passages-codes").render())
        assert "[/quote]" in bar and "\x1b" not in bar and "␛" in bar
        listing = screen.query_one(PassageList)
        drawn = "".join(segment.text for segment in listing.render_line(0))
        text = store.documents.text(document)
        assert "發展" in drawn and "发展" not in drawn  # the passage in the script on screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_screen_says_what_to_do(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, TagPicker)
        await pilot.press("escape")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, CodedPassagesScreen)
        listing = screen.query_one(PassageList)
        assert listing.empty_text().startswith("Press c")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, CodedPassagesScreen)  # nothing to export: no dialog
