"""W3C Web Annotation export: the shape the Web Annotation Data Model requires.

Each MUST of the model for the parts we write is a check in ``check_collection`` below
(the collection, its page, each annotation, its bodies, its target and selectors), run on
annotations made on the real sample with the real store; offsets are checked against the
text in code points and, for the extension, in UTF-16 code units as JavaScript counts them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from payloads import ALL

from reader.core.project import read_project
from reader.core.store import Store
from reader.core.w3c import ANNO_CONTEXT, collection, export_w3c, utf16_offset

IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
PURPOSES = {
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
    "highlighting", "identifying", "linking", "moderating", "questioning", "replying",
    "tagging",
}  # fmt: skip


def check_collection(data: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    """Assert the model's required fields; returns the annotations."""
    context = data["@context"]
    assert context == ANNO_CONTEXT or context[0] == ANNO_CONTEXT  # the model's context first
    assert IRI.match(data["id"])
    assert data["type"] == "AnnotationCollection"
    page = data["first"]
    assert IRI.match(page["id"]) and page["type"] == "AnnotationPage"
    assert page["partOf"] == data["id"] and page["startIndex"] == 0
    items = page["items"]
    assert isinstance(items, list) and data["total"] == len(items)
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids)
    for item in items:
        assert IRI.match(item["id"]) and item["type"] == "Annotation"
        assert "@context" not in item  # inherited from the collection
        for key in ("created", "modified"):
            assert key not in item or DATETIME.match(item[key])
        for body in item.get("body", []):
            assert body["type"] == "TextualBody"
            assert isinstance(body["value"], str)
            assert body["purpose"] in PURPOSES
        target = item["target"]
        assert IRI.match(target["source"])
        selectors = target["selector"]
        selectors = selectors if isinstance(selectors, list) else [selectors]
        by_type = {selector["type"]: selector for selector in selectors}
        assert set(by_type) <= {"TextQuoteSelector", "TextPositionSelector"}
        quote = by_type["TextQuoteSelector"]
        assert isinstance(quote["exact"], str) and quote["exact"]
        if "TextPositionSelector" in by_type:
            position = by_type["TextPositionSelector"]
            text = texts[target["source"]]
            start, end = position["start"], position["end"]
            assert isinstance(start, int) and isinstance(end, int) and 0 <= start <= end
            assert text[start:end] == quote["exact"]  # code points, as the model says
            assert text[:start].endswith(quote["prefix"])
            assert text[end:].startswith(quote["suffix"])
            units = text.encode("utf-16-le")  # what a JavaScript string indexes
            a, b = position["utf16Start"], position["utf16End"]
            assert units[2 * a : 2 * b].decode("utf-16-le") == quote["exact"]
    return items


@pytest.fixture
def annotated(store: Store, simplified_text: str) -> Store:
    text = simplified_text
    first = text.index("长春国际汽车城")
    store.annotations.create(1, first, first + 7, ["机构", "地名"], "第一次出现")
    store.annotations.create(1, text.index("揭牌"), text.index("揭牌") + 2, ["事件"])
    store.annotations.create(1, 0, 3, [], "")  # neither tag nor comment: no body
    store.annotations.create(2, 5, 9, ["繁體"], ALL[0] + ALL[-1])
    return store


def test_the_collection_has_the_models_required_shape(annotated: Store) -> None:
    project = read_project(annotated)
    data = collection(project)
    texts = {f"urn:x-reader:document/{i}": d.text for i, d in project.documents.items()}
    items = check_collection(data, texts)
    assert len(items) == 4
    first = next(i for i in items if i["target"]["selector"][0]["exact"] == "长春国际汽车城")
    assert [b["value"] for b in first["body"] if b["purpose"] == "tagging"] == ["地名", "机构"]
    assert [b["value"] for b in first["body"] if b["purpose"] == "commenting"] == ["第一次出现"]
    assert "body" not in next(i for i in items if i["target"]["selector"][0]["exact"] == "无障碍")
    # The creator is the coder: a Person with an IRI (the name percent-encoded) and a name.
    assert first["creator"] == {
        "id": f"urn:x-reader:coder/{quote(annotated.coder, safe='')}",
        "type": "Person",
        "name": annotated.coder,
    }


@pytest.mark.sqlite_only  # coders by name: on PostgreSQL the coder is the role
def test_each_annotation_is_created_by_its_own_coder(store: Store, tmp_path: Path) -> None:
    other = Store(store.target, coder="李 四/x")
    other.annotations.create(1, 0, 3, ["甲"])
    other.close()
    store.annotations.create(1, 5, 9, ["乙"])
    target = tmp_path / "coded.jsonld"
    export_w3c(store, target)
    items = json.loads(target.read_text(encoding="utf-8"))["first"]["items"]
    creators = {item["target"]["selector"][0]["exact"]: item["creator"] for item in items}
    text = store.documents.get(1).text
    assert creators[text[0:3]] == {
        "id": "urn:x-reader:coder/%E6%9D%8E%20%E5%9B%9B%2Fx",
        "type": "Person",
        "name": "李 四/x",
    }
    assert creators[text[5:9]]["name"] == store.coder
    only = tmp_path / "only.jsonld"
    assert export_w3c(store, only, coders=["李 四/x"]) == 1


def test_the_file_is_json_ld_with_the_same_content(annotated: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonld"
    count = export_w3c(annotated, target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert count == data["total"] == 4
    project = read_project(annotated)
    expected = collection(project, label=data["label"])
    assert data == expected
    assert "长春国际汽车城" in target.read_text(encoding="utf-8")  # not \\u-escaped
    # control characters in a comment come back exactly (JSON escapes them)
    comments = [b["value"] for i in data["first"]["items"] for b in i.get("body", [])]
    assert ALL[0] + ALL[-1] in comments


def test_utf16_offsets_count_astral_characters_twice(store: Store) -> None:
    text = "𠀀甲😀乙丙"
    document = store.documents.add(text=text, title="astral")
    store.annotations.create(document, 2, 5, ["x"])  # 😀乙丙
    project = read_project(store, documents=[document])
    (item,) = check_collection(collection(project), {f"urn:x-reader:document/{document}": text})
    position = item["target"]["selector"][1]
    assert (position["start"], position["end"]) == (2, 5)
    assert (position["utf16Start"], position["utf16End"]) == (3, 7)
    assert utf16_offset(text, 5) == len(text.encode("utf-16-le")) // 2


def test_an_orphan_keeps_only_its_quote(store: Store, simplified_text: str) -> None:
    start = simplified_text.index("揭牌")
    store.annotations.create(1, start, start + 2, ["事件"])
    store.documents.add_version(1, text="全新的文本。", content_hash="changed", title="changed")
    (annotation,) = store.annotations.for_document(1)
    assert annotation.status == "orphan"
    data = collection(read_project(store, documents=[1]))
    (item,) = check_collection(data, {})
    assert item["target"]["selector"] == {"type": "TextQuoteSelector", "exact": "揭牌"}


def test_filters_are_the_csv_exports(annotated: Store) -> None:
    project = read_project(annotated, tags=["事件"])
    assert [a.quote for a in project.annotations] == ["揭牌"]
    assert list(project.documents) == [1]
    assert len(read_project(annotated, documents=[2]).annotations) == 1


def test_cli_export_format_w3c(annotated: Store, db_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reader.cli import cli

    runner = CliRunner()
    target = tmp_path / "coded.jsonld"  # the ending chooses the format
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == 4
    result = runner.invoke(
        cli, ["export", "--db", str(db_path), "--format", "w3c", "--tag", "事件", "-o", "-"]
    )
    data = json.loads(result.stdout)
    assert [b["value"] for i in data["first"]["items"] for b in i["body"]] == ["事件"]
    result = runner.invoke(
        cli, ["export", "--db", str(db_path), "--format", "w3c", "--script", "s2t", "-o", "-"]
    )
    assert result.exit_code == 2 and "--script is for csv and xlsx" in result.output
