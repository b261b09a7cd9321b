"""The coders' annotations for reader.core.agreement, read from the store, and the report
written out as text, CSV or JSON.

Two ways to give the coders: several coders in **one database** (every annotation records
its coder: :func:`agreement_of_coders`), or each coder in **a database of their own** (a copy
of the project: :func:`agreement_of_stores`, the coder named after the file). Across
databases documents are matched by their text (content hash), so offsets are compared only
where the texts are identical, whatever ids the documents have in each file.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from typing import IO, Any

from reader.core.agreement import (
    AgreementReport,
    CodedSpan,
    DocumentUnits,
    Figures,
    Unit,
    agreement,
    character_units,
    sentence_units,
)
from reader.core.documents import content_hash
from reader.core.export import csv_writer, neutralise
from reader.core.store import Store

__all__ = [
    "CSV_COLUMNS",
    "AgreementInputError",
    "agreement_of_coders",
    "agreement_of_stores",
    "text_lines",
    "write_report",
]

CSV_COLUMNS = (
    "tag",
    "unit",
    "coders",
    "units",
    "agreement",
    "cohen_kappa",
    "krippendorff_alpha",
)


class AgreementInputError(ValueError):
    """The coders asked for cannot be compared (one line saying why)."""


def agreement_of_coders(
    store: Store,
    coders: Sequence[str],
    *,
    unit: Unit = "character",
    tags: Sequence[str] | None = None,
    documents: Sequence[int] | None = None,
) -> AgreementReport:
    """Agreement of ``coders`` (at least two, each with annotations) in one database.

    Documents are compared by id (one database, one text each). ``documents``: only these
    ids. Only active annotations count: an orphan has no place.
    """
    wanted = list(dict.fromkeys(coders))
    if len(wanted) < 2:
        raise AgreementInputError("give at least two different coders: --coders A,B")
    present = dict(store.annotations.coders())
    missing = [coder for coder in wanted if not present.get(coder)]
    if missing:
        here = ", ".join(present) or "nobody yet"
        raise AgreementInputError(
            f"no annotations by {', '.join(missing)} in {store.path} (coders here: {here})"
        )
    coding: dict[str, list[CodedSpan]] = {coder: [] for coder in wanted}
    for coder, document_id, start, end, names in store.annotations.coded_spans(
        wanted, documents
    ):
        coding[coder].append(CodedSpan(document_id, start, end, names))

    def units_of(document: Hashable) -> DocumentUnits:  # called once per document considered
        assert isinstance(document, int)
        text = store.documents.text(document)
        return character_units(len(text)) if unit == "character" else sentence_units(text)

    return agreement(coding, units_of, unit=unit, tags=tags)


def agreement_of_stores(
    stores: Mapping[str, Store],
    *,
    unit: Unit = "character",
    tags: Sequence[str] | None = None,
    documents: Sequence[int] | None = None,
) -> AgreementReport:
    """Agreement of the coders whose databases are ``stores`` (coder name -> store).

    ``documents``: ids in the first coder's database (the same texts are found in the
    others by their content). Only active annotations count: an orphan has no place.
    """
    texts: dict[Hashable, str] = {}
    wanted: set[str] | None = None
    coding: dict[str, list[CodedSpan]] = {}
    for index, (coder, store) in enumerate(stores.items()):
        hashes: dict[int, str] = {}
        spans: list[CodedSpan] = []
        for annotation in store.annotations.all():
            if annotation.status != "active":
                continue
            key = hashes.get(annotation.document_id)
            if key is None:
                text = store.documents.get(annotation.document_id).text
                key = hashes[annotation.document_id] = content_hash(text)
                texts.setdefault(key, text)
            spans.append(
                CodedSpan(
                    key, annotation.start, annotation.end, tuple(t.name for t in annotation.tags)
                )
            )
        if index == 0 and documents is not None:
            wanted = {
                hashes.get(document_id) or content_hash(store.documents.get(document_id).text)
                for document_id in documents
            }
        coding[coder] = spans
    if wanted is not None:
        coding = {c: [s for s in spans if s.document in wanted] for c, spans in coding.items()}

    def units_of(document: Hashable) -> DocumentUnits:
        text = texts[document]
        return character_units(len(text)) if unit == "character" else sentence_units(text)

    return agreement(coding, units_of, unit=unit, tags=tags)


def _number(value: float | None) -> float | None:
    """Six decimals (a bare number in the CSV), or None (an empty cell)."""
    return None if value is None else round(value, 6)


def _row(figures: Figures) -> dict[str, Any]:
    return {
        "tag": figures.tag,
        "unit": figures.unit,
        "coders": list(figures.coders),
        "units": figures.units,
        "agreement": figures.agreement,
        "cohen_kappa": figures.cohen_kappa,
        "krippendorff_alpha": figures.krippendorff_alpha,
    }


def write_report(report: AgreementReport, out: IO[str], file_format: str = "text") -> None:
    """``text``: an aligned table; ``csv``: the issue's columns (overall: tag empty, κ empty
    for more than two coders; written like the CSV export: text quoted, numbers bare, text
    cells guarded against formulas);
    ``json``: the same figures with nulls."""
    rows = [*report.per_tag, report.overall]
    if file_format == "json":
        json.dump(
            {
                "coders": list(report.coders),
                "unit": report.unit,
                "documents": len(report.documents),
                "tags": [_row(f) for f in report.per_tag],
                "overall": _row(report.overall),
            },
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return
    if file_format == "csv":
        writer = csv_writer(out)
        writer.writerow(CSV_COLUMNS)
        for figures in rows:
            writer.writerow(
                [
                    "" if figures.tag is None else neutralise(figures.tag),
                    figures.unit,
                    neutralise(",".join(figures.coders)),
                    figures.units,
                    _number(figures.agreement),
                    _number(figures.cohen_kappa),
                    _number(figures.krippendorff_alpha),
                ]
            )
        return
    raise ValueError(f"unknown format {file_format!r}")


def text_lines(report: AgreementReport) -> list[str]:
    """The report as lines of a table, for a terminal (each goes through the CLI's say());
    tag names are padded by their width on screen (a Chinese character is two cells)."""
    from reader.core.display import visible_line
    from reader.core.graphemes import cell_width

    def shown(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    def padded(name: str, width: int = 20) -> str:
        name = visible_line(name)
        return name + " " * max(1, width - cell_width(name))

    count = len(report.documents)
    lines = [
        f"{count} document{'' if count == 1 else 's'} coded by all of"
        f" {', '.join(report.coders)}; unit: {report.unit}",
        f"{padded('tag')}{'units':>12} {'agreement':>10} {'kappa':>8} {'alpha':>8}",
    ]
    for figures in (*report.per_tag, report.overall):
        name = "(overall)" if figures.tag is None else figures.tag
        lines.append(
            f"{padded(name)}{figures.units:>12,} {shown(figures.agreement):>10}"
            f" {shown(figures.cohen_kappa):>8} {shown(figures.krippendorff_alpha):>8}"
        )
    return lines
