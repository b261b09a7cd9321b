"""Where two coders disagree on one code, and settling it (issue 12's disagreement browser).

A **disagreement** is a passage of a document where coder A's and coder B's annotations
carrying the code overlap one another (a cluster: spans that share at least one character,
transitively) and the two coders do not cover the same characters: only A coded there, only
B did, or both did with different extents. Two annotations that merely touch (``[0, 5)`` and
``[5, 9)``) are separate places; A's ``[0, 5)`` and ``[5, 9)`` against B's ``[0, 9)`` cover
the same characters, so they agree (as the character units of reader.core.agreement count).

**Resolving** one makes the two coders agree there, as one undoable action of the current
coder (whoever settles it: one of the two, or a lead):

- ``KEEP_A``: B's coding of the code there becomes A's (B gets A's passages);
- ``KEEP_B``: A's becomes B's;
- ``UNION``: both get one passage per stretch the two cover together (overlapping spans
  merged: A ``[0, 10)`` and B ``[5, 15)`` become ``[0, 15)`` for each);
- ``BOTH``: both get every passage either made, as separate annotations (each keeps its own
  extent and comment; the other coder gets a copy carrying the code).

A coder's annotations are changed as little as possible: one already on a wanted extent
stays; one carrying only this code moves to a wanted extent (keeping its comment); one that
also carries other codes only loses this code (its other codes are not moved); one left over
is deleted, unless it has a comment, which it keeps without the code. Nothing of another code
is changed. A passage given to a coder is a new annotation recorded as theirs.

Nothing here speaks SQL or Textual: the store does the reading and writing, the app shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from reader.core.models import Annotation, AnnotationStatus
from reader.core.store import Store

__all__ = [
    "Disagreement",
    "DisagreementKind",
    "Resolution",
    "disagreements",
    "find_disagreements",
    "resolve",
]

Span = tuple[int, int]


class DisagreementKind(StrEnum):
    ONLY_A = "only A"
    ONLY_B = "only B"
    EXTENT = "different extents"


class Resolution(StrEnum):
    KEEP_A = "keep A's"
    KEEP_B = "keep B's"
    UNION = "merge to the union"
    BOTH = "keep both"


@dataclass(frozen=True)
class Disagreement:
    document_id: int
    start: int
    """Where the place begins: the first character any of its spans covers."""
    end: int
    """Where it ends (exclusive): the last any of them covers, plus one."""
    kind: DisagreementKind
    a: tuple[Annotation, ...]
    """Coder A's annotations carrying the code there, in text order (empty: only B)."""
    b: tuple[Annotation, ...]

    @property
    def a_spans(self) -> list[Span]:
        return [(x.start, x.end) for x in self.a]

    @property
    def b_spans(self) -> list[Span]:
        return [(x.start, x.end) for x in self.b]


def merged(spans: Iterable[Span]) -> list[Span]:
    """The characters the spans cover, as sorted disjoint stretches (touching ones joined)."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def find_disagreements(a: Iterable[Annotation], b: Iterable[Annotation]) -> list[Disagreement]:
    """The places where the annotations ``a`` (coder A's) and ``b`` (coder B's) differ, in
    document and text order. Orphans (no trustworthy offsets) are left out."""
    by_document: dict[int, list[tuple[int, int, bool, Annotation]]] = {}
    for is_a, coded in ((True, a), (False, b)):
        for annotation in coded:
            if annotation.status != AnnotationStatus.ACTIVE or annotation.end <= annotation.start:
                continue
            by_document.setdefault(annotation.document_id, []).append(
                (annotation.start, annotation.end, is_a, annotation)
            )
    found: list[Disagreement] = []
    for document_id in sorted(by_document):
        spans = sorted(by_document[document_id], key=lambda item: (item[0], item[1], item[3].id))
        cluster: list[tuple[int, int, bool, Annotation]] = []
        reach = -1
        for item in spans:
            if cluster and item[0] >= reach:  # shares no character with the cluster
                _judge(document_id, cluster, found)
                cluster = []
            cluster.append(item)
            reach = max(reach, item[1]) if len(cluster) > 1 else item[1]
        if cluster:
            _judge(document_id, cluster, found)
    return found


def _judge(
    document_id: int, cluster: list[tuple[int, int, bool, Annotation]], found: list[Disagreement]
) -> None:
    of_a = tuple(item[3] for item in cluster if item[2])
    of_b = tuple(item[3] for item in cluster if not item[2])
    if of_a and of_b:
        if merged((x.start, x.end) for x in of_a) == merged((x.start, x.end) for x in of_b):
            return
        kind = DisagreementKind.EXTENT
    else:
        kind = DisagreementKind.ONLY_A if of_a else DisagreementKind.ONLY_B
    start = min(item[0] for item in cluster)
    end = max(item[1] for item in cluster)
    found.append(Disagreement(document_id, start, end, kind, of_a, of_b))


def disagreements(store: Store, coder_a: str, coder_b: str, code: str) -> list[Disagreement]:
    """Where ``coder_a`` and ``coder_b`` disagree on ``code`` in the whole library."""
    coded = store.annotations.by_coders([coder_a, coder_b], code)
    return find_disagreements(
        (x for x in coded if x.coder == coder_a),
        (x for x in coded if x.coder == coder_b),
    )


def targets(disagreement: Disagreement, resolution: Resolution) -> tuple[list[Span], list[Span]]:
    """The passages (A's, B's) that carry the code there once ``resolution`` is applied."""
    a = sorted(set(disagreement.a_spans))
    b = sorted(set(disagreement.b_spans))
    if resolution == Resolution.KEEP_A:
        return a, a
    if resolution == Resolution.KEEP_B:
        return b, b
    if resolution == Resolution.UNION:
        union = merged(a + b)
        return union, union
    both = sorted(set(a + b))
    return both, both


def resolve(
    store: Store,
    disagreement: Disagreement,
    resolution: Resolution,
    *,
    coder_a: str,
    coder_b: str,
    code: str,
    description: str = "",
) -> int:
    """Apply ``resolution`` as one undoable action of the current coder (one transaction);
    returns how many annotations were created, changed or deleted.

    Refuses (StoreError, nothing changed) when the annotations there are no longer as they
    were listed (changed meanwhile, here or by another program): list again first.
    """
    want_a, want_b = targets(disagreement, resolution)
    label = description or f"{resolution} on {code}"
    with store.transaction(), store.history.one_action(label):
        _check_unchanged(store, disagreement)
        changes = _conform(store, disagreement.document_id, coder_a, code, disagreement.a, want_a)
        changes += _conform(store, disagreement.document_id, coder_b, code, disagreement.b, want_b)
    return changes


def _check_unchanged(store: Store, disagreement: Disagreement) -> None:
    from reader.core.errors import StoreError

    for listed in (*disagreement.a, *disagreement.b):
        try:
            current = store.annotations.get(listed.id)
        except StoreError:
            current = None
        if current is None or (current.start, current.end, current.tags, current.coder) != (
            listed.start,
            listed.end,
            listed.tags,
            listed.coder,
        ):
            raise StoreError(
                "That passage changed since the list was made (here or in another program):"
                " nothing was changed. The list is shown again."
            )


def _conform(
    store: Store,
    document_id: int,
    coder: str,
    code: str,
    present: Sequence[Annotation],
    wanted: Sequence[Span],
) -> int:
    """Make ``coder``'s annotations carrying ``code`` there (``present``) cover exactly the
    passages ``wanted``, changing as little as possible (see the module's docstring)."""
    missing = list(wanted)
    leftovers: list[Annotation] = []
    for annotation in present:
        span = (annotation.start, annotation.end)
        if span in missing:
            missing.remove(span)
        else:
            leftovers.append(annotation)
    changes = 0
    for annotation in leftovers:
        names = [tag.name for tag in annotation.tags]
        if missing and names == [code]:
            store.annotations.set_range(annotation.id, *missing.pop(0))
        elif names != [code]:
            store.annotations.set_tags(annotation.id, [n for n in names if n != code])
        elif annotation.comment:
            store.annotations.set_tags(annotation.id, [])
        else:
            store.annotations.delete(annotation.id)
        changes += 1
    for start, end in missing:
        store.annotations.create(document_id, start, end, [code], coder=coder)
        changes += 1
    return changes
