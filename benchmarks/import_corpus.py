"""Import every file of the real corpus into a temporary database and time each one.

Run: .venv/bin/python benchmarks/import_corpus.py [/work/shared/corpus]
Prints per file: outcome, detected encoding, script, stored characters, import time; the
novels must stay under 2 s each.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from rich.cells import cell_len

from reader.core.importing import ImportFailure, import_file
from reader.core.store import Store

DEFAULT_CORPUS = Path("/work/shared/corpus")
NAME_WIDTH = 44


def pad(name: str) -> str:
    """Left-justify in terminal cells: CJK file names are two cells a character."""
    return name + " " * max(1, NAME_WIDTH - cell_len(name))


def main(corpus: Path) -> int:
    files = sorted(path for path in corpus.rglob("*") if path.is_file())
    if not files:
        print(f"{corpus}: no files", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "benchmark.db")
        print(
            f"{pad('file')}{'status':<10} {'encoding':<10} {'script':<11} {'chars':>9} {'time':>8}"
        )
        total = 0.0
        for path in files:
            started = time.perf_counter()
            try:
                result = import_file(store, path)
            except ImportFailure as error:
                elapsed = time.perf_counter() - started
                print(f"{pad(str(path.relative_to(corpus)))}failed: {error}  ({elapsed:.3f} s)")
                continue
            elapsed = time.perf_counter() - started
            total += elapsed
            print(
                f"{pad(str(path.relative_to(corpus)))}{result.status:<10} {result.encoding:<10}"
                f" {result.script:<11} {result.chars:>9,} {elapsed:>7.3f}s"
            )
        print(f"{len(files)} files in {total:.2f} s")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS))
