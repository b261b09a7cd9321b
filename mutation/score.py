"""The mutation score per module of reader/core, from mutmut's results (``make mutation``).

    .venv/bin/python mutation/score.py [--sample FRACTION] [module ...]

Caught: killed, or timed out (the mutant made a test hang). Not caught: survived, or no test
reaches the code. Equivalent mutants (mutation/equivalent.txt: a name and why, one a line) are
left out of both. Mutants not run yet are counted apart.

A module is a file of reader/core (``restore``) or of the store package (``store.documents``;
``store`` alone is the package's ``__init__``); naming ``store`` on the command line selects the
whole package. With ``--sample``, only the sample that ``run.py --sample`` tries is counted (the
same mutants for the same fraction, whatever ran before), and each score comes with its 95 %
interval: a sample's score estimates the module's, it is not the module's.
"""

from __future__ import annotations

import argparse
import hashlib
import math
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
    """``reader.core.restore.x_f__mutmut_1`` -> ``restore``; in the store package
    ``store.documents`` (a module of it) or ``store`` (its ``__init__``)."""
    parts = name.removeprefix("reader.core.").split(".")
    if parts[0] == "store" and len(parts) > 2:
        return f"store.{parts[1]}"
    return parts[0]


def selected(module: str, wanted: list[str]) -> bool:
    """Whether ``module`` is one of ``wanted`` (all when empty; ``store`` is the whole package)."""
    return not wanted or any(module == w or module.startswith(f"{w}.") for w in wanted)


def in_sample(name: str, fraction: float) -> bool:
    """A fixed pseudo-random choice: the same mutants for the same fraction on every run, and
    a larger fraction's sample holds a smaller one's."""
    if fraction >= 1:
        return True
    draw = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") / 2**64
    return draw < fraction


def wilson(caught: int, judged: int) -> tuple[float, float]:
    """The 95 % Wilson interval of a proportion (a sampled score's range)."""
    if not judged:
        return 0.0, 1.0
    z = 1.959964
    p = caught / judged
    centre = (p + z * z / (2 * judged)) / (1 + z * z / judged)
    half = (
        z * math.sqrt(p * (1 - p) / judged + z * z / (4 * judged * judged)) / (1 + z * z / judged)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=float, default=1.0)
    parser.add_argument("modules", nargs="*")
    options = parser.parse_args(argv)
    skip = equivalent()
    tally: dict[str, Counter[str]] = {}
    for name, status in results().items():
        module = module_of(name)
        if not selected(module, options.modules):
            continue
        counts = tally.setdefault(module, Counter())
        counts["mutants"] += 1
        if not in_sample(name, options.sample):
            continue
        if name in skip:
            counts["equivalent"] += 1
        elif status in CAUGHT:
            counts["caught"] += 1
        elif status in MISSED:
            counts["missed"] += 1
        else:
            counts["not run"] += 1
    total: Counter[str] = Counter()
    print(
        f"{'module':20} {'mutants':>7} {'caught':>7} {'missed':>7} {'equiv.':>7} {'not run':>8}"
        f" {'score':>7}  {'95% interval':>13}"
    )
    for module in sorted(tally):
        counts = tally[module]
        total.update(counts)
        print(_line(module, counts))
    print(_line("overall", total))
    ran = [m for m in tally if tally[m]["not run"] == 0 and tally[m]["caught"] + tally[m]["missed"]]
    if ran and len(ran) < len(tally):
        done: Counter[str] = Counter()
        for module in ran:
            done.update(tally[module])
        print(_line(f"all run ({len(ran)})", done))
    return 0


def _line(label: str, counts: Counter[str]) -> str:
    judged = counts["caught"] + counts["missed"]
    score = f"{100 * counts['caught'] / judged:6.1f}%" if judged else "     -"
    low, high = wilson(counts["caught"], judged)
    interval = f"{100 * low:5.1f}-{100 * high:5.1f}%" if judged else ""
    return (
        f"{label:20} {counts['mutants']:7} {counts['caught']:7} {counts['missed']:7}"
        f" {counts['equivalent']:7} {counts['not run']:8} {score:>7}  {interval:>13}"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
