"""`reader codebook`: the codebook listed and exported (text, CSV, .qdc), and imported back."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from payloads import ALL
from support import ROOT

from reader.cli import cli
from reader.core.codebook_file import CSV_COLUMNS, read_codebook
from reader.core.display import CONTROL
from reader.core.importing import import_seeds
from reader.core.store import Store

SCHEMAS = ROOT / "tests" / "data" / "refi-qda"
FOREIGN = SCHEMAS / "foreign-codebook.qdc"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def codebook_xsd() -> etree.XMLSchema:
    path = SCHEMAS / "Codebook.xsd"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return etree.XMLSchema(etree.parse(str(path)))


def tree(store: Store) -> list[tuple]:
    """The codebook as a user knows it: names, parents by name, colours, texts, in order."""
    codes = store.codebook.codes()
    names = {code.id: code.name for code in codes}
    return [
        (c.name, names.get(c.parent_id) if c.parent_id else None, c.color, c.description, c.depth)
        for c in codes
    ]


@pytest.fixture
def study(store: Store, db_path: Path) -> Path:
    """The samples coded with a three-level codebook, descriptions, a memo, a hostile name."""
    first, second = (d.id for d in store.documents.summaries())
    store.annotations.create(first, 0, 4, ["汽车", "地名"])
    store.annotations.create(first, 10, 20, ["产业"])
    store.annotations.create(second, 5, 9, ["汽车"])
    store.annotations.create(second, 30, 35, ["=SUM(A1)"])
    economy = store.tags.ensure_tag("经济").id
    industry = store.codebook.find("产业") or 0
    store.codebook.move(industry, economy)
    store.codebook.move(store.codebook.find("汽车") or 0, industry)
    store.codebook.describe(economy, "The economy,\nin two lines.")
    store.codebook.describe(industry, '\'quoted, "and" more')
    store.codebook.set_memo(economy, "memo: 经济 needs a second pass")
    store.codebook.recolor(store.codebook.find("地名") or 0, "#123456")
    store.close()
    return db_path


def test_text_lists_the_tree_with_colours_counts_and_descriptions(study: Path) -> None:
    code, out, _ = run("codebook", "--db", study)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("=SUM(A1)  #")
    assert lines[1] == "地名  #123456  1 passage in 1 document"
    assert lines[2].startswith("经济  #") and lines[2].endswith("— The economy,")
    assert lines[3].startswith("  产业  #") and "1 passage in 1 document" in lines[3]
    assert lines[4].startswith("    汽车  #") and "2 passages in 2 documents" in lines[4]


def test_csv_has_the_columns_the_counts_and_the_export_safety(study: Path, tmp_path: Path) -> None:
    target = tmp_path / "codes.csv"
    code, _, err = run("codebook", "--db", study, "-o", target)
    assert code == 0 and "Wrote 5 codes" in err
    raw = target.read_bytes()
    assert raw.startswith(
        b'"name","parent","color","description","passages","documents","memo"\r\n'
    )
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_name = {row["name"]: row for row in rows}
    assert "'=SUM(A1)" in by_name  # the formula guard, as reader export writes it
    assert by_name["汽车"]["parent"] == "产业" and by_name["产业"]["parent"] == "经济"
    assert by_name["经济"]["description"] == "The economy,\nin two lines."
    assert by_name["产业"]["description"] == "''quoted, \"and\" more"
    assert by_name["经济"]["memo"] == "memo: 经济 needs a second pass"
    assert by_name["地名"]["color"] == "#123456"
    # The counts, against an independent computation from `reader export`'s CSV.
    exported = tmp_path / "annotations.csv"
    assert run("export", "--db", study, "-o", exported)[0] == 0
    passages: dict[str, int] = {}
    documents: dict[str, set[str]] = {}
    with exported.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in row["tags"].split("; "):
                passages[name] = passages.get(name, 0) + 1
                documents.setdefault(name, set()).add(row["document_id"])
    for name, row in by_name.items():
        assert int(row["passages"]) == passages.get(name, 0)
        assert int(row["documents"]) == len(documents.get(name, ()))


def test_qdc_validates_against_the_schema_and_round_trips(study: Path, tmp_path: Path) -> None:
    target = tmp_path / "codes.qdc"
    assert run("codebook", "--db", study, "--format", "qdc", "-o", target)[0] == 0
    validator = codebook_xsd()
    assert validator.validate(etree.parse(str(target))), validator.error_log
    elsewhere = tmp_path / "elsewhere.db"
    code, _, err = run("codebook", "import", target, "--db", elsewhere)
    assert code == 0, err
    assert "5 codes added" in err
    original, imported = Store(study), Store(elsewhere)
    assert tree(imported) == tree(original)
    original.close()
    imported.close()


def test_csv_round_trips_memos_too_and_a_second_import_changes_nothing(
    study: Path, tmp_path: Path
) -> None:
    target = tmp_path / "codes.csv"
    run("codebook", "--db", study, "--format", "csv", "-o", target)
    elsewhere = tmp_path / "elsewhere.db"
    assert run("codebook", "import", target, "--db", elsewhere)[0] == 0
    original, imported = Store(study), Store(elsewhere)
    assert tree(imported) == tree(original)
    assert [c.memo for c in imported.codebook.codes()] == [
        c.memo for c in original.codebook.codes()
    ]
    original.close()
    imported.close()
    code, _, err = run("codebook", "import", target, "--db", elsewhere)
    assert code == 0 and "0 codes added, 0 changed, 5 already" in err


def test_a_codebook_written_by_another_tool_imports(tmp_path: Path) -> None:
    validator = codebook_xsd()
    assert validator.validate(etree.parse(str(FOREIGN))), "the fixture itself is valid QDA-XML"
    db = tmp_path / "study.db"
    code, _, err = run("codebook", "import", FOREIGN, "--db", db)
    assert code == 0, err
    assert "“其他” under “政策” is imported as “政策/其他”" in err
    store = Store(db)
    assert tree(store) == [
        ("地名", None, "#e377c2", "", 0),
        ("政策", None, "#9467bd", "Government policy, plans and programmes (振兴东北).", 0),
        ("中央政策", "政策", "#8c564b", "", 1),
        (
            "政策/其他",
            "政策",
            store.codebook.get(store.codebook.find("政策/其他") or 0).color,
            "",
            1,
        ),
        (
            "经济发展",
            None,
            "#1f77b4",
            "Passages about the economy of the north-east.\nCode the whole sentence.",
            0,
        ),
        ("投资", "经济发展", "#d62728", "", 1),
        ("汽车产业", "经济发展", "#ff7f0e", "整车、零部件与配套企业。", 1),
        ("其他", "汽车产业", "#999999", "", 2),  # #999 widened
        ("新能源汽车", "汽车产业", "#2ca02c", "", 2),
    ]
    store.close()


def test_import_merges_by_name_keeping_passages_and_is_one_undo(
    study: Path, tmp_path: Path
) -> None:
    before = Store(study)
    cars = before.codebook.get(before.codebook.find("汽车") or 0)
    state = tree(before)
    before.close()
    mine = tmp_path / "mine.csv"
    mine.write_text(
        "name,parent,color,description\n"
        "汽车,,#abcdef,Cars and their makers\n"
        "新代码,汽车,,\n"
        "地名,,,\n",
        encoding="utf-8",
    )
    code, _, err = run("codebook", "import", mine, "--db", study)
    assert code == 0 and "1 codes added, 1 changed, 1 already" in err
    store = Store(study)
    merged = store.codebook.get(cars.id)
    assert (merged.parent_id, merged.color, merged.description) == (
        None,
        "#abcdef",
        "Cars and their makers",
    )
    assert merged.passages == cars.passages == 2
    assert store.codebook.get(store.codebook.find("新代码") or 0).parent_id == cars.id
    assert store.codebook.get(store.codebook.find("地名") or 0).color == "#123456"  # kept
    result = store.history.undo()
    assert result is not None and result.action == "import_codes"
    assert tree(store) == state
    store.close()


HOSTILE = {
    "billion-laughs.qdc": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2'
        ' "&lol;&lol;&lol;">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="00000000-0000-0000-0000-000000000000" name="&lol2;" isCodable="true"/>'
        "</Codes></CodeBook>",
        "DOCTYPE",
    ),
    "external.qdc": (
        '<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><CodeBook/>',
        "DOCTYPE",
    ),
    "broken.qdc": ("<CodeBook><Codes><Code name='a'>", "not well-formed"),
    "project.qdc": ('<Project xmlns="urn:QDA-XML:project:1.0"/>', "import-project"),
    "blank.qdc": (
        '<CodeBook><Codes><Code guid="x" name="  " isCodable="true"/></Codes></CodeBook>',
        "blank",
    ),
    "long.qdc": (
        f'<CodeBook><Codes><Code guid="x" name="{"长" * 600}" isCodable="true"/></Codes>'
        "</CodeBook>",
        "600 characters",
    ),
    "noname.csv": ("code,colour\n产业,#ffffff\n", "no “name” column"),
    "twice.csv": ("name\n产业\n政策\n产业\n", "listed twice (also on line 2)"),
    "colour.csv": ("name,color\n产业,red; bold blink\n", "not a colour"),
    "circle.csv": ("name,parent\nA,B\nB,C\nC,A\n", "circle"),
    "self.csv": ("name,parent\nA,A\n", "own parent"),
    "orphan.csv": ("name,parent\nA,不存在\n", "neither in orphan.csv nor here"),
    "quote.csv": ('name\n"unterminated\n', "line"),
    "codes.txt": ("name\nA\n", ".csv"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_file_that_is_not_a_codebook_is_refused_and_nothing_changes(
    study: Path, tmp_path: Path, name: str
) -> None:
    content, message = HOSTILE[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    store = Store(study)
    state = tree(store)
    store.close()
    code, _, err = run("codebook", "import", path, "--db", study)
    assert code == 1
    assert message in err, err
    assert err.count("\n") == 1  # one line
    store = Store(study)
    assert tree(store) == state
    store.close()


def test_not_utf8_is_refused_with_the_byte(study: Path, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("name\n产业\n".encode("gbk"))
    code, _, err = run("codebook", "import", path, "--db", study)
    assert code == 1 and "not UTF-8" in err


@pytest.mark.parametrize("payload", ALL)
def test_hostile_names_list_as_visible_text_and_round_trip(tmp_path: Path, payload: str) -> None:
    db = tmp_path / "x.db"
    store = Store(db)
    import_seeds(store)
    name = payload.strip() or "blank"
    store.annotations.create(store.documents.summaries()[0].id, 0, 4, [name])
    store.codebook.describe(store.codebook.find(name) or 0, payload)
    store.close()
    code, out, _ = run("codebook", "--db", db)
    assert code == 0 and CONTROL.search(out) is None
    target = tmp_path / "x.csv"
    assert run("codebook", "--db", db, "-o", target)[0] == 0
    read = read_codebook(target)
    assert [(c.name, c.description) for c in read.codes] == [(name, payload or None)]


def test_a_qdpx_project_carries_the_tree_descriptions_and_document_memos(
    study: Path, tmp_path: Path
) -> None:
    store = Store(study)
    document = store.documents.summaries()[0].id
    store.codebook.set_document_memo(document, "文档备忘：第二遍再读")
    expected = tree(store)
    title = store.documents.get(document).title
    store.close()
    archive = tmp_path / "study.qdpx"
    assert run("export", "--db", study, "-o", archive)[0] == 0
    with zipfile.ZipFile(archive) as opened:
        xml = opened.read("project.qde")
    path = SCHEMAS / "Project.xsd"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    validator = etree.XMLSchema(etree.parse(str(path)))
    assert validator.validate(etree.fromstring(xml)), validator.error_log
    elsewhere = tmp_path / "elsewhere.db"
    code, _, err = run("import-project", archive, "--db", elsewhere)
    assert code == 0, err
    imported = Store(elsewhere)
    assert tree(imported) == expected
    (copy,) = [d.id for d in imported.documents.summaries() if d.title == title]
    assert imported.codebook.document_memo(copy) == "文档备忘：第二遍再读"
    assert not imported.history.can_undo()  # a project import is not an undoable step
    imported.close()
