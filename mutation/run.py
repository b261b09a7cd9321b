"""Run mutmut over reader/core, niced, trying only what is still open.

    .venv/bin/python mutation/run.py [--jobs N] [--sample FRACTION] [--new-only] [module ...]

Modules as mutation/score.py names them (``restore``, ``store.documents``, ``store`` for the
whole package; none: every module). The first run of a module tries all its mutants; later runs
only those not yet caught (and not listed as equivalent), so a test added for a survivor is
checked in minutes, not an hour; ``--new-only`` leaves the survivors alone and tries only the
mutants never run. ``--sample 0.2`` tries a fixed fifth of each module's mutants (the same fifth
on every run; score.py --sample 0.2 scores it): the whole of reader/core is about 11,000
mutants, a day of CPU on a shared machine.

All the chosen mutants go to one mutmut run (its clean run of the tests they reach is paid once),
which tries the cheapest first and saves each result as it comes, so stopping it loses nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from score import CAUGHT, MISSED, equivalent, in_sample, module_of, results, selected

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).parent / "mutmut")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--sample", type=float, default=1.0)
    parser.add_argument("--new-only", action="store_true")
    parser.add_argument("modules", nargs="*")
    options = parser.parse_args()
    known = results()
    if not known:  # mutmut has not made the mutants yet: make them (and time the tests)
        subprocess.run([MUTMUT, "run", "reader.core.naming.*"], cwd=ROOT, check=False)
        known = results()
    skip = equivalent()
    retry = CAUGHT if not options.new_only else CAUGHT | MISSED
    names = sorted(
        name
        for name, status in known.items()
        if selected(module_of(name), options.modules)
        and in_sample(name, options.sample)
        and status not in retry
        and name not in skip
    )
    if not names:
        print("every chosen mutant is caught or equivalent", flush=True)
        return 0
    print(f"trying {len(names)} mutants", flush=True)
    command = ["nice", "-n", "10", MUTMUT, "run", "--max-children", str(options.jobs), *names]
    finished = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
    if finished.returncode != 0:
        print(f"mutmut exited with {finished.returncode}", file=sys.stderr)
    return finished.returncode


if __name__ == "__main__":
    sys.exit(main())
