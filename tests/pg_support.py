"""A PostgreSQL server of the tests' own: a cluster in a temporary folder, one per session.

Debian's postgresql package binaries (``/usr/lib/postgresql/N/bin``: initdb, pg_ctl), run as the
``postgres`` user when the tests run as root (the server refuses root). The server listens only
on a unix socket in that folder (no TCP port to collide with anyone's), trusts connections
there (the folder is its owner's alone), and skips fsync (a test's data need not survive a
power cut). Each test gets a fresh database copied from a template that already holds the
migrated schema: a copy takes a fraction of a second, migrating takes more.

Without the binaries the PostgreSQL cases are skipped (conftest.py says so once, at the end,
with the command that installs them); with CI=true that is a failure.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ENABLE_COMMAND = "make postgres"
"""The one command that installs the server binaries the PostgreSQL tests need."""

TEMPLATE = "reader_template"
SUPERUSER = "postgres"


def server_binaries() -> Path | None:
    """The newest Debian PostgreSQL bin folder with initdb and pg_ctl, or None."""
    override = os.environ.get("READER_PG_BIN")  # only this folder (an empty one: no server)
    candidates = [Path(override)] if override is not None else []
    root = Path("/usr/lib/postgresql")
    if override is None and root.is_dir():
        versions = [p for p in root.iterdir() if p.name.isdigit()]
        candidates += [p / "bin" for p in sorted(versions, key=lambda p: -int(p.name))]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass
class Cluster:
    """A running test server: URLs of fresh databases, and the folder it lives in."""

    folder: Path
    bin: Path
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_folder(self) -> str:
        return str(self.folder)

    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql:///{database}?host={self.folder}&user={user}"

    def admin(self) -> object:
        import psycopg

        return psycopg.connect(self.url("postgres"), autocommit=True)

    def new_database(self) -> str:
        """A fresh database with the migrated schema; returns its name."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._numbers)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'create database "{name}" template {TEMPLATE}')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(bin_folder: Path, *, durable: bool = False) -> Cluster:
    """initdb and start a server in a new temporary folder, with a migrated template.

    ``durable``: a commit waits for the disk, as on a real server (the benchmarks compare it
    with SQLite's synchronous=FULL); the tests skip that wait."""
    folder = Path(tempfile.mkdtemp(prefix="reader-pg-"))
    if os.geteuid() == 0:
        server = pwd.getpwnam("postgres")
        os.chown(folder, server.pw_uid, server.pw_gid)
    data = folder / "data"
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_folder / "initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    SUPERUSER,
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            capture_output=True,
            check=True,
            cwd=folder,
        )
        options = f"-c listen_addresses='' -c unix_socket_directories={folder}"
        options += " -c max_connections=200"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            _as_server_user(
                [
                    str(bin_folder / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            capture_output=True,
            check=True,
            cwd=folder,
        )
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        detail = (error.stderr or b"").decode(errors="replace").strip()
        with contextlib.suppress(OSError):
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the test PostgreSQL server did not start: {detail}") from error
    cluster = Cluster(folder, bin_folder)
    try:
        _make_template(cluster)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _make_template(cluster: Cluster) -> None:
    import psycopg

    from reader.core.store import Store

    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f"create database {TEMPLATE}")
    Store(cluster.url(TEMPLATE)).close()
