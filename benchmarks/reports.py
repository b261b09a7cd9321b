"""Reports and retrieval at scale: 1,000 documents, 100,000 annotations, 200 codes.

Builds scale.py's library (real passages of the sample articles, 1-3 codes each; one document
holds 5,000 annotations, so its passages overlap densely) with a codebook of 200 codes, then
times each report in-process (reader.core.reports.build, as `reader report` and the reports
screen call it; limit 1 s each) against the bare sqlite3 scans of the rows it reads (the floor,
timed in the same run: the ratio is what survives a loaded machine), and the retrieval rules
(reader.core.retrieval), best and median of a few runs, with the number of rows each gives.

Usage: nice .venv/bin/python benchmarks/reports.py [--db PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import CODEBOOK, build  # noqa: E402

from reader.core.reports import KINDS, Cooccurrence, Frequencies  # noqa: E402
from reader.core.reports import build as build_report  # noqa: E402
from reader.core.store import Store  # noqa: E402

LIMIT_S = 1.0


def codebook(size: int = 200) -> list[str]:
    """scale.py's 20 codes, then children and grandchildren of them (names as a 3-level tree
    would give them) up to ``size``."""
    names = list(CODEBOOK)
    index = 0
    while len(names) < size:
        parent = CODEBOOK[index % len(CODEBOOK)]
        names.append(f"{parent}/子{index // len(CODEBOOK) + 1}")
        if len(names) < size:
            names.append(f"{parent}/子{index // len(CODEBOOK) + 1}/孙")
        index += 1
    return names[:size]


def bare_scans(path: Path) -> int:
    """The floor every report stands on: sqlite3 alone reading the rows the reports read (the
    spans of the active annotations, every (annotation, tag) row) into Python."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        spans = connection.execute(
            "select id, document_id, start_offset, end_offset from annotations"
            " where status = 'active'"
        ).fetchall()
        tags = connection.execute("select annotation_id, tag_id from annotation_tags").fetchall()
    finally:
        connection.close()
    return len(spans) + len(tags)


def timed(run: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return times, result


def size_of(result: object) -> str:
    if isinstance(result, Frequencies):
        return f"{len(result.codes)} codes, {sum(c.documents for c in result.codes):,} rows"
    if isinstance(result, Cooccurrence):
        return f"{len(result.pairs):,} pairs, {sum(p.count for p in result.pairs):,} counted"
    if hasattr(result, "passages"):
        return f"{len(result.passages):,} (code, month) rows"  # type: ignore[attr-defined]
    if isinstance(result, list):
        return f"{len(result):,} passages"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="Reuse (or build) the database here.")
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="reader-reports-")) / "reports.db"
    codes = codebook(args.codes)
    if not path.exists():
        started = time.perf_counter()
        build(path, args.documents, args.annotations, codebook=codes)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    store = Store(path)
    print(
        f"{store.documents.count():,} documents,"
        f" {store.gateway.one('select count(*) from annotations')[0]:,} annotations,"  # type: ignore[index]
        f" {len(store.tags.all())} codes"
    )
    worst = 0.0
    for kind in KINDS:
        floor, _ = timed(lambda: bare_scans(path), args.repeat)
        times, result = timed(lambda kind=kind: build_report(store, kind), args.repeat)
        worst = max(worst, statistics.median(times))
        print(
            f"report {kind:<13} best {min(times) * 1000:6.0f} ms, median"
            f" {statistics.median(times) * 1000:6.0f} ms  ({size_of(result)}; limit"
            f" {LIMIT_S * 1000:.0f} ms); the bare scans it reads: median"
            f" {statistics.median(floor) * 1000:.0f} ms, ratio"
            f" {statistics.median(times) / statistics.median(floor):.2f}"
        )
    try:
        from reader.core.retrieval import Rule, coded_passages
    except ImportError:
        Rule = None  # type: ignore[assignment,misc]
    if Rule is not None:
        chosen = [codes[0], codes[1]]
        for rule in Rule:
            times, result = timed(
                lambda rule=rule: coded_passages(store, chosen, rule), args.repeat
            )
            print(
                f"retrieve {rule.value:<8} {' · '.join(chosen)}: best {min(times) * 1000:6.0f} ms,"
                f" median {statistics.median(times) * 1000:6.0f} ms ({size_of(result)})"
            )
    store.close()
    if worst > LIMIT_S:
        sys.exit(1)


if __name__ == "__main__":
    main()
