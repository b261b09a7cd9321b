"""safefile: the sentence a failed write gives, and writing into a FIFO (mutants the first
mutmut run left alive)."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from reader.core.errors import StoreError
from reader.core.safefile import replacing, write_error, write_reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EFBIG, "the file is larger than this system allows (File too large)"),
        (errno.EPIPE, "the program reading it stopped (broken pipe)"),
        (errno.EACCES, f"not allowed ({os.strerror(errno.EACCES)})"),
        (errno.EPERM, f"not allowed ({os.strerror(errno.EPERM)})"),
        (errno.EROFS, f"not allowed ({os.strerror(errno.EROFS)})"),
        (errno.EIO, os.strerror(errno.EIO)),
    ],
)
def test_each_failure_has_its_words(code: int, reason: str) -> None:
    assert write_reason(OSError(code, os.strerror(code))) == reason


def test_an_error_without_words_is_said_as_python_says_it() -> None:
    assert write_reason(OSError("no errno, only a message")) == "no errno, only a message"


def test_the_sentence_names_the_file_and_reassures(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    error = write_error(target, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert isinstance(error, StoreError)
    assert str(error) == (
        f"Cannot write {target}: the disk is full. Any earlier file there is as it was."
    )


def test_a_fifo_gets_the_text_as_written_and_a_closed_reader_a_sentence(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    thread = threading.Thread(target=read)
    thread.start()
    with replacing(fifo, encoding="gb18030", newline="") as out:
        out.write("长春\r\n汽车城\n")
    thread.join(timeout=30)
    assert received == ["长春\r\n汽车城\n".encode("gb18030")]
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_write_that_fails_inside_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("earlier", encoding="utf-8")
    with pytest.raises(StoreError) as raised, replacing(target) as out:
        out.write("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(raised.value) == (
        f"Cannot write {target}: the disk is full. Any earlier file there is as it was."
    )
    assert target.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_reader_that_closes_the_fifo_early_gets_a_sentence(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def open_and_close() -> None:
        with open(fifo, "rb"):
            pass

    thread = threading.Thread(target=open_and_close)
    thread.start()
    with pytest.raises(StoreError) as raised, replacing(fifo) as out:
        thread.join(timeout=30)
        out.write("长" * 200_000)  # more than a pipe holds: the write meets the closed end
    assert str(raised.value) == (
        f"Cannot write {fifo}: the program reading it stopped (broken pipe)."
    )


def test_a_temporary_file_gone_already_does_not_hide_the_first_error(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError, match="the real problem"), replacing(target) as out:
        out.write("half")
        for leftover in tmp_path.glob(".out.csv.*.partial"):
            leftover.unlink()  # someone tidied up meanwhile
        raise RuntimeError("the real problem")
    assert list(tmp_path.iterdir()) == []
