"""Two programs on one database at once: an annotating "app" and an export/import loop.

Process A writes annotations as a user would (create, retag, comment, move, delete, undo of
its own last action). Process B, like ``reader export`` and ``reader import-annotations``
run by hand meanwhile, exports every annotation to CSV, creates annotations of its own and
imports its own rows back (which must add nothing). Each counts its operations and errors
(any exception, "database is locked" included); afterwards the database must hold exactly what
both reported as saved and pass ``PRAGMA integrity_check``.

Usage: .venv/bin/python benchmarks/concurrency.py [--seconds 20] [--db PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

B_TAG = "导入测试"
Model = dict[int, tuple[int, int, int, tuple[str, ...], str]]


def annotator(db: Path, seconds: float, seed: int) -> dict:
    from reader.core.store import Store

    rng = random.Random(seed)
    store = Store(db)
    documents = [(d.id, len(store.documents.get(d.id).text)) for d in store.documents.summaries()]
    model: Model = {}
    ops = 0
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            roll = rng.random()
            if roll < 0.4 or not model:
                document_id, length = rng.choice(documents)
                start = rng.randrange(0, length - 50)
                tags = rng.sample(["产业", "政策", "人物"], rng.randint(0, 2))
                created = store.annotations.create(document_id, start, start + 8, tags, "评论")
                model[created.id] = (document_id, start, start + 8, tuple(sorted(tags)), "评论")
            else:
                target = rng.choice(list(model))
                document_id, start, end, tags, comment = model[target]
                if roll < 0.6:
                    tags = tuple(sorted(rng.sample(["产业", "政策", "人物"], 2)))
                    store.annotations.set_tags(target, tags)
                elif roll < 0.75:
                    comment = f"评论 {ops}\n第二行"
                    store.annotations.set_comment(target, comment)
                elif roll < 0.85:
                    start, end = start + 1, end + 1
                    store.annotations.set_range(target, start, end)
                elif roll < 0.95:
                    store.annotations.delete(target)
                    del model[target]
                    ops += 1
                    continue
                else:
                    # Undo of our own last action is what a user does; redo puts it back so
                    # the model stays simple.
                    store.history.undo()
                    store.history.redo()
                model[target] = (document_id, start, end, tags, comment)
            ops += 1
        except Exception:
            errors.append(traceback.format_exc(limit=3))
    store.close()
    return {"ops": ops, "errors": errors, "model": {str(k): v for k, v in model.items()}}


def exporter(db: Path, seconds: float, seed: int) -> dict:
    """Export everything, import one new annotation from a CSV, import its own rows again."""
    from reader.core.export import COLUMNS, write_csv
    from reader.core.restore import import_csv
    from reader.core.store import Store

    rng = random.Random(seed)
    store = Store(db)
    documents = [store.documents.get(d.id) for d in store.documents.summaries()]
    out = db.with_name(f"export-{os.getpid()}.csv")
    new = db.with_name(f"new-{os.getpid()}.csv")
    own = db.with_name(f"own-{os.getpid()}.csv")
    ops = exported_rows = 0
    errors: list[str] = []
    created: list[tuple[int, int, int]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with out.open("w", encoding="utf-8", newline="") as handle:
                rows = write_csv(store, handle)
            with out.open(encoding="utf-8", newline="") as handle:
                if sum(1 for _ in csv.reader(handle)) - 1 != rows:
                    errors.append("export row count does not match its CSV")
            exported_rows += rows
            ops += 1
            # Length 5: the annotator's passages are 8 long, so the two never coincide.
            document = rng.choice(documents)
            start = rng.randrange(0, len(document.text) - 50)
            with new.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(COLUMNS)
                writer.writerow(["", document.id, document.title, "", start, start + 5,
                                 document.text[start : start + 5], B_TAG, "B", "", ""])  # fmt: skip
            report = import_csv(store, new)
            if (report.added, report.missing) == (1, []):
                created.append((document.id, start, start + 5))
            elif report.already_present != 1:
                errors.append(f"import added {report.added}, missing {report.missing[:2]}")
            ops += 1
            with own.open("w", encoding="utf-8", newline="") as handle:
                write_csv(store, handle, tags=[B_TAG])
            report = import_csv(store, own)
            if report.added or report.missing:
                errors.append(f"re-import added {report.added}, missing {report.missing[:2]}")
            ops += 1
        except Exception:
            errors.append(traceback.format_exc(limit=3))
    store.close()
    return {"ops": ops, "errors": errors, "exported_rows": exported_rows, "created": created}


@dataclass
class Outcome:
    annotator_ops: int = 0
    exporter_ops: int = 0
    exported_rows: int = 0
    errors: list[str] = field(default_factory=list)
    lost: int = 0
    integrity: str = ""

    def summary(self) -> str:
        return (
            f"operations: annotator {self.annotator_ops}, export/import {self.exporter_ops}"
            f" ({self.exported_rows} rows exported); errors {len(self.errors)};"
            f" lost writes {self.lost}; integrity_check {self.integrity}"
        )


def run(db: Path, seconds: float) -> Outcome:
    from reader.core.importing import import_seeds
    from reader.core.store import Store

    store = Store(db)
    if not store.documents.summaries():
        import_seeds(store)
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = str(Path(__file__).resolve())
    processes = [
        subprocess.Popen(
            [sys.executable, script, f"--{role}", str(db), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for role in ("annotator", "exporter")
    ]
    results = []
    for process in processes:
        stdout, _ = process.communicate(timeout=seconds + 120)
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    outcome = Outcome(
        annotator_ops=results[0]["ops"],
        exporter_ops=results[1]["ops"],
        exported_rows=results[1]["exported_rows"],
        errors=results[0]["errors"] + results[1]["errors"],
    )
    expected = {int(k): (*v[:3], tuple(v[3]), v[4]) for k, v in results[0]["model"].items()}
    conn = sqlite3.connect(db)
    outcome.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    tags: dict[int, list[str]] = {}
    for annotation_id, name in conn.execute(
        "select x.annotation_id, t.name from annotation_tags x join tags t on t.id = x.tag_id"
    ):
        tags.setdefault(annotation_id, []).append(name)
    actual = {
        row[0]: (row[1], row[2], row[3], tuple(sorted(tags.get(row[0], []))), row[4])
        for row in conn.execute(
            "select id, document_id, start_offset, end_offset, comment from annotations"
        )
    }
    conn.close()
    imported = sorted(v[:3] for v in actual.values() if v[3] == (B_TAG,))
    annotated = {k: v for k, v in actual.items() if v[3] != (B_TAG,)}
    outcome.lost = sum(1 for k, v in expected.items() if annotated.get(k) != v)
    outcome.lost += len(set(annotated) - set(expected))
    reported = Counter(tuple(place) for place in results[1]["created"])
    outcome.lost += sum(((reported - Counter(imported)) + (Counter(imported) - reported)).values())
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--annotator", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--exporter", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    for role, function in (("annotator", annotator), ("exporter", exporter)):
        if getattr(args, role):
            db, seconds = getattr(args, role)
            print(json.dumps(function(Path(db), float(seconds), seed=os.getpid())))
            return
    db = args.db or Path(tempfile.mkdtemp(prefix="reader-concurrency-")) / "annotations.db"
    outcome = run(db, args.seconds)
    print(outcome.summary())
    for error in outcome.errors[:5]:
        print("ERROR:", error)
    if outcome.errors or outcome.lost or outcome.integrity != "ok":
        sys.exit(1)


if __name__ == "__main__":
    main()
