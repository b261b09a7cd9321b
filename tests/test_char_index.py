"""The character-position index (reader.core.char_index) against brute force: the matches and
counts it gives on generated texts (variants of one character, characters beyond the BMP,
self-overlapping queries), and the context windows it cuts by byte marks, in a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import expected_index_rows, index_rows_by_document, oracle

from reader.core.char_index import MARK_EVERY, period
from reader.core.search import Query, count_matches, search
from reader.core.store import Store

ALPHABET = "发發髮展里裡裏哈a\n𠀀𪚥é"
"""Variants that fold together, ASCII, newline, Extension B and a two-byte character."""


def test_period() -> None:
    assert period("哈哈") == 1
    assert period("abab") == 2
    assert period("发展") == 2
    assert period("一带一路") == 4


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.text(ALPHABET, max_size=300), min_size=1, max_size=4),
    query=st.text(ALPHABET, min_size=1, max_size=4),
)
def test_indexed_matches_and_counts_equal_brute_force(
    tmp_path_factory, texts: list[str], query: str
) -> None:
    store = Store(tmp_path_factory.mktemp("index") / "x.db")
    try:
        ids = [store.documents.add(text=text, title=f"t{i}") for i, text in enumerate(texts)]
        expected = [
            (document_id, start, end)
            for document_id, text in zip(ids, texts, strict=True)
            for start, end in oracle(text, query)
        ]
        found = [(m.document_id, m.start, m.end) for m in search(store, Query(query))]
        assert found == expected
        assert count_matches(store, Query(query)) == len(expected)
        only = ids[-1:]
        assert count_matches(store, Query(query), documents=only) == sum(
            1 for d, _, _ in expected if d in only
        )
    finally:
        store.close()


def test_windows_cut_by_byte_marks_equal_slices(tmp_path: Path) -> None:
    # Mixed widths (1-4 bytes), long enough for many marks, with a window across the end.
    text = ("a é 发展 𠀀 里\n" * 400)[: MARK_EVERY * 9 + 17]
    store = Store(tmp_path / "w.db")
    try:
        document_id = store.documents.add(text=text, title="w")
        spans = [(0, 5), (3, MARK_EVERY + 3), (MARK_EVERY - 1, MARK_EVERY + 1),
                 (MARK_EVERY * 5 + 7, MARK_EVERY * 5 + 60), (len(text) - 4, len(text) + 40),
                 (len(text), len(text) + 5)]  # fmt: skip
        assert store.search_index.windows(document_id, spans) == [text[a:b] for a, b in spans]
        new_text = "𠀀" * 300 + text
        store.documents.add_version(document_id, text=new_text, content_hash="v2", title="w")
        assert store.search_index.windows(document_id, spans) == [new_text[a:b] for a, b in spans]
        assert count_matches(store, Query("發展")) == new_text.count("发展")
    finally:
        store.close()


def test_a_bulk_transaction_writes_the_index_of_what_it_commits(
    tmp_path: Path, monkeypatch
) -> None:
    from reader.core.store import search_index

    monkeypatch.setattr(search_index, "DEFERRED_CHARS", 50)  # several statements
    monkeypatch.setattr(search_index, "IDS_PER_STATEMENT", 2)
    texts = [ALPHABET * (i + 1) + "发展" * i for i in range(7)]
    store = Store(tmp_path / "bulk.db")
    try:
        before = store.documents.add(text="里外" * 40, title="before")
        with store.bulk_transaction():
            ids = [store.documents.add(text=text, title=f"t{i}") for i, text in enumerate(texts)]
            assert ids[0] not in index_rows_by_document(store)  # written at the end
            store.documents.add_version(before, text="發展里" * 30, content_hash="v2", title="b")
            with pytest.raises(RuntimeError), store.transaction():  # a file that fails
                failed = store.documents.add(text="髮展" * 9, title="failed")
                raise RuntimeError
        rows = index_rows_by_document(store)
        assert rows == expected_index_rows(store)
        assert set(rows) == {before, *ids} and failed not in rows
        for text, document_id in [("發展里" * 30, before), *zip(texts, ids, strict=True)]:
            matches = search(store, Query("发展"), documents=[document_id])
            found = [(match.start, match.end) for match in matches]
            assert found == oracle(text, "发展")
            assert store.search_index.windows(document_id, [(3, 40)]) == [text[3:40]]

        with pytest.raises(RuntimeError), store.bulk_transaction():
            store.documents.add(text="发展", title="rolled back")
            raise RuntimeError
        assert store.documents.count() == 8
        after = store.documents.add(text="發發展", title="after")  # indexed at once again
        assert after in index_rows_by_document(store)
        assert index_rows_by_document(store) == expected_index_rows(store)
        assert count_matches(store, Query("发展")) == sum(
            len(oracle(text, "发展")) for _, text in store.search_index.originals()
        )
    finally:
        store.close()


def test_the_index_folds_as_the_folding_rule_does() -> None:
    from reader.core.char_index import fold_text
    from reader.core.folding import fold, fold_table

    every = "".join(chr(code) for code in fold_table()) + "".join(fold_table().values())
    text = every + "abc 𠀀\U0010ffff\n" + ALPHABET
    assert fold_text(text) == fold(text)
