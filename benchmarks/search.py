"""Search figures (issue 15) on a >= 100 MB library built from the real corpus.

Run: nice .venv/bin/python benchmarks/search.py [--megabytes 100] [--corpus /work/shared/corpus]

Prints, each from this one run (ratios within the run; the machine is shared and noisy):
- import throughput into the store with the search index and without it, and the index size;
- for 1- to 4-character queries, common and rare, in either script: the in-process median time to
  the count and to the first 100 concordance lines, each result checked against a brute-force
  scan of the folded texts (``re`` over ``fold(original)``, not the index);
- ripgrep's whole process on the same texts written out as files (every script variant of each
  character as a class), its count checked against ours;
- the whole ``reader search Q --count`` process on this library and on the two-sample library;
- auto-coding 10,000 matches as one batch, and undoing it.
Everything is written inside a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

from reader.core.folding import fold, variants
from reader.core.library import ImportError_, import_file, import_seeds, prepare_file
from reader.core.search import FoldedCache, Query, concordance, count_matches, search
from reader.core.store import Store

ROOT = Path(__file__).resolve().parent.parent
UNIQUE_NAME = "燕赤霞"
"""Planted once in the whole library: the 'name occurring once' query."""
QUERIES = ("的", "嫣", "寶玉", "發展", "林黛玉", UNIQUE_NAME, "一带一路", "孫行者")


def median_ms(action: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def corpus_texts(corpus: Path) -> list[tuple[str, str]]:
    """(name, text) of every corpus file reader can import: novels and web pages."""
    texts = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        if path.suffix not in (".txt", ".html") or "LICENSE" in path.name:
            continue
        try:
            prepared = prepare_file(path)
        except ImportError_:
            continue
        if len(prepared.text) > 200:
            texts.append((path.stem, prepared.text))
    return texts


def build_library(corpus: Path, megabytes: float) -> list[tuple[str, str]]:
    """Repeat and vary the corpus to ``megabytes`` of UTF-8: each copy is rotated to start
    elsewhere (so no two documents are equal) and the pages come between the novels."""
    sources = corpus_texts(corpus)
    documents: list[tuple[str, str]] = []
    size = 0
    copy = 0
    while size < megabytes * 1_000_000:
        for name, text in sources:
            cut = (copy * 7919 + len(name) * 104729) % len(text)
            varied = text[cut:] + "\n" + text[:cut]
            documents.append((f"{name} #{copy}", varied))
            size += len(varied.encode("utf-8"))
        copy += 1
    name, text = documents[len(documents) // 2]
    middle = len(text) // 2
    documents[len(documents) // 2] = (name, text[:middle] + UNIQUE_NAME + text[middle:])
    return documents


def import_all(path: Path, documents: list[tuple[str, str]], *, index: bool) -> float:
    """Seconds to add every document to a new store (one transaction each, as an import)."""
    store = Store(path)
    original = Store._index_text
    if not index:
        Store._index_text = lambda self, document_id, text: None  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        for name, text in documents:
            store.add_document(text=text, title=name)
        return time.perf_counter() - started
    finally:
        Store._index_text = original  # type: ignore[method-assign]
        store.close()


def import_files(path: Path, files: list[Path], *, index: bool) -> float:
    """Seconds for reader's whole import (read, detect the encoding, extract, store)."""
    store = Store(path)
    original = Store._index_text
    if not index:
        Store._index_text = lambda self, document_id, text: None  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        for file in files:
            import_file(store, file)
        return time.perf_counter() - started
    finally:
        Store._index_text = original  # type: ignore[method-assign]
        store.close()


def brute_force(folded_texts: list[tuple[int, str]], query: str) -> list[tuple[int, int, int]]:
    needle = re.compile(re.escape(fold(query)))
    return [
        (document_id, found.start(), found.end())
        for document_id, text in folded_texts
        for found in needle.finditer(text)
    ]


def rg_pattern(query: str) -> str:
    return "".join(
        "[" + "".join(variants(char)) + "]" if len(variants(char)) > 1 else re.escape(char)
        for char in query
    )


def process_ms(command: list[str], repeat: int = 5) -> tuple[float, str]:
    times, output = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        output = done.stdout
    return statistics.median(times) * 1000, output


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=100)
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus}: no corpus", file=sys.stderr)
        return 1
    reader = str(Path(sys.executable).with_name("reader"))
    rg = shutil.which("rg")
    documents = build_library(args.corpus, args.megabytes)
    text_bytes = sum(len(text.encode("utf-8")) for _, text in documents)
    chars = sum(len(text) for _, text in documents)
    print(f"library: {len(documents)} documents, {text_bytes / 1e6:.1f} MB UTF-8, {chars:,} chars")

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        without = import_all(folder / "plain.db", documents, index=False)
        plain_size = (folder / "plain.db").stat().st_size
        (folder / "plain.db").unlink()
        with_index = import_all(folder / "library.db", documents, index=True)
        print(
            f"import: without index {text_bytes / 1e6 / without:.1f} MB/s ({without:.1f} s),"
            f" with index {text_bytes / 1e6 / with_index:.1f} MB/s ({with_index:.1f} s)"
            " (the store's part only: texts already decoded);"
            f" ratio {without / with_index:.2f} (>= 0.5 wanted)"
        )
        files = [
            p for p in sorted(args.corpus.rglob("*"))
            if p.is_file() and p.suffix in (".txt", ".html") and "LICENSE" not in p.name
        ]  # fmt: skip
        corpus_mb = sum(p.stat().st_size for p in files) / 1e6
        plain_files = import_files(folder / "files-plain.db", files, index=False)
        indexed_files = import_files(folder / "files-indexed.db", files, index=True)
        print(
            f"reader's whole import of the {len(files)} corpus files ({corpus_mb:.1f} MB on disk):"
            f" without index {plain_files:.2f} s, with index {indexed_files:.2f} s;"
            f" ratio {plain_files / indexed_files:.2f} (>= 0.5 wanted)"
        )
        store = Store(folder / "library.db")
        position_bytes = store.db.execute(
            "select (select sum(length(positions)) from search_chars)"
            " + (select sum(length(byte_marks)) from search_marks)"
        ).fetchone()[0]
        char_rows = store.db.execute("select count(*) from search_chars").fetchone()[0]
        full_size = (folder / "library.db").stat().st_size
        print(
            f"index: {position_bytes / 1e6:.1f} MB of character positions and byte marks"
            f" ({position_bytes / text_bytes:.2f}x the text), {char_rows:,} (character,"
            f" document) rows; database file {full_size / 1e6:.1f} MB with the index,"
            f" {plain_size / 1e6:.1f} MB without: the index costs"
            f" {(full_size - plain_size) / text_bytes:.2f}x the text on disk"
        )

        folded_texts = [(document_id, fold(text)) for document_id, text in store.search_originals()]
        texts_dir = folder / "texts"
        texts_dir.mkdir()
        for document_id, text in store.search_originals():
            (texts_dir / f"{document_id}.txt").write_text(text, encoding="utf-8")

        print("\nin-process medians, ms (a new query each time); rg = ripgrep's whole process")
        print(f"{'query':<8} {'matches':>9} {'count':>7} {'100 lines':>10} {'rg':>7}"
              f" {'rg count':>9}  check")  # fmt: skip
        for query_text in QUERIES:
            query = Query(query_text)
            count_ms, count = median_ms(lambda q=query: count_matches(store, q))
            lines_ms, lines = median_ms(
                lambda q=query: list(islice(concordance(store, search(store, q)), 100))
            )
            expected = brute_force(folded_texts, query_text)
            first = [(line.document_id, line.start, line.end) for line in lines]  # type: ignore[union-attr]
            ok = count == len(expected) and first == expected[:100]
            pattern = rg_pattern(query_text)
            rg_command = ["--count-matches", "--no-filename", pattern, str(texts_dir)]
            rg_ms, rg_out = process_ms([rg, *rg_command], 3) if rg else (float("nan"), "")
            rg_count = sum(int(n) for n in rg_out.split())
            print(
                f"{query_text:<{8 - len(query_text)}} {count:>9,} {count_ms:>7.1f}"
                f" {lines_ms:>10.1f} {rg_ms:>7.1f} {rg_count:>9,}"
                f"  {'ok' if ok else 'MISMATCH'}{'' if rg_count == count else ' (rg differs)'}"
            )
        regex = Query("[宝寶]玉|黛玉", regex=True)
        cache = FoldedCache()
        cold_ms, cold = median_ms(lambda: count_matches(store, regex), 3)
        count_matches(store, regex, cache=cache)
        warm_ms, warm = median_ms(lambda: count_matches(store, regex, cache=cache), 3)
        print(
            f"regex [宝寶]玉|黛玉: {cold:,} matches; {cold_ms:.0f} ms folding the originals as"
            f" read, {warm_ms:.0f} ms with the app's FoldedCache ({warm:,})"
        )

        seeds = folder / "seeds.db"
        seed_store = Store(seeds)
        import_seeds(seed_store)
        seed_store.close()
        print()
        for query_text in ("的", "發展", UNIQUE_NAME):
            big_ms, big = process_ms([reader, "search", query_text, "--count", "--db",
                                      str(folder / "library.db")])  # fmt: skip
            small_ms, small = process_ms([reader, "search", query_text, "--count", "--db",
                                          str(seeds)])  # fmt: skip
            print(
                f"reader search {query_text} --count: 100 MB library {big_ms:.0f} ms"
                f" ({big.strip()}), two samples {small_ms:.0f} ms ({small.strip()});"
                f" ratio {big_ms / small_ms:.2f} (<= 1.3 wanted)"
            )

        matches = islice(search(store, Query("的")), 10_000)
        spans = [(m.document_id, m.start, m.end) for m in matches]
        started = time.perf_counter()
        created, _ = store.autocode("benchmark", spans)
        code_s = time.perf_counter() - started
        started = time.perf_counter()
        undone = store.undo()
        undo_s = time.perf_counter() - started
        left = store.db.execute("select count(*) from annotations").fetchone()[0]
        print(
            f"\nautocode {sum(created.values()):,} matches: {code_s:.2f} s (<= 1 s wanted);"
            f" undo: {undo_s:.2f} s (<= 1 s wanted); annotations left after undo: {left}"
            f" ({undone.description if undone else 'nothing undone'})"
        )
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
