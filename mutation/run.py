"""Run mutmut over reader/core one module at a time, niced, trying only what is still open.

    .venv/bin/python mutation/run.py [--jobs N] module [module ...]

The first run of a module tries all its mutants; later runs only those not yet caught (and not
listed as equivalent), so a test added for a survivor is checked in minutes, not an hour.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from score import CAUGHT, equivalent, module_of, results

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).parent / "mutmut")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("modules", nargs="+")
    options = parser.parse_args()
    skip = equivalent()
    for module in options.modules:
        known = {n: s for n, s in results().items() if module_of(n) == module}
        if known:
            names = sorted(n for n, s in known.items() if s not in CAUGHT and n not in skip)
        else:
            names = [f"reader.core.{module}.*"]
        if not names:
            print(f"{module}: every mutant is caught or equivalent", flush=True)
            continue
        print(f"{module}: trying {len(names)} mutants", flush=True)
        command = ["nice", "-n", "19", MUTMUT, "run", "--max-children", str(options.jobs), *names]
        finished = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        if finished.returncode != 0:
            print(f"{module}: mutmut exited with {finished.returncode}", file=sys.stderr)
            return finished.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
