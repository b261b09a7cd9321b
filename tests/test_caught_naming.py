"""distinguishing_paths, for the mutants the first mutmut run left alive."""

from __future__ import annotations

from reader.core.naming import distinguishing_paths


def test_a_title_of_its_own_listed_first_does_not_stop_the_others() -> None:
    documents = [
        (1, "独一无二", "/a/only.txt"),
        (2, "重复", "/a/one.txt"),
        (3, "重复", "/a/two.txt"),
    ]
    assert distinguishing_paths(documents) == {2: "one.txt", 3: "two.txt"}


def test_paths_that_differ_only_at_their_root_folder_are_shown_whole() -> None:
    documents = [(1, "同名", "x/page.html"), (2, "同名", "y/page.html")]
    assert distinguishing_paths(documents) == {1: "x/page.html", 2: "y/page.html"}
    deeper = [(1, "同名", "x/a/b/page.html"), (2, "同名", "y/a/b/page.html")]
    assert distinguishing_paths(deeper) == {1: "x/a/b/page.html", 2: "y/a/b/page.html"}
