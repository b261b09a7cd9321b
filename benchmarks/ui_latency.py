"""Open and script-switch latency of the reading pane: a short article against a novel.

The work must not grow with the document, so the figures that matter are the ratios, taken in
the same run: opening the 808,573-character one-line novel against opening the sample article,
and switching script on each (from the key press until the converted screen is painted).

    python benchmarks/ui_latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from reader.core.convert import SCRIPT_CYCLE
from reader.core.importing import import_file
from reader.core.store import Store
from reader.ui.app import make_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "seeds" / "changchun-auto-city-simplified.txt"
NOVEL = ROOT.parent / "shared" / "corpus" / "long" / "紅樓夢.traditional.one-line.txt"
SIZE = (140, 45)


async def measure(db: Path, document_id: int, rounds: int) -> tuple[float, list[float]]:
    """Seconds to first paint, then seconds per script switch (key press to painted screen).

    Opening counts from building the app (store opened, library listed, article loaded) to the
    first screen of the article painted.
    """
    started = time.perf_counter()
    app = make_app(Store(db))
    app.open_document = document_id
    switches: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.view
        view.render_lines(view.scrollable_content_region)  # the first screen, painted
        opened = time.perf_counter() - started
        for _ in range(rounds * len(SCRIPT_CYCLE)):
            before = time.perf_counter()
            await pilot.press("s")
            await pilot.pause()
            view.render_lines(view.scrollable_content_region)
            switches.append(time.perf_counter() - before)
    return opened, switches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="full cycles through the scripts")
    parser.add_argument("--opens", type=int, default=5, help="app starts per document")
    args = parser.parse_args()
    opens: dict[str, list[float]] = {"sample": [], "novel": []}
    switches: dict[str, list[float]] = {"sample": [], "novel": []}
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        store = Store(db)
        documents = {
            "sample": import_file(store, SAMPLE).document_id,
            "novel": import_file(store, NOVEL).document_id,
        }
        store.close()
        # Alternate the two documents, and drop the first (cold) pass of each.
        for attempt in range(args.opens + 1):
            for name, document_id in documents.items():
                opened, switched = asyncio.run(measure(db, document_id, args.rounds))
                if attempt:
                    opens[name].append(opened)
                    switches[name].extend(switched)
    sample_open, novel_open = (statistics.median(opens[name]) for name in ("sample", "novel"))
    sample_switch, novel_switch = (
        statistics.median(switches[name]) for name in ("sample", "novel")
    )
    runs = len(switches["novel"])
    print(f"open sample (7,588 chars), median of {args.opens}:    {sample_open * 1000:7.1f} ms")
    print(f"open novel (808,573 chars), median of {args.opens}:   {novel_open * 1000:7.1f} ms")
    print(f"open ratio novel/sample:                   {novel_open / sample_open:7.2f}  (<= 1.5)")
    print(f"switch sample, median of {runs}:              {sample_switch * 1000:7.1f} ms")
    print(f"switch novel, median of {runs}:               {novel_switch * 1000:7.1f} ms")
    switch_ratio = novel_switch / sample_switch
    print(f"switch ratio novel/sample:                 {switch_ratio:7.2f}  (<= 1.5)")
    print(f"switch novel, worst:                       {max(switches['novel']) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
