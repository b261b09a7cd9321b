"""xlsx export against CSV export: 100,000 annotations (the database of benchmarks/scale.py).

Measures, in this one run so the noisy machine affects both sides alike:

- ``reader export -o FILE.csv`` and ``reader export -o FILE.xlsx`` as whole processes, each
  ``--repeat`` times, alternating: median wall time and median CPU time (user + system of the
  child; on a shared machine the wall time also counts waiting for a core). The limit is
  xlsx <= 3x CSV, checked on the CPU ratio.
- with ``--libraries``: the annotations sheet alone (100,000 rows of 12 typed cells), written
  in this process by csv.writer (the floor), XlsxWriter in constant_memory mode with its typed
  write_* calls, openpyxl in write_only mode, pyexcelerate (if installed), and reader's row
  writer (XlsxWriter's cell XML, spliced). openpyxl and pyexcelerate are timed on plain
  ``append``/``data=``, which would turn "=1+1" into a formula: forcing string cells only
  makes them slower.

Usage: .venv/bin/python benchmarks/xlsx_export.py [--db PATH] [--repeat N] [--libraries]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import BARE_SQL, build  # noqa: E402

LIMIT = 3.0


def export_process(db: Path, target: Path) -> tuple[float, float]:
    """(wall, cpu) seconds of one ``reader export`` process."""
    reader = Path(sys.executable).parent / "reader"
    command = [str(reader)] if reader.exists() else [sys.executable, "-m", "reader"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*command, "export", "--db", str(db), "-o", str(target)], check=True,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def compare_processes(db: Path, folder: Path, repeat: int) -> bool:
    runs: dict[str, list[tuple[float, float]]] = {"csv": [], "xlsx": []}
    for _ in range(repeat):
        for kind in runs:
            runs[kind].append(export_process(db, folder / f"export.{kind}"))
    median = {
        kind: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
        for kind, r in runs.items()
    }
    wall_ratio = median["xlsx"][0] / median["csv"][0]
    cpu_ratio = median["xlsx"][1] / median["csv"][1]
    sizes = {kind: (folder / f"export.{kind}").stat().st_size / 1e6 for kind in runs}
    for kind, (wall, cpu) in median.items():
        print(f"reader export -o FILE.{kind}: median wall {wall:.2f} s, median CPU {cpu:.2f} s,"
              f" {sizes[kind]:.1f} MB")  # fmt: skip
    print(f"xlsx / csv: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f} (limit {LIMIT}, on CPU)")
    return cpu_ratio <= LIMIT


def typed_rows(db: Path) -> list[list[object]]:
    """The annotations sheet's rows: ints, text (None as ""), naive UTC datetimes."""
    rows = []
    with sqlite3.connect(db) as conn:
        for row in conn.execute(BARE_SQL):
            values = ["" if value is None else value for value in row]
            for index in (9, 10):
                values[index] = datetime.fromisoformat(values[index]).replace(tzinfo=None)
            rows.append(values)
    return rows


def compare_libraries(db: Path, folder: Path) -> None:
    rows = typed_rows(db)
    kinds = ("n", "n", "s", "s", "n", "n", "s", "s", "s", "d", "d", "s")

    def csv_writer() -> None:
        with (folder / "lib.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)

    def xlsxwriter_constant_memory() -> None:
        import xlsxwriter

        workbook = xlsxwriter.Workbook(folder / "xlsxwriter.xlsx", {"constant_memory": True})
        sheet = workbook.add_worksheet()
        date = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for y, row in enumerate(rows, 1):
            for x, (kind, value) in enumerate(zip(kinds, row, strict=True)):
                if kind == "n":
                    sheet.write_number(y, x, value)
                elif kind == "d":
                    sheet.write_datetime(y, x, value, date)
                else:
                    sheet.write_string(y, x, value)
        workbook.close()

    def openpyxl_write_only() -> None:
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append(row)
        workbook.save(folder / "openpyxl.xlsx")

    def pyexcelerate() -> None:
        from pyexcelerate import Workbook

        workbook = Workbook()
        workbook.new_sheet("annotations", data=rows)
        workbook.save(folder / "pyexcelerate.xlsx")

    def reader_rows() -> None:
        from reader.core.xlsx_export import DATETIME, NUMBER, TEXT, _RowWriter

        stamps = [[*row[:9], row[9].isoformat(), row[10].isoformat(), row[11]] for row in rows]
        named = {"n": NUMBER, "s": TEXT, "d": DATETIME}
        writer = _RowWriter(tuple(named[kind] for kind in kinds), 1, None)
        with (
            zipfile.ZipFile(folder / "reader.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1)
            as archive,
            archive.open("sheet1.xml", "w", force_zip64=True) as stream,
        ):
            chunk = []
            for number, row in enumerate(stamps, 2):
                chunk.append(writer.row(number, row))
                if len(chunk) == 1_000:
                    stream.write("".join(chunk).encode("utf-8"))
                    chunk = []
            stream.write("".join(chunk).encode("utf-8"))

    candidates: list[tuple[str, Callable[[], None]]] = [
        ("csv.writer (QUOTE_NONNUMERIC)", csv_writer),
        ("XlsxWriter constant_memory, write_number/_string/_datetime", xlsxwriter_constant_memory),
        ("openpyxl write_only, append", openpyxl_write_only),
        ("pyexcelerate, data=rows", pyexcelerate),
        ("reader's row writer (XlsxWriter's cell XML) + zipfile level 1", reader_rows),
    ]
    floor = None
    print(f"annotations sheet alone, {len(rows):,} rows x 12 cells, in this process (CPU time):")
    for name, write in candidates:
        started = time.process_time()
        try:
            write()
        except ImportError as error:
            print(f"  {name}: not installed ({error.name})")
            continue
        spent = time.process_time() - started
        floor = floor or spent
        print(f"  {name}: {spent:.2f} s ({spent / floor:.1f}x csv.writer)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="Reuse (or build) the database here.")
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--libraries", action="store_true", help="Also compare xlsx libraries.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="reader-xlsx-"))
    db = args.db or folder / "scale.db"
    if not db.exists():
        build(db, args.documents, args.annotations)
    print(f"database {db} ({os.path.getsize(db) / 1e6:.0f} MB), output in {folder}")
    within = compare_processes(db, folder, args.repeat)
    if args.libraries:
        compare_libraries(db, folder)
    with zipfile.ZipFile(folder / "export.xlsx") as archive:
        print("xlsx parts:", ", ".join(info.filename for info in archive.infolist()
                                      if "worksheets/" in info.filename))  # fmt: skip
    if not within:
        sys.exit(1)


if __name__ == "__main__":
    main()
