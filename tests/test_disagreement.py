"""The disagreement list and its resolutions (issue 12), on a real SQLite file: two coders'
annotations on the sample article, settled by a third (the lead), each settling one undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core.agreement_input import agreement_of_coders
from reader.core.disagreement import (
    DisagreementKind,
    Resolution,
    disagreements,
    find_disagreements,
    merged,
    resolve,
)
from reader.core.importing import import_seeds
from reader.core.models import Annotation
from reader.core.store import Store, StoreError

CODE = "政策"


@pytest.fixture
def project(db_path: Path) -> Iterator[dict[str, Store]]:
    """Sessions of anna, bo and the lead on one file with the samples."""
    stores = {name: Store(db_path, coder=name) for name in ("anna", "bo", "lead")}
    import_seeds(stores["lead"])
    yield stores
    for store in stores.values():
        store.close()


def code(store: Store, start: int, end: int, tags=(CODE,), comment: str = "") -> Annotation:
    return store.annotations.create(1, start, end, list(tags), comment)


def state(store: Store) -> list[tuple]:
    """Every annotation as (coder, start, end, tags, comment): what a resolution changes."""
    return sorted(
        (a.coder, a.document_id, a.start, a.end, tuple(t.name for t in a.tags), a.comment)
        for a in store.annotations.all()
    )


def coded_by(store: Store, coder: str) -> list[tuple[int, int]]:
    return sorted(
        (a.start, a.end)
        for a in store.annotations.all()
        if a.coder == coder and CODE in {t.name for t in a.tags}
    )


def test_places_are_clusters_of_overlapping_spans(project: dict[str, Store]) -> None:
    anna, bo = project["anna"], project["bo"]
    code(anna, 0, 10)
    code(bo, 5, 15)  # overlapping, different extents
    code(anna, 20, 25)  # only anna
    code(bo, 30, 35)  # only bo
    code(anna, 40, 45)
    code(anna, 45, 50)
    code(bo, 40, 50)  # the same characters in two pieces: agreement
    code(anna, 60, 65)
    code(bo, 65, 70)  # touching is not overlapping: two places
    code(anna, 80, 90, tags=("别的",))
    code(bo, 80, 85, tags=("别的",))  # another code: not this list's business
    code(anna, 100, 110)
    code(bo, 100, 110)  # the same passage: agreement
    code(project["lead"], 120, 130)  # a third coder is not compared
    found = disagreements(anna, "anna", "bo", CODE)
    assert [(d.start, d.end, d.kind) for d in found] == [
        (0, 15, DisagreementKind.EXTENT),
        (20, 25, DisagreementKind.ONLY_A),
        (30, 35, DisagreementKind.ONLY_B),
        (60, 65, DisagreementKind.ONLY_A),
        (65, 70, DisagreementKind.ONLY_B),
    ]
    assert found[0].a_spans == [(0, 10)] and found[0].b_spans == [(5, 15)]
    # A chain of overlaps is one place however long.
    chain = disagreements(anna, "bo", "anna", "别的")
    assert [(d.start, d.end, d.kind) for d in chain] == [(80, 90, DisagreementKind.EXTENT)]
    assert merged([(5, 9), (0, 5), (20, 30), (25, 26)]) == [(0, 9), (20, 30)]


def test_orphans_and_other_documents_are_apart() -> None:
    from reader.core.models import AnnotationStatus

    a = [Annotation(1, 1, 0, 5, "x", coder="a"), Annotation(2, 2, 0, 5, "x", coder="a")]
    b = [
        Annotation(3, 2, 0, 5, "x", coder="b"),
        Annotation(4, 1, 3, 8, "x", coder="b", status=AnnotationStatus.ORPHAN),
    ]
    found = find_disagreements(a, b)
    assert [(d.document_id, d.kind) for d in found] == [(1, DisagreementKind.ONLY_A)]


@pytest.mark.parametrize(
    ("resolution", "anna_after", "bo_after"),
    [
        (Resolution.KEEP_A, [(0, 10)], [(0, 10)]),
        (Resolution.KEEP_B, [(5, 15)], [(5, 15)]),
        (Resolution.UNION, [(0, 15)], [(0, 15)]),
        (Resolution.BOTH, [(0, 10), (5, 15)], [(0, 10), (5, 15)]),
    ],
)
def test_each_resolution_settles_the_place_as_one_undoable_action(
    project: dict[str, Store], resolution: Resolution, anna_after, bo_after
) -> None:
    anna, bo, lead = project["anna"], project["bo"], project["lead"]
    code(anna, 0, 10, comment="anna 的理由")
    code(bo, 5, 15)
    code(anna, 40, 44)  # another place, left alone
    before = state(lead)
    (place, _) = disagreements(lead, "anna", "bo", CODE)
    resolve(lead, place, resolution, coder_a="anna", coder_b="bo", code=CODE)
    assert coded_by(lead, "anna") == sorted([*anna_after, (40, 44)])
    assert coded_by(lead, "bo") == bo_after
    remaining = disagreements(lead, "anna", "bo", CODE)
    assert [(d.start, d.end) for d in remaining] == [(40, 44)]
    # anna's comment is never lost: on her annotation where it stays or moves.
    assert any(a.comment == "anna 的理由" for a in lead.annotations.all() if a.coder == "anna")
    # One undo of the lead's takes all of it back; the coders' own undo does not reach it.
    assert lead.history.undo() is not None
    assert state(lead) == before
    assert not lead.history.can_undo()
    assert lead.history.redo() is not None
    assert coded_by(lead, "bo") == bo_after
    assert [d.start for d in disagreements(lead, "anna", "bo", CODE)] == [40]
    undone = anna.history.undo()  # anna's own newest action: her 40-44
    assert undone is not None and undone.annotation is None
    assert coded_by(lead, "bo") == bo_after


def test_one_sided_places_and_what_is_kept(project: dict[str, Store]) -> None:
    anna, bo, lead = project["anna"], project["bo"], project["lead"]
    code(anna, 20, 25)
    commented = code(bo, 30, 35, comment="bo 的备注")
    both_codes = code(bo, 50, 60, tags=(CODE, "别的"))
    places = disagreements(lead, "anna", "bo", CODE)
    only_a, only_b = DisagreementKind.ONLY_A, DisagreementKind.ONLY_B
    assert [d.kind for d in places] == [only_a, only_b, only_b]
    # keep A's where only A coded: B gets A's passage, as B's.
    resolve(lead, places[0], Resolution.KEEP_A, coder_a="anna", coder_b="bo", code=CODE)
    assert coded_by(lead, "bo") == [(20, 25), (30, 35), (50, 60)]
    # keep A's where only B coded: B's code goes; the comment stays on an untagged passage.
    resolve(lead, places[1], Resolution.KEEP_A, coder_a="anna", coder_b="bo", code=CODE)
    kept = lead.annotations.get(commented.id)
    assert kept.tags == () and kept.comment == "bo 的备注" and kept.coder == "bo"
    # An annotation with another code too only loses this one, and does not move.
    resolve(lead, places[2], Resolution.KEEP_A, coder_a="anna", coder_b="bo", code=CODE)
    other = lead.annotations.get(both_codes.id)
    assert [t.name for t in other.tags] == ["别的"] and (other.start, other.end) == (50, 60)
    assert disagreements(lead, "anna", "bo", CODE) == []
    report = agreement_of_coders(lead, ["anna", "bo"], tags=[CODE])
    assert report.per_tag[0].agreement == 1.0


def test_a_place_changed_since_it_was_listed_is_refused_whole(project: dict[str, Store]) -> None:
    anna, bo, lead = project["anna"], project["bo"], project["lead"]
    code(anna, 0, 10)
    theirs = code(bo, 5, 15)
    (place,) = disagreements(lead, "anna", "bo", CODE)
    bo.annotations.set_range(theirs.id, 6, 15)  # another window, meanwhile
    before = state(lead)
    with pytest.raises(StoreError, match="changed since the list was made"):
        resolve(lead, place, Resolution.UNION, coder_a="anna", coder_b="bo", code=CODE)
    assert state(lead) == before and not lead.history.can_undo()


def test_resolving_moves_a_single_code_annotation_rather_than_replacing_it(
    project: dict[str, Store],
) -> None:
    anna, bo, lead = project["anna"], project["bo"], project["lead"]
    code(anna, 0, 10)
    moved = code(bo, 5, 15, comment="留着")
    (place,) = disagreements(lead, "anna", "bo", CODE)
    resolve(lead, place, Resolution.UNION, coder_a="anna", coder_b="bo", code=CODE)
    after = lead.annotations.get(moved.id)
    assert (after.start, after.end, after.comment, after.coder) == (0, 15, "留着", "bo")
    assert len(lead.annotations.for_document(1)) == 2  # moved, not deleted and re-made
