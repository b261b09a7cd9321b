"""Finding an annotated passage again after the document's text changed.

An annotation stores its passage (``quote``) and a little text on either side (``prefix``,
``suffix``). When a re-imported file changes, each passage is looked up in the new text:

1. exactly: one occurrence is taken if it is long enough or its surroundings agree; several are
   told apart by how much surrounding text matches, then by nearness to the old offset;
2. failing that, fuzzily (rapidfuzz), first between the old surroundings, then anywhere, with a
   minimum score.

A passage that cannot be told apart from another equally good place is not placed at all: an
orphaned annotation (kept, with its quote) is recoverable, one silently moved onto the wrong words
is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

__all__ = ["MIN_FUZZY_SCORE", "Anchor", "Placement", "reanchor"]

MIN_FUZZY_SCORE = 80.0
"""rapidfuzz ratio (0-100) a changed passage must keep: one edit in a ten-character quote."""
MIN_FUZZY_QUOTE = 4
"""Shorter passages only move on an exact match: a fuzzy two-character match means nothing."""
MIN_UNSUPPORTED_QUOTE = 8
"""A lone exact occurrence at least this long is trusted even if its surroundings changed."""
MIN_CONTEXT_SUPPORT = 4
"""Characters of matching surroundings that vouch for a shorter passage's occurrence."""
BRACKET_CONTEXT = 12
"""Characters of the old prefix/suffix used to bracket a changed passage."""
TIE = 0.5
"""Fuzzy scores this close count as a tie."""
MAX_SLACK = 8
"""How far (in characters) each end of a fuzzy window may move to fit the edited passage."""


@dataclass(frozen=True)
class Anchor:
    """What an annotation remembers about its passage."""

    quote: str
    prefix: str
    suffix: str
    start: int
    """Its offset in the text it was last placed in."""


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    exact: bool


def occurrences(text: str, needle: str) -> list[int]:
    """Every offset where ``needle`` starts in ``text``, overlapping ones included."""
    found: list[int] = []
    index = text.find(needle)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def _common_suffix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def context_support(text: str, start: int, end: int, anchor: Anchor) -> int:
    """How many characters around [start, end) match the anchor's prefix and suffix."""
    before = text[max(0, start - len(anchor.prefix)) : start]
    after = text[end : end + len(anchor.suffix)]
    return _common_suffix(anchor.prefix, before) + _common_prefix(anchor.suffix, after)


def _unique_best(scored: list[tuple[float, int, int]], old_start: int) -> tuple[int, int] | None:
    """The best (score, start, end); equal scores go to the one nearest ``old_start``."""
    best = max(score for score, _, _ in scored)
    top = [(start, end) for score, start, end in scored if score >= best - TIE]
    if len(top) == 1:
        return top[0]
    top.sort(key=lambda span: abs(span[0] - old_start))
    if abs(top[0][0] - old_start) == abs(top[1][0] - old_start):
        return None
    return top[0]


def _exact(text: str, anchor: Anchor) -> Placement | bool | None:
    """An exact placement, None if ambiguous or unsupported, False if the quote is not there."""
    quote = anchor.quote
    starts = occurrences(text, quote)
    if not starts:
        return False
    scored = [
        (float(context_support(text, s, s + len(quote), anchor)), s, s + len(quote)) for s in starts
    ]
    best = max(score for score, _, _ in scored)
    top = [entry for entry in scored if entry[0] == best]
    chosen = _unique_best(top, anchor.start)
    if chosen is None:
        return None
    available = len(anchor.prefix) + len(anchor.suffix)
    if len(quote) < MIN_UNSUPPORTED_QUOTE and best < min(MIN_CONTEXT_SUPPORT, available):
        return None
    return Placement(chosen[0], chosen[1], exact=True)


def _bracketed(text: str, anchor: Anchor) -> list[tuple[float, int, int]]:
    """Changed passages still between their old neighbours: ``prefix [edited quote] suffix``."""
    prefix = anchor.prefix[-BRACKET_CONTEXT:]
    suffix = anchor.suffix[:BRACKET_CONTEXT]
    if len(prefix) < MIN_CONTEXT_SUPPORT or len(suffix) < MIN_CONTEXT_SUPPORT:
        return []
    longest = 2 * len(anchor.quote) + BRACKET_CONTEXT
    found: list[tuple[float, int, int]] = []
    for before in occurrences(text, prefix):
        start = before + len(prefix)
        end = text.find(suffix, start, start + longest + len(suffix))
        if end < 0:
            continue
        score = fuzz.ratio(anchor.quote, text[start:end])
        if score >= MIN_FUZZY_SCORE:
            found.append((score, start, end))
    return found


def _anywhere(text: str, anchor: Anchor) -> list[tuple[float, int, int]]:
    """The best fuzzy alignment in the whole text and the best one outside it (to detect ties)."""
    quote = anchor.quote
    first = fuzz.partial_ratio_alignment(quote, text, score_cutoff=MIN_FUZZY_SCORE)
    if first is None:
        return []
    found = [_fitted(text, quote, first.dest_start, first.dest_end)]
    for lo, hi in ((0, first.dest_start), (first.dest_end, len(text))):
        if hi - lo < len(quote) // 2:
            continue
        other = fuzz.partial_ratio_alignment(quote, text[lo:hi], score_cutoff=first.score - TIE)
        if other is not None:
            found.append(_fitted(text, quote, lo + other.dest_start, lo + other.dest_end))
    return found


def _fitted(text: str, quote: str, start: int, end: int) -> tuple[float, int, int]:
    """The span near a fuzzy window that matches the quote best, with its score.

    partial_ratio aligns a window exactly as long as the quote, but an edited passage is
    shorter or longer than that: 全面建设“双一流”的… without its quotation marks would take in
    a character of the text on either side. Each end moves a little to where the whole
    passage matches best (the nearer span wins a tie).
    """
    slack = min(MAX_SLACK, max(2, len(quote) // 3))
    best = (-1.0, 0, start, end)
    for s in range(max(0, start - slack), min(len(text), start + slack) + 1):
        for e in range(max(s + 1, end - slack), min(len(text), end + slack) + 1):
            score = fuzz.ratio(quote, text[s:e])
            distance = abs(s - start) + abs(e - end)
            if (score, -distance) > (best[0], best[1]):
                best = (score, -distance, s, e)
    return best[0], best[2], best[3]


def reanchor(text: str, anchor: Anchor) -> Placement | None:
    """Where the anchored passage is in ``text`` now, or None to orphan the annotation."""
    if not anchor.quote:
        return None
    exact = _exact(text, anchor)
    if exact is not False:
        return exact or None
    if len(anchor.quote) < MIN_FUZZY_QUOTE:
        return None
    for candidates in (_bracketed(text, anchor), _anywhere(text, anchor)):
        if not candidates:
            continue
        best = max(score for score, _, _ in candidates)
        top = [entry for entry in candidates if entry[0] >= best - TIE]
        if len({(start, end) for _, start, end in top}) > 1:
            return None
        _, start, end = top[0]
        return Placement(start, end, exact=False) if end > start else None
    return None
