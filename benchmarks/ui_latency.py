"""What a user waits for in the reading pane: first paint, script switches, memory.

All figures are ratios taken in the same run (the machine is noisy):

- first paint: a fresh process, from its first import to the first screen of the sample article
  painted (headless, 140x45), for the reader with the saved script "original" and "s2twp",
  against a bare Textual app that shows the same article in a ``Static`` (target <= 1.2x);
- script switches: the first press of ``s`` into each script (key press to painted screen) in a
  fresh app, on documents of 10 K, 100 K and 800 K characters against the sample article
  (target: the slowest first switch <= 1.5x the sample's);
- memory: the RSS of a fresh process with the 808 K-char novel open, after one script is shown
  and converted to the end, then after every script has been (target <= 1.5x).

    nice .venv/bin/python benchmarks/ui_latency.py [--corpus /work/shared/corpus] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "seeds" / "changchun-auto-city-simplified.txt"
DEFAULT_CORPUS = next(
    (p for p in (ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")) if p.exists()),
    Path("/work/shared/corpus"),
)
NOVEL = Path("long") / "紅樓夢.traditional.one-line.txt"
LINED_NOVEL = Path("long") / "红楼梦.simplified.crlf.txt"
SIZE = (140, 45)

READER_FIRST_PAINT = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from reader.core.store import Store
from reader.ui.app import make_app
import asyncio

async def run():
    app = make_app(Store(Path(sys.argv[1])))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        view = app.screen.view
        view.render_lines(view.scrollable_content_region)
        print(time.perf_counter() - started, flush=True)

asyncio.run(run())
"""

BARE_FIRST_PAINT = """
import sys, time
started = time.perf_counter()
from pathlib import Path
import asyncio
from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        with VerticalScroll():
            yield Static(Path(sys.argv[1]).read_text("utf-8"), markup=False)
        yield Footer()

async def run():
    app = Bare()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        static = app.query_one(Static)
        static.render_lines(static.region.reset_offset)
        print(time.perf_counter() - started, flush=True)

asyncio.run(run())
"""

MEMORY = """
import sys, time, asyncio
from pathlib import Path
from reader.core.store import Store
from reader.ui.app import make_app

def rss_mb():
    import os
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()

async def run():
    import gc
    app = make_app(Store(Path(sys.argv[1])))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        gc.collect()
        figures = [rss_mb()]
        for _ in range(int(sys.argv[2])):
            await pilot.press("s")
            await settle(app, pilot)
            gc.collect()
            figures.append(rss_mb())
        print(" ".join(f"{f:.1f}" for f in figures), flush=True)

asyncio.run(run())
"""


CHILD_ENV = dict(os.environ)
"""The environment of the measured processes: set by main() so they keep compiled bytecode."""


def _run(snippet: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", snippet, *args], check=True, capture_output=True, text=True,
        cwd=ROOT, env=CHILD_ENV,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def _library(folder: Path, path: Path, script: str) -> Path:
    """A database holding one document, opened last, with ``script`` saved."""
    from reader.core.importing import import_file
    from reader.core.store import Store

    db = folder / f"{path.stem}-{script}.db"
    store = Store(db)
    import_file(store, path)
    store.preferences.update(script=script)
    store.close()
    return db


async def first_switches(db: Path, cycles: int = 1) -> list[float]:
    """Seconds per press of ``s`` into each script, key press to painted screen: the first
    visit of each, then (``cycles`` > 1) the visits again."""
    from reader.core.convert import SCRIPT_CYCLE
    from reader.core.store import Store
    from reader.ui.app import make_app

    app = make_app(Store(db))
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.view
        view.render_lines(view.scrollable_content_region)
        for _ in range(len(SCRIPT_CYCLE) * cycles - 1):
            before = time.perf_counter()
            await pilot.press("s")
            await pilot.pause()
            view.render_lines(view.scrollable_content_region)
            times.append(time.perf_counter() - before)
    return times


def main() -> None:
    from reader.core.convert import SCRIPT_CYCLE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the corpus folder")
    parser.add_argument("--rounds", type=int, default=5, help="repetitions of each figure")
    parser.add_argument("--skip", nargs="*", default=[], choices=["paint", "switch", "memory"])
    args = parser.parse_args()
    novel = args.corpus / NOVEL
    lined = (args.corpus / LINED_NOVEL).read_bytes().decode("utf-8")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        # Bytecode is compiled once (in the dropped first pass) and kept in this run's folder,
        # as an installed program's is: with PYTHONDONTWRITEBYTECODE set (some sandboxes do)
        # every start compiled reader's fifty modules again, which the bare app never pays.
        CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
        if "paint" not in args.skip:
            dbs = {script: _library(folder, SAMPLE, script) for script in ("original", "s2twp")}
            paints: dict[str, list[float]] = {"bare": [], "original": [], "s2twp": []}
            for attempt in range(args.rounds + 1):  # alternate; drop the first (cold) pass
                figures = {"bare": float(_run(BARE_FIRST_PAINT, str(SAMPLE)))}
                for script, db in dbs.items():
                    figures[script] = float(_run(READER_FIRST_PAINT, str(db)))
                if attempt:
                    for key, value in figures.items():
                        paints[key].append(value)
            bare = statistics.median(paints["bare"])
            print(f"first paint, bare Textual app (sample): {bare * 1000:7.1f} ms")
            for script in ("original", "s2twp"):
                ours = statistics.median(paints[script])
                print(f"first paint, reader in {script:8}:        {ours * 1000:7.1f} ms"
                      f"  ratio {ours / bare:5.2f}  (target <= 1.2)")  # fmt: skip
        if "switch" not in args.skip:
            sizes = {"sample": SAMPLE}
            for label, chars in (("10K", 10_000), ("100K", 100_000)):
                path = folder / f"novel-{label}.txt"
                path.write_text(lined[:chars], "utf-8")
                sizes[label] = path
            sizes["800K"] = novel
            dbs = {label: _library(folder, path, "original") for label, path in sizes.items()}
            switches: dict[str, list[list[float]]] = {label: [] for label in sizes}
            revisits: list[float] = []
            for attempt in range(args.rounds + 1):
                for label, db in dbs.items():
                    times = asyncio.run(first_switches(db, 2 if label == "sample" else 1))
                    if attempt:
                        switches[label].append(times[: len(SCRIPT_CYCLE) - 1])
                        revisits.extend(times[len(SCRIPT_CYCLE) :])
            medians = {
                label: [statistics.median(column) for column in zip(*runs, strict=True)]
                for label, runs in switches.items()
            }
            for label, per_script in medians.items():
                cells = " ".join(f"{seconds * 1000:6.1f}" for seconds in per_script)
                pairs = zip(per_script, medians["sample"], strict=True)
                worst = max(ours / sample for ours, sample in pairs)
                print(f"first switch per script (ms, t2s s2t s2tw s2hk s2twp) {label:>6}: {cells}"
                      f"  worst script vs the sample's {worst:5.2f}  (target <= 1.5)")  # fmt: skip
            print(f"switch on the sample, second cycle (scripts visited before): median"
                  f" {statistics.median(revisits) * 1000:.1f} ms")  # fmt: skip
        if "memory" not in args.skip:
            # One script: the app opened in s2twp (the heaviest dictionaries), converted to
            # the end. Every script: opened in the original, then s pressed through t2s, s2t,
            # s2tw, s2hk to s2twp, each converted to the end before the next.
            alone = _library(folder, novel, "s2twp")
            cycled = _library(folder, novel, "original")
            singles: list[float] = []
            everies: list[list[float]] = []
            for _ in range(args.rounds):
                singles.append(float(_run(MEMORY, str(alone), "0").split()[-1]))
                everies.append([float(x) for x in _run(MEMORY, str(cycled), "5").split()])
            single = statistics.median(singles)
            every = statistics.median(run[-1] for run in everies)
            steps = " ".join(f"{statistics.median(c):.0f}" for c in zip(*everies, strict=True))
            print(f"RSS, 808K-char novel, s2twp alone, converted:  {single:6.1f} MB")
            print(f"RSS, after every script (each step: {steps}): {every:6.1f} MB"
                  f"  ratio {every / single:5.2f}  (target <= 1.5)")  # fmt: skip


if __name__ == "__main__":
    main()
