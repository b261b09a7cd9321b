"""Original offsets and what the screen shows: the article view's arithmetic, without Textual.

Every position the reader keeps (the cursor, a selection, an annotation) is a code-point offset
into the stored original text, whatever script is on screen. These functions translate through
a document's blocks and their conversions' offset maps: a selection grows to whole conversion
units (内存 is one unit of 記憶體 in s2twp, so no span ends inside it), a passage reads as it is
drawn, the cursor steps over a unit in one go, and each block is told which of its converted
characters a span covers.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from reader.core.layout import DocumentLayout, WrappedLayout
from reader.core.models import Annotation, AnnotationStatus


def widen(document: DocumentLayout, config: str | None, start: int, end: int) -> tuple[int, int]:
    """Grow the original span [start, end) to whole units of ``config``'s conversion."""
    first, last = document.block_at(start), document.block_at(max(end - 1, start))
    first_block, last_block = document.blocks[first], document.blocks[last]
    first_map = document.converted(config, first).offsets
    last_map = document.converted(config, last).offsets
    local_start = min(start - first_block.start, first_block.end - first_block.start)
    local_end = min(end - last_block.start, last_block.end - last_block.start)
    dst_start, _ = first_map.to_dst(local_start, local_start)
    src_start, _ = first_map.to_src(dst_start, dst_start)
    _, dst_end = last_map.to_dst(max(local_end - 1, 0), local_end)
    _, src_end = last_map.to_src(max(dst_end - 1, 0), dst_end)
    return first_block.start + src_start, last_block.start + max(src_end, 0)


def selection_span(
    document: DocumentLayout, config: str | None, anchor: int | None, cursor: int
) -> tuple[int, int] | None:
    """The span selected from ``anchor`` to ``cursor``, both characters included (the cluster
    under the cursor whole), widened to whole conversion units; None when nothing is."""
    if anchor is None:
        return None
    start, end = sorted((anchor, cursor))
    end = document.next_stop(end)
    return widen(document, config, start, end) if end > start else None


def passage(document: DocumentLayout, config: str | None, start: int, end: int) -> str:
    """The original span [start, end) as it reads in ``config``'s script (a line break between
    blocks included)."""
    if end <= start:
        return ""
    parts: list[str] = []
    for index in range(document.block_at(start), document.block_at(end - 1) + 1):
        block = document.blocks[index]
        local_start, local_end = max(start, block.start), min(end, block.end)
        if local_end > local_start:
            converted = document.converted(config, index)
            dst_start, dst_end = converted.offsets.to_dst(
                local_start - block.start, local_end - block.start
            )
            parts.append(converted.text[dst_start:dst_end])
        if block.end < end and document.text[block.end : block.end + 1] == "\n":
            parts.append("\n")
    return "".join(parts)


def span_in_block(
    document: DocumentLayout, config: str | None, index: int, start: int, end: int
) -> range:
    """The converted characters of block ``index`` that the original span [start, end) covers
    (empty when it does not reach the block)."""
    block = document.blocks[index]
    local_start = max(start, block.start) - block.start
    local_end = min(end, block.end) - block.start
    if local_end <= local_start:
        return range(0)
    return range(*document.converted(config, index).offsets.to_dst(local_start, local_end))


def cursor_in_block(
    document: DocumentLayout, config: str | None, index: int, cursor: int
) -> tuple[int, int] | None:
    """Where the cursor's cluster is drawn in block ``index``: converted [start, end), at least
    one character (a cluster is painted whole: ❤️ drawn in two styles would be measured as one
    cell and drawn as two); None when the cursor is in another block."""
    if document.block_at(cursor) != index:
        return None
    block = document.blocks[index]
    offsets = document.converted(config, index).offsets
    local = min(cursor - block.start, block.end - block.start)
    start, _ = offsets.to_dst(local, local)
    local_end = min(document.next_stop(cursor), block.end) - block.start
    _, end = offsets.to_dst(local_end, local_end)
    return start, max(end, start + 1)


def step_chars(layout: WrappedLayout, cursor: int, delta: int) -> int:
    """The offset one character left (``delta`` < 0) or right of ``cursor`` on screen: a unit
    like 記憶體 is one step, and so is a folded span."""
    folded = layout.folded_span_at(cursor)
    if folded is not None:
        return folded[1] if delta > 0 else max(folded[0] - 1, 0)
    document, config = layout.document, layout.config
    if delta > 0:
        _, end = widen(document, config, cursor, document.next_stop(cursor))
        return end if end > cursor else document.next_stop(cursor)
    if cursor == 0:
        return 0
    start, _ = widen(document, config, document.previous_stop(cursor), cursor)
    return start


def step_rows(layout: WrappedLayout, cursor: int, delta: int) -> int:
    """The offset ``delta`` rows below (or above) ``cursor``, in the same column if it can."""
    y, x = layout.locate(cursor)
    target = min(max(y + delta, 0), max(layout.height - 1, 0))
    return layout.offset_at(target, x)


class AnnotationIndex:
    """A document's active annotations, found by offset. An orphan's offsets are stale (its
    passage is gone from the text), so it is never found, drawn or stepped to."""

    def __init__(self, annotations: Iterable[Annotation] = ()) -> None:
        self.annotations = sorted(
            (a for a in annotations if a.status == AnnotationStatus.ACTIVE),
            key=lambda a: (a.start, a.end),
        )
        """In text order: by start, then end."""
        self._starts = [a.start for a in self.annotations]
        self._longest = max((a.end - a.start for a in self.annotations), default=0)

    def at(self, offset: int) -> list[Annotation]:
        """The annotations covering ``offset``, innermost (shortest) first: what ``t`` and
        ``c`` act on is the one whose colour shows."""
        index = bisect.bisect_right(self._starts, offset)
        found = [a for a in self.annotations[:index] if a.start <= offset < a.end]
        return sorted(found, key=lambda a: a.end - a.start)

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """The annotations reaching into [start, end), in text order."""
        first = bisect.bisect_left(self._starts, start - self._longest)
        last = bisect.bisect_right(self._starts, end)
        return [a for a in self.annotations[first:last] if a.end > start]
