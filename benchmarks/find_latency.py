"""Find-in-article latency (issue 15): the sample article against the 808,573-character novel.

Times, in one run, from pressing `/` to the bar open (the article is folded then), and from
typing the first character of a query to the screen painted with every match highlighted
("first highlight"), then from `n` to the next match painted. The figure that matters is the
novel / sample ratio of the first highlight (<= 1.5 wanted).

    nice .venv/bin/python benchmarks/find_latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from reader.core.library import import_file
from reader.core.store import Store
from reader.ui.app import make_app
from reader.ui.widgets.find_bar import FindBar

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "seeds" / "changchun-auto-city-traditional.txt"
NOVEL = Path("/work/shared/corpus/long/紅樓夢.traditional.one-line.txt")
SIZE = (140, 45)
QUERIES = ("的", "发", "人")
"""One-character queries, as typed first: the most matches a keystroke can bring."""


async def measure(db: Path, document_id: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"open": [], "first highlight": [], "next": []}
    app = make_app(Store(db))
    app.open_document = document_id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.view
        bar = app.screen.query_one(FindBar)
        for query in QUERIES:
            started = time.perf_counter()
            await pilot.press("slash")
            await pilot.pause()
            figures["open"].append(time.perf_counter() - started)
            started = time.perf_counter()
            await pilot.press(query)
            await pilot.pause()
            view.render_lines(view.scrollable_content_region)
            figures["first highlight"].append(time.perf_counter() - started)
            assert bar.matches, query
            started = time.perf_counter()
            await pilot.press("enter")
            await pilot.pause()
            view.render_lines(view.scrollable_content_region)
            figures["next"].append(time.perf_counter() - started)
            await pilot.press("escape")
            await pilot.pause()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, path in (("sample", SAMPLE), ("novel", NOVEL)):
            db = Path(folder) / f"{name}.db"
            store = Store(db)
            document_id = import_file(store, path).document_id
            store.close()
            results[name] = {"open": [], "first highlight": [], "next": []}
            for _ in range(args.rounds):
                for key, values in asyncio.run(measure(db, document_id)).items():
                    results[name][key].extend(values)
    for key in ("open", "first highlight", "next"):
        sample = statistics.median(results["sample"][key]) * 1000
        novel = statistics.median(results["novel"][key]) * 1000
        print(
            f"{key:<16} sample {sample:7.1f} ms   novel {novel:7.1f} ms"
            f"   ratio {novel / sample:.2f}"
        )


if __name__ == "__main__":
    main()
