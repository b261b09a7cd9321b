"""Line breaking on the three novels: 禁则 (kinsoku) violations and wrap throughput, before/after.

"Before" is ``reader/core/layout.py`` as it was at a git revision (by default the commit this
work started from), loaded as a module of its own; "after" is the working tree. Both wrap the
same lines (the blocks of today's ``split_blocks``), so only line breaking differs.

For each novel and width it prints:

- ``start%``: rows (not the first of a block) starting with a closing mark (。」？！ ...) and
  ``end%``: rows (not the last) ending with an opening bracket (「『（《“ ...), in % of rows;
  ``avoidable``: how many of those breaks were not forced by the width, i.e. the stretch 禁则
  keeps together (``kinsoku_span``: 「 + character + 。」) fits a row (the target is 0);
- ``over``: rows wider than the width as Rich draws them;
- ``rows``: how many rows, and ``pushed``: rows that end before the width is full because the
  characters that would have started the next row with a closing mark went down with the
  character before them. ``hang`` is what hanging punctuation would have done instead: the row
  count, and how many rows would then stick out past the width.

Throughput: characters wrapped per second at widths 20, 40 and 80, best of ``--rounds``
alternating runs, and the ratio after/before (the target is at most 1.2).

    python benchmarks/typesetting.py [--rounds 5] [--before REV] [--widths 4,10,40]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import accumulate, pairwise
from pathlib import Path
from types import ModuleType

from reader.core.documents import normalize_text
from reader.core.graphemes import cell_width, char_cells, cluster_bounds
from reader.core.layout import CLOSING, OPENING, kinsoku_span, split_blocks, wrap

ROOT = Path(__file__).resolve().parent.parent
CORPORA = (
    ROOT.parent / "shared" / "corpus" / "long",  # /work/main -> /work/shared
    ROOT.parent.parent / "shared" / "corpus" / "long",  # a worktree in /work/wt
    ROOT / "tests" / "data" / "corpus" / "long",  # 64 KB excerpts, if nothing else
)
NOVELS = (
    "紅樓夢.traditional.one-line.txt",
    "红楼梦.simplified.crlf.txt",
    "西遊記.traditional.wikisource.txt",
)
BASE_REVISION = "3722742"
"""main when the typesetting work began: layout.py with one-character kinsoku."""

Wrap = Callable[[str, int], list[tuple[int, int]]]


def old_layout(revision: str, folder: Path) -> ModuleType:
    """``reader/core/layout.py`` at ``revision``, imported from a file in ``folder``."""
    source = subprocess.run(
        ["git", "show", f"{revision}:reader/core/layout.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = folder / "layout_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("layout_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["layout_before"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def novel_lines(name: str) -> list[str]:
    for folder in CORPORA:
        path = folder / name
        if path.exists():
            print(f"{name}: {path}")
            text = normalize_text(path.read_text(encoding="utf-8"))
            return [text[b.start : b.end] for b in split_blocks(text) if b.end > b.start]
    raise SystemExit(f"corpus file {name} not found in {', '.join(map(str, CORPORA))}")


def hanging_rows(line: str, width: int) -> tuple[int, int]:
    """(rows, rows past the width) if closing marks hung past the edge instead of going down."""
    rows = over = 0
    cells = 0
    for char in line:
        size = char_cells[char]
        if cells + size > width and cells > 0 and char not in CLOSING:
            rows += 1
            over += cells > width
            cells = 0
        cells += size
    return rows + 1, over + (cells > width)


def violations(wrapper: Wrap, lines: list[str], width: int) -> dict[str, int]:
    """Rule breaks, overflowing rows and pushed-down rows of one wrapper at one width."""
    counts = dict.fromkeys(("rows", "start", "end", "avoidable", "over", "pushed"), 0)
    for line in lines:
        rows = wrapper(line, width)
        counts["rows"] += len(rows)
        bounds = cluster_bounds(line)
        cells = [0, *accumulate(map(char_cells.__getitem__, line))]  # prose: additive widths
        for (a, b), (c, _) in pairwise(rows):
            starts, ends = line[c] in CLOSING, line[b - 1] in OPENING
            counts["start"] += starts
            counts["end"] += ends
            if starts or ends:
                first, last = kinsoku_span(line, bounds, c)
                counts["avoidable"] += cell_width(line[first:last]) <= width
            if cells[b] - cells[a] + char_cells[line[c]] <= width:
                counts["pushed"] += 1
        counts["over"] += sum(cell_width(line[a:b]) > width for a, b in rows)
    return counts


def throughput(wrapper: Wrap, lines: list[str], widths: list[int]) -> float:
    started = time.perf_counter()
    for width in widths:
        for line in lines:
            wrapper(line, width)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating timing runs")
    parser.add_argument("--before", default=BASE_REVISION, help="git revision for 'before'")
    parser.add_argument("--widths", default="2,4,6,10,40,80,120", help="widths to check")
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    with tempfile.TemporaryDirectory(prefix="typesetting-") as folder:
        before = old_layout(args.before, Path(folder))
    novels = {name: novel_lines(name) for name in NOVELS}
    print(f"before: layout.py at {args.before}; after: the working tree\n")
    header = (
        f"{'novel':<34}{'width':>5}  {'':6}{'rows':>8}{'start%':>9}{'end%':>9}{'avoidable':>10}"
        f"{'over':>7}"
        f"{'pushed':>8}{'hang rows':>11}{'hang over':>11}"
    )
    print(header)
    for name, lines in novels.items():
        for width in widths:
            hang = [hanging_rows(line, width) for line in lines]
            hang_rows, hang_over = sum(r for r, _ in hang), sum(o for _, o in hang)
            for label, wrapper in (("before", before.wrap), ("after", wrap)):
                c = violations(wrapper, lines, width)
                tail = f"{hang_rows:>11,}{hang_over:>11,}" if label == "after" else ""
                print(
                    f"{name:<34}{width:>5}  {label:<6}{c['rows']:>8,}"
                    f"{100 * c['start'] / c['rows']:>8.3f}%{100 * c['end'] / c['rows']:>8.3f}%"
                    f"{c['avoidable']:>10,}"
                    f"{c['over']:>7,}{c['pushed']:>8,}{tail}"
                )
    every = [line for lines in novels.values() for line in lines]
    chars = sum(map(len, every)) * 3
    timings: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        timings["before"].append(throughput(before.wrap, every, [20, 40, 80]))
        timings["after"].append(throughput(wrap, every, [20, 40, 80]))
    best = {label: min(times) for label, times in timings.items()}
    print(f"\nwrap throughput over {chars:,} characters (3 novels x widths 20, 40, 80):")
    for label, seconds in best.items():
        print(f"  {label:<6} {seconds:.3f} s  {chars / seconds / 1e6:.2f} M chars/s")
    print(f"  after/before time ratio: {best['after'] / best['before']:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
