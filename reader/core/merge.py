"""``reader merge``: an offline coder's SQLite file brought into a project (issue 10 §5).

Documents are matched by content (the same stored text), and imported when the project lacks
them. Each annotation comes with its coder, tags and comment. An annotation is the same one
when the project has an annotation by the same coder on the same passage of the same document:
with the same tags and comment it is already there (so merging twice adds nothing); with
different ones it is a conflict, listed and left as it is on both sides (reader never guesses
whose version wins). Two coders on one passage are two annotations, not a conflict.

No SQL here: the store's jobs on both sides (either may be SQLite or PostgreSQL).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from reader.core.models import Annotation, AnnotationStatus, RestoredAnnotation
from reader.core.store import Store

__all__ = ["MergeConflict", "MergeReport", "merge"]


@dataclass(frozen=True)
class MergeConflict:
    document_title: str
    start: int
    end: int
    coder: str
    here: str
    """The project's version: its tags and comment."""
    incoming: str
    """The merged file's version."""

    def describe(self) -> str:
        return (
            f"“{self.document_title}” [{self.start}, {self.end}) by {self.coder or '(no coder)'}:"
            f" project has {self.here}; the file has {self.incoming}"
        )


@dataclass
class MergeReport:
    documents_added: int = 0
    documents_matched: int = 0
    annotations_added: int = 0
    already_present: int = 0
    conflicts: list[MergeConflict] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _content(annotation: Annotation) -> tuple[tuple[str, ...], str]:
    return tuple(sorted(tag.name for tag in annotation.tags)), annotation.comment


def _shown(content: tuple[tuple[str, ...], str]) -> str:
    tags, comment = content
    return f"tags [{', '.join(tags)}], comment “{comment}”"


def merge(source: Store, target: Store) -> MergeReport:
    """Bring ``source``'s documents and annotations into ``target`` (see the module)."""
    report = MergeReport()
    by_content: dict[str, int] = {}
    for summary in target.documents.summaries():
        by_content.setdefault(_digest(target.documents.text(summary.id)), summary.id)
    document_map: dict[int, int] = {}
    titles: dict[int, str] = {}
    for summary in source.documents.summaries():
        document = source.documents.get(summary.id)
        digest = _digest(document.text)
        found = by_content.get(digest)
        if found is None:
            found = target.documents.add(
                text=document.text,
                title=document.title,
                source=document.source,
                published=document.published,
                path=document.path,
                script=document.script,
                encoding=document.encoding,
                content_hash=document.content_hash,
                author=document.author,
            )
            by_content[digest] = found
            report.documents_added += 1
        else:
            report.documents_matched += 1
        document_map[document.id] = found
        titles[found] = document.title

    incoming: list[RestoredAnnotation] = []
    for source_document, target_document in document_map.items():
        here: dict[tuple[int, int, str], list[Annotation]] = {}
        for annotation in target.annotations.for_document(target_document):
            key = (annotation.start, annotation.end, annotation.coder)
            here.setdefault(key, []).append(annotation)
        for annotation in source.annotations.for_document(source_document):
            if annotation.status != AnnotationStatus.ACTIVE:
                continue  # an orphan's passage is gone from its text: nothing to place
            key = (annotation.start, annotation.end, annotation.coder)
            theirs = _content(annotation)
            mine = [_content(existing) for existing in here.get(key, [])]
            if theirs in mine:
                report.already_present += 1
            elif mine:
                report.conflicts.append(
                    MergeConflict(
                        titles[target_document],
                        annotation.start,
                        annotation.end,
                        annotation.coder,
                        _shown(mine[0]),
                        _shown(theirs),
                    )
                )
            else:
                incoming.append(_restored(annotation, target_document))
    if incoming:
        added = target.annotations.restore(incoming)
        report.annotations_added = sum(1 for result in added if result is not None)
        report.already_present += sum(1 for result in added if result is None)
    return report


def _restored(annotation: Annotation, document_id: int) -> RestoredAnnotation:
    return RestoredAnnotation(
        id=None,
        document_id=document_id,
        start=annotation.start,
        end=annotation.end,
        tags=tuple(tag.name for tag in annotation.tags),
        comment=annotation.comment,
        created_at=annotation.created_at,
        updated_at=annotation.updated_at,
        coder=annotation.coder,
    )
