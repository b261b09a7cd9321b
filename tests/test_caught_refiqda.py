"""REFI-QDA export details another tool depends on: every GUID unique and derived as the
module says (so a re-export from any version names things alike), names and comments that need
escaping read back exactly, dates in UTC whatever the store holds (found by mutmut on refiqda)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree
from test_refiqda import NS, assert_valid

from reader.core.documents import content_hash
from reader.core.models import Script
from reader.core.refiqda import PROJECT_NS, export_qdpx, guid, import_qdpx
from reader.core.store import Store

AWKWARD = '甲&乙 "丙"\t丁<戊>'
"""Needs every escape an attribute has: &, a quote, a tab (a literal one reads as a space)."""


def exported(store: Store, tmp_path: Path) -> tuple[etree._Element, zipfile.ZipFile]:
    target = tmp_path / "project.qdpx"
    export_qdpx(store, target)
    archive = zipfile.ZipFile(target)
    return assert_valid(archive.read("project.qde")), archive


def test_guids_are_unique_and_uuid5_of_what_they_stand_for(store: Store, tmp_path: Path) -> None:
    text = store.documents.get(1).text
    for title in ("副本一", "副本二"):  # the same text three times in all
        store.documents.add(text=text, title=title, content_hash=content_hash(text))
    for document in (1, 3, 4):
        store.annotations.create(document, 5, 12, ["机构", "事件"], "评论 & 注")
    root, archive = exported(store, tmp_path)
    guids = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids))
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert len({s.get("plainTextPath") for s in sources}) == len(sources) == 4
    assert sources[0].get("guid") == guid("document", content_hash(text))
    assert sources[3].get("guid") == guid("document", f"{content_hash(text)}:4")  # a copy
    for source in sources:
        member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
        if source is not sources[1]:  # the other sample
            assert archive.read(member).decode("utf-8") == text
        for selection in source.findall("q:PlainTextSelection", NS):
            for coding in selection.findall("q:Coding", NS):
                code = coding.find("q:CodeRef", NS).get("targetGUID")
                assert coding.get("guid") == guid("coding", f"{selection.get('guid')}:{code}")
            (note,) = selection.findall("q:NoteRef", NS)
            assert note.get("targetGUID") == guid("note", selection.get("guid"))
    notes = [
        n.findtext("q:PlainTextContent", namespaces=NS) for n in root.iter(f"{{{PROJECT_NS}}}Note")
    ]
    assert notes == ["评论 & 注"] * 3


def test_names_that_need_escaping_read_back_exactly(store: Store, tmp_path: Path) -> None:
    document = store.documents.add(text="正文。" * 10, title=AWKWARD + "\x01")
    store.annotations.create(document, 0, 3, [AWKWARD], AWKWARD)
    root, _ = exported(store, tmp_path)
    names = [s.get("name") for s in root.findall("q:Sources/q:TextSource", NS)]
    assert AWKWARD + "\ufffd" in names  # a control character XML cannot hold: U+FFFD
    assert AWKWARD in [c.get("name") for c in root.iter(f"{{{PROJECT_NS}}}Code")]
    notes = [
        n.findtext("q:PlainTextContent", namespaces=NS) for n in root.iter(f"{{{PROJECT_NS}}}Note")
    ]
    assert notes == [AWKWARD]


def test_dates_are_utc_and_a_date_that_is_none_is_left_out(store: Store, tmp_path: Path) -> None:
    first = store.annotations.create(1, 0, 4, ["甲"], "有日期")
    second = store.annotations.create(1, 10, 14, ["乙"], "没有日期")
    store.gateway.execute(
        "update annotations set created_at = ?, updated_at = ? where id = ?",
        ["2024-05-01T16:00:00+08:00", "2024-05-02 09:30:00", first.id],
    )
    store.gateway.execute(
        "update annotations set created_at = 'not a date' where id = ?", [second.id]
    )
    root, _ = exported(store, tmp_path)  # validates: no empty or made-up dateTime
    selections = {
        s.get("startPosition"): s for s in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    }
    dated = selections["0"]
    assert dated.get("creationDateTime") == "2024-05-01T08:00:00Z"
    assert dated.get("modifiedDateTime") == "2024-05-02T09:30:00Z"  # no zone: taken as UTC
    assert dated.find("q:Coding", NS).get("creationDateTime") == "2024-05-01T08:00:00Z"
    undated = selections["10"]
    assert undated.get("creationDateTime") is None
    notes = {
        n.findtext("q:PlainTextContent", namespaces=NS): n
        for n in root.iter(f"{{{PROJECT_NS}}}Note")
    }
    assert notes["有日期"].get("creationDateTime") == "2024-05-01T08:00:00Z"
    assert notes["没有日期"].get("creationDateTime") is None


def test_the_script_and_a_missing_modified_date_come_back(store: Store, tmp_path: Path) -> None:
    """The saved script is not detected again (a Chinese text saved as Japanese stays so), and a
    selection with only a creation date was modified then."""
    text = store.documents.get(1).text
    document = store.documents.add(text=text + "补", title="日文版", script=Script.JAPANESE)
    annotation = store.annotations.create(document, 0, 4, ["甲"])
    store.gateway.execute(
        "update annotations set created_at = ?, updated_at = 'not a date' where id = ?",
        ["2024-05-01T08:00:00+00:00", annotation.id],
    )
    target = tmp_path / "project.qdpx"
    export_qdpx(store, target)
    fresh = Store(tmp_path / "fresh.db")
    import_qdpx(fresh, target)
    (summary,) = [s for s in fresh.documents.summaries() if s.title == "日文版"]
    assert fresh.documents.get(summary.id).script == Script.JAPANESE
    (restored,) = fresh.annotations.all()
    assert restored.created_at == restored.updated_at == "2024-05-01T08:00:00+00:00"
    fresh.close()


def test_a_source_path_in_another_case_than_its_member_is_found(
    store: Store, tmp_path: Path
) -> None:
    """Tools on Windows write internal://{GUID}.txt in capitals for a member in lower case."""
    store.annotations.create(1, 0, 4, ["甲"])
    written = tmp_path / "project.qdpx"
    export_qdpx(store, written)
    shouting = tmp_path / "shouting.qdpx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(shouting, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            if member == "project.qde":
                root = etree.fromstring(data)
                for element in root.iter(f"{{{PROJECT_NS}}}TextSource"):
                    path = element.get("plainTextPath").removeprefix("internal://")
                    element.set("plainTextPath", "internal://" + path.upper())
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            target.writestr(member, data)
    fresh = Store(tmp_path / "fresh.db")
    report = import_qdpx(fresh, shouting)
    assert (report.documents_added, report.annotations_added, report.skipped) == (2, 1, [])
    assert fresh.documents.get(1).text == store.documents.get(1).text
    fresh.close()
