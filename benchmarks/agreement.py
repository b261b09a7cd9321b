"""Agreement at scale: 1,000 documents, 3 coders, 30,000 annotations each (90,000 in all).

The documents are cuts of the sample articles' paragraphs (as in scale.py); coder A codes
real passages with 1-2 codes from a 20-code codebook, coders B and C recode most of them
with shifted extents, drop some and add their own. The figure is ``agreement()`` in this
process on ``character`` units (every code, and the pool), against the issue's 2 s; the
same for ``sentence`` units; and the time at 250, 500 and 1,000 documents to show the
growth class (the sweep is O(A log A + D): it never touches a character).

``--one-database`` also writes the corpus and all three coders' annotations into one SQLite
file (in a temporary folder) and times what ``reader agreement --coders A,B,C`` does in
process: reading the coders' annotations from the database (agreement_of_coders) and the
computation, for both units.

Usage: .venv/bin/python benchmarks/agreement.py [--documents N] [--per-coder N] [--one-database]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.agreement import (  # noqa: E402
    CodedSpan,
    agreement,
    character_units,
    sentence_units,
)
from reader.core.documents import normalize_text, seed_paths  # noqa: E402

CODEBOOK = (
    "产业政策", "地方政府", "国有企业", "汽车产业", "招商引资", "城市规划", "人才", "科技创新",
    "民营经济", "营商环境", "对外开放", "基础设施", "财政", "就业", "环境保护", "宣传话语",
    "党建", "改革", "项目", "民生",
)  # fmt: skip


def corpus(documents: int) -> dict[int, str]:
    texts = [normalize_text(p.read_text(encoding="utf-8")) for p in seed_paths()]
    paragraphs = [[line for line in text.split("\n") if line.strip()] for text in texts]
    out: dict[int, str] = {}
    for index in range(documents):
        source = paragraphs[index % len(paragraphs)]
        cut = index % len(source)
        out[index + 1] = "\n".join(source[cut:] + source[:cut]) + "\n"
    return out


def coders(texts: dict[int, str], per_coder: int, seed: int = 12) -> dict[str, list[CodedSpan]]:
    rng = random.Random(seed)
    per_document = per_coder // len(texts)
    a: list[CodedSpan] = []
    for document, text in texts.items():
        for _ in range(per_document):
            start = rng.randrange(0, len(text) - 80)
            a.append(
                CodedSpan(document, start, start + rng.randint(4, 60),
                          tuple(rng.sample(CODEBOOK, rng.randint(1, 2))))
            )  # fmt: skip

    def recode(spans: list[CodedSpan]) -> list[CodedSpan]:
        out: list[CodedSpan] = []
        for span in spans:
            roll = rng.random()
            if roll < 0.1:  # dropped; in its place one of this coder's own
                start = rng.randrange(0, len(texts[span.document]) - 80)
                out.append(CodedSpan(span.document, start, start + rng.randint(4, 60), span.tags))
            elif roll < 0.2:  # another code on the same passage
                out.append(CodedSpan(span.document, span.start, span.end, (rng.choice(CODEBOOK),)))
            else:  # same codes, extent shifted a little
                start = max(0, span.start + rng.randint(-3, 3))
                end = span.end + rng.randint(-3, 3)
                out.append(CodedSpan(span.document, start, end, span.tags))
        return out

    return {"A": a, "B": recode(a), "C": recode(a)}


def timed(coding, texts, unit: str, repeats: int = 3) -> tuple[float, object]:
    if unit == "character":
        lengths = {document: len(text) for document, text in texts.items()}

        def units_of(document):
            return character_units(lengths[document])
    else:

        def units_of(document):
            return sentence_units(texts[document])

    best = float("inf")
    report = None
    for _ in range(repeats):
        started = time.perf_counter()
        report = agreement(coding, units_of, unit=unit)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    return best, report


def one_database(texts: dict[int, str], coding: dict[str, list[CodedSpan]]) -> None:
    """The same corpus and codings in one SQLite file, each annotation by its coder; times
    agreement_of_coders (the database read and the computation) for both units."""
    from reader.core.agreement_input import agreement_of_coders
    from reader.core.store import Store, passage_anchor

    with tempfile.TemporaryDirectory(prefix="agreement-bench-") as folder:
        store = Store(Path(folder) / "project.db", coder="A")
        started = time.perf_counter()
        ids = {d: store.documents.add(text=t, title=f"文{d}") for d, t in texts.items()}
        db = store.gateway
        next_id = 1
        with store.transaction():
            tag_ids = {name: store.tags.ensure(name) for name in CODEBOOK}
            rows, tag_rows = [], []
            for coder, spans in coding.items():
                for span in spans:
                    text = texts[span.document]
                    end = min(span.end, len(text))
                    rows.append((next_id, ids[span.document], span.start, end,
                                 *passage_anchor(text, span.start, end), coder))  # fmt: skip
                    tag_rows.extend((next_id, tag_ids[tag]) for tag in set(span.tags))
                    next_id += 1
            db.execute_many(
                "insert into annotations (id, document_id, start_offset, end_offset, quote,"
                " prefix, suffix, comment, status, created_at, updated_at, coder)"
                " values (?, ?, ?, ?, ?, ?, ?, '', 'active', 't', 't', ?)",
                rows,
            )
            db.execute_many("insert into annotation_tags values (?, ?)", tag_rows)
        print(f"one database: written in {time.perf_counter() - started:.1f} s")
        for unit in ("character", "sentence"):
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                report = agreement_of_coders(store, ["A", "B", "C"], unit=unit)  # type: ignore[arg-type]
                best = min(best, time.perf_counter() - started)
            print(
                f"  --coders A,B,C {unit:<9} units: {best:.3f} s (best of 3: read + compute)"
                f"  alpha={report.overall.krippendorff_alpha:.4f}"
            )
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--per-coder", type=int, default=30_000)
    parser.add_argument("--one-database", action="store_true")
    args = parser.parse_args()
    texts = corpus(args.documents)
    coding = coders(texts, args.per_coder)
    characters = sum(len(text) for text in texts.values())
    total = sum(len(spans) for spans in coding.values())
    print(
        f"{args.documents:,} documents ({characters:,} characters), 3 coders,"
        f" {total:,} annotations ({args.per_coder:,} per coder), {len(CODEBOOK)} codes"
    )
    for unit in ("character", "sentence"):
        seconds, report = timed(coding, texts, unit)
        overall = report.overall  # type: ignore[attr-defined]
        print(
            f"  {unit:<9} units: {seconds:.3f} s (best of 3; target <= 2 s for character)"
            f"  units={overall.units:,} agreement={overall.agreement:.4f}"
            f" alpha={overall.krippendorff_alpha:.4f}"
        )
    print("growth (character units, per-coder annotations scaled with the documents):")
    base = None
    for fraction in (4, 2, 1):
        documents = args.documents // fraction
        part = {d: t for d, t in texts.items() if d <= documents}
        subset = {c: [s for s in spans if s.document <= documents] for c, spans in coding.items()}
        seconds, _ = timed(subset, part, "character")
        base = base or seconds
        print(f"  {documents:>5} documents: {seconds:.3f} s  ({seconds / base:.2f}x the smallest)")
    if args.one_database:
        one_database(texts, coding)


if __name__ == "__main__":
    main()
