"""The measurements behind the choice of search index (issue 15), on the corpus novels.

Run: nice .venv/bin/python benchmarks/search_choice.py [--copies 7]

Prints, for the folded texts of the corpus novels repeated ``--copies`` times (7: ~100 MB):
- scanning them in memory: ``str.count``, ``bytes.count`` on UTF-8, ``re`` (per query);
- reading them back from SQLite as blobs, with and without memory-mapped I/O, and decoding;
- FTS5's trigram tokenizer over the same folded texts (one copy): build time, file size, and
  what it returns for 2-character queries (nothing: trigrams need 3 characters).
Everything is written inside a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reader.core.folding import fold
from reader.core.library import prepare_file

CORPUS = Path("/work/shared/corpus")
QUERIES = ("的", "宝玉", "林黛玉", "刘姥姥进")


def median_ms(action: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=7)
    args = parser.parse_args()
    novels = [
        fold(prepare_file(path).text)
        for path in sorted(CORPUS.rglob("*.txt"))
        if path.stat().st_size > 400_000
    ]
    texts = [text[k * 7919 % len(text) :] for k in range(args.copies) for text in novels]
    encoded = [text.encode("utf-8") for text in texts]
    megabytes = sum(map(len, encoded)) / 1e6
    print(f"{len(texts)} folded texts, {sum(map(len, texts)):,} chars, {megabytes:.1f} MB UTF-8")
    print(f"{'query':<6} {'str.count':>10} {'bytes.count':>12} {'re':>8}  (ms)")
    for query in QUERIES:
        needle = query.encode("utf-8")
        pattern = re.compile(re.escape(query))
        in_str = median_ms(lambda q=query: [t.count(q) for t in texts])
        in_bytes = median_ms(lambda n=needle: [b.count(n) for b in encoded])
        in_re = median_ms(lambda p=pattern: [sum(1 for _ in p.finditer(t)) for t in texts], 1)
        print(f"{query:<{6 - len(query)}} {in_str:>10.1f} {in_bytes:>12.1f} {in_re:>8.1f}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "blobs.db"
        db = sqlite3.connect(path)
        db.execute("create table t (id integer primary key, folded blob)")
        with db:
            db.executemany("insert into t (folded) values (?)", [(b,) for b in encoded])
        read = median_ms(lambda: [len(r[0]) for r in db.execute("select folded from t")])
        decode = median_ms(lambda: [r[0].decode() for r in db.execute("select folded from t")], 3)
        db.execute("PRAGMA mmap_size = 1073741824")
        mapped = median_ms(lambda: [len(r[0]) for r in db.execute("select folded from t")])
        print(
            f"read every blob: {read:.1f} ms; memory-mapped: {mapped:.1f} ms;"
            f" read and decode to str: {decode:.1f} ms"
        )
        db.close()
        fts = sqlite3.connect(Path(folder) / "fts.db")
        plain = sqlite3.connect(Path(folder) / "plain.db")
        plain.execute("create table t (id integer primary key, folded text)")
        fts.execute("create virtual table t using fts5(folded, tokenize='trigram')")
        timings = {}
        for name, target in (("plain table", plain), ("FTS5 trigram", fts)):
            started = time.perf_counter()
            with target:
                target.executemany("insert into t (folded) values (?)", [(t,) for t in novels])
            timings[name] = time.perf_counter() - started
            target.execute("vacuum")
        novel_mb = sum(len(t.encode("utf-8")) for t in novels) / 1e6
        for name, file in (("plain table", "plain.db"), ("FTS5 trigram", "fts.db")):
            size = (Path(folder) / file).stat().st_size / 1e6
            print(
                f"{name} over the {len(novels)} novels ({novel_mb:.1f} MB): build"
                f" {timings[name]:.2f} s, file {size:.1f} MB ({size / novel_mb:.1f}x the text)"
            )
        for query in QUERIES:
            found = fts.execute(
                "select count(*) from t where t match ?", [f'"{query}"']
            ).fetchone()[0]
            print(f"  FTS5 trigram, documents containing {query}: {found}")
        fts.close()
        plain.close()


if __name__ == "__main__":
    main()
