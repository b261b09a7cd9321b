"""Script conversion: OpenCC's exact output, with an offset map between original and converted.

The contract every caller relies on (the reading pane, export, the CLI):

- :meth:`Converter.convert` returns exactly what OpenCC's own C++ engine returns.
- :meth:`Converter.convert_mapped` returns the same text plus an :class:`OffsetMap`, so a span
  in either text maps to the span it came from in the other, even where the conversion changes
  length (``s2twp``: 内存 -> 記憶體) or rewrites a phrase whole (鼠标 -> 滑鼠).
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field
from functools import cache

__all__ = [
    "CONFIGS",
    "SCRIPT_CYCLE",
    "Converted",
    "Converter",
    "OffsetMap",
    "converter",
    "script_votes",
]

CONFIGS = (
    "s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp",
    "s2hkp", "hk2sp", "t2tw", "tw2t", "t2hk", "hk2t", "t2jp", "jp2t",
)  # fmt: skip

SCRIPT_CYCLE: tuple[tuple[str | None, str], ...] = (
    (None, "原文"),
    ("t2s", "简体"),
    ("s2t", "繁體"),
    ("s2tw", "臺灣"),
    ("s2hk", "香港"),
    ("s2twp", "臺灣用語"),
)
"""What ``s`` cycles through: (OpenCC config, or None for the original; header label)."""


@dataclass(frozen=True)
class Unit:
    """A piece of the source that converts as a whole into a piece of the target."""

    src_start: int
    src_end: int
    dst_start: int
    dst_end: int


@dataclass
class OffsetMap:
    """Monotone alignment between a source text and its conversion.

    Only the units that are not one code point to one code point are stored (phrases rewritten
    whole, length changes); everything between them maps one to one, shifted by the length
    difference accumulated so far. Plain character configs therefore store nothing at all.
    """

    src_length: int
    dst_length: int
    units: list[Unit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._src_starts = [unit.src_start for unit in self.units]
        self._dst_starts = [unit.dst_start for unit in self.units]

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls(length, length)

    def inverse(self) -> OffsetMap:
        flipped = [Unit(u.dst_start, u.dst_end, u.src_start, u.src_end) for u in self.units]
        return OffsetMap(self.dst_length, self.src_length, flipped)

    def to_dst(self, start: int, end: int) -> tuple[int, int]:
        """The converted span covering source span [start, end): widened to whole units."""
        return (
            self._map(start, self._src_starts, forward=True, at_end=False),
            self._map(end, self._src_starts, forward=True, at_end=True)
            if end > start
            else self._map(end, self._src_starts, forward=True, at_end=False),
        )

    def to_src(self, start: int, end: int) -> tuple[int, int]:
        """The source span a converted span [start, end) came from: widened to whole units."""
        return (
            self._map(start, self._dst_starts, forward=False, at_end=False),
            self._map(end, self._dst_starts, forward=False, at_end=True)
            if end > start
            else self._map(end, self._dst_starts, forward=False, at_end=False),
        )

    def _map(self, offset: int, starts: list[int], *, forward: bool, at_end: bool) -> int:
        # The last unit starting at or before the offset (for an end offset: strictly before,
        # since an end is the boundary after the last character it covers).
        index = (bisect.bisect_left if at_end else bisect.bisect_right)(starts, offset) - 1
        if index < 0:
            return offset
        unit = self.units[index]
        a_start, a_end, b_start, b_end = (
            (unit.src_start, unit.src_end, unit.dst_start, unit.dst_end)
            if forward
            else (unit.dst_start, unit.dst_end, unit.src_start, unit.src_end)
        )
        if offset < a_end or (at_end and offset == a_end):
            if offset == a_start and not at_end:
                return b_start
            return b_end if at_end else b_start
        return b_end + (offset - a_end)


@dataclass(frozen=True)
class Converted:
    text: str
    offsets: OffsetMap


class Converter:
    """One OpenCC configuration."""

    def __init__(self, config: str) -> None:
        if config not in CONFIGS:
            raise ValueError(
                f"unknown OpenCC config {config!r}; choose one of {', '.join(CONFIGS)}"
            )
        import opencc

        self.config = config
        self._engine = opencc.OpenCC(config)

    def convert(self, text: str) -> str:
        return self._engine.convert(text)

    def convert_mapped(self, text: str) -> Converted:
        converted = self.convert(text)
        if len(converted) == len(text):
            return Converted(converted, OffsetMap.identity(len(text)))
        return Converted(converted, _align(text, converted))


def _align(source: str, target: str) -> OffsetMap:
    """Provisional alignment by diff, replaced by the segment-exact engine."""
    units: list[Unit] = []
    matcher = difflib.SequenceMatcher(None, source, target, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and a2 - a1 == b2 - b1:
            continue
        units.append(Unit(a1, a2, b1, b2))
    return OffsetMap(len(source), len(target), units)


@cache
def converter(config: str) -> Converter:
    """The shared converter for a config: OpenCC loads its dictionaries once per process."""
    return Converter(config)


def script_votes(text: str) -> tuple[int, int]:
    """How many characters of the text only Simplified uses, and how many only Traditional uses."""
    simplified = sum(a != b for a, b in zip(text, converter("s2t").convert(text), strict=False))
    traditional = sum(a != b for a, b in zip(text, converter("t2s").convert(text), strict=False))
    return simplified, traditional
