"""The mutation score per module of reader/core, from mutmut's results (``make mutation``).

    .venv/bin/python mutation/score.py [module ...]

Caught: killed, or timed out (the mutant made a test hang). Not caught: survived, or no test
reaches the code. Equivalent mutants (mutation/equivalent.txt: a name and why, one a line) are
left out of both. Mutants not run yet are counted apart.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CAUGHT = {"killed", "timeout"}
MISSED = {"survived", "no tests"}


def equivalent() -> dict[str, str]:
    reasons: dict[str, str] = {}
    for line in (HERE / "equivalent.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            reasons[name] = why.strip()
    return reasons


def results() -> dict[str, str]:
    output = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "results", "--all", "true"],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = {}
    for line in output.splitlines():
        name, sep, status = line.strip().partition(": ")
        if sep and name.startswith("reader.core."):
            found[name] = status.strip()
    return found


def module_of(name: str) -> str:
    return name.removeprefix("reader.core.").split(".", 1)[0]


def main(modules: list[str]) -> int:
    skip = equivalent()
    tally: dict[str, Counter[str]] = {}
    for name, status in results().items():
        module = module_of(name)
        if modules and module not in modules:
            continue
        counts = tally.setdefault(module, Counter())
        if name in skip:
            counts["equivalent"] += 1
        elif status in CAUGHT:
            counts["caught"] += 1
        elif status in MISSED:
            counts["missed"] += 1
        else:
            counts["not run"] += 1
    total: Counter[str] = Counter()
    print(f"{'module':16} {'caught':>7} {'missed':>7} {'equiv.':>7} {'not run':>8} {'score':>7}")
    for module in sorted(tally):
        counts = tally[module]
        total.update(counts)
        print(_line(module, counts))
    print(_line("overall", total))
    return 0


def _line(label: str, counts: Counter[str]) -> str:
    judged = counts["caught"] + counts["missed"]
    score = f"{100 * counts['caught'] / judged:6.1f}%" if judged else "     -"
    return (
        f"{label:16} {counts['caught']:7} {counts['missed']:7} {counts['equivalent']:7}"
        f" {counts['not run']:8} {score:>7}"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
