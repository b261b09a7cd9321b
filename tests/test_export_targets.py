"""Writing an export never destroys something else: symlinks, FIFOs, planted .partial files,
and standard output that is closed or full."""

from __future__ import annotations

import csv
import io
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.export import COLUMNS, export_to_file
from reader.core.store import Store, StoreError


@pytest.fixture
def annotated(store: Store) -> Store:
    document = store.list_documents()[0].id
    for index in range(40):
        store.create_annotation(document, index * 10, index * 10 + 5, ["地名"], "评论" * 500)
    return store


def export(db_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", "--db", str(db_path), *args])
    return result.exit_code, result.output


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_a_planted_partial_symlink_is_never_followed(
    annotated: Store, db_path: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    target = tmp_path / "out.csv"
    (tmp_path / "out.csv.partial").symlink_to(victim)
    code, output = export(db_path, "-o", str(target))
    assert code == 0, output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert len(rows(target)) == 40 and not target.is_symlink()
    assert (tmp_path / "out.csv.partial").is_symlink()  # someone else's file: left alone


def test_an_output_symlink_is_written_through(
    annotated: Store, db_path: Path, tmp_path: Path
) -> None:
    real = tmp_path / "data" / "real.csv"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    os.chmod(real, 0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, output = export(db_path, "-o", str(link))
    assert code == 0, output
    assert link.is_symlink() and link.resolve() == real
    assert len(rows(real)) == 40
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file's permissions are kept
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.csv"]


def test_a_fifo_is_written_to_not_replaced(annotated: Store, db_path: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, output = export(db_path, "-o", str(fifo))
    reader.join(timeout=30)
    assert code == 0, output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].decode("utf-8").count("地名") == 40
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".partial")]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    from reader.core.safefile import replacing

    target = tmp_path / "out.csv"
    target.write_text("earlier export", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as out:
        out.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_folder_is_refused(annotated: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        export_to_file(annotated, tmp_path)


def export_process(db_path: Path, **options: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "export", "--db", str(db_path), "-o", "-"],
        stderr=subprocess.PIPE,
        **options,  # type: ignore[arg-type]
    )


def test_stdout_closed_early_is_one_sentence(annotated: Store, db_path: Path) -> None:
    annotated.close()
    process = export_process(db_path, stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(20).startswith(b'"annotation_id"')
    process.stdout.close()
    error = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in error and "Exception ignored" not in error
    assert "Cannot write standard output" in error and "broken pipe" in error
    assert len(error.strip().splitlines()) == 1


def test_stdout_full_is_one_sentence(annotated: Store, db_path: Path, tmp_path: Path) -> None:
    """A file size limit makes the output 'full' after 40 KB, as a full disk would (the
    database's own files stay below it: its -shm is 32 KB)."""
    annotated.close()

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    with (tmp_path / "small.csv").open("wb") as out:
        process = export_process(db_path, stdout=out, preexec_fn=limit)
        _, error_bytes = process.communicate(timeout=60)
    error = error_bytes.decode("utf-8")
    assert process.returncode == 1
    assert "Traceback" not in error and "Cannot write standard output" in error
    assert len(error.strip().splitlines()) == 1


def test_stdout_export_is_the_csv(annotated: Store, db_path: Path) -> None:
    code, output = export(db_path, "-o", "-")
    assert code == 0 and output.splitlines()[0] == ",".join(f'"{c}"' for c in COLUMNS)
