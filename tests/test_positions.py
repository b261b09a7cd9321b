"""The article view's arithmetic, without Textual: selections widened to whole conversion units,
passages as they read in a script, cursor steps, and which annotations an offset is in.

Real OpenCC conversions (s2twp turns 内存 into 記憶體, three characters for two) on real text.
"""

from __future__ import annotations

import pytest

from reader.core.convert import converter
from reader.core.layout import DocumentLayout, WrappedLayout
from reader.core.models import Annotation, AnnotationStatus, Tag
from reader.core.positions import (
    AnnotationIndex,
    cursor_in_block,
    passage,
    selection_span,
    span_in_block,
    step_chars,
    step_rows,
    widen,
)

TEXT = "电脑内存不足。\n第二行也说内存。"
MEMORY = TEXT.index("内存")  # 2: 内存 is one unit of s2twp's 記憶體


@pytest.fixture
def document() -> DocumentLayout:
    return DocumentLayout(TEXT)


def test_a_span_grows_to_whole_conversion_units(document: DocumentLayout) -> None:
    assert widen(document, "s2twp", MEMORY, MEMORY + 1) == (MEMORY, MEMORY + 2)
    assert widen(document, "s2twp", MEMORY + 1, MEMORY + 2) == (MEMORY, MEMORY + 2)
    # One character for one: nothing to grow.
    assert widen(document, None, MEMORY, MEMORY + 1) == (MEMORY, MEMORY + 1)
    assert widen(document, "t2s", MEMORY, MEMORY + 1) == (MEMORY, MEMORY + 1)


def test_a_selection_holds_both_ends_in_either_order(document: DocumentLayout) -> None:
    assert selection_span(document, None, None, 4) is None
    assert selection_span(document, None, 0, 0) == (0, 1)
    assert selection_span(document, None, 0, 3) == (0, 4)
    assert selection_span(document, None, 3, 0) == (0, 4)
    # The cursor on 内 alone in s2twp: the whole of 記憶體 is selected, and saved.
    assert selection_span(document, "s2twp", MEMORY, MEMORY) == (MEMORY, MEMORY + 2)


def test_a_passage_reads_as_drawn_in_every_script(document: DocumentLayout) -> None:
    for config in (None, "t2s", "s2t", "s2tw", "s2hk", "s2twp"):
        whole = passage(document, config, 0, len(TEXT))
        expected = TEXT if config is None else converter(config).convert(TEXT)
        assert whole == expected, config
    assert passage(document, "s2twp", MEMORY, MEMORY + 2) == "記憶體"
    assert passage(document, "s2twp", 5, 9) == "足。\n第"  # across a line end
    assert passage(document, "s2twp", 4, 4) == ""


def test_a_span_is_found_in_each_block_it_reaches(document: DocumentLayout) -> None:
    assert len(document.blocks) == 2
    first = document.converted("s2twp", 0).text
    assert first[span_in_block(document, "s2twp", 0, MEMORY, MEMORY + 2).start :][:3] == "記憶體"
    assert len(span_in_block(document, "s2twp", 0, MEMORY, MEMORY + 2)) == 3
    assert len(span_in_block(document, "s2twp", 1, MEMORY, MEMORY + 2)) == 0
    second_start = document.blocks[1].start
    across = span_in_block(document, "s2twp", 1, 0, second_start + 2)
    assert document.converted("s2twp", 1).text[across.start : across.stop] == "第二"


def test_the_cursor_is_drawn_only_in_its_own_block(document: DocumentLayout) -> None:
    second_start = document.blocks[1].start
    assert cursor_in_block(document, "s2twp", 1, MEMORY) is None
    assert cursor_in_block(document, "s2twp", 0, second_start) is None
    assert cursor_in_block(document, None, 1, second_start + 1) == (1, 2)
    for offset in range(len(TEXT)):
        index = document.block_at(offset)
        span = cursor_in_block(document, "s2twp", index, offset)
        assert span is not None and span[1] > span[0], offset


def test_the_cursor_steps_over_a_unit_and_a_cluster() -> None:
    layout = WrappedLayout(DocumentLayout(TEXT), "s2twp", 40)
    assert step_chars(layout, MEMORY, 1) == MEMORY + 2  # 記憶體 is one step
    assert step_chars(layout, MEMORY + 2, -1) == MEMORY  # not into the middle of it
    assert step_chars(layout, 0, -1) == 0
    original = WrappedLayout(DocumentLayout(TEXT), None, 40)
    assert step_chars(original, MEMORY, 1) == MEMORY + 1
    assert step_chars(original, MEMORY + 2, -1) == MEMORY + 1
    family = "a👨‍👩‍👧b"
    clusters = WrappedLayout(DocumentLayout(family), None, 40)
    assert step_chars(clusters, 1, 1) == len(family) - 1  # the family is one character
    assert step_chars(clusters, len(family) - 1, -1) == 1


def test_a_fold_is_one_step() -> None:
    text = "导航一\n导航二\n正文开始。"
    nav_end = text.index("正")
    layout = WrappedLayout(DocumentLayout(text), None, 40, folded=[(0, nav_end)])
    assert step_chars(layout, 0, 1) == nav_end
    assert step_chars(layout, 2, -1) == 0


def test_rows_step_in_the_same_column() -> None:
    text = "一二三四五六七八九十" * 3
    layout = WrappedLayout(DocumentLayout(text), None, 10)  # five characters a row
    assert step_rows(layout, 2, 1) == 7
    assert step_rows(layout, 7, -1) == 2
    assert step_rows(layout, 2, -1) == 2  # the first row: stays
    assert step_rows(layout, 27, 1) == 27  # the last row: stays


def annotation(id: int, start: int, end: int, status: AnnotationStatus) -> Annotation:
    tag = Tag(id, f"tag{id}", "#ffcc00")
    return Annotation(id, 1, start, end, TEXT[start:end], tags=(tag,), status=status)


def test_annotations_are_found_innermost_first_and_orphans_never() -> None:
    active = AnnotationStatus.ACTIVE
    outer = annotation(1, 0, 7, active)
    inner = annotation(2, MEMORY, MEMORY + 2, active)
    later = annotation(3, 9, 12, active)
    orphan = annotation(4, MEMORY, MEMORY + 1, AnnotationStatus.ORPHAN)
    index = AnnotationIndex([later, orphan, inner, outer])
    assert index.annotations == [outer, inner, later]  # text order, no orphan
    assert index.at(MEMORY) == [inner, outer]
    assert index.at(0) == [outer]
    assert index.at(7) == []
    assert index.overlapping(8, 20) == [later]
    assert index.overlapping(5, 10) == [outer, later]
    assert index.overlapping(MEMORY + 1, MEMORY + 2) == [outer, inner]
    assert AnnotationIndex([orphan]).at(MEMORY) == []
