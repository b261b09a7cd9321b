"""The sample articles: import, metadata, storage round trip and CSV, on a real database file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import SIMPLIFIED_SEED, TRADITIONAL_SEED

from reader.cli import cli
from reader.core.convert import converter
from reader.core.export import COLUMNS, write_csv
from reader.core.store import Store


def test_seeds_are_the_shared_samples_byte_for_byte() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("no ../shared/seeds beside this clone to compare with")
    assert SIMPLIFIED_SEED.read_bytes() == (shared / "000_263324dbf14d665d.txt").read_bytes()
    assert TRADITIONAL_SEED.read_bytes() == (shared / "004_2b9d84f40eb78972.txt").read_bytes()


def test_samples_import_with_their_metadata(store: Store) -> None:
    documents = store.list_documents()
    assert [(d.title, d.published, d.source, d.script) for d in documents] == [
        ("【汽开区】长春国际汽车城党工委、管委会正式揭牌", "2021-09-29 08:13", "", "simplified"),
        (
            "長春汽開區:攜手中國一汽 共建現代化國際汽車城",
            "2020-01-13 14:25:37",
            "吉林日報",
            "traditional",
        ),
    ]
    stored = store.get_document(documents[0].id)
    assert stored.text == SIMPLIFIED_SEED.read_text(encoding="utf-8")
    assert len(stored.text) == 7588


def test_importing_the_samples_twice_adds_nothing(store: Store) -> None:
    from reader.core.library import import_seeds

    results = import_seeds(store)
    assert [r.created for r in results] == [False, False]
    assert store.document_count() == 2


def test_annotations_survive_reopening_the_file(store: Store, db_path: Path) -> None:
    document = store.list_documents()[0]
    text = store.get_document(document.id).text
    start = text.index("长春国际汽车城党工委")
    saved = store.create_annotation(
        document.id, start, start + 10, tags=["机构", "政策"], comment="新机构\n第二行"
    )
    store.close()

    reopened = Store(db_path)
    [again] = reopened.annotations_for(document.id)
    assert again == saved
    assert again.quote == "长春国际汽车城党工委"
    assert [t.name for t in again.tags] == ["政策", "机构"]
    assert again.comment == "新机构\n第二行"
    assert len({t.color for t in reopened.list_tags()}) == 2
    reopened.close()


def _annotate(store: Store) -> tuple[int, str]:
    document = store.list_documents()[0]
    text = store.get_document(document.id).text
    start = text.index("全局谋划")
    store.create_annotation(
        document.id, start, start + 4, tags=["规划"], comment='他说:"好",\n然后'
    )
    return document.id, text


def test_csv_parses_back_with_the_csv_module(store: Store) -> None:
    document_id, text = _annotate(store)
    out = io.StringIO(newline="")
    assert write_csv(store, out, script="s2twp") == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert list(rows[0]) == [*COLUMNS, "passage_converted"]
    row = rows[0]
    start, end = int(row["start"]), int(row["end"])
    assert row["passage"] == text[start:end] == "全局谋划"
    assert row["passage_converted"] == "全域性謀劃"
    assert row["comment"] == '他说:"好",\n然后'
    assert row["document_id"] == str(document_id)
    assert row["tags"] == "规划"


def test_reader_export_writes_a_file(store: Store, db_path: Path, tmp_path: Path) -> None:
    _annotate(store)
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["export", "--db", str(db_path), "-o", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["passage"] for row in rows] == ["全局谋划"]
    assert rows[0]["document_title"] == "【汽开区】长春国际汽车城党工委、管委会正式揭牌"


def test_reader_convert_matches_opencc() -> None:
    text = TRADITIONAL_SEED.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", "--config", "t2s", str(TRADITIONAL_SEED)])
    assert result.exit_code == 0
    assert result.output == converter("t2s").convert(text)
    assert "长春汽开区" in result.output
