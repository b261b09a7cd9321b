"""Agreement (issue 12): unit matrices, percent agreement, Cohen's κ, Krippendorff's α.

The coders' annotations are real: passages of the sample article coded in two (three)
databases, one per coder, and the same codings made by three coders in one database
(``--coders``). α is checked against the ``krippendorff`` package on the materialised unit
matrices; κ against a hand-computed example and a textbook cross-tabulation of the same
matrices.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.agreement import (
    CodedSpan,
    agreement,
    character_units,
    considered_documents,
    sentence_spans,
    sentence_units,
    unit_matrix,
)
from reader.core.importing import import_seeds
from reader.core.store import Store

krippendorff = pytest.importorskip("krippendorff")


def occurrence(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def coder_database(path: Path, codings: list[tuple[str, int, int, list[str]]]) -> Store:
    """A coder's own database: the samples imported, then that coder's annotations made."""
    store = Store(path)
    import_seeds(store)
    for _, start, end, tags in codings:
        store.annotations.create(1, start, end, tags)
    return store


def spans_of(store: Store) -> list[CodedSpan]:
    return [
        CodedSpan(a.document_id, a.start, a.end, tuple(t.name for t in a.tags))
        for a in store.annotations.all()
        if a.status == "active"
    ]


def three_coders(text: str) -> dict[str, list[tuple[str, int, int, list[str]]]]:
    """Three coders' annotations on the simplified sample: overlapping, differing extents,
    passages only one coder saw, two codes."""
    city = [occurrence(text, "长春国际汽车城", n) for n in range(4)]
    unveil = occurrence(text, "揭牌成立")
    sentence = next(s for s in sentence_spans(text) if "殷殷嘱托" in text[s[0] : s[1]])
    a = [
        ("a", *city[0], ["机构"]),
        ("a", *city[1], ["机构"]),
        ("a", city[2][0], city[2][1] + 4, ["机构"]),
        ("a", *unveil, ["事件"]),
        ("a", sentence[0], sentence[0] + 30, ["事件", "机构"]),
    ]
    b = [
        ("b", *city[0], ["机构"]),
        ("b", city[1][0] + 2, city[1][1], ["机构"]),
        ("b", *city[3], ["机构"]),
        ("b", unveil[0] - 3, unveil[1], ["事件"]),
        ("b", sentence[0] + 10, sentence[1], ["事件"]),
        ("b", *occurrence(text, "建设成为经济繁荣"), ["事件"]),
    ]
    c = [
        ("c", *city[0], ["机构"]),
        ("c", *city[2], ["机构"]),
        ("c", *unveil, ["事件", "机构"]),
    ]
    return {"A": a, "B": b, "C": c}


@pytest.fixture
def coded(tmp_path: Path, simplified_text: str):
    """Each of three coders in a database of their own (see three_coders)."""
    stores = {
        name: coder_database(tmp_path / f"{name}.db", rows)
        for name, rows in three_coders(simplified_text).items()
    }
    coding = {name: spans_of(store) for name, store in stores.items()}
    texts = {1: stores["A"].documents.get(1).text}
    yield coding, texts
    for store in stores.values():
        store.close()


def units_for(unit: str, texts: dict[int, str]):
    if unit == "character":
        return lambda document: character_units(len(texts[document]))
    return lambda document: sentence_units(texts[document])


def textbook_kappa(row_a: list[int], row_b: list[int]) -> float:
    """Cohen's κ from the 2x2 cross-tabulation, as a textbook computes it."""
    n = len(row_a)
    table = {(x, y): 0 for x in (0, 1) for y in (0, 1)}
    for x, y in zip(row_a, row_b, strict=True):
        table[x, y] += 1
    observed = (table[0, 0] + table[1, 1]) / n
    a1 = (table[1, 0] + table[1, 1]) / n
    b1 = (table[0, 1] + table[1, 1]) / n
    expected = a1 * b1 + (1 - a1) * (1 - b1)
    return (observed - expected) / (1 - expected)


def test_the_hand_checked_example() -> None:
    """Ten characters; A codes 0-3, B codes 2-5. By hand: both 1 on 2 units, A only on 2,
    B only on 2, neither on 4. p_o = 6/10, p_e = .4·.4 + .6·.6 = .52, κ = .08/.48 = 1/6.
    α: n = 20 values, 8 ones, 12 zeros, 4 disagreeing units → 1 - 19·4/(12·8) = 20/96."""
    coding = {"A": [CodedSpan(1, 0, 4, ("x",))], "B": [CodedSpan(1, 2, 6, ("x",))]}
    report = agreement(coding, lambda _: character_units(10))
    (row,) = report.per_tag
    assert row.units == 10
    assert row.agreement == pytest.approx(0.6)
    assert row.cohen_kappa == pytest.approx(1 / 6)
    assert row.krippendorff_alpha == pytest.approx(20 / 96)
    matrix = unit_matrix(coding, lambda _: character_units(10), "x")
    assert matrix == [[1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1, 0, 0, 0, 0]]
    assert krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal") == (
        pytest.approx(20 / 96)
    )


@pytest.mark.parametrize("unit", ["character", "sentence"])
def test_two_coders_on_the_sample_match_the_reference_package(coded, unit: str) -> None:
    coding, texts = coded
    pair = {name: coding[name] for name in ("A", "B")}
    units_of = units_for(unit, texts)
    report = agreement(pair, units_of, unit=unit)
    assert report.documents == (1,)
    assert [row.tag for row in report.per_tag] == ["事件", "机构"]
    for row in report.per_tag:
        matrix = unit_matrix(pair, units_of, row.tag)
        assert row.units == len(matrix[0]) == units_of(1).count
        assert sum(matrix[0]) and sum(matrix[1]) and matrix[0] != matrix[1]
        expected_alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert row.krippendorff_alpha == pytest.approx(expected_alpha, abs=1e-12)
        assert row.cohen_kappa == pytest.approx(textbook_kappa(*matrix), abs=1e-12)
        agreeing = sum(x == y for x, y in zip(*matrix, strict=True))
        assert row.agreement == pytest.approx(agreeing / len(matrix[0]))
    # overall pools every (unit, code) pair: the matrices side by side
    matrices = [unit_matrix(pair, units_of, tag) for tag in ("事件", "机构")]
    pooled = [[value for matrix in matrices for value in matrix[i]] for i in (0, 1)]
    assert report.overall.units == len(pooled[0])
    assert report.overall.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal"), abs=1e-12
    )
    assert report.overall.cohen_kappa == pytest.approx(textbook_kappa(*pooled), abs=1e-12)


@pytest.mark.parametrize("unit", ["character", "sentence"])
def test_three_coders_alpha_matches_and_kappa_is_absent(coded, unit: str) -> None:
    coding, texts = coded
    units_of = units_for(unit, texts)
    report = agreement(coding, units_of, unit=unit)
    for row in (*report.per_tag, report.overall):
        assert row.cohen_kappa is None
        assert row.coders == ("A", "B", "C")
    for row in report.per_tag:
        matrix = unit_matrix(coding, units_of, row.tag)
        assert row.krippendorff_alpha == pytest.approx(
            krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-12
        )
        # mean pairwise agreement, unit by unit
        pairs = [(0, 1), (0, 2), (1, 2)]
        expected = sum(
            sum(matrix[i][u] == matrix[j][u] for i, j in pairs) / 3 for u in range(len(matrix[0]))
        ) / len(matrix[0])
        assert row.agreement == pytest.approx(expected)


def test_sentence_units_overlap_rule_and_the_tag_filter(coded) -> None:
    coding, texts = coded
    text = texts[1]
    spans = sentence_spans(text)
    # a span touching one character of a sentence marks that sentence
    start, end = spans[5]
    one = {"A": [CodedSpan(1, end - 1, end + 1, ("t",))], "B": [CodedSpan(1, start, start + 1,
                                                                       ("t",))]}  # fmt: skip
    matrix = unit_matrix(one, lambda _: sentence_units(text), "t")
    assert matrix[0][5] == 1 and matrix[0][6] == (1 if spans[6][0] <= end else 0)
    assert matrix[1][5] == 1 and sum(matrix[1]) == 1
    report = agreement(coding, units_for("character", texts), tags=["机构", "没有人用"])
    assert [row.tag for row in report.per_tag] == ["机构", "没有人用"]
    unused = report.per_tag[1]
    assert unused.agreement == 1.0 and unused.krippendorff_alpha is None
    assert unused.units == len(text)


def test_sentences_cut_after_stops_with_their_closing_marks() -> None:
    text = "他说：“好。”然后走了！\n\n  \n第二行没有句号\n问？!对"
    pieces = [text[s:e] for s, e in sentence_spans(text)]
    assert pieces == ["他说：“好。”", "然后走了！", "第二行没有句号", "问？!", "对"]


def test_only_documents_every_coder_annotated_count() -> None:
    coding = {
        "A": [CodedSpan(1, 0, 2, ("x",)), CodedSpan(2, 0, 2, ("x",))],
        "B": [CodedSpan(2, 1, 3, ("x",)), CodedSpan(3, 0, 1, ())],
    }
    assert considered_documents(coding) == [2]
    report = agreement(coding, lambda _: character_units(5))
    assert report.documents == (2,) and report.overall.units == 5
    assert agreement({"A": [], "B": []}, lambda _: character_units(5)).overall.units == 0


def test_cli_csv_json_and_text(coded, tmp_path: Path) -> None:
    import csv
    import io
    import json

    from click.testing import CliRunner

    from reader.cli import cli

    coding, texts = coded
    a, b, c = (str(tmp_path / f"{name}.db") for name in "ABC")
    runner = CliRunner()
    result = runner.invoke(cli, ["agreement", a, b, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "tag", "unit", "coders", "units", "agreement", "cohen_kappa", "krippendorff_alpha"
    ]  # fmt: skip
    expected = agreement({k: coding[k] for k in "AB"}, units_for("character", texts))
    assert [r["tag"] for r in rows] == ["事件", "机构", ""]
    for row, figures in zip(rows, (*expected.per_tag, expected.overall), strict=True):
        assert row["coders"] == "A,B" and int(row["units"]) == figures.units
        assert float(row["cohen_kappa"]) == pytest.approx(figures.cohen_kappa, abs=1e-6)
        assert float(row["krippendorff_alpha"]) == pytest.approx(
            figures.krippendorff_alpha, abs=1e-6
        )
    result = runner.invoke(
        cli, ["agreement", a, b, c, "--format", "json", "--unit", "sentence", "--tag", "机构"]
    )
    data = json.loads(result.stdout)
    assert data["coders"] == ["A", "B", "C"] and [t["tag"] for t in data["tags"]] == ["机构"]
    assert data["overall"]["cohen_kappa"] is None and data["overall"]["tag"] is None
    result = runner.invoke(cli, ["agreement", a, b])
    assert "(overall)" in result.stdout and "1 document coded by all of A, B" in result.stdout
    out = tmp_path / "agreement.csv"
    result = runner.invoke(cli, ["agreement", a, b, "--format", "csv", "-o", str(out)])
    assert out.read_bytes().startswith(b'"tag","unit","coders",')
    assert runner.invoke(cli, ["agreement", a]).exit_code == 2


def test_documents_are_matched_by_text_across_databases(tmp_path: Path, simplified_text) -> None:
    from reader.core.agreement_input import agreement_of_stores

    first = Store(tmp_path / "one.db")
    import_seeds(first)
    second = Store(tmp_path / "two.db")
    second.documents.add(text="另一篇文章。", title="先来的")
    import_seeds(second)  # the sample is document 2 here
    start = simplified_text.index("揭牌成立")
    first.annotations.create(1, start, start + 4, ["事件"])
    second.annotations.create(2, start, start + 4, ["事件"])
    second.annotations.create(1, 0, 2, ["事件"])  # a document the other coder never saw
    report = agreement_of_stores({"one": first, "two": second})
    assert len(report.documents) == 1
    assert report.overall.agreement == 1.0 and report.overall.krippendorff_alpha == 1.0
    first.close()
    second.close()


def test_hostile_tag_names_print_as_text(tmp_path: Path, simplified_text: str) -> None:
    from click.testing import CliRunner
    from payloads import ALL

    from reader.cli import cli

    paths = []
    for name in ("one", "two"):
        store = Store(tmp_path / f"{name}.db")
        import_seeds(store)
        for offset, tag in enumerate(ALL):
            store.annotations.create(
                1, 10 * offset, 10 * offset + (5 if name == "one" else 7), [tag]
            )
        store.close()
        paths.append(str(tmp_path / f"{name}.db"))
    result = CliRunner().invoke(cli, ["agreement", *paths])
    assert result.exit_code == 0, result.output
    assert not any(c in result.stdout for c in "\x1b\x07\x08\x9b")
    assert len(result.stdout.splitlines()) == len(ALL) + 3  # header, columns, tags, overall
    assert "[bold]粗体[/bold]" in result.stdout


@pytest.fixture
def project(tmp_path: Path, simplified_text: str):
    """The same three coders' annotations in one database, each made as that coder, and a
    fourth coder's on the other sample only (so that document is never common)."""
    path = tmp_path / "project.db"
    Store(path, coder="A").close()
    seeded = Store(path, coder="D")
    import_seeds(seeded)
    seeded.annotations.create(2, 0, 5, ["机构"])
    seeded.close()
    for name, rows in three_coders(simplified_text).items():
        store = Store(path, coder=name)
        for _, start, end, tags in rows:
            store.annotations.create(1, start, end, tags)
        store.close()
    store = Store(path, coder="A")
    yield store
    store.close()


@pytest.mark.parametrize("unit", ["character", "sentence"])
def test_coders_in_one_database_match_the_reference_package(project, unit: str) -> None:
    from reader.core.agreement_input import agreement_of_coders

    coding = {name: spans_of_coder(project, name) for name in "AB"}
    units_of = units_for(unit, {1: project.documents.get(1).text})
    report = agreement_of_coders(project, ["A", "B"], unit=unit)
    assert report.coders == ("A", "B") and report.documents == (1,)
    assert [row.tag for row in report.per_tag] == ["事件", "机构"]
    for row in report.per_tag:
        matrix = unit_matrix(coding, units_of, row.tag)
        assert sum(matrix[0]) and sum(matrix[1]) and matrix[0] != matrix[1]
        assert row.krippendorff_alpha == pytest.approx(
            krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-12
        )
        assert row.cohen_kappa == pytest.approx(textbook_kappa(*matrix), abs=1e-12)
    three = agreement_of_coders(project, ["A", "B", "C"], unit=unit)
    for row in three.per_tag:
        matrix = unit_matrix(
            {name: spans_of_coder(project, name) for name in "ABC"}, units_of, row.tag
        )
        assert row.cohen_kappa is None
        assert row.krippendorff_alpha == pytest.approx(
            krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-12
        )


def spans_of_coder(store: Store, coder: str) -> list[CodedSpan]:
    return [
        CodedSpan(a.document_id, a.start, a.end, tuple(t.name for t in a.tags))
        for a in store.annotations.all()
        if a.status == "active" and a.coder == coder
    ]


def test_one_database_and_one_database_per_coder_give_the_same_figures(
    project, coded, tmp_path: Path
) -> None:
    import csv
    import io

    from click.testing import CliRunner

    from reader.cli import cli

    runner = CliRunner()
    db = str(tmp_path / "project.db")
    for unit in ("character", "sentence"):
        options = ["--format", "csv", "--unit", unit]
        one = runner.invoke(cli, ["agreement", "--coders", "A,B,C", "--db", db, *options])
        assert one.exit_code == 0, one.output
        files = [str(tmp_path / f"{name}.db") for name in "ABC"]
        several = runner.invoke(cli, ["agreement", *files, *options])
        assert one.stdout == several.stdout
        rows = list(csv.DictReader(io.StringIO(one.stdout)))
        assert [r["coders"] for r in rows] == ["A,B,C"] * 3 and rows[0]["unit"] == unit
    only = runner.invoke(
        cli, ["agreement", "--coders", "B,A", "--db", db, "--tag", "机构", "--document", "1"]
    )
    assert only.exit_code == 0, only.output
    assert "1 document coded by all of B, A" in only.stdout and "事件" not in only.stdout
    # D coded only the other sample: no document is common, every figure says so.
    none = runner.invoke(cli, ["agreement", "--coders", "A,D", "--db", db, "--format", "json"])
    assert '"documents": 0' in none.stdout


def test_the_coders_option_says_what_is_wrong(project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reader.cli import cli

    runner = CliRunner()
    db = str(tmp_path / "project.db")
    cases = [
        (["--coders", "A,nobody", "--db", db], 1, "no annotations by nobody in"),
        (["--coders", "A", "--db", db], 2, "at least two different coders"),
        (["--coders", "A,A", "--db", db], 2, "at least two different coders"),
        (["--coders", "A,B,A", "--db", db], 2, "a coder is given twice"),
        (["--coders", "A,,B", "--db", db], 2, "a coder name cannot be empty"),
        (["--coders", "A,B", db], 2, "not both"),
        (["--db", db, db], 2, "--db goes with --coders"),
        ([], 2, "give the coders"),
        (["--coders", "A,B", "--db", str(tmp_path / "none.db")], 1, "no such database"),
    ]
    for args, status, message in cases:
        result = runner.invoke(cli, ["agreement", *args])
        assert result.exit_code == status, (args, result.output)
        assert message in result.output, (args, result.output)
    assert "coders here: A, B, C, D" in runner.invoke(
        cli, ["agreement", "--coders", "A,x", "--db", db]
    ).output
