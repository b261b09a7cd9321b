"""Finding a word anywhere in the library, in whichever script it was written (issue 15).

A query matches where the folded query equals the folded text (reader.core.folding: 发展 finds
發展, 髮/發/发 are one). ``exact`` matches the stored original literally; ``regex`` applies a
regular expression to the folded text (the pattern is folded too, so 發 in a pattern means 发).
Matches never overlap: the leftmost one is taken and the search goes on after its end; they come
in document id order, then by offset. Offsets are code points into the stored original, which
folding keeps (one character for one).

The index is the position of every folded character in every document (reader.core.char_index,
tables ``search_chars`` and ``search_marks``, written in the transaction of each import or new
version): a literal query reads only the position lists of its own characters and intersects
them in C (numpy), so its cost follows its matches, not the size of the library. ``exact`` and
``regex`` queries scan the texts (the originals, folded as they are read for ``regex``). Why
this and not FTS5, a suffix array or the folded copy scanned in C is in the README, with the
figures (benchmarks/search.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, groupby, islice
from typing import Any

from reader.core.folding import fold
from reader.core.store import Store

__all__ = [
    "ConcordanceLine",
    "FoldedCache",
    "Match",
    "Query",
    "QueryError",
    "concordance",
    "count_matches",
    "find_in_text",
    "search",
]

DEFAULT_CONTEXT = 20


class QueryError(ValueError):
    """A query that cannot run: empty, or a regular expression that does not compile."""


@dataclass(frozen=True)
class Query:
    text: str
    exact: bool = False
    regex: bool = False

    def __post_init__(self) -> None:
        if not self.text:
            raise QueryError("the query is empty")
        if self.regex:
            try:
                self.pattern()
            except re.error as error:
                raise QueryError(f"not a valid regular expression: {error}") from error

    @property
    def folds(self) -> bool:
        """Whether it runs on the folded text (everything but --exact)."""
        return not self.exact

    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.text if self.exact else fold(self.text))

    def needle(self) -> str:
        return self.text if self.exact else fold(self.text)


@dataclass(frozen=True)
class Match:
    document_id: int
    start: int
    end: int
    """Code points into the stored original: text[start:end] is the match."""


@dataclass(frozen=True)
class ConcordanceLine:
    document_id: int
    document_title: str
    start: int
    end: int
    match: str
    left: str
    right: str


class FoldedCache:
    """The folded texts kept in memory, for a program that runs many regular expressions (the
    app's concordance): each then costs only the scan, not reading and folding every text again.
    Literal queries do not need it (the character index answers them). A document whose version
    or import time changed is read again."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[tuple[object, ...], str]] = {}

    def texts(self, store: Store, documents: Sequence[int] | None) -> Iterator[tuple[int, str]]:
        stamps = store.index_stamps(documents)
        missing = [doc for doc, stamp in stamps.items() if self._texts.get(doc, ((),))[0] != stamp]
        if missing:
            for document_id, folded in store.search_folded(missing):
                self._texts[document_id] = (stamps[document_id], folded)
        for document_id in stamps:
            if document_id in self._texts:
                yield document_id, self._texts[document_id][1]
        if documents is None:  # forget documents no longer in the library
            for gone in set(self._texts) - set(stamps):
                del self._texts[gone]


def find_in_text(query: Query, text: str) -> Iterator[tuple[int, int]]:
    """Non-overlapping leftmost matches of ``query`` in ``text`` (folded already unless the
    query is exact): (start, end) in code points. Empty regex matches are not matches."""
    if query.regex:
        for found in query.pattern().finditer(text):
            if found.end() > found.start():
                yield found.start(), found.end()
        return
    needle = query.needle()
    size = len(needle)
    position = text.find(needle)
    while position >= 0:
        yield position, position + size
        position = text.find(needle, position + size)


class _Filter:
    """Keeps matches inside a passage carrying one of some tags, or outside every annotation."""

    def __init__(self, spans: dict[int, list[tuple[int, int]]], *, inside: bool) -> None:
        self.spans = spans
        self.inside = inside
        self.starts = {doc: [start for start, _ in items] for doc, items in spans.items()}
        self.longest = {
            doc: max((end - start for start, end in items), default=0)
            for doc, items in spans.items()
        }

    def documents(self) -> set[int]:
        return set(self.spans)

    def keeps(self, document_id: int, start: int, end: int) -> bool:
        spans = self.spans.get(document_id)
        if not spans:
            return not self.inside
        starts = self.starts[document_id]
        # Spans starting after the match's end cannot contain or overlap it; those starting
        # more than the longest span before it cannot reach it.
        high = bisect.bisect_left(starts, end)
        low = bisect.bisect_left(starts, start - self.longest[document_id])
        for span_start, span_end in spans[low:high]:
            if self.inside and span_start <= start and end <= span_end:
                return True
            if not self.inside and span_start < end and start < span_end:
                return False
        return not self.inside


def _filter(store: Store, tags: Sequence[str], untagged: bool) -> _Filter | None:
    if tags and untagged:
        raise QueryError("--tag and --untagged exclude each other")
    if tags:
        return _Filter(store.annotation_spans(list(tags)), inside=True)
    if untagged:
        return _Filter(store.annotation_spans(None), inside=False)
    return None


def search(
    store: Store,
    query: Query,
    *,
    documents: Sequence[int] | None = None,
    tags: Sequence[str] = (),
    untagged: bool = False,
    cache: FoldedCache | None = None,
) -> Iterator[Match]:
    """Every match in the library (or in ``documents``), in document id then offset order.

    ``tags``: only matches inside an active annotation carrying one of them; ``untagged``:
    only matches overlapping no active annotation. A generator: stop early for free.
    """
    keep = _filter(store, tags, untagged)
    if keep is not None and keep.inside:
        wanted = keep.documents()
        documents = sorted(wanted if documents is None else wanted & set(documents))
    for document_id, spans in _document_matches(store, query, documents, cache):
        for start, end in spans:
            if keep is None or keep.keeps(document_id, start, end):
                yield Match(document_id, start, end)


def _document_matches(
    store: Store, query: Query, documents: Sequence[int] | None, cache: FoldedCache | None
) -> Iterator[tuple[int, Iterator[tuple[int, int]]]]:
    if query.exact:
        for document_id, text in store.search_originals(documents):
            yield document_id, find_in_text(query, text)
        return
    if not query.regex:
        yield from _indexed_matches(store, query.needle(), documents)
        return
    if cache is not None:
        needle_text = query.needle()
        for document_id, text in cache.texts(store, documents):
            if query.regex or needle_text in text:
                yield document_id, find_in_text(query, text)
        return
    for document_id, folded in store.search_folded(documents):
        yield document_id, find_in_text(query, folded)


def _indexed_matches(
    store: Store, needle: str, documents: Sequence[int] | None
) -> Iterator[tuple[int, Iterator[tuple[int, int]]]]:
    size = len(needle)
    for document_id, starts in _indexed_starts(store, needle, documents):
        yield document_id, ((start, start + size) for start in starts.tolist())


def _indexed_starts(
    store: Store, needle: str, documents: Sequence[int] | None
) -> Iterator[tuple[int, Any]]:
    """Start offsets (a numpy array) of a literal folded needle's matches in each document
    holding it, from the character-position index: the positions of its characters only
    (reader.core.char_index), never the texts."""
    import numpy as np

    from reader.core.char_index import STORED, matches_from_lists

    codes = [ord(char) for char in needle]
    for document_id in store.char_counts(codes, documents):
        raw = store.char_positions(document_id, codes)
        arrays = {code: np.frombuffer(piece, dtype=STORED) for code, piece in raw.items()}
        starts = matches_from_lists(needle, [arrays[code] for code in codes])
        if len(starts):
            yield document_id, starts


def count_matches(
    store: Store,
    query: Query,
    *,
    documents: Sequence[int] | None = None,
    tags: Sequence[str] = (),
    untagged: bool = False,
    cache: FoldedCache | None = None,
) -> int:
    """How many matches :func:`search` yields, without building them where it can
    (``count`` counts non-overlapping leftmost occurrences, exactly our rule)."""
    if tags or untagged or query.regex or query.exact:
        return sum(1 for _ in search(store, query, documents=documents, tags=tags,
                                      untagged=untagged, cache=cache))  # fmt: skip
    needle = query.needle()
    if len(needle) == 1:  # the index holds each character's count
        return store.char_count(ord(needle), documents)
    return sum(len(starts) for _, starts in _indexed_starts(store, needle, documents))


FEW_MATCHES = 64
"""Up to this many matches in a document, their context is read from the middle of the text
(the search index's byte marks, reader.core.store.document_windows) instead of reading and
decoding the whole text: a rare word in many long documents stays fast. Reading the whole
808,573-char novel costs ~13 ms, a window tens of microseconds."""


def concordance(
    store: Store, matches: Iterable[Match], context: int = DEFAULT_CONTEXT
) -> Iterator[ConcordanceLine]:
    """Keyword-in-context lines for ``matches``: the original wording and ``context``
    characters of original text on each side."""
    titles: dict[int, str] = {}
    for document_id, group in groupby(matches, key=lambda found: found.document_id):
        found_here = list(islice(group, FEW_MATCHES + 1))
        if document_id not in titles:
            titles.update(store.document_titles([document_id]))
        title = titles.get(document_id, "")
        if len(found_here) <= FEW_MATCHES:
            windows = [(max(0, found.start - context), found.end + context) for found in found_here]
            # Cut from the middle of the stored text by the index's byte marks.
            for found, (start, piece) in zip(
                found_here,
                zip(
                    (w[0] for w in windows),
                    store.document_windows(document_id, windows),
                    strict=True,
                ),
                strict=True,
            ):
                yield _line(found, title, piece, start, context)
            continue
        text = store.document_text(document_id)
        for found in chain(found_here, group):
            yield _line(found, title, text, 0, context)


def _line(found: Match, title: str, text: str, base: int, context: int) -> ConcordanceLine:
    """The line for ``found`` from ``text``, which starts at offset ``base`` of the original."""
    start, end = found.start - base, found.end - base
    return ConcordanceLine(
        document_id=found.document_id,
        document_title=title,
        start=found.start,
        end=found.end,
        match=text[start:end],
        left=text[max(0, start - context) : start],
        right=text[end : end + context],
    )
