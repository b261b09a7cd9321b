"""A folder that cannot be read is reported by name, never skipped in silence (found by mutmut
on importing._walk). As root every folder is readable, so the folder is one whose path is too
long to open (more than PATH_MAX bytes): the operating system refuses it to anyone."""

from __future__ import annotations

import os
from pathlib import Path

from reader.core.importing import ImportFailure, expand_paths

LONG = "深" * 80  # 240 bytes in UTF-8, a file name's limit is 255


def test_a_folder_too_deep_to_open_is_reported_and_the_rest_found(tmp_path: Path) -> None:
    (tmp_path / "top.txt").write_text("正文。", encoding="utf-8")
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(20):  # 20 * 241 bytes: past PATH_MAX (4096)
            os.mkdir(LONG, dir_fd=fd)
            deeper = os.open(LONG, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        hidden = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(hidden, "深处。".encode())
        os.close(hidden)
    finally:
        os.close(fd)
    found = list(expand_paths([tmp_path]))
    assert found[0] == tmp_path / "top.txt"
    failures = [item for item in found if isinstance(item, ImportFailure)]
    assert len(failures) == 1 and len(found) == 2
    assert str(failures[0]).endswith(": cannot read folder (File name too long)")
    assert str(failures[0]).startswith(str(tmp_path / LONG))
