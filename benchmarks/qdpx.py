"""REFI-QDA round trip at scale: export a 1,000-document project as .qdpx, import it into a
new database, and check that every annotation came back (count and spans).

The project is scale.py's (cuts of the sample articles; annotations on real passages with 1-3
codes, most with comments). Prints the time of the export, of the import, and of both
against the issue's 10 s; and that the spans match.

Usage: .venv/bin/python benchmarks/qdpx.py [--documents N] [--annotations N]
(default 30,000 annotations: 30 per document; scale.py's 100,000 is --annotations 100000)
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.documents import content_hash  # noqa: E402
from reader.core.refiqda import export_qdpx, import_qdpx  # noqa: E402
from reader.core.store import Store  # noqa: E402


def load_scale():
    spec = importlib.util.spec_from_file_location("scale", ROOT / "benchmarks" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale"] = module
    spec.loader.exec_module(module)
    return module


def spans(store: Store) -> Counter:
    """Every annotation as (the text's hash, start, end, codes): a multiset."""
    hashes: dict[int, str] = {}
    found: Counter = Counter()
    for annotation in store.all_annotations():
        if annotation.document_id not in hashes:
            hashes[annotation.document_id] = content_hash(
                store.get_document(annotation.document_id).text
            )
        found[
            (
                hashes[annotation.document_id],
                annotation.start,
                annotation.end,
                tuple(sorted(tag.name for tag in annotation.tags)),
            )
        ] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--annotations", type=int, default=30_000)
    args = parser.parse_args()
    scale = load_scale()
    with tempfile.TemporaryDirectory() as folder:
        source_db = Path(folder) / "source.db"
        scale.build(source_db, args.documents, args.annotations)
        source = Store(source_db)
        archive = Path(folder) / "project.qdpx"
        started, cpu = time.perf_counter(), time.process_time()
        written = export_qdpx(source, archive)
        exported = time.perf_counter() - started
        exported_cpu = time.process_time() - cpu
        target = Store(Path(folder) / "target.db")
        started, cpu = time.perf_counter(), time.process_time()
        report = import_qdpx(target, archive)
        imported = time.perf_counter() - started
        imported_cpu = time.process_time() - cpu
        same = spans(source) == spans(target)
        print(
            f"{args.documents:,} documents, {args.annotations:,} annotations;"
            f" archive {archive.stat().st_size / 1e6:.1f} MB"
        )
        print(
            f"  export:  {exported:.2f} s, CPU {exported_cpu:.2f} s"
            f" ({written:,} annotations written)"
        )
        print(
            f"  import:  {imported:.2f} s, CPU {imported_cpu:.2f} s"
            f" ({report.documents_added:,} documents,"
            f" {report.annotations_added:,} annotations added, {len(report.skipped)} skipped)"
        )
        print(
            f"  total:   {exported + imported:.2f} s, CPU {exported_cpu + imported_cpu:.2f} s"
            " (target <= 10 s; on a shared machine the wall time includes waiting for a core)"
        )
        print(f"  every annotation back (count and spans, codes): {same}")
        source.close()
        target.close()
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
