"""Reports on the coding: frequencies, co-occurrence and timeline of the codes (issue 9).

The same reports for ``reader report`` and the app's reports screen. Definitions:

- ``frequencies``: per code, its passages (active annotations carrying it) in total and per
  document, and the number of documents it is in. Every code of the codebook has a total,
  unused codes too (0). CSV ``tag, document_id, document_title, passages``: one row with
  ``document_id`` empty per code (its total), then one per document it is in.
- ``cooccurrence``: for each pair of distinct codes A < B (by name, in code-point order), the
  number of pairs (x, y) of active annotations of one document where x carries A, y carries B
  and their spans share at least one character; an annotation carrying both is one pair (x, x),
  counted once. Pairs that never meet are left out. CSV ``tag_a, tag_b, count``.
- ``timeline``: passages per code per month of their document's published date (``YYYY-MM``),
  ``unknown`` for a document with no date or one that is not a date. CSV ``tag, month,
  passages``.

Orphans (annotations whose passage a changed text lost) count nowhere: their offsets belong to
an earlier text. Filters: ``tags`` (frequencies and timeline: only these codes; co-occurrence:
only pairs with one of them), ``documents`` (ids). CSV cells are written as ``reader export``
writes them (reader.core.export: quoted text, bare numbers, the formula guard).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Literal

import numpy as np
from rich.cells import cell_len

from reader.core.display import visible_line
from reader.core.export import csv_writer, neutralise
from reader.core.models import Tag
from reader.core.store import Store

__all__ = [
    "KINDS",
    "UNKNOWN_MONTH",
    "CodeFrequency",
    "Cooccurrence",
    "Frequencies",
    "Pair",
    "Report",
    "ReportError",
    "Timeline",
    "build",
    "build_all",
    "month_of",
    "text_lines",
    "write_report",
]

KINDS = ("frequencies", "cooccurrence", "timeline")
Kind = Literal["frequencies", "cooccurrence", "timeline"]
UNKNOWN_MONTH = "unknown"

_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})(?!\d)")
"""A published date as the importers keep it: ``2021-09-29 08:13``, ``2021/9/29``,
``2021年9月29日``, ``2021.09``, an ISO time stamp."""


class ReportError(ValueError):
    """A report cannot be made as asked (a code that does not exist): one sentence."""


def month_of(published: str) -> str:
    """``YYYY-MM`` of a published date, or ``unknown``."""
    found = _DATE.match(published)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return UNKNOWN_MONTH
    return f"{found.group(1)}-{int(found.group(2)):02d}"


def _month_order(month: str) -> tuple[int, str]:
    return (1, "") if month == UNKNOWN_MONTH else (0, month)


@dataclass(frozen=True)
class CodeFrequency:
    tag: str
    color: str
    passages: int
    per_document: tuple[tuple[int, str, int], ...]
    """(document id, title, passages) for each document it is in, by id."""

    @property
    def documents(self) -> int:
        return len(self.per_document)


@dataclass(frozen=True)
class Frequencies:
    codes: tuple[CodeFrequency, ...]
    """By name."""
    orphans: int = 0
    kind: Kind = "frequencies"


@dataclass(frozen=True)
class Pair:
    tag_a: str
    tag_b: str
    count: int


@dataclass(frozen=True)
class Cooccurrence:
    codes: tuple[str, ...]
    """The codes the report is about (the filter's, else every code), by name."""
    pairs: tuple[Pair, ...]
    """By tag_a, then tag_b; only pairs that meet."""
    orphans: int = 0
    kind: Kind = "cooccurrence"

    def count(self, tag_a: str, tag_b: str) -> int:
        """The count of a pair in either order (0 when they never meet)."""
        first, second = sorted((tag_a, tag_b))
        return self._counts.get((first, second), 0)

    @cached_property
    def _counts(self) -> dict[tuple[str, str], int]:
        return {(pair.tag_a, pair.tag_b): pair.count for pair in self.pairs}


@dataclass(frozen=True)
class Timeline:
    codes: tuple[str, ...]
    """By name."""
    months: tuple[str, ...]
    """Every month any code has passages in, ascending, ``unknown`` last."""
    passages: dict[tuple[str, str], int] = field(default_factory=dict)
    """(code, month) -> passages; only those with some."""
    orphans: int = 0
    kind: Kind = "timeline"

    def rows(self) -> list[tuple[str, str, int]]:
        """(tag, month, passages) by tag, then month."""
        return sorted(
            ((tag, month, n) for (tag, month), n in self.passages.items()),
            key=lambda row: (row[0], _month_order(row[1])),
        )


Report = Frequencies | Cooccurrence | Timeline


def _chosen_tags(store: Store, tags: Iterable[str]) -> tuple[list[Tag], set[str]]:
    """Every code (by id), and the names asked for (checked to exist)."""
    codebook = sorted(store.tags.all(), key=lambda tag: tag.id)
    wanted = {name.strip() for name in tags if name.strip()}
    missing = sorted(wanted - {tag.name for tag in codebook})
    if missing:
        raise ReportError(
            f"no code named {', '.join(repr(name) for name in missing)} in the codebook"
        )
    return codebook, wanted


def _array(batches: Iterable[Sequence[Sequence[int]]], columns: int) -> np.ndarray:
    """Batches of rows of ``columns`` integers as one (rows, columns) array (fromiter over the
    flattened rows: a third of the time np.array takes over a list of tuples)."""
    parts = [
        np.fromiter(
            itertools.chain.from_iterable(batch), dtype=np.int64, count=len(batch) * columns
        ).reshape(-1, columns)
        for batch in batches
    ]
    return np.concatenate(parts) if parts else np.zeros((0, columns), dtype=np.int64)


@dataclass(frozen=True)
class _Coded:
    """The active annotations and their codes as arrays: what every report counts.

    Annotations are sorted by (document, start, id); ``documents[i]`` is the document's rank
    (an index into ``document_ids``), ``tag_index`` the code's index in the codebook (by id)
    for each (annotation, code) row, ``row_of`` that row's annotation (its sorted position).
    """

    codebook: list[Tag]
    document_ids: np.ndarray
    documents: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    row_of: np.ndarray
    tag_index: np.ndarray

    @classmethod
    def read(cls, store: Store, codebook: list[Tag], documents: Sequence[int] | None) -> _Coded:
        spans = _array(store.coding.active_spans(documents), 4)
        order = np.lexsort((spans[:, 0], spans[:, 2], spans[:, 1]))
        spans = spans[order]
        ids = spans[:, 0]
        document_ids, ranks = np.unique(spans[:, 1], return_inverse=True)
        rows = _array(store.coding.tag_rows(documents), 2)
        # Each tag row's annotation, as its position among the sorted spans (rows of orphans
        # find none and are dropped), and its code, as an index into the codebook.
        by_id = np.argsort(ids, kind="stable")
        sorted_ids = ids[by_id]
        found = np.searchsorted(sorted_ids, rows[:, 0]).clip(0, max(len(ids) - 1, 0))
        keep = sorted_ids[found] == rows[:, 0] if len(ids) else np.zeros(len(rows), dtype=bool)
        code_ids = np.array([tag.id for tag in codebook], dtype=np.int64)
        code = np.searchsorted(code_ids, rows[:, 1]).clip(0, max(len(code_ids) - 1, 0))
        keep &= code_ids[code] == rows[:, 1] if len(code_ids) else False
        return cls(
            codebook,
            document_ids,
            ranks.reshape(-1),
            spans[:, 2],
            spans[:, 3],
            by_id[found[keep]],
            code[keep],
        )


def build(
    store: Store, kind: str, *, tags: Iterable[str] = (), documents: Sequence[int] | None = None
) -> Report:
    """The report ``kind`` (one of KINDS) on ``store``, read in one snapshot."""
    return build_all(store, (kind,), tags=tags, documents=documents)[0]


def build_all(
    store: Store,
    kinds: Sequence[str] = KINDS,
    *,
    tags: Iterable[str] = (),
    documents: Sequence[int] | None = None,
) -> list[Report]:
    """Several reports from one reading of the database (the reports screen shows all three)."""
    for kind in kinds:
        if kind not in KINDS:
            raise ReportError(f"no report called {kind!r} (choose {', '.join(KINDS)})")
    with store.read_snapshot():
        codebook, wanted = _chosen_tags(store, tags)
        orphans = store.coding.orphans(documents)
        coded = _Coded.read(store, codebook, documents)
        about = store.coding.documents(coded.document_ids.tolist())
    made: list[Report] = []
    for kind in kinds:
        if kind == "frequencies":
            made.append(_frequencies(coded, about, wanted, orphans))
        elif kind == "cooccurrence":
            made.append(_cooccurrence(coded, wanted, orphans))
        else:
            made.append(_timeline(coded, about, wanted, orphans))
    return made


def _frequencies(
    coded: _Coded, about: list[tuple[int, str, str]], wanted: set[str], orphans: int
) -> Frequencies:
    width = max(len(coded.document_ids), 1)
    keys, counts = np.unique(
        coded.tag_index * width + coded.documents[coded.row_of], return_counts=True
    )
    # Sorted by code, then by document (ranks are in id order): each code's rows are one run.
    code_of, rank = np.divmod(keys, width)
    document_ids = coded.document_ids[rank].tolist()
    titles = np.array([title for _, title, _ in about] or [""], dtype=object)[rank].tolist()
    passages = counts.tolist()
    starts: list[int] = (
        np.flatnonzero(np.r_[True, code_of[1:] != code_of[:-1]]).tolist() if len(keys) else []
    )
    runs: dict[int, tuple[int, int]] = {}
    for first, last in itertools.pairwise([*starts, len(keys)]):
        runs[int(code_of[first])] = (first, last)
    codes = []
    for index, tag in enumerate(coded.codebook):
        if wanted and tag.name not in wanted:
            continue
        first, last = runs.get(index, (0, 0))
        rows = tuple(zip(document_ids[first:last], titles[first:last], passages[first:last],
                         strict=True))  # fmt: skip
        codes.append(CodeFrequency(tag.name, tag.color, sum(passages[first:last]), rows))
    return Frequencies(tuple(sorted(codes, key=lambda code: code.tag)), orphans)


PAIR_CHUNK = 2_000_000
"""Annotation pairs expanded at once: bounds the arrays when a document's passages all overlap."""


def _expand(first: np.ndarray, second: np.ndarray, pointer: np.ndarray, degree: np.ndarray,
            codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """For each annotation pair (first[k], second[k]), every (code of the first, code of the
    second): two arrays of code indexes."""
    first_degree, second_degree = degree[first], degree[second]
    combos = first_degree * second_degree
    pair = np.repeat(np.arange(len(first)), combos)
    within = np.arange(int(combos.sum())) - np.repeat(np.cumsum(combos) - combos, combos)
    ny = second_degree[pair]
    a = codes[pointer[first][pair] + within // ny]
    b = codes[pointer[second][pair] + within % ny]
    return a, b


def _cooccurrence(coded: _Coded, wanted: set[str], orphans: int) -> Cooccurrence:
    size = len(coded.codebook)
    n = len(coded.starts)
    counts = np.zeros(size * size, dtype=np.int64)
    if n and size:
        # Each unordered pair of overlapping annotations once, from the one that starts first
        # (on a tie, the lower id): sorted by (document, start, id), the annotations starting
        # inside annotation i are the positions i+1 .. stop[i]-1, found by one binary search.
        span = int(coded.ends.max()) + 1
        key = coded.documents * span + coded.starts
        stop = np.searchsorted(key, coded.documents * span + coded.ends, side="left")
        later = stop - np.arange(1, n + 1)
        order = np.argsort(coded.row_of, kind="stable")
        codes = coded.tag_index[order]
        degree = np.bincount(coded.row_of, minlength=n)
        pointer = np.concatenate(([0], np.cumsum(degree)[:-1]))
        # One annotation with both codes: the pair (x, x), once per unordered pair of its codes.
        both_a, both_b = _expand(np.arange(n), np.arange(n), pointer, degree, codes)
        mine = both_a < both_b
        counts += np.bincount(both_a[mine] * size + both_b[mine], minlength=size * size)
        # Two annotations: every code of one with every (other) code of the other. Overlap is
        # symmetric, so the count of (A, B) is the count of (B, A): each adds to its pair.
        total = np.cumsum(later)
        cuts = np.searchsorted(total, np.arange(PAIR_CHUNK, int(total[-1]), PAIR_CHUNK))
        edges = sorted({0, n, *cuts.tolist()})
        for low, high in itertools.pairwise(edges):
            pairs = later[low:high]
            first = np.repeat(np.arange(low, high), pairs)
            second = (first + 1 + np.arange(len(first))
                      - np.repeat(np.cumsum(pairs) - pairs, pairs))  # fmt: skip
            a, b = _expand(first, second, pointer, degree, codes)
            differ = a != b
            low_code, high_code = np.minimum(a, b)[differ], np.maximum(a, b)[differ]
            counts += np.bincount(low_code * size + high_code, minlength=size * size)
    names = [tag.name for tag in coded.codebook]
    # Each pair named in code-point order of the names (not by the database's collation), the
    # pairs sorted so, and kept when one of its codes is wanted.
    by_name = sorted(range(size), key=names.__getitem__)
    rank = np.empty(size, dtype=np.int64)
    rank[by_name] = np.arange(size)
    keys = np.flatnonzero(counts)
    first, second = keys // size, keys % size
    swap = rank[first] > rank[second]
    first, second = np.where(swap, second, first), np.where(swap, first, second)
    if wanted:
        chosen = np.array([name in wanted for name in names], dtype=bool)
        keep = chosen[first] | chosen[second]
        keys, first, second = keys[keep], first[keep], second[keep]
    order = np.lexsort((rank[second], rank[first]))
    pairs = tuple(
        Pair(names[a], names[b], n)
        for a, b, n in zip(
            first[order].tolist(),
            second[order].tolist(),
            counts[keys[order]].tolist(),
            strict=True,
        )
    )
    codes_named = sorted(wanted) if wanted else sorted(names)
    return Cooccurrence(tuple(codes_named), pairs, orphans)


def _timeline(
    coded: _Coded, about: list[tuple[int, str, str]], wanted: set[str], orphans: int
) -> Timeline:
    month_names = sorted({month_of(published) for *_, published in about}, key=_month_order)
    month_index = {month: index for index, month in enumerate(month_names)}
    by_rank = np.array([month_index[month_of(published)] for *_, published in about],
                       dtype=np.int64)  # fmt: skip
    width = max(len(month_names), 1)
    months = by_rank[coded.documents[coded.row_of]] if len(by_rank) else coded.tag_index
    keys, counts = np.unique(coded.tag_index * width + months, return_counts=True)
    passages: dict[tuple[str, str], int] = {}
    for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
        code, month = divmod(key, width)
        name = coded.codebook[code].name
        if not wanted or name in wanted:
            passages[(name, month_names[month])] = count
    codes = sorted(wanted) if wanted else sorted(tag.name for tag in coded.codebook)
    used = sorted({month for _, month in passages}, key=_month_order)
    return Timeline(tuple(codes), tuple(used), passages, orphans)


# Writing: CSV and JSON (data), text (for a terminal)

CSV_COLUMNS = {
    "frequencies": ("tag", "document_id", "document_title", "passages"),
    "cooccurrence": ("tag_a", "tag_b", "count"),
    "timeline": ("tag", "month", "passages"),
}


def _records(report: Report) -> list[tuple[object, ...]]:
    """The report's rows in CSV_COLUMNS order (document_id None in a total row)."""
    if isinstance(report, Frequencies):
        rows: list[tuple[object, ...]] = []
        for code in report.codes:
            rows.append((code.tag, None, None, code.passages))
            rows.extend((code.tag, doc, title, n) for doc, title, n in code.per_document)
        return rows
    if isinstance(report, Cooccurrence):
        return [(pair.tag_a, pair.tag_b, pair.count) for pair in report.pairs]
    return list(report.rows())


def write_report(report: Report, out: IO[str], file_format: str) -> None:
    """``csv`` (as ``reader export`` writes cells) or ``json`` (a list of objects, one per CSV
    row; a frequencies total has ``document_id`` null)."""
    columns = CSV_COLUMNS[report.kind]
    if file_format == "csv":
        writer = csv_writer(out)
        writer.writerow(columns)
        for record in _records(report):
            writer.writerow(
                [neutralise(cell) if isinstance(cell, str) else ("" if cell is None else cell)
                 for cell in record]
            )  # fmt: skip
        return
    if file_format != "json":
        raise ReportError(f"no format {file_format!r} (choose text, csv or json)")
    items = [
        json.dumps(dict(zip(columns, record, strict=True)), ensure_ascii=False)
        for record in _records(report)
    ]
    out.write("[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n")


def _pad(text: str, cells: int) -> str:
    """``text`` (shown safely) cut or padded to ``cells`` terminal cells (CJK: two each)."""
    shown = visible_line(text)
    while cell_len(shown) > cells:
        shown = shown[:-1]
    return shown + " " * (cells - cell_len(shown))


def _name_cells(names: Iterable[str], header: str, limit: int = 24) -> int:
    longest = max((cell_len(visible_line(name)) for name in names), default=0)
    return max(min(longest, limit), len(header))


def bar(value: int, largest: int, cells: int) -> str:
    """A bar of up to ``cells`` cells in eighths of a cell, for ``value`` out of ``largest``."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value * cells * 8 / largest))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def text_lines(report: Report, *, bar_cells: int = 30) -> list[str]:
    """The report for a terminal: each line safe to print (control characters as symbols).

    Frequencies and co-occurrence come most frequent first, with a bar; the timeline per code,
    month by month.
    """
    lines: list[str] = []
    if isinstance(report, Frequencies):
        width = _name_cells((code.tag for code in report.codes), "code")
        largest = max((code.passages for code in report.codes), default=0)
        lines.append(f"{_pad('code', width)}  passages  documents")
        for code in sorted(report.codes, key=lambda code: (-code.passages, code.tag)):
            lines.append(
                f"{_pad(code.tag, width)}  {code.passages:>8,}  {code.documents:>9,}  "
                + bar(code.passages, largest, bar_cells)
            )
        if not report.codes:
            lines.append("(no codes)")
    elif isinstance(report, Cooccurrence):
        width = _name_cells(
            (name for pair in report.pairs for name in (pair.tag_a, pair.tag_b)), "code A"
        )
        largest = max((pair.count for pair in report.pairs), default=0)
        lines.append(f"{_pad('code A', width)}  {_pad('code B', width)}  count")
        for pair in sorted(report.pairs, key=lambda p: (-p.count, p.tag_a, p.tag_b)):
            lines.append(
                f"{_pad(pair.tag_a, width)}  {_pad(pair.tag_b, width)}  {pair.count:>5,}  "
                + bar(pair.count, largest, bar_cells)
            )
        if not report.pairs:
            lines.append("(no two codes meet on a passage)")
    else:
        largest = max(report.passages.values(), default=0)
        for name in report.codes:
            months = [(m, report.passages[(name, m)]) for m in report.months
                      if (name, m) in report.passages]  # fmt: skip
            if not months:
                continue
            lines.append(visible_line(name))
            lines.extend(
                f"  {month:<7}  {count:>7,}  {bar(count, largest, bar_cells)}"
                for month, count in months
            )
        if not lines:
            lines.append("(no coded passages)")
    if report.orphans:
        noun = "annotation" if report.orphans == 1 else "annotations"
        lines.append(f"({report.orphans:,} orphaned {noun} not counted: their passage is gone)")
    return lines
