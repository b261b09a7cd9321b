"""The agreement report's forms (JSON, text table, an unknown format) and its sentence unit,
checked on two coders' databases of the real samples: found by mutmut on agreement_input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.core.agreement import CodedSpan, agreement, sentence_units
from reader.core.agreement_input import agreement_of_stores, text_lines, write_report
from reader.core.importing import import_seeds
from reader.core.store import Store


@pytest.fixture
def two_coders(tmp_path: Path) -> dict[str, Store]:
    """Coders A and B, each in their own database, both samples coded by both."""
    stores = {}
    for name, shift in (("A", 0), ("B", 3)):
        store = Store(tmp_path / f"{name}.db")
        import_seeds(store)
        for document in (1, 2):
            store.annotations.create(document, 40 + shift, 60, ["机构"])
            store.annotations.create(document, 200, 230 + shift, ["事件"])
        stores[name] = store
    yield stores
    for store in stores.values():
        store.close()


def test_the_json_report_counts_documents_and_keeps_chinese_as_it_is(two_coders) -> None:
    report = agreement_of_stores(two_coders)
    out = io.StringIO()
    write_report(report, out, "json")
    data = json.loads(out.getvalue())
    assert data["documents"] == 2 and data["coders"] == ["A", "B"]
    assert '"tag": "机构"' in out.getvalue()  # UTF-8 text, not \u673a\u6784


def test_an_unknown_format_is_named_in_the_error(two_coders) -> None:
    report = agreement_of_stores(two_coders)
    with pytest.raises(ValueError, match=r"^unknown format 'xml'$"):
        write_report(report, io.StringIO(), "xml")


def test_the_text_table_says_documents_in_the_plural_and_heads_its_columns(two_coders) -> None:
    lines = text_lines(agreement_of_stores(two_coders))
    assert lines[0] == "2 documents coded by all of A, B; unit: character"
    assert lines[1].split() == ["tag", "units", "agreement", "kappa", "alpha"]


def test_sentence_units_come_from_each_documents_own_text(two_coders) -> None:
    report = agreement_of_stores(two_coders, unit="sentence")
    texts = {}
    coding: dict[str, list[CodedSpan]] = {}
    for name, store in two_coders.items():
        coding[name] = []
        for a in store.annotations.all():
            text = store.documents.get(a.document_id).text
            texts[a.document_id] = text
            coding[name].append(
                CodedSpan(a.document_id, a.start, a.end, tuple(t.name for t in a.tags))
            )
    expected = agreement(coding, lambda d: sentence_units(texts[d]), unit="sentence")
    assert report.overall.units == expected.overall.units
    assert report.overall.units < sum(len(t) for t in texts.values())  # sentences, not characters
    assert report.overall.krippendorff_alpha == pytest.approx(expected.overall.krippendorff_alpha)
