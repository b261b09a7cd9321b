"""A whole project read out of the store at once: what the interchange formats write.

W3C Web Annotation (reader.core.w3c) and REFI-QDA (reader.core.refiqda) both need the
documents' texts, the codebook and the annotations together; this is the one place that
asks the store for them, so the writers are plain functions of values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reader.core.models import Annotation, Code, Document, Tag
from reader.core.store import Store

__all__ = ["ProjectSnapshot", "read_project"]


@dataclass(frozen=True)
class ProjectSnapshot:
    documents: dict[int, Document]
    """Every document an exported annotation is on (all of them when nothing is filtered)."""
    tags: list[Tag]
    """The codebook, by name."""
    annotations: list[Annotation]
    """In document and text order."""
    codes: list[Code] = field(default_factory=list)
    """The codebook as a tree (issue 9): parents, descriptions, memos; every code."""
    memos: dict[int, str] = field(default_factory=dict)
    """The memo of each document that has one, by document id."""


def read_project(
    store: Store,
    *,
    tags: Iterable[str] = (),
    documents: Sequence[int] | None = None,
    since: str | None = None,
    coders: Iterable[str] = (),
) -> ProjectSnapshot:
    """The project, with the same filters as the CSV export.

    ``tags``: annotations carrying any of them; ``documents``: these ids only; ``since``: an
    ISO date, annotations created or changed on or after it; ``coders``: made by one of them.
    Without a filter every document is included, annotated or not (a project archive carries
    its whole corpus).
    """
    wanted_tags = {name for name in tags if name}
    wanted_documents = None if documents is None else set(documents)
    wanted_coders = {name for name in coders if name}
    filtered = bool(wanted_tags) or since is not None or bool(wanted_coders)
    annotations = [
        annotation
        for annotation in store.annotations.all()
        if (wanted_documents is None or annotation.document_id in wanted_documents)
        and (not wanted_tags or any(tag.name in wanted_tags for tag in annotation.tags))
        and (since is None or annotation.updated_at >= since)
        and (not wanted_coders or annotation.coder in wanted_coders)
    ]
    if filtered:
        ids = sorted({annotation.document_id for annotation in annotations})
    elif wanted_documents is not None:
        ids = sorted(wanted_documents)
    else:
        ids = [summary.id for summary in store.documents.summaries()]
    memos = {document_id: store.codebook.document_memo(document_id) for document_id in ids}
    return ProjectSnapshot(
        documents={document_id: store.documents.get(document_id) for document_id in ids},
        tags=store.tags.all(),
        annotations=annotations,
        codes=store.codebook.codes(),
        memos={document_id: memo for document_id, memo in memos.items() if memo.strip()},
    )
