"""Scale: 1,000 documents and 100,000 annotations.

Builds the database from the sample articles (each document a different cut of their
paragraphs, annotations on real passages with 1-3 tags from a codebook and real-text comments),
then measures, all in this one run so the noisy machine affects both sides of each ratio alike:

- Store open + documents.summaries() in a fresh process (must be < 1 s);
- annotations.for_document() on the document that has 5,000 annotations;
- ``reader export`` as a whole process vs a bare sqlite3 cursor -> csv.writer loop over the same
  rows (ratio must be <= 1.5).

Usage: .venv/bin/python benchmarks/scale.py [--db PATH] [--documents N] [--annotations N]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.documents import content_hash, normalize_text, seed_paths  # noqa: E402
from reader.core.store import Store, now, passage_anchor  # noqa: E402

CODEBOOK = (
    "产业政策", "地方政府", "国有企业", "汽车产业", "招商引资", "城市规划", "人才", "科技创新",
    "民营经济", "营商环境", "对外开放", "基础设施", "财政", "就业", "环境保护", "宣传话语",
    "=公式测试", "-负面", "@提及", "+加分",
)  # fmt: skip
BIG_DOCUMENT_ANNOTATIONS = 5_000


SENTENCE_END = re.compile("[。！？；\n]")


def numbered_sentences(text: str, label: int) -> str:
    """The text with ``label-k`` before the end of its k-th sentence: no sentence repeats."""
    numbers = iter(range(1, len(text) + 1))
    return SENTENCE_END.sub(lambda end: f"{label}-{next(numbers)}{end[0]}", text)


def build(
    path: Path,
    documents: int,
    annotations: int,
    seed: int = 7,
    codebook: Sequence[str] = CODEBOOK,
    *,
    repeats: bool = True,
) -> None:
    """Write the database directly in one transaction (100,000 one-commit creates take hours
    of fsyncs); the rows are what annotations.create would write, with 1-3 of ``codebook``'s
    tags each.

    The documents are cuts of the same few paragraphs, so most sentences occur in many of them
    (as boilerplate and quotes do in saved pages); ``repeats=False`` makes every sentence of
    the library unique (a number before each sentence's end: ``…汽车城。`` becomes
    ``…汽车城17-3。``), for what conversion costs when nothing can be shared."""
    rng = random.Random(seed)
    texts = [normalize_text(p.read_text(encoding="utf-8")) for p in seed_paths()]
    paragraphs = [[line for line in text.split("\n") if line.strip()] for text in texts]
    sentences = [s + "。" for text in texts for s in text.replace("\n", "").split("。") if s]
    store = Store(path)
    with store.transaction():
        document_ids: list[int] = []
        document_texts: dict[int, str] = {}
        for index in range(documents):
            source = paragraphs[index % len(paragraphs)]
            cut = index % len(source)
            body = "\n".join(source[cut:] + source[:cut])
            title = f"{source[0][:30]}（第{index + 1}篇）"
            text = f"{title}\n{body}\n"
            if not repeats:
                text = numbered_sentences(text, index)
            document_id = store.documents.add(
                text=text,
                title=title,
                source="吉林日报" if index % 2 else "长春汽开区",
                published=f"2020-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
                path=f"/corpus/article-{index:04d}.txt",
                content_hash=content_hash(text),
            )
            document_ids.append(document_id)
            document_texts[document_id] = text
        tag_ids = [store.tags.ensure(name) for name in codebook]
        counts = {document_ids[0]: BIG_DOCUMENT_ANNOTATIONS}
        rest = annotations - BIG_DOCUMENT_ANNOTATIONS
        for position, document_id in enumerate(document_ids[1:]):
            counts[document_id] = rest // (documents - 1) + (
                1 if position < rest % (documents - 1) else 0
            )
        annotation_rows = []
        tag_rows = []
        next_id = 1
        stamp = now()
        for document_id, count in counts.items():
            text = document_texts[document_id]
            for _ in range(count):
                start = rng.randrange(0, len(text) - 80)
                end = start + rng.randint(4, 60)
                comment = rng.choice(sentences) if rng.random() < 0.6 else ""
                if rng.random() < 0.05:
                    comment = '第一行\n第二行，含“引号”和"quotes"'
                annotation_rows.append(
                    (
                        next_id,
                        document_id,
                        start,
                        end,
                        *passage_anchor(text, start, end),
                        comment,
                        stamp,
                        stamp,
                    )
                )
                for tag_id in rng.sample(tag_ids, rng.randint(1, 3)):
                    tag_rows.append((next_id, tag_id))
                next_id += 1
        store.gateway.execute_many(
            "insert into annotations (id, document_id, start_offset, end_offset, quote, prefix,"
            " suffix, comment, status, created_at, updated_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            annotation_rows,
        )
        store.gateway.execute_many(
            "insert into annotation_tags (annotation_id, tag_id) values (?, ?)", tag_rows
        )
        store.history.reserve_id(next_id - 1)
    store.gateway.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


OPEN_AND_LIST = """
import sys, time
t0 = time.perf_counter()
from reader.core.store import Store
t1 = time.perf_counter()
store = Store(sys.argv[1])
documents = store.documents.summaries()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, len(documents), sum(d.annotation_count for d in documents))
"""

BARE_SQL = """
select a.id, a.document_id, d.title, d.source, a.start_offset, a.end_offset, a.quote,
       (select group_concat(name, '; ') from (select t.name from annotation_tags x
        join tags t on t.id = x.tag_id where x.annotation_id = a.id order by t.name)),
       a.comment, a.created_at, a.updated_at, a.status
from annotations a join documents d on d.id = a.document_id
order by a.document_id, a.start_offset, a.end_offset, a.id
"""


def bare_export(path: Path, out: Path) -> float:
    """The floor: a bare cursor into csv.writer, no reader code at all."""
    import sqlite3

    started = time.perf_counter()
    conn = sqlite3.connect(path)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["annotation_id", "document_id", "document_title", "document_source",
                         "start", "end", "passage", "tags", "comment", "created_at",
                         "updated_at", "status"])  # fmt: skip
        writer.writerows(conn.execute(BARE_SQL))
    conn.close()
    return time.perf_counter() - started


def reader_export(path: Path, out: Path) -> float:
    reader = Path(sys.executable).parent / "reader"
    command = [str(reader)] if reader.exists() else [sys.executable, "-m", "reader"]
    started = time.perf_counter()
    subprocess.run([*command, "export", "--db", str(path), "-o", str(out)], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="Reuse (or build) the database here.")
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="reader-scale-"))
    path = args.db or folder / "scale.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, args.documents, args.annotations)
        print(f"built {path} in {time.perf_counter() - started:.1f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")  # fmt: skip

    opens = []
    for _ in range(args.repeat):
        result = subprocess.run(
            [sys.executable, "-c", OPEN_AND_LIST, str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        imports, open_list, count, total = result.stdout.split()
        opens.append(float(open_list))
    print(f"Store open + documents.summaries() ({count} documents, {total} annotations):"
          f" median {statistics.median(opens) * 1000:.0f} ms, worst {max(opens) * 1000:.0f} ms"
          f" (limit 1000 ms; imports {float(imports) * 1000:.0f} ms)")  # fmt: skip

    store = Store(path)
    biggest = store.gateway.one(
        "select document_id, count(*) from annotations group by document_id"
        " order by count(*) desc limit 1"
    )
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = store.annotations.for_document(biggest[0])
        timings.append(time.perf_counter() - started)
    print(
        f"annotations.for_document({biggest[0]}, {len(found)} annotations):"
        f" median {statistics.median(timings) * 1000:.0f} ms"
    )
    store.close()

    ours, bare = [], []
    for _ in range(args.repeat):
        ours.append(reader_export(path, folder / "reader.csv"))
        bare.append(bare_export(path, folder / "bare.csv"))
    ratio = statistics.median(ours) / statistics.median(bare)
    with (folder / "reader.csv").open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    print(f"export of {rows} rows: `reader export` process median {statistics.median(ours):.2f} s,"
          f" bare sqlite3->csv.writer median {statistics.median(bare):.2f} s,"
          f" ratio {ratio:.2f} (limit 1.5)")  # fmt: skip
    restore_into_copy(path, folder / "reader.csv", folder / "restored.db")
    if statistics.median(opens) >= 1.0 or ratio > 1.5:
        sys.exit(1)


def restore_into_copy(path: Path, export: Path, copy: Path) -> None:
    """import-annotations of the whole export into a copy without annotations, then again
    (everything present); with how long its one write transaction held the lock (how long
    the app's writes wait meanwhile; the busy timeout is 15 s)."""
    import shutil

    from reader.core.restore import import_csv

    shutil.copyfile(path, copy)
    store = Store(copy)
    with store.transaction():
        for table in ("annotation_tags", "annotations", "undo_log"):
            store.gateway.execute(f"delete from {table}")
    write = store.annotations.restore
    held: list[float] = []

    def timed(items):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return write(items)
        finally:
            held.append(time.perf_counter() - started)

    store.annotations.restore = timed  # type: ignore[method-assign]
    for label in ("into the emptied copy", "again (all already present)"):
        started = time.perf_counter()
        report = import_csv(store, export)
        elapsed = time.perf_counter() - started
        print(
            f"import-annotations {label}: {elapsed:.2f} s, write transaction {held[-1]:.2f} s"
            f" ({report.added} added, {report.already_present} present,"
            f" {len(report.missing)} not restored)"
        )
    store.close()


if __name__ == "__main__":
    main()
