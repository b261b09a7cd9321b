"""CSV export: one row per annotation, RFC 4180, UTF-8."""

from __future__ import annotations

import csv
from typing import TextIO

from reader.core.convert import Converted, converter
from reader.core.models import Annotation
from reader.core.store import Store

__all__ = ["COLUMNS", "write_csv"]

COLUMNS = (
    "annotation_id",
    "document_id",
    "document_title",
    "document_source",
    "start",
    "end",
    "passage",
    "tags",
    "comment",
    "created_at",
    "updated_at",
)


def write_csv(store: Store, out: TextIO, *, script: str | None = None) -> int:
    """Write every annotation to ``out``; with ``script``, add the passage in that OpenCC config.

    Returns the number of rows written. ``out`` must be opened with ``newline=""``.
    """
    columns = [*COLUMNS, "passage_converted"] if script else list(COLUMNS)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    documents = {summary.id: summary for summary in store.list_documents()}
    count = 0
    mapped: dict[int, Converted] = {}
    for annotation in store.all_annotations():
        document = documents[annotation.document_id]
        row: list[object] = [
            annotation.id,
            annotation.document_id,
            document.title,
            document.source,
            annotation.start,
            annotation.end,
            annotation.quote,
            "; ".join(tag.name for tag in annotation.tags),
            annotation.comment,
            annotation.created_at,
            annotation.updated_at,
        ]
        if script:
            row.append(_converted_passage(store, annotation, script, mapped))
        writer.writerow(row)
        count += 1
    return count


def _converted_passage(
    store: Store, annotation: Annotation, script: str, cache: dict[int, Converted]
) -> str:
    # Convert the whole document once: a passage converted out of context can segment
    # differently from the same passage read in place.
    if annotation.document_id not in cache:
        text = store.get_document(annotation.document_id).text
        cache.clear()
        cache[annotation.document_id] = converter(script).convert_mapped(text)
    converted = cache[annotation.document_id]
    start, end = converted.offsets.to_dst(annotation.start, annotation.end)
    return converted.text[start:end]
