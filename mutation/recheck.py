"""Try mutmut's survivors again against test files written for them, without a whole mutmut run.

    .venv/bin/python mutation/recheck.py TESTS [TESTS ...] -- MUTANT [MUTANT ...]
    .venv/bin/python mutation/recheck.py tests/test_caught_xlsx.py -- 'reader.core.xlsx_export.*'

A mutmut run starts with a clean run of every test its mutants reach (for the store that is the
whole suite: a quarter of an hour on a shared machine) before it tries a mutant again. A test
written for one survivor only needs that survivor run against it: this runs pytest on the given
test files inside mutants/ (mutmut's mutated copy, the current tests copied in first) with
MUTANT_UNDER_TEST set, first with no mutant (the tests must pass, or nothing is recorded), then
once per survivor, niced. A survivor that makes a test fail is recorded as killed in mutmut's
own results (exit code 1, as mutmut records a kill), so score.py counts it; one that passes
stays a survivor. Do not run it while `mutmut run` is running: both write mutmut's results.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from score import equivalent, results

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"


def pytest(tests: list[str], mutant: str) -> int:
    environment = {**os.environ, "MUTANT_UNDER_TEST": mutant, "PYTHONPATH": str(MUTANTS)}
    command = [
        "nice", "-n", "10", sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
        "--timeout=300", *tests,
    ]  # fmt: skip
    return subprocess.run(
        command, cwd=MUTANTS, env=environment, capture_output=True, check=False
    ).returncode


def record_kill(name: str) -> None:
    relative = Path(*name.rsplit(".", 1)[0].split("."))
    meta = MUTANTS / f"{relative}.py.meta"
    if not meta.exists():
        meta = MUTANTS / relative / "__init__.py.meta"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["exit_code_by_key"][name] = 1
    meta.write_text(json.dumps(data, indent=4), encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    tests, patterns = argv[:split], argv[split + 1 :]
    for test in tests:  # mutants/tests is the copy made when mutmut last ran
        shutil.copy2(ROOT / test, MUTANTS / test)
    copied = [str(Path(test)) for test in tests]
    if pytest(copied, "") != 0:
        print("the tests fail without a mutant: nothing recorded", file=sys.stderr)
        return 1
    skip = equivalent()
    survivors = [
        name
        for name, status in results().items()
        if status in ("survived", "no tests")
        and name not in skip
        and any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
    ]
    for name in survivors:
        code = pytest(copied, name)
        print(f"{name}: {'killed' if code == 1 else 'survived' if code == 0 else code}", flush=True)
        if code == 1:
            record_kill(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
