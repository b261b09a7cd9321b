"""``reader report``: each report equals an independent computation from ``reader export``'s CSV.

The library is real: the two sample articles plus documents cut from them with published dates
in the forms the importers keep, annotations made through the store (overlapping, nested,
adjacent, on the same passage, with one to three codes, hostile code names), an orphan made by a
real re-import, and a code nobody used.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.export import split_tags, unneutralise
from reader.core.reports import (
    Cooccurrence,
    Frequencies,
    ReportError,
    Timeline,
    bar,
    build,
    month_of,
    text_lines,
)
from reader.core.store import Store

CODES = ("产业政策", "地方政府", "=公式", "a; b", "'引号", "人才", "科技创新", "[bold]x[/]")
UNUSED = "从未使用"

PUBLISHED = {
    "2021-09-29 08:13": "2021-09",
    "2019年3月5日": "2019-03",
    "2018/12/1": "2018-12",
    "2017.7": "2017-07",
    "2021-10-02T08:00:00+08:00": "2021-10",
    "": "unknown",
    "去年春天": "unknown",
    "2016-13-01": "unknown",
}
"""The published dates of the extra documents and their month, as a reader would read them."""


def invoke(*args: str) -> tuple[int, str]:
    """Exit status and standard output exactly as written (CRLF kept), with errors."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout_bytes.decode() + result.stderr


@pytest.fixture
def library(store: Store) -> Store:
    rng = random.Random(9)
    seeds = [store.documents.get(summary.id) for summary in store.documents.summaries()]
    with store.transaction():
        for index, published in enumerate(PUBLISHED):
            text = seeds[index % 2].text[index * 300 :]
            title = '=HYPERLINK("x")' if index == 3 else f"{seeds[index % 2].title}（{index}）"
            store.documents.add(text=text, title=title, published=published)
        store.tags.ensure(UNUSED)
        documents = [(summary.id, len(store.documents.text(summary.id)))
                     for summary in store.documents.summaries()]  # fmt: skip
        for document_id, length in documents:
            made: list[tuple[int, int]] = []
            for _ in range(rng.randint(12, 30)):
                roll = rng.random()
                if made and roll < 0.15:  # the same passage again
                    start, end = rng.choice(made)
                elif made and roll < 0.3:  # right after another: adjacent, no shared character
                    start = rng.choice(made)[1]
                    end = min(start + rng.randint(1, 20), length)
                elif made and roll < 0.45:  # inside another
                    outer = rng.choice(made)
                    start = rng.randint(outer[0], outer[1] - 1)
                    end = rng.randint(start + 1, outer[1])
                else:
                    start = rng.randrange(0, 400)
                    end = start + rng.randint(1, 60)
                if start >= end or end > length:
                    continue
                made.append((start, end))
                store.annotations.create(
                    document_id, start, end, rng.sample(CODES, rng.randint(1, 3))
                )
            store.annotations.create(document_id, 500, 510, [])  # no code at all
    # An orphan: a new version of the first document that no longer holds one passage.
    first = seeds[0]
    store.annotations.create(first.id, 1000, 1012, ["产业政策", "人才"])
    gone = first.text[1000:1012]
    report = store.documents.add_version(
        first.id,
        text=first.text.replace(gone, "（此处已删除）"),
        content_hash="changed",
        title=first.title,
        published=first.published,
    )
    assert report.orphaned >= 1
    return store


def exported(db: str, *options: str) -> list[dict[str, object]]:
    """``reader export``'s rows, cells read back as a user would (guard off, tags split)."""
    code, output = invoke("export", "--db", str(db), "-o", "-", *options)
    assert code == 0, output
    rows = []
    for row in csv.DictReader(io.StringIO(output, newline="")):
        rows.append({
            "document_id": int(row["document_id"]),
            "document_title": unneutralise(row["document_title"]),
            "start": int(row["start"]),
            "end": int(row["end"]),
            "tags": split_tags(unneutralise(row["tags"])),
            "status": row["status"],
        })  # fmt: skip
    return rows


def report_csv(db: str, kind: str, *options: str) -> list[list[str]]:
    code, output = invoke("report", kind, "--db", str(db), "--format", "csv", *options)
    assert code == 0, output
    assert output.endswith("\r\n")  # RFC 4180, as the export
    header, *rows = csv.reader(io.StringIO(output, newline=""))
    return [header, *[[unneutralise(cell) for cell in row] for row in rows]]


def active(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [row for row in rows if row["status"] == "active"]


def test_the_library_is_what_the_reports_need(library: Store) -> None:
    rows = exported(library.target)
    assert any(row["status"] == "orphan" and row["tags"] for row in rows)
    assert any(len(row["tags"]) == 3 for row in rows)  # type: ignore[arg-type]
    spans = Counter((row["document_id"], row["start"], row["end"]) for row in rows)
    assert max(spans.values()) >= 2  # the same passage twice
    by_document: dict[object, set[int]] = {}
    for row in rows:
        by_document.setdefault(row["document_id"], set()).add(row["start"])  # type: ignore[arg-type]
    assert any(row["end"] in by_document[row["document_id"]] for row in rows)  # adjacent


# frequencies


def expected_frequencies(rows: list[dict[str, object]], codes: list[str]) -> list[list[str]]:
    per: Counter[tuple[str, int]] = Counter()
    titles: dict[int, str] = {}
    for row in active(rows):
        titles[row["document_id"]] = row["document_title"]  # type: ignore[index]
        for tag in row["tags"]:  # type: ignore[attr-defined]
            per[(tag, row["document_id"])] += 1  # type: ignore[index]
    expected = [["tag", "document_id", "document_title", "passages"]]
    for code in sorted(codes):
        mine = sorted((doc, n) for (tag, doc), n in per.items() if tag == code)
        expected.append([code, "", "", str(sum(n for _, n in mine))])
        expected.extend([code, str(doc), titles[doc], str(n)] for doc, n in mine)
    return expected


def test_frequencies_equal_the_export(library: Store) -> None:
    rows = exported(library.target)
    codes = [tag.name for tag in library.tags.all()]
    assert UNUSED in codes
    got = report_csv(library.target, "frequencies")
    assert got == expected_frequencies(rows, codes)
    assert [UNUSED, "", "", "0"] in got


def test_frequencies_filtered_by_tag_and_document(library: Store) -> None:
    chosen = ["=公式", "a; b"]
    document = library.documents.summaries()[3]
    rows = [row for row in exported(library.target) if row["document_id"] == document.id]
    got = report_csv(library.target, "frequencies", "--tag", chosen[0], "--tag", chosen[1],
                     "--document", str(document.id))  # fmt: skip
    assert got == expected_frequencies(rows, chosen)
    # The same through the export's own filters (a code's rows: its annotations, whatever else
    # they carry), and by part of a title.
    part = document.title[4:12]
    assert len(library.documents.matching(part)) >= 1
    for code in chosen:
        filtered = exported(library.target, "--tag", code, "--document", str(document.id))
        total = next(row for row in got[1:] if row[0] == code and row[1] == "")
        assert int(total[3]) == len(active(filtered))


# cooccurrence


def expected_pairs(
    rows: list[dict[str, object]], wanted: set[str] | None = None
) -> list[list[str]]:
    """Every ordered pair (x, y) of active annotations of a document sharing a character (x may
    be y), counted under (A, B) for A < B, A a code of x and B a code of y."""
    counts: Counter[tuple[str, str]] = Counter()
    by_document: dict[object, list[dict[str, object]]] = {}
    for row in active(rows):
        by_document.setdefault(row["document_id"], []).append(row)
    for group in by_document.values():
        for x in group:
            for y in group:
                if max(x["start"], y["start"]) >= min(x["end"], y["end"]):  # type: ignore[type-var]
                    continue
                for a in x["tags"]:  # type: ignore[attr-defined]
                    for b in y["tags"]:  # type: ignore[attr-defined]
                        if a < b and (wanted is None or a in wanted or b in wanted):
                            counts[(a, b)] += 1
    return [["tag_a", "tag_b", "count"], *([a, b, str(n)] for (a, b), n in sorted(counts.items()))]


def test_cooccurrence_equals_the_export(library: Store) -> None:
    got = report_csv(library.target, "cooccurrence")
    assert got == expected_pairs(exported(library.target))
    assert len(got) > 10


def test_cooccurrence_filtered(library: Store) -> None:
    document = library.documents.summaries()[0]
    rows = [row for row in exported(library.target) if row["document_id"] == document.id]
    got = report_csv(
        library.target, "cooccurrence", "--tag", "人才", "--document", str(document.id)
    )
    assert got == expected_pairs(rows, {"人才"})
    assert len(got) > 1


def test_cooccurrence_counts_by_definition(store: Store) -> None:
    """The definition on a hand-made case: one annotation with both codes is one pair, two
    overlapping annotations with both are four, adjacent passages share nothing."""
    document = store.documents.summaries()[0].id
    store.annotations.create(document, 10, 20, ["A", "B"])
    report = build(store, "cooccurrence")
    assert isinstance(report, Cooccurrence)
    assert report.count("A", "B") == report.count("B", "A") == 1
    store.annotations.create(document, 15, 30, ["B", "A"])
    assert build(store, "cooccurrence").count("A", "B") == 4  # type: ignore[union-attr]
    store.annotations.create(document, 30, 40, ["C"])  # touches [15, 30) without sharing
    assert build(store, "cooccurrence").count("B", "C") == 0  # type: ignore[union-attr]
    store.annotations.create(document, 29, 31, ["C"])  # shares 29 with [15, 30) only
    report = build(store, "cooccurrence")
    assert isinstance(report, Cooccurrence)
    assert (report.count("A", "C"), report.count("B", "C"), report.count("A", "B")) == (1, 1, 4)


# timeline


def test_month_of_reads_the_dates_importers_keep() -> None:
    for published, month in PUBLISHED.items():
        assert month_of(published) == month, published


def test_timeline_equals_the_export(library: Store) -> None:
    months = {
        summary.id: PUBLISHED.get(summary.published, summary.published[:7])
        for summary in library.documents.summaries()
    }
    assert months[1] == "2021-09" and months[2] == "2020-01"  # the samples' own dates
    counts: Counter[tuple[str, str]] = Counter()
    for row in active(exported(library.target)):
        for tag in row["tags"]:  # type: ignore[attr-defined]
            counts[(tag, months[row["document_id"]])] += 1  # type: ignore[index]
    order = sorted(counts, key=lambda key: (key[0], key[1] == "unknown", key[1]))
    expected = [["tag", "month", "passages"], *([t, m, str(counts[(t, m)])] for t, m in order)]
    assert report_csv(library.target, "timeline") == expected
    assert any(row[1] == "unknown" for row in expected[1:])
    got = report_csv(library.target, "timeline", "--tag", "人才")
    assert got == [expected[0], *(row for row in expected[1:] if row[0] == "人才")]


# formats, safety, errors


def test_csv_cells_are_guarded_as_in_the_export(library: Store) -> None:
    code, output = invoke("report", "frequencies", "--db", str(library.target), "--format", "csv")
    assert code == 0
    assert '"\'=公式","",""' in output
    assert '"\'=HYPERLINK(""x"")"' in output
    assert "\"''引号\"" in output
    assert '\n"=' not in output and ',"=' not in output


def test_json_holds_the_csv_rows(library: Store) -> None:
    for kind in ("frequencies", "cooccurrence", "timeline"):
        code, output = invoke("report", kind, "--db", str(library.target), "--format", "json")
        assert code == 0, output
        items = json.loads(output)
        header, *rows = report_csv(library.target, kind)
        assert [list(item) for item in items] == [header] * len(items)
        as_text = [["" if v is None else str(v) for v in item.values()] for item in items]
        assert as_text == rows


def test_text_is_safe_and_most_used_first(library: Store) -> None:
    code, output = invoke("report", "frequencies", "--db", str(library.target))
    assert code == 0
    lines = output.splitlines()
    assert lines[0].split() == ["code", "passages", "documents"]
    counts = [int(line.split()[-2 if "█" in line or "▏" in line else -1].replace(",", ""))
              for line in lines[1:] if not line.startswith("(")]  # fmt: skip
    assert len(counts) == len(CODES) + 1
    assert "[bold]x[/]" in output  # shown as written
    assert "orphaned annotation" in lines[-1]
    for kind in ("cooccurrence", "timeline"):
        code, output = invoke("report", kind, "--db", str(library.target))
        assert code == 0 and output.strip()
    hostile = Frequencies(
        (build(library, "frequencies").codes[0].__class__("\x1b[2J清屏", "#ffffff", 1, ()),)
    )
    assert "\x1b" not in "\n".join(text_lines(hostile))


def test_bars_are_proportional() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 80, 4) == "▏"
    assert bar(0, 10, 4) == ""


def test_errors_are_one_line(library: Store, tmp_path: Path) -> None:
    code, output = invoke("report", "frequencies", "--db", str(library.target), "--tag", "没有")
    assert code == 1 and "no code named '没有'" in output
    code, output = invoke("report", "timeline", "--db", str(library.target), "--document", "无此文")
    assert code == 1 and "no document" in output
    code, output = invoke("report", "frequencies", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "no such database" in output
    assert not (tmp_path / "none.db").exists()
    code, output = invoke("report", "histogram", "--db", str(library.target))
    assert code == 2
    with pytest.raises(ReportError):
        build(library, "histogram")


def test_an_empty_library_reports_nothing(store: Store) -> None:
    frequencies = build(store, "frequencies")
    assert isinstance(frequencies, Frequencies) and frequencies.codes == ()
    timeline = build(store, "timeline")
    assert isinstance(timeline, Timeline) and timeline.months == ()
    assert text_lines(build(store, "cooccurrence")) == [
        "code A  code B  count",
        "(no two codes meet on a passage)",
    ]
