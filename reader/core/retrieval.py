"""Coded passages across the library (issue 9): the annotations that carry some codes, by a rule.

The rules, on active annotations (an orphan's passage is not in its text any more):

- ``any``: every annotation carrying one of the codes.
- ``all``: the annotations carrying one of the codes on which every code meets: some character
  of the passage is inside an annotation of each code (one annotation carrying them all, or
  overlapping annotations that together do).
- ``but-not``: the first code is A, the others B: every annotation carrying A none of whose
  characters is inside an annotation carrying a B (so one carrying B itself is out too).

Each passage is one annotation (so the view exports as ``reader export``'s rows), in document
order, then text order. ``lines`` gives them as the concordance's keyword-in-context lines.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from typing import IO

from reader.core.search import ConcordanceLine, Match, concordance
from reader.core.store import Store
from reader.core.store.coding import CodedSpan

__all__ = ["RULE_NAMES", "CodedPassage", "Rule", "coded_passages", "describe", "lines", "write_csv"]


class Rule(StrEnum):
    ANY = "any"
    ALL = "all"
    BUT_NOT = "but-not"


RULE_NAMES = {
    Rule.ANY: "any of them",
    Rule.ALL: "all of them, on overlapping passages",
    Rule.BUT_NOT: "the first but not the others",
}


@dataclass(frozen=True)
class CodedPassage:
    annotation_id: int
    document_id: int
    start: int
    end: int
    codes: tuple[str, ...]
    """Which of the chosen codes it carries itself, by name."""


Intervals = list[tuple[int, int]]


def _union(spans: Iterable[tuple[int, int]]) -> Intervals:
    """The characters inside any of ``spans``, as sorted disjoint [start, end) intervals."""
    merged: Intervals = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersection(first: Intervals, second: Intervals) -> Intervals:
    """The characters inside both (each sorted and disjoint)."""
    both: Intervals = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            both.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return both


def _meets(intervals: Intervals, ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) shares a character with the sorted disjoint ``intervals``."""
    index = bisect_right(ends, start)  # the first interval ending after ``start``
    return index < len(intervals) and intervals[index][0] < end


def coded_passages(
    store: Store,
    codes: Sequence[str],
    rule: Rule | str = Rule.ANY,
    documents: Sequence[int] | None = None,
) -> list[CodedPassage]:
    """The passages ``rule`` takes for ``codes`` (names; the order matters for ``but-not``),
    in the library or in ``documents``."""
    rule = Rule(rule)
    chosen = list(dict.fromkeys(name for name in codes if name))
    if not chosen:
        return []
    found: list[CodedPassage] = []
    rows = store.coding.spans(chosen, documents)
    for _, group in groupby(rows, key=lambda row: row.document_id):
        found.extend(_in_document(list(group), chosen, rule))
    return found


def _in_document(rows: list[CodedSpan], chosen: list[str], rule: Rule) -> Iterator[CodedPassage]:
    annotations: dict[int, tuple[int, int, int, list[str]]] = {}
    for row in rows:  # in text order: one entry per annotation, its chosen codes gathered
        entry = annotations.setdefault(row.annotation_id, (row.document_id, row.start, row.end, []))
        entry[3].append(row.tag)
    order = {name: index for index, name in enumerate(chosen)}
    if rule == Rule.ANY:
        wanted = list(annotations)
    elif rule == Rule.ALL:
        common: Intervals | None = None
        for name in chosen:
            spans = _union((r.start, r.end) for r in rows if r.tag == name)
            common = spans if common is None else _intersection(common, spans)
        meeting = common or []
        ends = [end for _, end in meeting]
        wanted = [key for key, (_, s, e, _) in annotations.items() if _meets(meeting, ends, s, e)]
    else:
        first, others = chosen[0], set(chosen[1:])
        excluded = _union((r.start, r.end) for r in rows if r.tag in others)
        ends = [end for _, end in excluded]
        wanted = [
            key
            for key, (_, s, e, names) in annotations.items()
            if first in names and not _meets(excluded, ends, s, e)
        ]
    for key in wanted:
        document_id, start, end, names = annotations[key]
        mine = tuple(sorted(names, key=lambda name: order[name]))
        yield CodedPassage(key, document_id, start, end, mine)


def describe(codes: Sequence[str], rule: Rule | str) -> str:
    """The rule in words, with the codes: ``产业 and 政策 (overlapping)``."""
    rule = Rule(rule)
    if not codes:
        return "no codes chosen"
    if rule == Rule.BUT_NOT and len(codes) > 1:
        return f"{codes[0]} but not {' or '.join(codes[1:])}"
    joiner = " and " if rule == Rule.ALL else " or "
    return joiner.join(codes) + (" (overlapping)" if rule == Rule.ALL and len(codes) > 1 else "")


def lines(
    store: Store, passages: Iterable[CodedPassage], context: int
) -> Iterator[ConcordanceLine]:
    """Each passage as a concordance line: the passage as the match, ``context`` characters of
    the original on each side (reader.core.search.concordance)."""
    return concordance(store, (Match(p.document_id, p.start, p.end) for p in passages), context)


def write_csv(
    store: Store,
    out: IO[str],
    passages: Collection[CodedPassage],
    codes: Sequence[str],
    script: str | None = None,
) -> int:
    """The passages as ``reader export`` writes annotations (its columns, its formula guard; a
    ``passage_converted`` column in ``script``), by export.write_csv itself."""
    from reader.core.export import write_csv as export_csv

    return export_csv(
        store,
        out,
        script,
        tags=codes,
        annotation_ids={passage.annotation_id for passage in passages},
    )
