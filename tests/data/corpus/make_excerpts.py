"""Rebuild the excerpts in this folder from the full corpus (/work/shared/corpus).

Each excerpt keeps the original bytes: legacy-encoded files are cut after a newline byte (0x0A
never occurs inside a GBK, GB18030 or Big5 character), the one-line UTF-8 novel before a lead
byte. Run: python tests/data/corpus/make_excerpts.py [/path/to/corpus]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAD = 64 * 1024
HKSCS_TRAP = 229_420
"""Where Python's big5/cp950 fail on 三國演義.big5hkscs.txt: the excerpt must include it."""


def after_newline(raw: bytes, limit: int) -> int:
    return raw.rindex(b"\n", 0, limit) + 1


def utf8_boundary(raw: bytes, limit: int) -> int:
    while raw[limit] & 0xC0 == 0x80:
        limit -= 1
    return limit


def main(corpus: Path) -> None:
    (HERE / "encodings").mkdir(exist_ok=True)
    (HERE / "long").mkdir(exist_ok=True)
    for name in ("三国演义.gbk.txt", "水滸後傳.big5.txt", "红楼梦.gb18030.txt"):
        raw = (corpus / "encodings" / name).read_bytes()
        (HERE / "encodings" / name).write_bytes(raw[: after_newline(raw, HEAD)])
    raw = (corpus / "encodings" / "三國演義.big5hkscs.txt").read_bytes()
    start = after_newline(raw, HKSCS_TRAP - 48 * 1024)
    end = after_newline(raw, HKSCS_TRAP + 16 * 1024)
    (HERE / "encodings" / "三國演義.big5hkscs.txt").write_bytes(raw[start:end])
    raw = (corpus / "long" / "紅樓夢.traditional.one-line.txt").read_bytes()
    (HERE / "long" / "紅樓夢.traditional.one-line.txt").write_bytes(raw[: utf8_boundary(raw, HEAD)])
    raw = (corpus / "long" / "红楼梦.simplified.crlf.txt").read_bytes()
    (HERE / "long" / "红楼梦.simplified.crlf.txt").write_bytes(raw[: after_newline(raw, HEAD)])
    raw = (corpus / "long" / "西遊記.traditional.wikisource.txt").read_bytes()
    head = raw[: after_newline(raw, 48 * 1024)]
    tail = raw[after_newline(raw, len(raw) - 8 * 1024) :]
    (HERE / "long" / "西遊記.traditional.wikisource.txt").write_bytes(head + tail)
    shutil.copytree(corpus / "web", HERE / "web", dirs_exist_ok=True)
    shutil.copy(corpus / "README.md", HERE / "CORPUS-README.md")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus"))
