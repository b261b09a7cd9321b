"""The character-position index (reader.core.char_index) against brute force: the matches and
counts it gives on generated texts (variants of one character, characters beyond the BMP,
self-overlapping queries), and the context windows it cuts by byte marks, in a real database."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import oracle

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


def test_the_index_folds_as_the_folding_rule_does() -> None:
    from reader.core.char_index import fold_text
    from reader.core.folding import fold, fold_table

    every = "".join(chr(code) for code in fold_table()) + "".join(fold_table().values())
    text = every + "abc 𠀀\U0010ffff\n" + ALPHABET
    assert fold_text(text) == fold(text)
