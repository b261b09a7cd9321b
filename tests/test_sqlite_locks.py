"""A second Store on the same file in one process must not cancel the first one's locks.

POSIX advisory locks belong to the process and the file: closing *any* descriptor of the file
drops every lock the process holds on it (SQLite's "How To Corrupt An SQLite Database File",
2.2). The app opens a second Store on its own database for its workers (the export, the
codebook's counts and merges). If opening one read the file's header through a descriptor of
its own and closed it, the app's main connection lost its locks: the next program to close
its connection (the command line, another window) took itself for the last one, checkpointed
and deleted the -wal and -shm files under the app, and the app's later commits went into the
deleted -wal file and were lost (found trying the codebook screen in tmux: a merge shown as
done was not in the file, and the tree read from the orphaned files was garbage).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reader.core.importing import import_seeds
from reader.core.store import Store

ANOTHER_PROGRAM = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("begin immediate")
connection.execute("rollback")
connection.close()
"""


def test_a_second_store_in_the_process_keeps_the_first_ones_commits_safe(db_path: Path) -> None:
    path = db_path
    app = Store(path)
    import_seeds(app)
    first = app.documents.summaries()[0].id
    worker = Store(path, read_only=True)  # a worker's own connection, then closed
    worker.documents.summaries()
    worker.close()
    # Another program opens the database and closes it again.
    subprocess.run([sys.executable, "-c", ANOTHER_PROGRAM, str(path)], check=True)
    assert Path(f"{path}-wal").exists(), "the -wal file was deleted under the open app"
    app.annotations.create(first, 0, 4, ["之后"])  # a commit after that
    app.close()
    reopened = Store(path)
    assert [t.name for a in reopened.annotations.all() for t in a.tags] == ["之后"]
    reopened.close()
