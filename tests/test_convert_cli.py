"""``reader convert`` prints OpenCC's output byte for byte and starts without the UI."""

from __future__ import annotations

import subprocess
import sys

from conversion_support import DATA, official

from reader.core.convert import converter

SCRIPT = """
import sys
from reader.cli import cli
try:
    cli(["convert", "--config", sys.argv[1], sys.argv[2]])
except SystemExit:
    pass
names = ("textual", "sqlite_utils", "reader.core.opencc_engine")
heavy = sorted(name for name in names if name in sys.modules)
sys.stderr.write("HEAVY:" + ",".join(heavy))
"""


def test_reader_convert_keeps_crlf_and_imports_nothing_heavy() -> None:
    path = DATA / "hongloumeng-simplified-crlf-excerpt.txt"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "s2twp", str(path)], capture_output=True, check=True
    )
    text = path.read_bytes().decode("utf-8")
    assert b"\r\n" in done.stdout
    assert done.stdout == official("s2twp").convert(text).encode("utf-8")
    assert done.stderr.decode().endswith("HEAVY:")


def test_whole_file_conversion_in_processes_equals_converting_whole() -> None:
    text = (DATA / "hongloumeng-simplified-crlf-excerpt.txt").read_text(encoding="utf-8")
    engine = converter("s2twp")
    whole = engine.convert_whole_file(text, processes=3, min_chars=0, fork_worth_s=0)
    assert whole == engine.convert(text)
