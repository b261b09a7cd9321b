"""Telling documents apart in a list when their titles are the same."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePath


def distinguishing_paths(documents: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """For each (id, title, path) whose title another document also has, the shortest tail of
    its path that tells the group apart: ``expected.html`` if the file names differ, else
    ``gmw/expected.html``, and so on. Documents with a title of their own are left out.

    A folder of saved pages often yields one title many times (``expected``); the file is what
    the user knows them by.
    """
    by_title: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for document_id, title, path in documents:
        by_title[title].append((document_id, PurePath(path).parts if path else ()))
    names: dict[int, str] = {}
    for group in by_title.values():
        if len(group) < 2:
            continue
        longest = max(len(parts) for _, parts in group)
        for depth in range(1, longest + 1):
            tails = {document_id: parts[-depth:] for document_id, parts in group}
            if len(set(tails.values())) == len(group):
                break
        for document_id, parts in group:
            tail = parts[-depth:] if parts else ()
            names[document_id] = str(PurePath(*tail)) if tail else f"document {document_id}"
    return names
