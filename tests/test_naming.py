"""Documents with the same title are told apart by the shortest distinct tail of their path."""

from __future__ import annotations

from reader.core.naming import distinguishing_paths


def test_titles_of_their_own_need_nothing() -> None:
    assert distinguishing_paths([(1, "甲", "/a/x.txt"), (2, "乙", "/a/x.txt")]) == {}


def test_repeated_titles_get_file_names_or_folders() -> None:
    documents = [
        (1, "expected", "/corpus/web/gmw/expected.html"),
        (2, "expected", "/corpus/web/qq/expected.html"),
        (3, "expected", "/corpus/web/qq/other.html"),
        (4, "长春", "/seeds/a.txt"),
        (5, "长春", "/seeds/b.txt"),
    ]
    assert distinguishing_paths(documents) == {
        1: "gmw/expected.html",
        2: "qq/expected.html",
        3: "qq/other.html",
        4: "a.txt",
        5: "b.txt",
    }


def test_a_document_without_a_path_is_named_by_its_id() -> None:
    assert distinguishing_paths([(1, "t", ""), (2, "t", "/x/t.txt")]) == {
        1: "document 1",
        2: "t.txt",
    }
