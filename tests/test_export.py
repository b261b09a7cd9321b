"""CSV export: column order, formula neutralisation, --excel, filters, and the CLI."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import split_like_calc

from reader.cli import cli
from reader.core.export import (
    COLUMNS,
    find_documents,
    join_tags,
    neutralise,
    split_tags,
    unneutralise,
    write_csv,
)
from reader.core.store import Store


def export_rows(store: Store, **options: object) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    write_csv(store, out, **options)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


@pytest.fixture
def annotated(store: Store) -> Store:
    simplified, traditional = (d.id for d in store.list_documents())
    store.create_annotation(simplified, 100, 110, ["产业", "政策"], '=HYPERLINK("http://x")')
    store.create_annotation(simplified, 50, 60, ["人物"], '+1 多行\n评论, 含 "引号"')
    store.create_annotation(traditional, 200, 220, ["-負面"], "@SUM(A1)")
    store.create_annotation(traditional, 300, 320, [], "'已经有引号")
    store.create_annotation(traditional, 400, 420, ["产业"], "\t制表符开头")
    return store


def test_columns_and_order_are_kept(annotated: Store) -> None:
    out = io.StringIO(newline="")
    assert write_csv(annotated, out) == 5
    header, *rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert tuple(header) == COLUMNS
    keys = [(int(r[1]), int(r[4])) for r in rows]
    assert keys == sorted(keys)
    assert out.getvalue().count("\r\n") >= 6  # RFC 4180 line ends
    with_script = io.StringIO(newline="")
    write_csv(annotated, with_script, "s2t")  # the positional form still works
    header = next(csv.reader(io.StringIO(with_script.getvalue())))
    assert header == [*COLUMNS, "passage_converted"]


def test_formula_cells_are_neutralised(annotated: Store) -> None:
    rows = export_rows(annotated)
    comments = [row["comment"] for row in rows]
    assert '\'=HYPERLINK("http://x")' in comments
    assert '\'+1 多行\n评论, 含 "引号"' in comments
    assert "'@SUM(A1)" in comments
    assert "''已经有引号" in comments
    assert "'\t制表符开头" in comments
    assert "'-負面" in [row["tags"] for row in rows]
    annotated.set_tags(annotated.annotations_for(1)[0].id, ["#话题", "=公式", "'引号"])
    tags = export_rows(annotated, documents=[1])[0]["tags"]
    assert tags == "#话题; \\'引号; =公式"  # the guard is for the cell's start only
    assert split_tags(unneutralise(tags)) == ["#话题", "'引号", "=公式"]
    annotated.set_tags(annotated.annotations_for(1)[0].id, ["=公式", "-负面", "a; b"])
    tags = export_rows(annotated, documents=[1])[0]["tags"]
    assert tags == "'" + join_tags(sorted(["=公式", "-负面", "a; b"])) == "'-负面; =公式; a\\; b"
    for row in rows:
        for column in ("document_title", "passage", "tags", "comment"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_passage_text_is_exact_and_converted_column_neutralised(annotated: Store) -> None:
    document = annotated.get_document(annotated.list_documents()[0].id)
    rows = export_rows(annotated, script="s2t")
    first = next(row for row in rows if row["start"] == "50")
    assert unneutralise(first["passage"]) == document.text[50:60]
    assert first["passage_converted"]
    assert first["tags"] == "人物"
    tagged = next(row for row in rows if row["start"] == "100")
    assert tagged["tags"] == "产业; 政策"


@given(st.text(max_size=20))
def test_neutralise_is_reversible(cell: str) -> None:
    written = neutralise(cell)
    assert unneutralise(written) == cell
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_filters(annotated: Store) -> None:
    assert len(export_rows(annotated, tags=["产业"])) == 2
    assert len(export_rows(annotated, tags=["产业", "人物"])) == 3
    traditional = annotated.list_documents()[1]
    assert find_documents(annotated, str(traditional.id)) == [traditional.id]
    assert find_documents(annotated, traditional.title[2:8]) == [traditional.id]
    assert find_documents(annotated, "没有这个标题") == []
    only = export_rows(annotated, documents=[traditional.id])
    assert {row["document_id"] for row in only} == {str(traditional.id)}
    assert len(only) == 3
    assert len(export_rows(annotated, since="2000-01-01")) == 5
    assert export_rows(annotated, since="2999-01-01") == []
    annotated.db.execute("update annotations set updated_at = '2020-05-01T00:00:00+00:00'")
    annotated.set_comment(annotated.annotations_for(traditional.id)[0].id, "changed")
    assert len(export_rows(annotated, since="2021-01-01")) == 1


def test_cli_export_with_options(annotated: Store, db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["export", "--db", str(db_path), "-o", str(target), "--excel", "--tag", "产业"]
    )
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].split(b"\r\n", 1)[0].decode() == ",".join(f'"{c}"' for c in COLUMNS)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2
    assert not list(tmp_path.glob("*.partial"))
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", "-", "--document", "漢"])
    assert result.exit_code == 1 and "no document" in result.output
    result = runner.invoke(
        cli, ["export", "--db", str(db_path), "-o", "-", "--since", "2999-01-01"]
    )
    assert result.exit_code == 0 and result.output.strip() == ",".join(f'"{c}"' for c in COLUMNS)
    result = runner.invoke(cli, ["export", "--db", str(db_path), "--since", "yesterday"])
    assert result.exit_code == 2


tag_names = st.lists(
    st.text(min_size=1).map(str.strip).filter(bool), min_size=0, max_size=5, unique=True
)


@given(tag_names)
def test_any_tag_names_survive_the_tags_cell(names: list[str]) -> None:
    cell = neutralise(join_tags(names))
    assert split_tags(unneutralise(cell)) == names


def test_a_tag_with_the_separator_in_its_name_stays_one_tag() -> None:
    assert join_tags(["a; b", "c"]) == "a\\; b; c"
    assert split_tags(join_tags(["a; b", "c"])) == ["a; b", "c"]
    assert split_tags(join_tags(["'quoted", "back\\slash"])) == ["'quoted", "back\\slash"]


def test_every_row_keeps_its_cells_when_split_on_comma_semicolon_and_tab(
    annotated: Store,
) -> None:
    document = annotated.list_documents()[0].id
    annotated.create_annotation(document, 500, 510, ["政府机构", "经济发展"], "逗号,分号;制表\t符")
    annotated.create_annotation(document, 520, 530, ["a; b", "-负面"], "\t开头的制表符\n第二行")
    out = io.StringIO(newline="")
    write_csv(annotated, out, "s2t")
    written = out.getvalue()
    header, *records = split_like_calc(written)
    assert len(header) == len(COLUMNS) + 1 and len(records) == 7
    assert all(len(record) == len(header) for record in records), records
    # The cells are exactly what the csv module reads.
    assert [header, *records] == list(csv.reader(io.StringIO(written, newline="")))
    assert "政府机构; 经济发展" in [record[COLUMNS.index("tags")] for record in records]
    # Numbers bare, text quoted.
    for line in written.split("\r\n")[1:2]:
        assert re.match(r'\d+,\d+,"[^"]', line), line
    # The splitter does catch what unquoted text did: the old writer's rows slid.
    old = io.StringIO(newline="")
    csv.writer(old, lineterminator="\r\n").writerows(
        csv.reader(io.StringIO(written, newline=""))
    )
    assert any(len(record) != len(header) for record in split_like_calc(old.getvalue()))


def test_pandas_reads_numbers_as_numbers_and_text_as_before(annotated: Store) -> None:
    import pandas as pd

    out = io.StringIO(newline="")
    write_csv(annotated, out)
    frame = pd.read_csv(io.StringIO(out.getvalue()), keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["annotation_id"].dtype.kind == "i" and frame["start"].dtype.kind == "i"
    comments = {unneutralise(value) for value in frame["comment"]}
    assert '+1 多行\n评论, 含 "引号"' in comments and "\t制表符开头" in comments


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(min_size=1).map(str.strip).filter(lambda n: n and "\x00" not in n),
                min_size=1, max_size=4, unique=True))  # fmt: skip
def test_the_sql_tags_cell_is_neutralise_of_join_tags(annotated: Store, names: list[str]) -> None:
    annotation = annotated.annotations_for(annotated.list_documents()[0].id)[0]
    annotated.set_tags(annotation.id, names)
    [row] = [r for r in export_rows(annotated) if r["annotation_id"] == str(annotation.id)]
    assert row["tags"] == neutralise(join_tags(sorted(names)))
    assert split_tags(unneutralise(row["tags"])) == sorted(names)
