"""Search (issue 15): the folding rule, the matcher against a brute-force oracle on real text
in both scripts, the index's upkeep, the CLI, and auto-coding as one undoable batch."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from payloads import ALL as HOSTILE
from support import SIMPLIFIED_SEED, TRADITIONAL_SEED, oracle, split_like_calc

from reader.cli import cli
from reader.core.documents import normalize_text
from reader.core.folding import fold, variants
from reader.core.search import Query, QueryError, count_matches, search
from reader.core.store import Store
from reader.core.store.migrations import migrations

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
"""Excerpts of the shared corpus kept with the tests (tests/data/corpus/CORPUS-README.md)."""
TRADITIONAL_NOVEL = CORPUS / "long" / "紅樓夢.traditional.one-line.txt"
SIMPLIFIED_NOVEL = CORPUS / "long" / "红楼梦.simplified.crlf.txt"
WIKISOURCE_NOVEL = CORPUS / "long" / "西遊記.traditional.wikisource.txt"
EXCERPT = 60_000
"""Characters of each novel used (the excerpts are shorter: all of them)."""


def corpus_excerpt(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"corpus file missing: {path}")
    return normalize_text(path.read_text(encoding="utf-8"))[:EXCERPT]


# The folding rule ------------------------------------------------------------------------------


def test_fold_joins_the_scripts_of_real_words() -> None:
    assert fold("發展") == fold("发展") == "发展"
    assert fold("髮") == fold("發") == fold("发") == "发"
    assert fold("裡") == fold("裏") == fold("里") == "里"
    assert set(variants("发")) >= {"发", "發", "髮"}
    assert set(variants("裡")) >= {"裡", "裏", "里"}


def test_fold_keeps_length_and_ascii_on_both_samples() -> None:
    for path in (SIMPLIFIED_SEED, TRADITIONAL_SEED):
        text = normalize_text(path.read_text(encoding="utf-8"))
        folded = fold(text)
        assert len(folded) == len(text)
        assert all(a == b for a, b in zip(text, folded, strict=True) if a.isascii())
    traditional = normalize_text(TRADITIONAL_SEED.read_text(encoding="utf-8"))
    assert traditional.count("發展") > 0
    assert fold(traditional).count("发展") == traditional.count("發展") + traditional.count("发展")


def test_fold_of_the_traditional_novel_is_length_preserving_and_finds_simplified_names() -> None:
    text = corpus_excerpt(TRADITIONAL_NOVEL)
    folded = fold(text)
    assert len(folded) == len(text)
    assert text.count("寶玉") > 0 and "宝玉" not in text
    assert folded.count("宝玉") == text.count("寶玉")


# The matcher against a brute-force oracle -------------------------------------------------------




@pytest.fixture
def corpus_db(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    store = Store(path)
    store.documents.add(
        text=corpus_excerpt(TRADITIONAL_NOVEL), title="紅樓夢", script="traditional"
    )
    store.documents.add(text=corpus_excerpt(SIMPLIFIED_NOVEL), title="红楼梦")
    for seed in (SIMPLIFIED_SEED, TRADITIONAL_SEED):
        store.documents.add(text=normalize_text(seed.read_text(encoding="utf-8")), title=seed.stem)
    # Characters outside the BMP (CJK Extension B) before the matches: offsets must still be
    # code points, in the index, in Python and in SQLite's substr alike.
    journey = normalize_text(WIKISOURCE_NOVEL.read_text(encoding="utf-8"))
    astral = next(i for i, char in enumerate(journey) if ord(char) > 0xFFFF)
    excerpt = journey[max(0, astral - 1000) : astral + EXCERPT]
    assert sum(ord(char) > 0xFFFF for char in excerpt) > 1
    store.documents.add(text=excerpt, title="西遊記")
    store.close()
    return path


QUERIES = (
    "的", "里", "裡", "發", "发展", "發展", "寶玉", "宝玉", "哈哈", "林黛玉", "贾宝玉", "一带一路",
    "悟空", "大聖", "行者",
)  # fmt: skip


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("query", QUERIES)
def test_cli_search_equals_the_oracle_in_both_scripts(corpus_db: Path, query: str) -> None:
    store = Store(corpus_db)
    expected = [
        (document_id, start, end)
        for document_id, text in store.search_index.originals()
        for start, end in oracle(text, query)
    ]
    texts = dict(store.search_index.originals())
    store.close()
    code, output = invoke("search", query, "--db", str(corpus_db), "--format", "json")
    assert code == 0, output
    rows = json.loads(output[output.index("[") :])
    assert [(row["document_id"], row["start"], row["end"]) for row in rows] == expected
    for row in rows:
        text = texts[row["document_id"]]
        assert row["match"] == text[row["start"] : row["end"]]
        assert row["left"] == text[max(0, row["start"] - 20) : row["start"]]
        assert row["right"] == text[row["end"] : row["end"] + 20]
    code, output = invoke("search", query, "--db", str(corpus_db), "--count")
    assert (code, output) == (0, f"{len(expected)}\n")


def test_a_query_in_either_script_finds_both(corpus_db: Path) -> None:
    store = Store(corpus_db)
    traditional = list(search(store, Query("寶玉")))
    assert traditional == list(search(store, Query("宝玉")))
    assert {found.document_id for found in traditional} >= {1, 2}
    exact = list(search(store, Query("寶玉", exact=True)))
    assert 1 in {found.document_id for found in exact}
    assert 2 not in {found.document_id for found in exact}  # the simplified novel
    assert count_matches(store, Query("寶玉", exact=True)) == len(exact)
    store.close()


def test_matches_do_not_overlap(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    store.documents.add(text="哈哈哈哈哈，哈", title="laugh")
    assert [(m.start, m.end) for m in search(store, Query("哈哈"))] == [(0, 2), (2, 4)]
    assert count_matches(store, Query("哈哈")) == 2
    assert [(m.start, m.end) for m in search(store, Query("哈+", regex=True))] == [(0, 5), (6, 7)]
    store.close()


def test_regex_runs_on_the_folded_text(corpus_db: Path) -> None:
    store = Store(corpus_db)
    found = list(search(store, Query("[寶宝]玉|黛玉", regex=True)))
    texts = dict(store.search_index.originals())
    folded_words = {fold(texts[m.document_id][m.start : m.end]) for m in found}
    assert folded_words == {"宝玉", "黛玉"}
    expected = sum(len(oracle(text, "宝玉")) + len(oracle(text, "黛玉")) for text in texts.values())
    assert len(found) == expected
    with pytest.raises(QueryError):
        Query("(", regex=True)
    store.close()


def test_tag_and_untagged_filters(store: Store) -> None:
    document_id = store.documents.summaries()[0].id
    text = store.documents.get(document_id).text
    first, second = oracle(text, "发展")[:2]
    store.annotations.create(document_id, first[0] - 2, first[1] + 2, tags=["政策"])
    store.annotations.create(document_id, second[0] + 1, second[1] + 1, tags=["别的"])
    inside = list(search(store, Query("發展"), tags=["政策"]))
    assert [(m.document_id, m.start) for m in inside] == [(document_id, first[0])]
    outside = list(search(store, Query("发展"), untagged=True))
    everything = list(search(store, Query("发展")))
    starts = {(m.document_id, m.start) for m in outside}
    assert (document_id, first[0]) not in starts and (document_id, second[0]) not in starts
    assert len(outside) == len(everything) - 2
    with pytest.raises(QueryError):
        list(search(store, Query("发展"), tags=["政策"], untagged=True))


# The index's upkeep ---------------------------------------------------------------------------


def test_index_follows_a_new_version(store: Store) -> None:
    document_id = store.documents.add(text="今天的发展很好。", title="v1", path="/tmp/v.txt")
    assert [m.document_id for m in search(store, Query("發展"))].count(document_id) == 1
    store.documents.add_version(document_id, text="今天的變化很大。", content_hash="x", title="v2")
    assert document_id not in {m.document_id for m in search(store, Query("发展"))}
    assert [(m.start, m.end) for m in search(store, Query("变化"), documents=[document_id])] == [
        (3, 5)
    ]


def test_migration_builds_the_index_for_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    from sqlite_utils import Database

    db = Database(path)
    migrations.apply(db, stop_before="m005_search_index")
    traditional = normalize_text(TRADITIONAL_SEED.read_text(encoding="utf-8"))
    db["documents"].insert({"title": "old", "text": traditional, "script": "traditional"})
    db.close()
    store = Store(path)
    assert count_matches(store, Query("发展")) == len(oracle(traditional, "发展")) > 0
    store.close()


def test_a_failed_import_leaves_no_index_row(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.documents.add(text="发展", title="gone")
        raise sqlite3.IntegrityError("simulated failure after the insert")
    assert count_matches(store, Query("发展")) == 0
    assert list(store.search_index.folded()) == []
    store.close()


# The CLI ----------------------------------------------------------------------------------------


def test_cli_csv_is_safe_and_adds_converted_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = Store(path)
    hostile = "=HYPERLINK(1)"
    store.documents.add(text="+發展-\x1b[31m發展", title=hostile)
    store.close()
    result = CliRunner().invoke(cli, ["search", "发展", "--db", str(path), "--format", "csv",
                                      "--script", "t2s", "--context", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    output = result.stdout_bytes.decode("utf-8")  # .output would turn CRLF into LF
    assert output.count("\r\n") == 3
    rows = list(csv.reader(io.StringIO(output)))
    assert rows[0] == ["document_id", "document_title", "start", "end", "match", "left",
                       "right", "match_converted", "left_converted", "right_converted"]  # fmt: skip
    assert rows[1][:7] == ["1", "'" + hostile, "1", "3", "發展", "'+", "'-\x1b["]
    assert rows[1][7:] == ["发展", "'+", "'-\x1b["]
    assert rows[2][4:7] == ["發展", "31m", ""]


def test_cli_csv_keeps_its_cells_when_split_on_semicolon_and_tab(tmp_path: Path) -> None:
    """The same CSV as `reader export`: text quoted, so Calc's default import keeps each cell."""
    path = tmp_path / "x.db"
    store = Store(path)
    store.documents.add(text="左;边\t发展,右;边", title="标题;含\t分隔符")
    store.close()
    result = CliRunner().invoke(cli, ["search", "发展", "--db", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *records = split_like_calc(result.stdout_bytes.decode("utf-8"))
    assert len(records) == 1
    assert all(len(record) == len(header) for record in records), records


def test_cli_text_shows_controls_as_symbols(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = Store(path)
    for number, payload in enumerate(HOSTILE):
        store.documents.add(text=f"前{payload}发展{payload}后", title=f"t{number}")
    store.close()
    code, output = invoke("search", "發展", "--db", str(path))
    assert code == 0
    assert "\x1b" not in output and "\x07" not in output
    assert output.count("[发展]") == len(HOSTILE)


def test_cli_errors_and_empty_results(tmp_path: Path, db_path: Path, store: Store) -> None:
    assert invoke("search", "(", "--regex", "--db", str(db_path))[0] == 1
    code, output = invoke("search", "x", "--document", "没有这篇", "--db", str(db_path))
    assert code == 1 and "no document" in output
    assert invoke("search", "zzzq", "--db", str(db_path), "--count") == (0, "0\n")
    assert invoke("autocode", "zzzq", "--tag", "t", "--db", str(db_path))[0] == 0
    assert invoke("search", "x", "--db", str(tmp_path / "none.db"))[0] == 1
    code, output = invoke("search", "发展", "--db", str(db_path), "--document", "1", "--count")
    assert code == 0 and int(output) == count_matches(store, Query("发展"), documents=[1])


# Auto-coding ----------------------------------------------------------------------------------


def test_autocode_is_one_undoable_batch_and_skips_what_is_coded(corpus_db: Path) -> None:
    store = Store(corpus_db)
    before = store.gateway.one("select count(*) from annotations")[0]
    first = next(iter(search(store, Query("宝玉"))))
    store.annotations.create(first.document_id, first.start, first.end, tags=["人物"])
    manual = store.gateway.one("select count(*) from undo_log")[0]
    store.close()

    code, output = invoke("autocode", "寶玉", "--tag", "人物", "--db", str(corpus_db), "--dry-run")
    assert code == 0, output
    store = Store(corpus_db)
    total = count_matches(store, Query("宝玉"))
    assert store.gateway.one("select count(*) from annotations")[0] == before + 1
    assert f"Would create {total - 1} annotations tagged 人物 (1 skipped" in output

    code, output = invoke("autocode", "寶玉", "--tag", "人物", "--db", str(corpus_db))
    assert code == 0, output
    assert f"Created {total - 1} annotations tagged 人物 (1 skipped" in output
    coded = list(search(store, Query("宝玉"), tags=["人物"]))
    assert len(coded) == total
    assert store.gateway.one("select count(*) from annotations")[0] == before + total

    code, output = invoke("autocode", "宝玉", "--tag", "人物", "--db", str(corpus_db))
    assert f"Created 0 annotations tagged 人物 ({total} skipped" in output

    result = store.history.undo()
    assert result is not None and f"auto-coded {total - 1} passages" in result.description
    assert store.gateway.one("select count(*) from annotations")[0] == before + 1
    live = store.gateway.one("select count(*) from undo_log where undone = 0")[0]
    assert live == manual
    assert store.history.redo() is not None
    assert len(list(search(store, Query("宝玉"), tags=["人物"]))) == total
    store.history.undo()
    store.history.undo()  # the hand-made annotation, on its own
    assert store.gateway.one("select count(*) from annotations")[0] == before
    store.close()


def test_a_batch_longer_than_the_undo_limit_is_kept_whole(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.core.store import history as undo

    monkeypatch.setattr(undo, "UNDO_LIMIT", 10)
    document_id = store.documents.summaries()[0].id
    for offset in range(0, 12):
        store.annotations.create(document_id, offset, offset + 1)
    spans = [(m.document_id, m.start, m.end) for m in search(store, Query("的"))]
    assert len(spans) > 10
    created, skipped = store.annotations.autocode("的字", spans)
    assert (sum(created.values()), skipped) == (len(spans), 0)
    batch_rows = store.gateway.one("select count(*) from undo_log where batch is not null")
    assert batch_rows[0] == len(spans)
    store.annotations.create(document_id, 20, 22, tags=["later"])
    store.history.undo()  # the later one
    assert len(list(search(store, Query("的"), tags=["的字"]))) == len(spans)
    store.history.undo()  # the whole batch
    assert list(search(store, Query("的"), tags=["的字"])) == []
    assert store.history.redo() is not None
    assert len(list(search(store, Query("的"), tags=["的字"]))) == len(spans)


def test_the_in_process_cache_gives_the_same_results_and_follows_changes(corpus_db: Path) -> None:
    from reader.core.search import FoldedCache

    store = Store(corpus_db)
    cache = FoldedCache()
    for text in ("的", "寶玉", "哈哈", "林黛玉"):
        query = Query(text)
        assert list(search(store, query, cache=cache)) == list(search(store, query))
        assert count_matches(store, query, cache=cache) == count_matches(store, query)
    regex = Query("[寶宝]玉", regex=True)
    assert list(search(store, regex, cache=cache)) == list(search(store, regex))
    store.documents.add_version(4, text="新的發展", content_hash="new", title="changed")
    found = [(m.document_id, m.start) for m in search(store, Query("发展"), cache=cache)]
    assert (4, 2) in found
    assert found == [(m.document_id, m.start) for m in search(store, Query("发展"))]
    before = count_matches(store, Query("发展"), cache=cache)
    store.documents.add(text="发展", title="added")
    assert count_matches(store, Query("发展"), cache=cache) == before + 1
    store.close()


def test_cli_text_aligns_the_matches_and_limit_stops(corpus_db: Path) -> None:
    from rich.cells import cell_len

    db = str(corpus_db)
    code, output = invoke("search", "寶玉", "--db", db, "--limit", "7", "--context", "6")
    assert code == 0
    lines = [line for line in output.splitlines() if "[" in line]
    assert len(lines) == 7
    columns = {cell_len(line[: line.index("[")]) for line in lines}
    assert len(columns) == 1  # every match starts in the same terminal column
    assert all(line[line.index("[") + 1 : line.index("]")] in ("寶玉", "宝玉") for line in lines)
    assert invoke("search", "寶玉", "--db", str(corpus_db), "--limit", "7", "--count") == (0, "7\n")
