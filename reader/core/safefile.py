"""Writing a file without ever destroying something else: the one way reader writes files.

:func:`replacing` gives a handle whose content becomes the target only when everything was
written. The rules, for every kind of target:

- a regular file or a new name: the content goes to a temporary file created exclusively
  (``mkstemp``: O_CREAT|O_EXCL, a random name, so a planted ``out.csv.partial`` symlink is never
  followed) in the target's own folder, flushed to disk and renamed over the target at the end;
  a failure removes it and leaves the old file as it was;
- a symbolic link: written through, to the file it points at (the link stays a link);
- a FIFO, a character device or another non-regular file: written to directly (there is
  nothing to replace atomically, and replacing it with a regular file would destroy it);
- a folder: refused.

An existing file keeps its permission bits; a new one gets the usual ``0o666 & ~umask``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reader.core.errors import StoreError

__all__ = ["replacing", "write_error", "write_reason"]


def write_reason(error: OSError) -> str:
    """Why a write failed, in words: disk full, closed pipe, not allowed, ..."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EFBIG:
        return "the file is larger than this system allows (File too large)"
    if error.errno == errno.EPIPE:
        return "the program reading it stopped (broken pipe)"
    reason = error.strerror or str(error)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"not allowed ({reason})"
    return reason


def write_error(target: Path | str, error: OSError) -> StoreError:
    """An OSError while writing the file ``target``, as a sentence."""
    return StoreError(
        f"Cannot write {target}: {write_reason(error)}. Any earlier file there is as it was."
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def replacing(
    target: Path, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = ""
) -> Iterator[IO[Any]]:
    """A handle for the new content of ``target`` (``mode`` ``"w"`` or ``"wb"``).

    Raises StoreError (with a sentence) for any OSError; any other exception inside the block
    leaves the target as it was and propagates.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    text_options: dict[str, Any] = {"encoding": encoding, "newline": newline} if mode == "w" else {}
    real = Path(os.path.realpath(target))  # through every symlink, even a dangling one
    try:
        info: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise write_error(target, error) from error
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise StoreError(f"Cannot write {target}: it is a folder. Choose a file name.")
    if info is not None and not stat.S_ISREG(info.st_mode):
        yield from _direct(target, real, mode, text_options)
        return
    try:
        fd, temporary = tempfile.mkstemp(
            dir=real.parent, prefix=f".{real.name}.", suffix=".partial"
        )
    except OSError as error:
        raise write_error(target, error) from error
    try:
        os.fchmod(fd, stat.S_IMODE(info.st_mode) if info else 0o666 & ~_umask())
        with os.fdopen(fd, mode, **text_options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, real)
    except OSError as error:
        _remove(temporary)
        raise write_error(target, error) from error
    except BaseException:
        _remove(temporary)
        raise


def _direct(target: Path, real: Path, mode: str, text_options: dict[str, Any]) -> Iterator[IO[Any]]:
    """Write straight into a FIFO or device: open it as it is (no create, no truncate)."""
    try:
        fd = os.open(real, os.O_WRONLY | os.O_NOCTTY)
        with os.fdopen(fd, mode, **text_options) as handle:
            yield handle
            handle.flush()
    except OSError as error:
        raise StoreError(f"Cannot write {target}: {write_reason(error)}.") from error


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
