"""What a user reads when SQLite fails, and the text of a page fragment (found by mutmut on
store.sqlite.explain and webpage): each SQLite error, by the message SQLite gives for it, becomes
a sentence that says what happened and what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.core.store.sqlite import BUSY_TIMEOUT_S, explain
from reader.core.webpage import extract_article

PATH = Path("/srv/library/annotations.db")


@pytest.mark.parametrize(
    ("sqlite_says", "user_reads"),
    [
        (
            "database is locked",
            f"{PATH} is busy: another program kept it locked for over {BUSY_TIMEOUT_S:.0f} s."
            " Nothing was changed; try again when it has finished.",
        ),
        (
            "attempt to write a readonly database",
            f"{PATH} cannot be written (read-only file, folder or disk). Nothing was changed.",
        ),
        (
            "database or disk is full",
            f"The disk holding {PATH} is full: the change was not saved (the database is"
            " intact). Free some space and try again.",
        ),
        (
            "database disk image is malformed",
            f"{PATH} is damaged (database disk image is malformed). It was left as it is:"
            " restore a backup, or try `sqlite3 FILE .recover` on a copy.",
        ),
        (
            "file is not a database",
            f"{PATH} is damaged (file is not a database). It was left as it is: restore a"
            " backup, or try `sqlite3 FILE .recover` on a copy.",
        ),
        (
            "unable to open database file",
            f"Cannot open {PATH} (unable to open database file): check that the path and its"
            " folder exist.",
        ),
        (
            "disk I/O error",
            f"Reading or writing {PATH} failed (disk I/O error): check the disk. Nothing was"
            " changed.",
        ),
        ("no such table: annotations", f"{PATH}: database error (no such table: annotations)"),
    ],
)
def test_each_sqlite_error_becomes_a_sentence(sqlite_says: str, user_reads: str) -> None:
    assert str(explain(sqlite3.OperationalError(sqlite_says), PATH)) == user_reads


def test_a_real_locked_database_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path)
    holder.execute("create table t (x)")
    holder.execute("begin immediate")
    other = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as raised:
        other.execute("insert into t values (1)")
    assert str(explain(raised.value, path)).startswith(f"{path} is busy:")
    holder.rollback()
    holder.close()
    other.close()


def test_a_fragment_keeps_its_lines_and_words_and_takes_the_fallback_title() -> None:
    fragment = (
        '<meta name="author" content="张三"><div><p>第一段 hello   world</p><p>第二段</p></div>'
    )
    article = extract_article(fragment, "备用")
    assert (article.text, article.title) == ("第一段 hello world\n第二段", "备用")
    assert (article.published, article.source, article.author) == ("", "", "张三")
