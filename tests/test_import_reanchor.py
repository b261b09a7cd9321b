"""Re-importing a changed file: a new version, annotations moved with the text or orphaned."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import reanchor as reanchor_module
from reader.core.documents import normalize_text
from reader.core.library import import_file
from reader.core.reanchor import Anchor, reanchor
from reader.core.store import Store

SEED = Path(__file__).resolve().parent.parent / "seeds" / "changchun-auto-city-simplified.txt"
TEXT = normalize_text(SEED.read_text(encoding="utf-8"))


def anchor_at(text: str, passage: str, occurrence: int = 0, context: int = 32) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    end = start + len(passage)
    return Anchor(passage, text[max(0, start - context) : start], text[end : end + context], start)


# Pure re-anchoring


def test_exact_passage_follows_an_insertion_before_it() -> None:
    anchor = anchor_at(TEXT, "全局谋划")
    edited = "【编者按】新增的一段导语。\n" + TEXT
    placed = reanchor(edited, anchor)
    assert placed is not None and placed.exact
    assert edited[placed.start : placed.end] == "全局谋划"
    assert placed.start == anchor.start + len("【编者按】新增的一段导语。\n")


def test_repeated_passage_is_told_apart_by_its_context() -> None:
    text = "甲说：好的开始。乙说：坏的结尾。丙问：好的开始吗"
    second = anchor_at(text, "好的开始", occurrence=1, context=3)
    # Context outweighs distance: even an old offset right at the first occurrence.
    misleading = replace(second, start=text.index("好的开始"))
    edited = "序。" + text.replace("乙说：坏的结尾。", "")
    for anchor in (second, misleading):
        placed = reanchor(edited, anchor)
        assert placed is not None
        assert placed.start == edited.rindex("好的开始")


def test_equal_candidates_are_not_guessed_between() -> None:
    # Same context at both places, old offset exactly halfway: orphan rather than guess.
    text = "好的开始XXXX好的开始"
    anchor = Anchor("好的开始", "", "", start=4)
    assert reanchor(text, anchor) is None
    # One step nearer to the second occurrence decides it.
    nearer = reanchor(text, Anchor("好的开始", "", "", start=6))
    assert nearer is not None and nearer.start == 8


def test_short_passage_needs_its_context_to_agree() -> None:
    anchor = Anchor("汽车", "长春国际", "城党工委", start=100)
    assert reanchor("这里说的是一汽车间的事情。", anchor) is None
    placed = reanchor("新的标题：长春国际汽车城党工委", anchor)
    assert placed is not None and placed.start == 9


def test_slightly_edited_passage_is_found_fuzzily() -> None:
    anchor = anchor_at(TEXT, "全面建设“双一流”的长春国际汽车城")
    edited = TEXT.replace("全面建设“双一流”的长春国际汽车城", "全面建设双一流的长春国际汽车城", 1)
    placed = reanchor(edited, anchor)
    assert placed is not None and not placed.exact
    assert edited[placed.start : placed.end] == "全面建设双一流的长春国际汽车城"


def test_deleted_passage_is_not_placed() -> None:
    anchor = anchor_at(TEXT, "同为长春市委、市政府派出机构")
    paragraph_start = TEXT.rindex("\n", 0, anchor.start) + 1
    paragraph_end = TEXT.index("\n", anchor.start)
    edited = TEXT[:paragraph_start] + TEXT[paragraph_end + 1 :]
    assert reanchor(edited, anchor) is None


@settings(max_examples=60, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(TEXT)),
    inserted=st.text(alphabet="abcxyz 。\n", min_size=1, max_size=40),
)
def test_insertions_outside_the_passage_never_lose_it(position: int, inserted: str) -> None:
    anchor = anchor_at(TEXT, "承载着省委、省政府的殷殷嘱托")
    end = anchor.start + len(anchor.quote)
    if anchor.start < position < end:
        position = end
    edited = TEXT[:position] + inserted + TEXT[position:]
    placed = reanchor(edited, anchor)
    assert placed is not None
    shift = len(inserted) if position <= anchor.start else 0
    assert (placed.start, placed.end) == (anchor.start + shift, end + shift)


# Through the store and import_file


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(TEXT.replace("\n", "\r\n"), encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path):
    opened = Store(tmp_path / "library.db")
    yield opened
    opened.close()


def annotate(store: Store, document_id: int, passage: str) -> int:
    text = store.get_document(document_id).text
    start = text.index(passage)
    return store.create_annotation(document_id, start, start + len(passage), tags=["t"]).id


def test_changed_file_becomes_a_new_version_and_annotations_follow(
    library: Store, article: Path
) -> None:
    first = import_file(library, article)
    moved_id = annotate(library, first.document_id, "全局谋划")
    kept_id = annotate(library, first.document_id, "无障碍 一网搜")
    gone_id = annotate(library, first.document_id, "同为长春市委、市政府派出机构")
    edited = TEXT.replace("一个身份是十六年坚持", "【更新】一个身份是十六年坚持").replace(
        "同为长春市委、市政府派出机构,", ""
    )
    assert edited != TEXT
    article.write_text(edited, encoding="utf-8")

    second = import_file(library, article)

    assert (second.status, second.document_id, second.version) == (
        "new version",
        first.document_id,
        2,
    )
    assert (second.kept, second.moved, second.orphaned) == (1, 1, 1)
    document = library.get_document(first.document_id)
    assert document.text == edited and document.version == 2
    assert library.document_count() == 1
    assert library.document_version_text(first.document_id, 1) == TEXT
    assert library.document_version_text(first.document_id, 2) == edited
    assert [version for version, _, _ in library.document_versions(first.document_id)] == [1]
    moved = library.get_annotation(moved_id)
    assert (moved.status, edited[moved.start : moved.end]) == ("active", "全局谋划")
    assert [tag.name for tag in moved.tags] == ["t"]
    assert library.get_annotation(kept_id).start == 0
    orphan = library.get_annotation(gone_id)
    assert (orphan.status, orphan.quote) == ("orphan", "同为长春市委、市政府派出机构")
    assert len(library.annotations_for(first.document_id)) == 3  # nothing deleted

    third = import_file(library, article)
    assert (third.status, third.version) == ("unchanged", 2)


def test_a_failed_reimport_changes_nothing(
    library: Store, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = import_file(library, article)
    annotation_id = annotate(library, first.document_id, "全局谋划")
    annotate(library, first.document_id, "无障碍 一网搜")
    before = library.get_annotation(annotation_id)
    article.write_text("新的一行。\n" + TEXT, encoding="utf-8")
    calls = []

    def fail_on_second(text: str, anchor: Anchor):
        calls.append(anchor)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return reanchor(text, anchor)

    monkeypatch.setattr(reanchor_module, "reanchor", fail_on_second)
    with pytest.raises(RuntimeError):
        import_file(library, article)
    document = library.get_document(first.document_id)
    assert (document.text, document.version) == (TEXT, 1)
    assert library.document_versions(first.document_id) == []
    assert library.get_annotation(annotation_id) == before


def test_a_fuzzy_match_takes_the_edited_passage_not_its_neighbours() -> None:
    text = "开头。全面建设双一流的长春国际汽车城。结尾。"
    placed = reanchor(text, Anchor("全面建设“双一流”的长春国际汽车城", "", "", 0))
    assert placed is not None and not placed.exact
    assert text[placed.start : placed.end] == "全面建设双一流的长春国际汽车城"


def test_a_fuzzy_match_grows_to_take_inserted_characters() -> None:
    text = "前文不相干。长春国际汽车城正式隆重揭牌成立。后文也无关。"
    placed = reanchor(text, Anchor("长春国际汽车城正式揭牌成立", "", "", 6))
    assert placed is not None
    assert text[placed.start : placed.end] == "长春国际汽车城正式隆重揭牌成立"
