"""Importing many small files: `reader import` of a folder of 1,000 short articles.

Writes N article files (scale.py's cuts of the sample articles, ~6,400 characters each) into a
temporary folder, then imports the folder into a new database three ways, in this one run so the
noisy machine affects all alike:

- as `reader import` does (reader.core.importing.import_files: files committed in batches, the
  search index of a batch written at its end, Store.bulk_transaction);
- one file per transaction (BATCH_CHARS = 1: the batch ends after every file);
- the same as the first with the search index switched off: the floor the index adds to.

Prints wall and CPU time of each and the ratios to the floor.

Usage: .venv/bin/python benchmarks/import_many.py [--documents N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core import importing  # noqa: E402
from reader.core.documents import normalize_text, seed_paths  # noqa: E402
from reader.core.store import Store  # noqa: E402
from reader.core.store.search_index import SearchIndex  # noqa: E402


def write_articles(folder: Path, count: int) -> int:
    """``count`` article files, each a different cut of a sample's paragraphs (as scale.py's
    documents); returns the characters written."""
    texts = [normalize_text(path.read_text(encoding="utf-8")) for path in seed_paths()]
    paragraphs = [[line for line in text.split("\n") if line.strip()] for text in texts]
    folder.mkdir()
    chars = 0
    for index in range(count):
        source = paragraphs[index % len(paragraphs)]
        cut = index % len(source)
        text = f"{source[0][:30]}（第{index + 1}篇）\n" + "\n".join(source[cut:] + source[:cut])
        (folder / f"article-{index:04d}.txt").write_text(text + "\n", encoding="utf-8")
        chars += len(text)
    return chars


@contextmanager
def setting(owner: object, name: str, value: object) -> Iterator[None]:
    previous = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, previous)


def timed_import(database: Path, folder: Path) -> tuple[float, float, int]:
    store = Store(database)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        summary = importing.import_files(store, [folder])
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
        if summary.failures:
            sys.exit(f"failed: {summary.failures[0]}")
        return elapsed, used, len(summary.imported)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        chars = write_articles(folder / "articles", args.documents)
        print(f"{args.documents:,} files, {chars:,} characters")
        batched = timed_import(folder / "batched.db", folder / "articles")
        with setting(importing, "BATCH_CHARS", 1):
            each = timed_import(folder / "each.db", folder / "articles")
        with setting(SearchIndex, "index", lambda self, document_id, text: None):
            floor = timed_import(folder / "floor.db", folder / "articles")
        for label, (elapsed, used, imported) in (
            ("batched (reader import)", batched),
            ("one file per transaction", each),
            ("batched, no search index", floor),
        ):
            print(
                f"  {label:<26} {elapsed:6.2f} s, CPU {used:6.2f} s ({imported:,} imported);"
                f" {elapsed / floor[0]:.2f}x / CPU {used / floor[1]:.2f}x the floor"
            )


if __name__ == "__main__":
    main()
