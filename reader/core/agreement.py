"""Inter-coder agreement: percent agreement, Cohen's κ and Krippendorff's α (nominal).

The units and values (issue 12):

- The documents considered are those in which every listed coder made at least one
  annotation.
- ``character`` units: every character (code point) of those documents is a unit.
  ``sentence`` units: the text cut after 。！？!? (with the closing quotes and brackets that
  follow them: ``好。”`` is one sentence, not ``好。`` and a unit ``”``) and at line ends;
  each piece holding something other than white space is a unit (a newline is in no unit).
- For each code and each coder, a unit is 1 when an annotation of that coder carrying that
  code covers the character (``character``) or shares at least one character with the
  sentence (``sentence``), else 0. ``overall`` pools every (unit, code) pair.

Every coder gives every unit a value, so the reliability data has no gaps, and all three
figures follow from one histogram per code: how many units exactly ``j`` coders marked 1
(``j = 0..m``), plus each coder's count of 1s. That histogram is computed by a sweep over
the coders' spans mapped to unit index ranges, so the cost is O(A log A + D) for A
annotations and D documents: it never materialises a unit (a 1,000-document corpus has
millions of characters). :func:`unit_matrix` does materialise the matrix, for tests and
for anyone who wants to feed it to another package.

- Percent agreement: the share of agreeing coder pairs over all units and pairs (for two
  coders, simply the share of units on which they agree).
- Cohen's κ (exactly two coders): (p_o - p_e) / (1 - p_e), p_e from each coder's own
  marginals.
- Krippendorff's α (nominal): 1 - (n - 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k over the
  coincidence matrix o (n = units × coders pairable values).

A figure that is undefined (no units; κ or α when every value is the same, so no
disagreement could be expected) is None, never a made-up 0 or 1.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "UNITS",
    "AgreementReport",
    "CodedSpan",
    "DocumentUnits",
    "Figures",
    "Histogram",
    "agreement",
    "character_units",
    "considered_documents",
    "figures_from_histogram",
    "sentence_spans",
    "sentence_units",
    "unit_matrix",
]

Unit = Literal["character", "sentence"]
UNITS: tuple[Unit, ...] = ("character", "sentence")

SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）》〉】〕\])\"']*|\n")
"""Where a sentence unit ends: after a run of 。！？!? with the closing marks that follow,
and at a line end (the newline itself belongs to no unit)."""


@dataclass(frozen=True)
class CodedSpan:
    """One annotation of one coder: a passage of a document and the codes it carries."""

    document: Hashable
    """The document's key (an id, or a content hash when coders work in separate files)."""
    start: int
    """Code-point offset into the document's text."""
    end: int
    tags: tuple[str, ...] = ()


class DocumentUnits:
    """The units of one document: how many, and which of them a span touches."""

    def __init__(self, count: int, starts: Sequence[int] | None = None,
                 ends: Sequence[int] | None = None) -> None:  # fmt: skip
        self.count = count
        self._starts = starts
        self._ends = ends

    def touched(self, start: int, end: int) -> tuple[int, int]:
        """The units ``[first, last)`` that share at least one character with [start, end)."""
        if self._starts is None or self._ends is None:  # character units: the span itself
            return max(0, start), min(self.count, end)
        first = bisect.bisect_right(self._ends, start)  # the first unit ending after start
        last = bisect.bisect_left(self._starts, end)  # the first unit starting at/after end
        return first, last

    def spans(self) -> list[tuple[int, int]]:
        """Each unit's [start, end) in the text."""
        if self._starts is None or self._ends is None:
            return [(i, i + 1) for i in range(self.count)]
        return list(zip(self._starts, self._ends, strict=True))


def character_units(length: int) -> DocumentUnits:
    return DocumentUnits(length)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentence units of ``text`` as [start, end) offsets (see the module's docstring)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.start() if match.group() == "\n" else match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_units(text: str) -> DocumentUnits:
    spans = sentence_spans(text)
    return DocumentUnits(len(spans), [s for s, _ in spans], [e for _, e in spans])


@dataclass(frozen=True)
class Histogram:
    """The sufficient statistics of one code (or of several pooled) for m coders."""

    units: int
    """How many units (for a pool: (unit, code) pairs)."""
    marked_by: tuple[int, ...]
    """``marked_by[j]``: the units exactly j coders marked 1 (j = 0..m)."""
    positives: tuple[int, ...]
    """Per coder, how many units that coder marked 1."""

    def __add__(self, other: Histogram) -> Histogram:
        return Histogram(
            self.units + other.units,
            tuple(a + b for a, b in zip(self.marked_by, other.marked_by, strict=True)),
            tuple(a + b for a, b in zip(self.positives, other.positives, strict=True)),
        )


@dataclass(frozen=True)
class Figures:
    """One row of the report (a CSV row: tag, unit, coders, units, agreement, κ, α)."""

    tag: str | None
    """The code, or None for the overall pool."""
    unit: Unit
    coders: tuple[str, ...]
    units: int
    agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None


@dataclass(frozen=True)
class AgreementReport:
    coders: tuple[str, ...]
    unit: Unit
    documents: tuple[Hashable, ...]
    """The documents considered (every coder annotated in each)."""
    per_tag: tuple[Figures, ...]
    overall: Figures


def considered_documents(coding: Mapping[str, Iterable[CodedSpan]]) -> list[Hashable]:
    """The documents in which every coder made at least one annotation, in first-seen order."""
    order: dict[Hashable, None] = {}
    common: set[Hashable] | None = None
    for spans in coding.values():
        mine = {span.document for span in spans}
        for span_document in mine:
            order.setdefault(span_document, None)
        common = mine if common is None else common & mine
    return [document for document in order if common and document in common]


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _histogram(ranges_per_coder: Sequence[list[tuple[int, int]]], units: int) -> Histogram:
    """Sweep the coders' unit ranges (global unit indices) into a Histogram."""
    coders = len(ranges_per_coder)
    events: list[tuple[int, int]] = []
    positives: list[int] = []
    for ranges in ranges_per_coder:
        merged = _merged(ranges)
        positives.append(sum(end - start for start, end in merged))
        for start, end in merged:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    marked_by = [0] * (coders + 1)
    depth = 0
    previous = 0
    for position, step in events:
        if depth:
            marked_by[depth] += position - previous
        depth += step
        previous = position
    marked_by[0] = units - sum(marked_by[1:])
    return Histogram(units, tuple(marked_by), tuple(positives))


def figures_from_histogram(
    histogram: Histogram, tag: str | None, unit: Unit, coders: tuple[str, ...]
) -> Figures:
    """Percent agreement, κ (two coders) and α (nominal) from a Histogram."""
    m = len(coders)
    units = histogram.units
    if units == 0 or m < 2:
        return Figures(tag, unit, coders, units, None, None, None)
    counts = histogram.marked_by
    pairs = m * (m - 1) // 2
    agreeing_pairs = sum(
        count * (j * (j - 1) // 2 + (m - j) * (m - j - 1) // 2) for j, count in enumerate(counts)
    )
    percent = agreeing_pairs / (units * pairs)
    # Krippendorff's α, nominal, no missing values: every unit has m pairable values.
    values = units * m
    ones = sum(j * count for j, count in enumerate(counts))
    zeros = values - ones
    disagreeing = sum(count * j * (m - j) for j, count in enumerate(counts)) / (m - 1)  # o_01
    alpha = None if ones == 0 or zeros == 0 else 1 - (values - 1) * disagreeing / (zeros * ones)
    kappa = None
    if m == 2:
        p_a, p_b = (positive / units for positive in histogram.positives)
        expected = p_a * p_b + (1 - p_a) * (1 - p_b)
        observed = (counts[0] + counts[2]) / units
        kappa = None if expected >= 1 else (observed - expected) / (1 - expected)
    return Figures(tag, unit, coders, units, percent, kappa, alpha)


def _units_by_document(
    documents: Sequence[Hashable], units_of: Callable[[Hashable], DocumentUnits]
) -> tuple[dict[Hashable, tuple[int, DocumentUnits]], int]:
    """Each document's units and the global index of its first unit; the total."""
    placed: dict[Hashable, tuple[int, DocumentUnits]] = {}
    total = 0
    for document in documents:
        units = units_of(document)
        placed[document] = (total, units)
        total += units.count
    return placed, total


def agreement(
    coding: Mapping[str, Iterable[CodedSpan]],
    units_of: Callable[[Hashable], DocumentUnits],
    *,
    unit: Unit = "character",
    tags: Iterable[str] | None = None,
) -> AgreementReport:
    """The agreement of the coders in ``coding`` (coder name -> that coder's annotations).

    ``units_of(document)`` gives a document's units (:func:`character_units` of its length,
    or :func:`sentence_units` of its text); it is called only for the documents considered.
    ``tags``: the codes to report (default: every code any of these coders used there).
    """
    coders = tuple(coding)
    spans = {coder: list(coding[coder]) for coder in coders}
    documents = considered_documents(spans)
    placed, total = _units_by_document(documents, units_of)
    wanted = None if tags is None else list(dict.fromkeys(tags))
    ranges: dict[str, list[list[tuple[int, int]]]] = {}
    for index, coder in enumerate(coders):
        for span in spans[coder]:
            where = placed.get(span.document)
            if where is None:
                continue
            offset, units = where
            first, last = units.touched(span.start, span.end)
            if first >= last:
                continue
            for tag in dict.fromkeys(span.tags):
                if wanted is not None and tag not in wanted:
                    continue
                per_coder = ranges.setdefault(tag, [[] for _ in coders])
                per_coder[index].append((offset + first, offset + last))
    codes = wanted if wanted is not None else sorted(ranges)
    empty = Histogram(0, (0,) * (len(coders) + 1), (0,) * len(coders))
    pooled = empty
    rows: list[Figures] = []
    for code in codes:
        histogram = _histogram(ranges.get(code) or [[] for _ in coders], total)
        pooled = pooled + histogram
        rows.append(figures_from_histogram(histogram, code, unit, coders))
    return AgreementReport(
        coders=coders,
        unit=unit,
        documents=tuple(documents),
        per_tag=tuple(rows),
        overall=figures_from_histogram(pooled, None, unit, coders),
    )


def unit_matrix(
    coding: Mapping[str, Iterable[CodedSpan]],
    units_of: Callable[[Hashable], DocumentUnits],
    tag: str,
) -> list[list[int]]:
    """The reliability data of one code, materialised: one row per coder, one column per unit.

    Built directly from the definitions (unit by unit, span by span), independently of the
    sweep that :func:`agreement` uses, so the two can check each other.
    """
    spans = {coder: list(values) for coder, values in coding.items()}
    documents = considered_documents(spans)
    matrix: list[list[int]] = [[] for _ in spans]
    for document in documents:
        units = units_of(document).spans()
        for row, coder in zip(matrix, spans, strict=True):
            values = [0] * len(units)
            for span in spans[coder]:
                if span.document != document or tag not in span.tags:
                    continue
                for index, (start, end) in enumerate(units):
                    if start < span.end and span.start < end:
                        values[index] = 1
            row.extend(values)
    return matrix
