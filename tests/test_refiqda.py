"""REFI-QDA: .qdpx export validates against the standard's Project.xsd and round-trips;
a project written by another tool (built from the schema, validated against it) imports.

tests/data/refi-qda/ holds REFI's Project.xsd (MIT, its notice inside) and Codebook.xsd.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from payloads import CONTROLS
from support import ROOT

from reader.cli import cli
from reader.core.documents import content_hash
from reader.core.project import read_project
from reader.core.refiqda import (
    PROJECT_NS,
    CodeEntry,
    codebook_xml,
    export_qdpx,
    import_qdpx,
    read_qdpx,
)
from reader.core.store import Store, StoreError

SCHEMAS = ROOT / "tests" / "data" / "refi-qda"
NS = {"q": PROJECT_NS}


def schema(name: str) -> etree.XMLSchema:
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(xml: bytes, xsd: str = "Project.xsd") -> etree._Element:
    validator = schema(xsd)
    document = etree.fromstring(xml)
    assert validator.validate(document), validator.error_log
    return document


@pytest.fixture
def annotated(store: Store, simplified_text: str) -> Store:
    text = simplified_text
    city = text.index("长春国际汽车城")
    unveil = text.index("揭牌成立")
    store.annotations.create(1, city, city + 7, ["机构", "地名"], "第一次出现\n第二行")
    store.annotations.create(1, unveil, unveil + 4, ["事件"])
    store.annotations.create(1, city, city + 4, ["地名"])  # nested in the first
    store.annotations.create(1, 0, 3, [])  # no code at all
    store.annotations.create(2, 10, 20, ["繁體", "=公式"], CONTROLS[0])
    return store


def test_the_export_validates_and_holds_everything(annotated: Store, tmp_path: Path) -> None:
    target = tmp_path / "project.qdpx"
    count = export_qdpx(annotated, target)
    assert count == 5
    with zipfile.ZipFile(target) as archive:
        root = assert_valid(archive.read("project.qde"))
        sources = root.findall("q:Sources/q:TextSource", NS)
        assert len(sources) == 2
        for source, document_id in zip(sources, (1, 2), strict=True):
            document = annotated.documents.get(document_id)
            assert source.get("name") == document.title
            member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
            assert archive.read(member).decode("utf-8") == document.text
            selections = source.findall("q:PlainTextSelection", NS)
            spans = sorted(
                (int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections
            )
            assert spans == sorted(
                (a.start, a.end) for a in annotated.annotations.for_document(document_id)
            )
    codes = {c.get("name"): c.get("color") for c in root.iter(f"{{{PROJECT_NS}}}Code")}
    assert codes == {t.name: t.color for t in annotated.tags.all()}
    (user,) = root.findall("q:Users/q:User", NS)
    assert user.get("name") == annotated.coder
    assert all(
        s.get("creatingUser") == user.get("guid")
        for s in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    )
    notes = root.findall("q:Notes/q:Note", NS)
    assert len(notes) == 2
    # the same project exported twice: the same GUIDs
    again = tmp_path / "again.qdpx"
    export_qdpx(annotated, again)
    with zipfile.ZipFile(again) as archive:
        guids = [e.get("guid") for e in etree.fromstring(archive.read("project.qde")).iter()]
    assert guids == [e.get("guid") for e in root.iter()]


def annotation_state(store: Store) -> list[tuple]:
    texts = {}
    rows = []
    for a in store.annotations.all():
        if a.document_id not in texts:
            texts[a.document_id] = store.documents.get(a.document_id)
        document = texts[a.document_id]
        rows.append(
            (content_hash(document.text), document.title, a.start, a.end, a.quote,
             tuple(sorted(t.name for t in a.tags)), a.comment, a.created_at, a.coder)
        )  # fmt: skip
    return sorted(rows)


def test_our_own_project_round_trips(annotated: Store, tmp_path: Path) -> None:
    archive = tmp_path / "project.qdpx"
    export_qdpx(annotated, archive)
    restored = Store(tmp_path / "restored.db", coder="not-the-coder")
    report = import_qdpx(restored, archive)
    assert (report.documents_added, report.annotations_added, report.skipped) == (2, 5, [])
    assert annotation_state(restored) == annotation_state(annotated)
    assert {(t.name, t.color) for t in restored.tags.all()} == {
        (t.name, t.color) for t in annotated.tags.all()
    }
    for before, after in zip(
        annotated.documents.summaries(), restored.documents.summaries(), strict=True
    ):
        old, new = annotated.documents.get(before.id), restored.documents.get(after.id)
        assert (new.text, new.title, new.source, new.published, new.author) == (
            old.text, old.title, old.source, old.published, old.author
        )  # fmt: skip
    # twice adds nothing, and into the database it came from adds nothing either
    again = import_qdpx(restored, archive)
    assert (again.documents_added, again.annotations_added) == (0, 0)
    assert again.annotations_present == 5
    home = import_qdpx(annotated, archive)
    assert (home.documents_added, home.annotations_added) == (0, 0)
    restored.close()


OTHER_TOOL_TEXT = "第一段：长春国际汽车城揭牌。\r\n第二段：𠀀字与汽车产业。\r\n"
"""A text as a Windows tool saves it: CRLF, an Extension B character (one code point)."""


def other_tool_project() -> bytes:
    """A project as QualCoder or MAXQDA write one: nested codes with three-digit colours, two
    users, a memo as a Description and one as a Note, a source inside the XML and one as a
    file, a picture source, a coding of a whole source, a selection past the end."""
    u1, u2 = "9D1C3C6B-5A1B-4C77-9F0E-000000000001", "9D1C3C6B-5A1B-4C77-9F0E-000000000002"
    parent, child, other = (f"C0DE0000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="访谈项目" origin="MAXQDA 2022"
         creatingUserGUID="{u1}" creationDateTime="2024-03-01T08:00:00Z">
  <Users>
    <User guid="{u1}" name="李明"/>
    <User guid="{u2}" name="Anna"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{parent}" name="经济" isCodable="true" color="#F00">
      <Description>关于经济的段落</Description>
      <Code guid="{child}" name="汽车产业" isCodable="true" color="#00aa55"/>
    </Code>
    <Code guid="{other}" name="地点" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="5A000000-0000-4000-8000-000000000001" name="访谈一"
                plainTextPath="internal://5A000000-0000-4000-8000-000000000001.txt"
                creatingUser="{u1}" creationDateTime="2024-03-01T08:00:00Z">
      <PlainTextSelection guid="5E000000-0000-4000-8000-000000000001" name="长春国际汽车城"
          startPosition="4" endPosition="11" creatingUser="{u1}"
          creationDateTime="2024-03-02T09:30:00Z">
        <Description>地名，也是机构</Description>
        <Coding guid="C1000000-0000-4000-8000-000000000001" creatingUser="{u1}">
          <CodeRef targetGUID="{other}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E000000-0000-4000-8000-000000000002" name="𠀀字与汽车产业"
          startPosition="20" endPosition="27" creatingUser="{u2}"
          creationDateTime="2024-03-03T10:00:00+08:00">
        <Coding guid="C1000000-0000-4000-8000-000000000002" creatingUser="{u2}">
          <CodeRef targetGUID="{child}"/>
        </Coding>
        <Coding guid="C1000000-0000-4000-8000-000000000003" creatingUser="{u2}">
          <CodeRef targetGUID="{parent}"/>
        </Coding>
        <NoteRef targetGUID="0E000000-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="5E000000-0000-4000-8000-000000000003" startPosition="90"
          endPosition="95"/>
      <Coding guid="C1000000-0000-4000-8000-000000000004"><CodeRef targetGUID="{parent}"/></Coding>
    </TextSource>
    <TextSource guid="5A000000-0000-4000-8000-000000000002" name="备忘">
      <PlainTextContent>只在XML里的文本。</PlainTextContent>
      <PlainTextSelection guid="5E000000-0000-4000-8000-000000000004" startPosition="2"
          endPosition="5"><Coding guid="C1000000-0000-4000-8000-000000000005">
          <CodeRef targetGUID="{other}"/></Coding></PlainTextSelection>
    </TextSource>
    <PictureSource guid="5A000000-0000-4000-8000-000000000003" name="照片"
                   path="internal://photo.jpg"/>
  </Sources>
  <Notes>
    <Note guid="0E000000-0000-4000-8000-000000000001" name="备注" creatingUser="{u2}">
      <PlainTextContent>Anna 的备注</PlainTextContent>
    </Note>
  </Notes>
</Project>
""".encode()


def test_a_project_from_another_tool_imports(tmp_path: Path) -> None:
    xml = other_tool_project()
    assert_valid(xml)  # it is what the schema allows
    archive = tmp_path / "other.qdpx"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("project.qde", xml)
        out.writestr(
            "sources/5A000000-0000-4000-8000-000000000001.txt",
            "\ufeff".encode() + OTHER_TOOL_TEXT.encode("utf-8"),
        )
    project = read_qdpx(archive)
    assert project.users == {
        "9D1C3C6B-5A1B-4C77-9F0E-000000000001": "李明",
        "9D1C3C6B-5A1B-4C77-9F0E-000000000002": "Anna",
    }
    assert [(c.name, c.color, c.parent) for c in project.codes] == [
        ("经济", "#ff0000", None), ("汽车产业", "#00aa55", "经济"), ("地点", None, None)
    ]  # fmt: skip
    store = Store(tmp_path / "other.db")
    report = import_qdpx(store, archive)
    assert report.documents_added == 2 and report.annotations_added == 3
    assert (
        len(report.skipped) == 3
    )  # the picture, the whole-source coding, the selection past the end
    assert any("PictureSource" in line for line in report.skipped)
    first = store.documents.get(1)
    assert first.text == OTHER_TOOL_TEXT.replace("\r\n", "\n") and first.title == "访谈一"
    annotations = store.annotations.for_document(1)
    assert [(a.quote, [t.name for t in a.tags], a.comment) for a in annotations] == [
        ("长春国际汽车城", ["地点"], "地名，也是机构"),
        ("𠀀字与汽车产业", ["汽车产业", "经济"], "Anna 的备注"),
    ]  # positions 20-27 count the CR before the first LF, and 𠀀 as one character
    assert annotations[1].created_at == "2024-03-03T02:00:00+00:00"
    assert [a.coder for a in annotations] == ["李明", "Anna"]  # each selection's creatingUser
    (inline,) = store.annotations.for_document(2)
    assert inline.quote == "XML"
    assert inline.coder == store.coder  # a selection naming no user: the importing coder
    colours = {t.name: t.color for t in store.tags.all()}
    assert colours["经济"] == "#ff0000" and colours["汽车产业"] == "#00aa55"
    assert import_qdpx(store, archive).annotations_added == 0
    store.close()


def test_the_codebook_part_writes_a_valid_qdc_with_hierarchy() -> None:
    codes = [
        CodeEntry("经济", "#f4d35e", "关于经济"),
        CodeEntry("汽车产业", "#8ecae6", parent="经济"),
        CodeEntry("孤儿", parent="不存在的上级"),
        CodeEntry("甲", parent="乙"),
        CodeEntry("乙", parent="甲"),  # a cycle: still every code, once
    ]
    root = assert_valid(codebook_xml(codes), "Codebook.xsd")
    ns = "{urn:QDA-XML:codebook:1.0}"
    names = [c.get("name") for c in root.iter(f"{ns}Code")]
    assert sorted(names) == sorted(c.name for c in codes)
    (economy,) = [c for c in root.iter(f"{ns}Code") if c.get("name") == "经济"]
    assert [c.get("name") for c in economy.findall(f"{ns}Code")] == ["汽车产业"]


def test_cli_import_project_and_what_it_prints(annotated: Store, tmp_path: Path) -> None:
    archive = tmp_path / "p.qdpx"
    export_qdpx(annotated, archive)
    result = CliRunner().invoke(
        cli, ["import-project", str(archive), "--db", str(tmp_path / "new.db")]
    )
    assert result.exit_code == 0, result.output
    assert "2 documents added" in result.output and "5 annotations added" in result.output
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(
        cli, ["import-project", str(broken), "--db", str(tmp_path / "x.db")]
    )
    assert (result.exit_code == 1 and "damaged" in result.output) or "not" in result.output


def test_a_comment_xml_cannot_hold_comes_back_whole(annotated: Store, tmp_path: Path) -> None:
    archive = tmp_path / "p.qdpx"
    export_qdpx(annotated, archive)
    with zipfile.ZipFile(archive) as opened:
        assert_valid(opened.read("project.qde"))
    restored = Store(tmp_path / "r.db")
    import_qdpx(restored, archive)
    assert CONTROLS[0] in [a.comment for a in restored.annotations.all()]
    restored.close()


def test_filters_limit_the_archive(annotated: Store, tmp_path: Path) -> None:
    project = read_project(annotated, tags=["事件"])
    assert len(project.annotations) == 1 and list(project.documents) == [1]
    target = tmp_path / "one.qdpx"
    assert export_qdpx(annotated, target, tags=["事件"]) == 1


def deep_project(depth: int) -> str:
    opening = "".join(
        f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c{i}" isCodable="true"><!-- x -->'
        for i in range(depth)
    )
    return (
        f'<?xml version="1.0"?><Project xmlns="{PROJECT_NS}" name="深"><CodeBook><Codes>{opening}'
        + "</Code>" * depth
        + "</Codes></CodeBook></Project>"
    )


def test_hostile_structure_is_data(tmp_path: Path) -> None:
    """Codes nested deeper than Python's recursion limit, comments between elements: read
    without recursion errors; deeper than libxml2 allows, or with a DOCTYPE (entities that
    could expand without end), refused with one sentence."""
    path = tmp_path / "deep.qde"
    path.write_text(deep_project(1500), encoding="utf-8")
    project = read_qdpx(path)
    assert len(project.codes) == 1500
    assert project.codes[-1].parent == "c1498"
    laughs = '<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    path.write_text(f'<?xml version="1.0"?>{laughs}<Project name="&b;"/>', encoding="utf-8")
    with pytest.raises(StoreError, match="DOCTYPE"):
        read_qdpx(path)
    path.write_text(deep_project(5000), encoding="utf-8")
    with pytest.raises(StoreError, match="not well-formed XML"):
        read_qdpx(path)


def test_cli_export_format_qdpx_round_trips(annotated: Store, db_path: Path, tmp_path: Path):
    runner = CliRunner()
    target = tmp_path / "study.qdpx"
    result = runner.invoke(cli, ["export", "--db", str(db_path), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote 5 annotations" in result.output
    with zipfile.ZipFile(target) as archive:
        assert_valid(archive.read("project.qde"))
    piped = runner.invoke(cli, ["export", "--db", str(db_path), "--format", "qdpx", "-o", "-"])
    piped_file = tmp_path / "piped.qdpx"
    piped_file.write_bytes(piped.stdout_bytes)
    restored = tmp_path / "restored.db"
    result = runner.invoke(cli, ["import-project", str(piped_file), "--db", str(restored)])
    assert result.exit_code == 0, result.output
    store = Store(restored)
    assert annotation_state(store) == annotation_state(annotated)
    store.close()


def test_a_codebook_with_hierarchy_inside_a_project_validates(annotated: Store) -> None:
    """Issue 9 gives tags a parent and a description: project_xml takes them already."""
    from reader.core.refiqda import project_xml, tag_entries

    entries = tag_entries(annotated.tags.all())
    by_name = {e.name: e for e in entries}
    codes = [
        *(e for e in entries if e.name not in ("地名", "机构")),
        CodeEntry("地名", by_name["地名"].color, "地方的名字", parent="机构"),
        CodeEntry("机构", by_name["机构"].color, "组织"),
    ]
    xml, _files = project_xml(read_project(annotated), name="层级", codes=codes)
    root = assert_valid(xml)
    (institution,) = [c for c in root.iter(f"{{{PROJECT_NS}}}Code") if c.get("name") == "机构"]
    assert [c.get("name") for c in institution.findall("q:Code", NS)] == ["地名"]
    assert institution.find("q:Description", NS).text == "组织"
    variables = [v.get("name") for v in root.findall("q:Variables/q:Variable", NS)]
    assert "script" in variables


def test_an_existing_tag_keeps_its_colour(annotated: Store, tmp_path: Path) -> None:
    archive = tmp_path / "p.qdpx"
    export_qdpx(annotated, archive)
    other = Store(tmp_path / "other.db")
    other.tags.ensure_tag("事件", "#123456")
    import_qdpx(other, archive)
    colours = {t.name: t.color for t in other.tags.all()}
    assert colours["事件"] == "#123456"
    assert colours["机构"] == next(t.color for t in annotated.tags.all() if t.name == "机构")
    other.close()


def test_broken_parts_are_listed_and_the_rest_imports(tmp_path: Path) -> None:
    guid = "5A000000-0000-4000-8000-00000000000{}".format
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{PROJECT_NS}" name="坏">
  <CodeBook><Codes><Code guid="{guid(9)}" name="好" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid(1)}" name="GBK" plainTextPath="internal://gbk.txt"/>
    <TextSource guid="{guid(2)}" name="没有文件" plainTextPath="internal://missing.txt"/>
    <TextSource guid="{guid(3)}" name="外面" plainTextPath="absolute:///etc/hostname"/>
    <TextSource guid="{guid(4)}" name="好的">
      <PlainTextContent>一二三四五六七八九十</PlainTextContent>
      <PlainTextSelection guid="{guid(5)}" startPosition="x" endPosition="3"/>
      <PlainTextSelection guid="{guid(6)}" startPosition="5" endPosition="2"/>
      <PlainTextSelection guid="{guid(7)}" startPosition="0" endPosition="2">
        <Coding guid="{guid(8)}"><CodeRef targetGUID="{guid(0)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>""".encode()
    archive = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("project.qde", xml)
        out.writestr("sources/gbk.txt", "中文".encode("gbk"))
    store = Store(tmp_path / "b.db")
    report = import_qdpx(store, archive)
    text = "\n".join(report.skipped)
    for expected in ("not UTF-8", "missing.txt is not in the archive", "outside the archive",
                     "without whole-number positions", "[5, 2)", "refers to no code"):  # fmt: skip
        assert expected in text, text
    assert (report.documents_added, report.annotations_added) == (1, 1)
    (annotation,) = store.annotations.all()
    assert annotation.quote == "一二" and annotation.tags == ()
    store.close()


@pytest.mark.sqlite_only  # coders by name: on PostgreSQL the coder is the role
def test_each_coder_is_a_user_and_comes_back_as_that_coder(store: Store, tmp_path: Path) -> None:
    document = store.documents.get(1)
    store.annotations.create(1, 0, 4, ["甲"], "anna 的")
    other = Store(store.target, coder="bo")
    other.annotations.create(1, 0, 4, ["甲"], "anna 的")  # the same coding by another coder
    other.annotations.create(1, 10, 14, ["乙"])
    other.close()
    target = tmp_path / "team.qdpx"
    assert export_qdpx(store, target, coders=[store.coder, "bo"]) == 3
    with zipfile.ZipFile(target) as archive:
        root = assert_valid(archive.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
    assert sorted(users.values()) == sorted({store.coder, "bo"})
    assert root.get("creatingUserGUID") in users and users[root.get("creatingUserGUID")] == (
        store.coder
    )
    made_by = sorted(
        (int(s.get("startPosition")), users[s.get("creatingUser")])
        for s in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    )
    assert made_by == sorted([(0, store.coder), (0, "bo"), (10, "bo")])
    for selection in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection"):
        for coding in selection.findall("q:Coding", NS):
            assert coding.get("creatingUser") == selection.get("creatingUser")
    restored = Store(tmp_path / "restored.db", coder="carl")
    report = import_qdpx(restored, target)
    assert report.annotations_added == 3 and report.renamed == []
    assert sorted((a.start, a.coder) for a in restored.annotations.all()) == made_by
    assert restored.annotations.get(1).quote == document.text[0:4]
    assert not restored.history.can_undo()  # an import is nobody's undoable action
    assert import_qdpx(restored, target).annotations_added == 0
    restored.close()


def test_a_user_name_that_cannot_be_a_coder_is_changed_and_said(tmp_path: Path) -> None:
    xml = other_tool_project().replace(b'name="Anna"', b'name="Smith, Anna"')
    archive = tmp_path / "other.qdpx"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("project.qde", xml)
        out.writestr("sources/5A000000-0000-4000-8000-000000000001.txt", OTHER_TOOL_TEXT)
    store = Store(tmp_path / "other.db")
    report = import_qdpx(store, archive)
    assert report.renamed == ["user 'Smith, Anna' codes here as 'Smith Anna'"]
    assert [a.coder for a in store.annotations.for_document(1)] == ["李明", "Smith Anna"]
    store.close()
    result = CliRunner().invoke(
        cli, ["import-project", str(archive), "--db", str(tmp_path / "again.db")]
    )
    assert "note: user 'Smith, Anna' codes here as 'Smith Anna'" in result.output


def test_code_memos_travel_as_notes_the_codes_refer_to(annotated: Store, tmp_path: Path) -> None:
    """Project.xsd's CodeType has NoteRef after Description: a code's memo is a Note there."""
    names = {code.name: code.id for code in annotated.codebook.codes()}
    annotated.codebook.move(names["地名"], names["机构"])
    annotated.codebook.describe(names["机构"], "组织")
    annotated.codebook.set_memo(names["地名"], "省会城市？\n第二段 <b>&amp; ]]>")
    annotated.codebook.set_memo(names["机构"], "待定" + CONTROLS[0])  # XML 1.0 cannot hold it
    archive = tmp_path / "memos.qdpx"
    export_qdpx(annotated, archive)
    with zipfile.ZipFile(archive) as opened:
        root = assert_valid(opened.read("project.qde"))
    codes = {c.get("name"): c for c in root.iter(f"{{{PROJECT_NS}}}Code")}
    assert codes["事件"].find("q:NoteRef", NS) is None  # no memo, no note
    (reference,) = codes["地名"].findall("q:NoteRef", NS)
    notes = root.findall("q:Notes/q:Note", NS)
    (note,) = [n for n in notes if n.get("guid") == reference.get("targetGUID")]
    assert note.get("name") == "memo"
    assert note.find("q:PlainTextContent", NS).text == "省会城市？\n第二段 <b>&amp; ]]>"
    institution = codes["机构"]
    assert [child.tag.split("}")[1] for child in institution] == ["Description", "NoteRef", "Code"]
    # Into a new database: every code with its memo; the comments' notes stay comments.
    restored = Store(tmp_path / "restored.db")
    import_qdpx(restored, archive)
    memos = {code.name: code.memo for code in restored.codebook.codes()}
    assert memos == {code.name: code.memo for code in annotated.codebook.codes()}
    assert memos["机构"] == "待定" + CONTROLS[0]
    assert CONTROLS[0] in [a.comment for a in restored.annotations.all()]
    assert not any("省会" in a.comment for a in restored.annotations.all())
    restored.close()
    # Into the database it came from, where the memo changed since: a code here keeps its own.
    annotated.codebook.set_memo(names["地名"], "改过了")
    import_qdpx(annotated, archive)
    assert annotated.codebook.get(names["地名"]).memo == "改过了"
