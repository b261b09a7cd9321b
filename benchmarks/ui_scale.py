"""The app on a big database: 1,000 documents, 100,000 annotations, one article with 5,000.

Prints how long the app takes to open and list the library, to open the article with 5,000
annotations, and to page through it (key press to painted screen), against paging through the
same article with no annotations shown, in the same run.

    python benchmarks/ui_scale.py [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import build

from reader.core.store import Store
from reader.ui.app import make_app

SIZE = (140, 45)
PAGES = 20


async def page_through(store: Store, document_id: int, hide_annotations: bool) -> list[float]:
    app = make_app(store)
    app.open_document = document_id
    timings: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.view
        if hide_annotations:
            view.set_annotations([])
        for _ in range(PAGES):
            started = time.perf_counter()
            await pilot.press("pagedown")
            await pilot.pause()
            view.render_lines(view.scrollable_content_region)
            timings.append(time.perf_counter() - started)
    return timings


async def open_library(store: Store) -> tuple[float, int]:
    started = time.perf_counter()
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        listed = app.screen.query_one("#library").count
        return time.perf_counter() - started, listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="Reuse (or build) the database here.")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    db = args.db or Path(folder.name) / "scale.db"
    if not db.exists():
        print("building 1,000 documents and 100,000 annotations ...", flush=True)
        build(db, 1_000, 100_000)
    store = Store(db)
    busiest = store.gateway.one(
        "select document_id, count(*) from annotations group by document_id"
        " order by count(*) desc limit 1"
    )
    starts = [asyncio.run(open_library(store)) for _ in range(5)]
    opened = statistics.median(seconds for seconds, _ in starts)
    worst = max(seconds for seconds, _ in starts)
    print(
        f"open the app and list the library ({starts[0][1]} documents), median of 5:"
        f" {opened * 1000:7.1f} ms (worst {worst * 1000:.1f} ms)"
    )
    started = time.perf_counter()
    shown = asyncio.run(page_through(store, busiest[0], hide_annotations=False))
    print(
        f"open the article with {busiest[1]:,} annotations and page {PAGES} times:"
        f" {(time.perf_counter() - started):.2f} s"
    )
    bare = asyncio.run(page_through(store, busiest[0], hide_annotations=True))
    median_shown = statistics.median(shown) * 1000
    print(
        f"page down, {busiest[1]:,} annotations shown: median {median_shown:6.1f} ms,"
        f" worst {max(shown) * 1000:6.1f} ms"
    )
    print(
        f"page down, annotations hidden:      median {statistics.median(bare) * 1000:6.1f} ms,"
        f" worst {max(bare) * 1000:6.1f} ms"
    )
    print(f"ratio shown/hidden (median): {statistics.median(shown) / statistics.median(bare):.2f}")
    store.close()


if __name__ == "__main__":
    main()
