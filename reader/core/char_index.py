"""The character-position index (issue 15): where each folded character occurs in a document.

For every document it holds, per distinct folded character, the sorted code-point positions at
which it occurs (all the lists of one document in one array of uint32, grouped by character),
and every :data:`MARK_EVERY` characters the byte offset of the stored original in UTF-8 (so a
few characters of context can be read from the middle of a long text without decoding it all).

A literal query of k characters is then k lookups: the positions of its rarest character,
shifted, kept where each other character sits at its offset (a binary search in C), then made
non-overlapping. Counts and first matches cost in proportion to the matches, not the library.
Built with numpy (a radix sort on 16-bit keys for the common case); no SQL here: the store
writes and reads the arrays (reader.core.store).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from reader.core.folding import translation_list as _translation_list

__all__ = [
    "MARK_EVERY",
    "CharIndex",
    "build",
    "fold_codes",
    "fold_text",
    "matches_from_lists",
    "period",
]

MARK_EVERY = 256
"""Characters between two byte marks of the original (a context read decodes at most this many
characters it does not need)."""

BMP_END = 0x10000
STORED = np.dtype("<u4")
"""Positions and byte marks are stored as little-endian uint32, whatever the machine."""
UTF8_STEPS = np.array([0, 0x80, 0x800, BMP_END], dtype=np.uint32)
"""A code point at or above the k-th of these takes k+1 bytes in UTF-8 (searchsorted counts
how many it is at or above)."""
SURROGATES = (0xD800, 0xE000)
"""Code points that never occur in a text that SQLite stores (it needs valid UTF-8): characters
beyond the BMP borrow them as 16-bit sort keys."""


@dataclass(frozen=True)
class CharIndex:
    lists: list[tuple[int, bytes]]
    """(folded code point, its uint32 code-point positions, ascending) per distinct character."""
    byte_marks: bytes
    """uint32 byte offset in the original's UTF-8 of characters 0, MARK_EVERY, 2*MARK_EVERY…"""


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=STORED)


@cache
def _fold_array() -> np.ndarray:
    return np.array(_translation_list(), dtype=np.uint32)


def fold_codes(codes: np.ndarray) -> np.ndarray:
    """reader.core.folding's rule on an array of code points (a gather in C: ~10x
    ``str.translate``); code points past the table's end are left as they are."""
    table = _fold_array()
    inside = codes < len(table)
    if inside.all():
        return table[codes]
    folded = codes.copy()
    folded[inside] = table[codes[inside]]
    return folded


def fold_text(text: str) -> str:
    """reader.core.folding.fold, through arrays: ~5x faster on a long text."""
    return fold_codes(_codes(text)).tobytes().decode("utf-32-le", "surrogatepass")


def build(original: str) -> CharIndex:
    original_codes = _codes(original)
    codes = fold_codes(original_codes)
    order = _stable_order(codes)
    grouped = codes[order]
    positions = order.astype(STORED)
    lists: list[tuple[int, bytes]] = []
    if len(grouped):
        edges = np.flatnonzero(np.diff(grouped)) + 1
        firsts = np.concatenate(([0], edges)).tolist()
        ends = [*firsts[1:], len(grouped)]
        chars = grouped[firsts].tolist()
        data = positions.tobytes()
        lists = [
            (char, data[first * 4 : end * 4])
            for char, first, end in zip(chars, firsts, ends, strict=True)
        ]
    return CharIndex(
        lists=lists,
        byte_marks=byte_marks(original_codes),
    )


def byte_marks(codes: np.ndarray) -> bytes:
    """The UTF-8 byte offset of characters 0, MARK_EVERY, 2*MARK_EVERY… (uint32): the widths
    of each run of MARK_EVERY characters summed, then accumulated."""
    widths = np.searchsorted(UTF8_STEPS, codes, side="right").astype(np.uint8)
    if not len(widths):
        return np.zeros(1, dtype=STORED).tobytes()
    runs = np.add.reduceat(widths, np.arange(0, len(widths), MARK_EVERY), dtype=np.uint32)
    marks = np.concatenate(([0], np.cumsum(runs, dtype=np.uint32))).astype(STORED)
    if len(widths) % MARK_EVERY:
        marks = marks[:-1]  # the last run is short: its end is no mark
    return marks.tobytes()


def _stable_order(codes: np.ndarray) -> np.ndarray:
    """Positions sorted by character, ascending within a character.

    numpy sorts 16-bit keys stably with a radix sort (O(n), ~4x faster than a 32-bit sort on a
    novel): characters beyond the BMP (a few Extension B names at most) are given the
    surrogate code points as keys, which no stored text contains."""
    astral = codes >= BMP_END
    if not astral.any():
        return np.argsort(codes.astype(np.uint16), kind="stable")
    distinct = np.unique(codes[astral])
    in_surrogates = (codes >= SURROGATES[0]) & (codes < SURROGATES[1])
    if len(distinct) > SURROGATES[1] - SURROGATES[0] or in_surrogates.any():
        return np.argsort(codes, kind="stable")
    keys = codes.copy()
    keys[astral] = SURROGATES[0] + np.searchsorted(distinct, codes[astral])
    return np.argsort(keys.astype(np.uint16), kind="stable")


def period(needle: str) -> int:
    """The smallest p > 0 with needle[p:] == needle[:-p] (len(needle) if none): below the
    length, two occurrences can overlap and the non-overlapping rule has to choose."""
    for shift in range(1, len(needle)):
        if needle[shift:] == needle[:-shift]:
            return shift
    return len(needle)


def matches_from_lists(needle: str, lists: Sequence[np.ndarray]) -> np.ndarray:
    """Start offsets of the leftmost non-overlapping occurrences of ``needle`` in a document,
    given ``lists[j]``: the sorted positions of the character needle[j] (as each distinct
    character's list, repeated where the needle repeats a character)."""
    size = len(needle)
    rarest = min(range(size), key=lambda j: len(lists[j]))
    starts = lists[rarest].astype(np.int64) - rarest
    starts = starts[starts >= 0]
    for j in range(size):
        if j == rarest or not len(starts):
            continue
        wanted = starts + j
        found = lists[j]
        spot = np.searchsorted(found, wanted)
        inside = spot < len(found)
        hit = np.zeros(len(wanted), dtype=bool)
        hit[inside] = found[spot[inside]] == wanted[inside]
        starts = starts[hit]
    if period(needle) < size and len(starts) > 1:
        kept, end = [], -1
        for start in starts.tolist():
            if start >= end:
                kept.append(start)
                end = start + size
        return np.array(kept, dtype=np.int64)
    return starts
