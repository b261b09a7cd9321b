"""W3C Web Annotation export: one JSON-LD ``AnnotationCollection`` of every annotation.

The shape (W3C Web Annotation Data Model, 2017):

- the collection: ``@context`` ``http://www.w3.org/ns/anno.jsonld`` (first), ``id``, ``type``
  ``AnnotationCollection``, ``label``, ``total``, and ``first``: one embedded
  ``AnnotationPage`` holding every annotation in ``items``;
- each annotation: ``id``, ``type`` ``Annotation``, ``created``/``modified`` (xsd:dateTime,
  UTC), a ``body`` list: each tag a ``TextualBody`` with ``purpose`` ``tagging``, the comment
  a ``TextualBody`` with ``purpose`` ``commenting`` (no body at all when it has neither);
- the ``target``: the document (``source``) with a ``TextQuoteSelector`` (``exact``, and
  up to 32 characters of ``prefix`` and ``suffix``) and a ``TextPositionSelector`` whose
  ``start``/``end`` count Unicode code points, as the model requires; the selector also
  carries ``utf16Start``/``utf16End`` (UTF-16 code units, what a JavaScript string index
  is), an extension term defined in the second ``@context`` entry. An orphan (a changed
  text no longer holds its passage) has only its quote: its old offsets would point at
  other words.
- ``creator``: the annotation's coder, ``{"id": "{base}coder/NAME", "type": "Person",
  "name": NAME}`` (the name percent-encoded in the IRI); a ``creator`` function can supply
  another per annotation.

Identifiers are IRIs under ``base`` (default ``urn:x-reader:``): ``{base}annotation/12``,
``{base}document/3``, ``{base}annotations``. Give a real ``https://`` base when the
annotations will be published.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from reader.core.models import Annotation, Document
from reader.core.project import ProjectSnapshot, read_project
from reader.core.safefile import replacing
from reader.core.store import QUOTE_CONTEXT, Store

__all__ = [
    "ANNO_CONTEXT",
    "DEFAULT_BASE",
    "annotation_item",
    "coder_creator",
    "collection",
    "export_w3c",
    "utf16_offset",
    "write_w3c",
]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DEFAULT_BASE = "urn:x-reader:"
EXTENSION_CONTEXT = {
    "reader": "urn:x-reader:ns#",
    "utf16Start": {"@id": "reader:utf16Start", "@type": "xsd:nonNegativeInteger"},
    "utf16End": {"@id": "reader:utf16End", "@type": "xsd:nonNegativeInteger"},
}
"""The extension terms; the model keeps its own context first and lets others follow."""

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

Creator = Callable[[Annotation], dict[str, Any] | None]


def utf16_offset(text: str, offset: int) -> int:
    """The UTF-16 code unit index of code point ``offset`` (each astral character is two)."""
    return offset + len(_ASTRAL.findall(text, 0, offset))


class _Utf16:
    """Code point -> UTF-16 offsets of one text, linear per document however many spans."""

    def __init__(self, text: str) -> None:
        self.astral = [match.start() for match in _ASTRAL.finditer(text)]

    def __call__(self, offset: int) -> int:
        if not self.astral:
            return offset
        return offset + bisect.bisect_left(self.astral, offset)


def _datetime(stamp: str) -> str | None:
    """An ISO timestamp as xsd:dateTime in UTC (``2026-12-01T00:57:10Z``), or None."""
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def coder_creator(base: str = DEFAULT_BASE) -> Creator:
    """The default ``creator``: the annotation's coder as a Person (none without a coder)."""

    def creator(annotation: Annotation) -> dict[str, Any] | None:
        if not annotation.coder:
            return None
        return {
            "id": f"{base}coder/{quote(annotation.coder, safe='')}",
            "type": "Person",
            "name": annotation.coder,
        }

    return creator


def annotation_item(
    annotation: Annotation,
    document: Document,
    *,
    base: str = DEFAULT_BASE,
    utf16: Callable[[int], int] | None = None,
    creator: Creator | None = None,
) -> dict[str, Any]:
    """One annotation as a W3C ``Annotation`` (without ``@context``: it sits in a page);
    ``creator`` defaults to :func:`coder_creator`."""
    item: dict[str, Any] = {"id": f"{base}annotation/{annotation.id}", "type": "Annotation"}
    person = (creator or coder_creator(base))(annotation)
    if person:
        item["creator"] = person
    for key, stamp in (("created", annotation.created_at), ("modified", annotation.updated_at)):
        value = _datetime(stamp)
        if value:
            item[key] = value
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag.name} for tag in annotation.tags
    ]
    if annotation.comment:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": annotation.comment,
                "format": "text/plain",
            }
        )
    if body:
        item["body"] = body
    text = document.text
    start, end = annotation.start, annotation.end
    if annotation.status == "active" and 0 <= start < end <= len(text):
        to_utf16 = utf16 or _Utf16(text)
        selectors: list[dict[str, Any]] = [
            {
                "type": "TextQuoteSelector",
                "exact": text[start:end],
                "prefix": text[max(0, start - QUOTE_CONTEXT) : start],
                "suffix": text[end : end + QUOTE_CONTEXT],
            },
            {
                "type": "TextPositionSelector",
                "start": start,
                "end": end,
                "utf16Start": to_utf16(start),
                "utf16End": to_utf16(end),
            },
        ]
    else:
        selectors = [{"type": "TextQuoteSelector", "exact": annotation.quote}]
    item["target"] = {
        "source": f"{base}document/{document.id}",
        "selector": selectors if len(selectors) > 1 else selectors[0],
    }
    return item


def _items(
    project: ProjectSnapshot, base: str, creator: Creator | None
) -> Iterator[dict[str, Any]]:
    current: tuple[int, _Utf16] | None = None
    for annotation in project.annotations:
        document = project.documents[annotation.document_id]
        if current is None or current[0] != document.id:
            current = (document.id, _Utf16(document.text))
        yield annotation_item(annotation, document, base=base, utf16=current[1], creator=creator)


def _header(project: ProjectSnapshot, base: str, label: str) -> dict[str, Any]:
    return {
        "@context": [ANNO_CONTEXT, EXTENSION_CONTEXT],
        "id": f"{base}annotations",
        "type": "AnnotationCollection",
        "label": label,
        "total": len(project.annotations),
    }


def collection(
    project: ProjectSnapshot,
    *,
    base: str = DEFAULT_BASE,
    label: str = "reader annotations",
    creator: Creator | None = None,
) -> dict[str, Any]:
    """The whole ``AnnotationCollection`` as a dict (for tests and small projects)."""
    page = {
        "id": f"{base}annotations/page/1",
        "type": "AnnotationPage",
        "partOf": f"{base}annotations",
        "startIndex": 0,
        "items": list(_items(project, base, creator)),
    }
    return {**_header(project, base, label), "first": page, "last": page["id"]}


def write_w3c(
    store: Store,
    out: IO[str],
    *,
    base: str = DEFAULT_BASE,
    label: str | None = None,
    creator: Creator | None = None,
    **filters: Any,
) -> int:
    """Write the collection to ``out`` as JSON (UTF-8 text, one annotation per line inside
    the page's ``items``, so a large export streams); returns the annotation count.

    ``filters`` are those of the CSV export: ``tags``, ``documents``, ``since``.
    """
    project = read_project(store, **filters)
    header = _header(project, base, label or f"reader annotations: {store.path.name}")
    page_id = f"{base}annotations/page/1"
    header["last"] = page_id
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    out.write(dumps(header)[:-1])
    out.write(
        f', "first": {{"id": {dumps(page_id)}, "type": "AnnotationPage",'
        f' "partOf": {dumps(base + "annotations")}, "startIndex": 0, "items": ['
    )
    for index, item in enumerate(_items(project, base, creator)):
        out.write(("\n" if index == 0 else ",\n") + dumps(item))
    out.write("\n]}}\n")
    return len(project.annotations)


def export_w3c(store: Store, target: Path, **options: Any) -> int:
    """:func:`write_w3c` into ``target`` through :func:`reader.core.safefile.replacing`."""
    with replacing(target) as out:
        return write_w3c(store, out, **options)
