"""Plant each bug of issue 11's list in a copy of the tree and check that the tests catch it.

    .venv/bin/python mutation/planted_bugs.py            # every bug
    .venv/bin/python mutation/planted_bugs.py export-    # those whose name starts so

For each bug: copy reader/, tests/, seeds/, benchmarks/ and the project files to a temporary
folder, make the one replacement (it must match exactly once: a bug whose code has moved says
so instead of passing), run the named test files there (``-x``), and report which test failed.
"Caught" means at least one test failed; the exit status is 1 if any bug went uncaught.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ("tests/test_caught_ui.py",)


@dataclass(frozen=True)
class Bug:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


BUGS: list[Bug] = [
    # The export, which is also the backup
    Bug(
        "export-orphans-omitted",
        "reader/core/store/annotations.py",
        "        where: list[str] = []\n",
        "        where: list[str] = [\"a.status = 'active'\"]\n",
        ("tests/test_caught_export.py",),
    ),
    Bug(
        "export-title-source-not-neutralised",
        "reader/core/store/annotations.py",
        "{cell('d.title')}, {cell('d.source')}",
        "d.title, d.source",
        ("tests/test_caught_export.py",),
    ),
    Bug(
        "export-cr-not-a-trigger-in-sql",
        "reader/core/store/annotations.py",
        'codes = ", ".join(str(ord(char)) for char in guard)',
        'codes = ", ".join(str(ord(char)) for char in guard if char != "\\r")',
        ("tests/test_caught_export.py",),
    ),
    Bug(
        "export-failed-export-overwrites",
        "reader/core/export.py",
        "    with replacing(target) as out:\n",
        '    with open(target, "w", encoding="utf-8", newline="") as out:\n',
        ("tests/test_caught_export.py",),
    ),
    # Ambiguity
    Bug(
        "ambiguity-fuzzy-tie-takes-the-first",
        "reader/core/reanchor.py",
        "        if len({(start, end) for _, start, end in top}) > 1:\n            return None\n",
        "",
        ("tests/test_caught_ambiguity.py",),
    ),
    Bug(
        "ambiguity-fuzzy-threshold-lowered",
        "reader/core/reanchor.py",
        "MIN_FUZZY_SCORE = 80.0",
        "MIN_FUZZY_SCORE = 70.0",
        ("tests/test_caught_ambiguity.py",),
    ),
    Bug(
        "ambiguity-fuzzy-threshold-exclusive",
        "reader/core/reanchor.py",
        "        if score >= MIN_FUZZY_SCORE:",
        "        if score > MIN_FUZZY_SCORE:",
        ("tests/test_caught_ambiguity.py",),
    ),
    Bug(
        "ambiguity-restore-duplicate-by-start-only",
        "reader/core/store/annotations.py",
        '" and start_offset = ? and end_offset = ?",\n'
        "            [item.document_id, item.start, item.end],",
        '" and start_offset = ?",\n            [item.document_id, item.start],',
        ("tests/test_caught_ambiguity.py",),
    ),
    Bug(
        "ambiguity-restore-first-occurrence",
        "reader/core/restore.py",
        "    return min(occurrences(text, passage), key=lambda at: abs(at - near), default=None)",
        "    return next(iter(occurrences(text, passage)), None)",
        ("tests/test_caught_ambiguity.py",),
    ),
    Bug(
        "ambiguity-big5-ranked-first",
        "reader/core/decoding.py",
        '    ("gb2312", "gbk", "gb18030"),\n    ("big5", "cp950", "big5hkscs"),\n',
        '    ("big5", "cp950", "big5hkscs"),\n    ("gb2312", "gbk", "gb18030"),\n',
        ("tests/test_caught_ambiguity.py",),
    ),
    Bug(
        "ambiguity-gb-big5-tie-by-order-only",
        "reader/core/decoding.py",
        "key=lambda candidate: candidate[:2])",
        "key=lambda candidate: candidate[0])",
        ("tests/test_caught_ambiguity.py",),
    ),
    # Durability a SIGKILL cannot see
    Bug(
        "durability-synchronous-full-removed",
        "reader/core/store/sqlite.py",
        '            db.execute("PRAGMA synchronous = FULL")\n',
        "",
        ("tests/test_caught_durability.py",),
    ),
    Bug(
        "durability-failed-commit-swallowed",
        "reader/core/store/sqlite.py",
        '            self.conn.execute("COMMIT")\n        except BaseException:\n'
        "            self.rollback()\n            raise\n",
        '            self.conn.execute("COMMIT")\n        except BaseException:\n'
        "            self.rollback()\n",
        ("tests/test_caught_durability.py",),
    ),
    Bug(
        "durability-restore-commits-row-by-row",
        "reader/core/store/annotations.py",
        "                results.append(annotation_id)\n        return results\n",
        "                results.append(annotation_id)\n"
        '                self._db.execute("COMMIT")\n'
        '                self._db.execute("BEGIN IMMEDIATE")\n'
        "        return results\n",
        ("tests/test_restore_cases.py", "tests/test_caught_durability.py"),
    ),
    Bug(
        "durability-one-schema-newer-opened",
        "reader/core/store/sqlite.py",
        "    if version > len(known) or unknown:",
        "    if version > len(known) + 1 or unknown:",
        ("tests/test_caught_durability.py",),
    ),
    Bug(
        "durability-quick-check-skipped",
        "reader/core/store/sqlite.py",
        '        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]',
        '        problems = ["ok"]',
        ("tests/test_caught_durability.py",),
    ),
    Bug(
        "ambiguity-fuzzy-fallback-gone",
        "reader/core/reanchor.py",
        "    for candidates in (_bracketed(text, anchor), _anywhere(text, anchor)):",
        "    for candidates in (_bracketed(text, anchor), []):",
        ("tests/test_caught_ambiguity.py",),
    ),
    # What is drawn vs the text
    Bug(
        "drawing-block-loses-last-character",
        "reader/core/layout.py",
        "    rows.append((bounds[start], len(text)))\n    return rows\n\n\ndef _wrap_exact(",
        "    rows.append((bounds[start], max(bounds[start], len(text) - 1)))\n    return rows\n"
        "\n\ndef _wrap_exact(",
        ("tests/test_caught_drawing.py",),
    ),
    Bug(
        "drawing-wraps-one-cell-early",
        "reader/core/layout.py",
        "        if cells > width and index > start:",
        "        if cells >= width and index > start:",
        ("tests/test_caught_drawing.py",),
    ),
    Bug(
        "drawing-comma-at-row-start",
        "reader/core/layout.py",
        '    "、。，．：；？！',
        '    "、。．：；？！',
        ("tests/test_caught_drawing.py",),
    ),
    Bug(
        "drawing-wrapped-word-carries-its-space",
        "reader/core/layout.py",
        "                and not after.isspace()\n                and not before.isspace()\n",
        "                and not after.isspace()\n",
        ("tests/test_caught_drawing.py",),
    ),
    # UI
    Bug(
        "ui-row-drawn-without-its-blocks-last-character",
        "reader/ui/widgets/article_view.py",
        "shown = line_text(text[run_start:index])",
        "shown = line_text(text[run_start : min(index, len(text) - 1)])",
        UI,
    ),
    Bug(
        "ui-next-annotation-stays-put",
        "reader/ui/screens/main.py",
        "[a for a in ordered if a.start > cursor]",
        "[a for a in ordered if a.start >= cursor]",
        UI,
    ),
    Bug(
        "ui-previous-annotation-is-the-first",
        "reader/ui/screens/main.py",
        "else [a for a in reversed(ordered) if a.start < cursor]",
        "else [a for a in ordered if a.start < cursor]",
        UI,
    ),
    Bug(
        "ui-t-c-take-the-outermost",
        "reader/core/positions.py",
        "        return sorted(found, key=lambda a: a.end - a.start)",
        "        return found",
        (*UI, "tests/test_positions.py"),
    ),
    Bug(
        "ui-orphans-painted-at-stale-offsets",
        "reader/core/positions.py",
        "(a for a in annotations if a.status == AnnotationStatus.ACTIVE)",
        "(a for a in annotations)",
        (*UI, "tests/test_positions.py"),
    ),
    Bug(
        "ui-left-arrow-splits-a-unit",
        "reader/core/positions.py",
        "    start, _ = widen(document, config, document.previous_stop(cursor), cursor)\n"
        "    return start\n",
        "    return document.previous_stop(cursor)\n",
        (*UI, "tests/test_positions.py"),
    ),
    Bug(
        "ui-no-read-only-warning",
        "reader/ui/screens/main.py",
        "        if self.store.read_only:\n            self.notify(",
        "        if False:\n            self.notify(",
        UI,
    ),
    Bug(
        "ui-readme-script-order",
        "README.md",
        "臺灣 (s2tw) → 香港 (s2hk)",
        "香港 (s2hk) → 臺灣 (s2tw)",
        UI,
    ),
    Bug(
        "ui-script-cycle-order",
        "reader/core/convert.py",
        '    ("s2tw", "臺灣"),\n    ("s2hk", "香港"),\n',
        '    ("s2hk", "香港"),\n    ("s2tw", "臺灣"),\n',
        UI,
    ),
]


def plant(bug: Bug) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix=f"planted-{bug.name}-") as folder:
        copy = Path(folder)
        for name in ("reader", "tests", "seeds", "benchmarks"):
            shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, copy / name)
        target = copy / bug.file
        source = target.read_text(encoding="utf-8")
        if source.count(bug.old) != 1:
            return "STALE", f"{bug.file}: the code to change is found {source.count(bug.old)} times"
        target.write_text(source.replace(bug.old, bug.new), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *bug.tests],
            cwd=copy,
            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin", "HOME": folder},
            capture_output=True,
            text=True,
            check=False,
        )
        failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
        if result.returncode == 1 and failed:
            return "caught", failed[0].removeprefix("FAILED ").split(" - ")[0]
        if result.returncode == 0:
            return "MISSED", "every test passed"
        return "ERROR", result.stdout[-500:] + result.stderr[-500:]


def main(prefixes: list[str]) -> int:
    missed = 0
    for bug in BUGS:
        if prefixes and not any(bug.name.startswith(p) for p in prefixes):
            continue
        verdict, detail = plant(bug)
        missed += verdict != "caught"
        print(f"{verdict:7} {bug.name:45} {detail}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
