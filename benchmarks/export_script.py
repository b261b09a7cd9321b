"""`reader export` with and without ``--script``: 10,000, 100,000 and 1,000,000 annotations.

Each database holds 1,000 documents cut from the sample articles (the 100,000-annotation one is
benchmarks/scale.py's); it is built once into ``--folder`` and reused by later runs (the
1,000,000 one takes a minute and 600 MB). For each size, the plain export and the ``--script
s2twp`` export run as whole processes, alternated, ``--repeat`` times; the figure that matters is
the ratio of their medians within this run (target: <= 2 at 100,000 annotations).

    nice .venv/bin/python benchmarks/export_script.py [--folder /tmp/reader-export-bench]
        [--sizes 10000 100000 1000000] [--repeat 3] [--script s2twp] [--no-repeats]

``--no-repeats`` builds the library so that no sentence occurs twice (scale.build's
``repeats=False``): the default library cuts the same paragraphs into every document, so its
converted sentences are shared and the export with a script is cheaper than on real articles.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import build  # noqa: E402


def export_seconds(db: Path, out: Path, script: str | None) -> float:
    reader = Path(sys.executable).parent / "reader"
    command = [str(reader)] if reader.exists() else [sys.executable, "-m", "reader"]
    command += ["export", "--db", str(db), "-o", str(out)]
    if script:
        command += ["--script", script]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder", type=Path, help="where the databases are kept (default: new temp)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--script", default="s2twp")
    parser.add_argument(
        "--no-repeats",
        action="store_true",
        help="a library in which no sentence occurs twice (scale.build(repeats=False)):"
        " no converted sentence can be shared",
    )
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="reader-export-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        kind = "unique" if args.no_repeats else "repeats"
        db = folder / f"export-{size}-{args.documents}-{kind}.db"
        if not db.exists():
            started = time.perf_counter()
            build(db, args.documents, size, repeats=not args.no_repeats)
            print(f"built {db} in {time.perf_counter() - started:.1f} s"
                  f" ({db.stat().st_size / 1e6:.0f} MB)", flush=True)  # fmt: skip
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "export.csv"
            plain: list[float] = []
            converted: list[float] = []
            for _ in range(args.repeat):
                plain.append(export_seconds(db, out, None))
                converted.append(export_seconds(db, out, args.script))
        ratio = statistics.median(converted) / statistics.median(plain)
        print(f"export {size:>9,} annotations ({kind}):"
              f" plain median {statistics.median(plain):6.2f} s,"
              f" --script {args.script} median {statistics.median(converted):6.2f} s,"
              f" ratio {ratio:5.2f}  (target <= 2 at 100,000)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
