"""Script conversion: OpenCC's exact output, with an offset map between original and converted.

The contract every caller relies on (the reading pane, export, the CLI):

- :meth:`Converter.convert` returns exactly what OpenCC's own C++ engine returns.
- :meth:`Converter.convert_mapped` returns the same text plus an :class:`OffsetMap`, so a span
  in either text maps to the span it came from in the other, even where the conversion changes
  length (``s2twp``: 内存 -> 記憶體) or rewrites a phrase whole (鼠标 -> 滑鼠).
"""

from __future__ import annotations

import bisect
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

__all__ = [
    "CONFIGS",
    "SCRIPT_CYCLE",
    "Converted",
    "Converter",
    "OffsetMap",
    "PassageConverter",
    "converter",
    "script_votes",
]

CONFIGS = (
    "s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp",
    "s2hkp", "hk2sp", "t2tw", "tw2t", "t2hk", "hk2t", "t2jp", "jp2t",
)  # fmt: skip

SCRIPT_CYCLE: tuple[tuple[str | None, str], ...] = (
    (None, "原文"),
    ("t2s", "简体"),
    ("s2t", "繁體"),
    ("s2tw", "臺灣"),
    ("s2hk", "香港"),
    ("s2twp", "臺灣用語"),
)
"""What ``s`` cycles through: (OpenCC config, or None for the original; header label)."""


@dataclass(frozen=True)
class Unit:
    """A piece of the source that converts as a whole into a piece of the target."""

    src_start: int
    src_end: int
    dst_start: int
    dst_end: int


@dataclass
class OffsetMap:
    """Monotone alignment between a source text and its conversion.

    Only the units that are not one code point to one code point are stored (phrases rewritten
    whole, length changes); everything between them maps one to one, shifted by the length
    difference accumulated so far. Plain character configs therefore store nothing at all.
    """

    src_length: int
    dst_length: int
    units: list[Unit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._src_starts = [unit.src_start for unit in self.units]
        self._dst_starts = [unit.dst_start for unit in self.units]

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls(length, length)

    def inverse(self) -> OffsetMap:
        flipped = [Unit(u.dst_start, u.dst_end, u.src_start, u.src_end) for u in self.units]
        return OffsetMap(self.dst_length, self.src_length, flipped)

    def to_dst(self, start: int, end: int) -> tuple[int, int]:
        """The converted span covering source span [start, end): widened to whole units."""
        return (
            self._map(start, self._src_starts, forward=True, at_end=False),
            self._map(end, self._src_starts, forward=True, at_end=True)
            if end > start
            else self._map(end, self._src_starts, forward=True, at_end=False),
        )

    def to_src(self, start: int, end: int) -> tuple[int, int]:
        """The source span a converted span [start, end) came from: widened to whole units."""
        return (
            self._map(start, self._dst_starts, forward=False, at_end=False),
            self._map(end, self._dst_starts, forward=False, at_end=True)
            if end > start
            else self._map(end, self._dst_starts, forward=False, at_end=False),
        )

    def _map(self, offset: int, starts: list[int], *, forward: bool, at_end: bool) -> int:
        # The last unit starting at or before the offset (for an end offset: strictly before,
        # since an end is the boundary after the last character it covers).
        index = (bisect.bisect_left if at_end else bisect.bisect_right)(starts, offset) - 1
        if index < 0:
            return offset
        unit = self.units[index]
        a_end, b_start, b_end = (
            (unit.src_end, unit.dst_start, unit.dst_end)
            if forward
            else (unit.dst_end, unit.src_start, unit.src_end)
        )
        if offset < a_end or (at_end and offset == a_end):  # inside the unit: widen to it
            return b_end if at_end else b_start
        return b_end + (offset - a_end)


@dataclass(frozen=True)
class Converted:
    text: str
    offsets: OffsetMap


_PIECE_CHARS = 8_192
"""Characters per call into the C++ engine, which holds the GIL: a few milliseconds at most."""
_PARALLEL_CHARS = 1_000_000
"""Below this, forking costs more than a second core saves."""
_FORK_WORTH_S = 0.1
"""Conversion time left below which a fork and a pipe cost more than they save."""

_UNCONVERTIBLE = re.compile("[\x00\ud800-\udfff]")
"""NUL (OpenCC drops the rest of a segment after it) and lone surrogates (not UTF-8 at all)."""

_SAFE_CUT = re.compile("[\n\r。！？；]")
"""Characters no key of any OpenCC dictionary contains (tests check it against every config):
no match can span them, so the text on each side converts as it does inside the whole."""

_SENTENCES_KEPT = 50_000
"""Converted sentences a :class:`PassageConverter` keeps (a few tens of MB at most)."""
_UNSEEN: Any = object()
_PIECES_KEPT = 200_000
"""Mapped pieces (a few characters between two seams) a :class:`Converter` keeps."""

_IDS_OPERATOR = re.compile("[\u2ff0-\u2fff]")
_IDS_REACH = 64  # OpenCC reads an Ideographic Description Sequence up to 64 code points long


class Converter:
    """One OpenCC configuration: OpenCC's C++ engine for the text, a model of it for offsets.

    The converted text always comes from the C++ engine. :meth:`convert_mapped` also replays the
    conversion in Python (:mod:`reader.core.opencc_engine`) to learn which source characters
    became which; where that replay disagrees with the engine on a sentence, the sentence becomes
    one unit, so the map stays correct (only coarser) and the text stays OpenCC's.
    """

    def __init__(self, config: str) -> None:
        if config not in CONFIGS:
            raise ValueError(
                f"unknown OpenCC config {config!r}; choose one of {', '.join(CONFIGS)}"
            )
        import opencc

        self.config = config
        self._engine = opencc.OpenCC(config)
        self._lock = threading.Lock()
        self._model: Any = None
        self._model_loaded = False
        self._pieces_mapped: dict[str, Converted | None] = {}
        self.fallbacks = 0
        """Sentences whose offsets came from the coarse fallback (the model disagreed)."""

    @property
    def model_ready(self) -> bool:
        """Whether offsets come without a wait (the replay model is loaded, or none exists)."""
        return self._model_loaded

    def convert(self, text: str) -> str:
        """Exactly what OpenCC's C++ engine returns (converted in pieces so the GIL breathes)."""
        if len(text) <= _PIECE_CHARS and not _UNCONVERTIBLE.search(text):
            return self._engine.convert(text)
        return "".join(
            self._engine.convert(text[start:end]) if convertible else text[start:end]
            for start, end, convertible in self._pieces(text, _PIECE_CHARS)
        )

    def convert_whole_file(
        self,
        text: str,
        processes: int | None = None,
        min_chars: int = _PARALLEL_CHARS,
        fork_worth_s: float = _FORK_WORTH_S,
    ) -> str:
        """``convert`` for a whole file, using every core when that pays.

        The C++ engine holds the GIL while it converts, so threads cannot share the work:
        forked children convert parts and send them back through a pipe. The first eighth is
        converted here first and timed: the character configs (t2tw ...) finish a novel
        faster than a fork and a pipe cost, the phrase configs (s2t, s2twp ...) do not. Parts
        are cut where converting in pieces equals converting whole, so the output is the same.
        """
        processes = processes or os.cpu_count() or 1
        if processes < 2 or len(text) < min_chars or not hasattr(os, "fork"):
            return self.convert(text)
        ends = [end for _, end, _ in self._pieces(text, len(text) // (8 * processes) + 1)]
        head_end = min(ends, key=lambda end: abs(end - len(text) // 8))
        started = time.perf_counter()
        head = self.convert(text[:head_end])
        projected = (time.perf_counter() - started) * (len(text) - head_end) / max(head_end, 1)
        if projected < fork_worth_s or head_end >= len(text):
            return head + self.convert(text[head_end:])
        cuts = [head_end]
        for part in range(1, processes):
            target = head_end + (len(text) - head_end) * part // processes
            cut = min(ends, key=lambda end: abs(end - target))
            if cuts[-1] < cut < len(text):
                cuts.append(cut)
        cuts.append(len(text))
        children = [self._convert_in_child(text[a:b]) for a, b in pairwise(cuts[1:])]
        parts = [head, self.convert(text[cuts[0] : cuts[1]])]
        for pid, pipe in children:
            with os.fdopen(pipe, "rb") as result:
                parts.append(result.read().decode("utf-8", "surrogatepass"))
            _, status = os.waitpid(pid, 0)
            if status != 0:
                raise RuntimeError(f"a conversion process failed (status {status})")
        return "".join(parts)

    def _convert_in_child(self, text: str) -> tuple[int, int]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: convert, write, leave without running the parent's cleanup
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    out.write(self.convert(text).encode("utf-8", "surrogatepass"))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return pid, read_end

    def convert_mapped(self, text: str) -> Converted:
        """OpenCC's text plus the offset map between ``text`` and it (whole units, both ways)."""
        model = self._replay()
        parts: list[str] = []
        units: list[Unit] = []
        dst = 0
        for start, end, convertible in self._pieces(text, _PIECE_CHARS):
            piece = text[start:end]
            if not convertible:
                parts.append(piece)
            else:
                converted = self._engine.convert(piece)
                parts.append(converted)
                units.extend(self._align(model, piece, converted, start, dst))
            dst += len(parts[-1])
        return Converted("".join(parts), OffsetMap(len(text), dst, units))

    def convert_many(self, texts: list[str]) -> list[str]:
        """``[convert(text) for text in texts]`` in one call of the engine where it can: the
        texts joined by line breaks (no dictionary key holds one, so each converts as it does
        alone) and the result split at them again."""
        if len(texts) < 2 or any(_UNCONVERTIBLE.search(text) for text in texts):
            return [self.convert(text) for text in texts]
        lines = self.convert("\n".join(texts)).split("\n")
        if len(lines) != sum(text.count("\n") + 1 for text in texts):
            return [self.convert(text) for text in texts]  # never seen: a value with a newline
        converted: list[str] = []
        taken = 0
        for text in texts:
            count = text.count("\n") + 1
            converted.append("\n".join(lines[taken : taken + count]))
            taken += count
        return converted

    def mapped_piece(self, piece: str) -> Converted | None:
        """``convert_mapped`` of a short piece between two seams (PassageConverter), kept per
        piece; None where the replay model disagrees with the engine (or there is none)."""
        if piece in self._pieces_mapped:
            return self._pieces_mapped[piece]
        model = self._replay()
        expected = self.convert(piece)
        found: Converted | None = None
        if model is not None and not _UNCONVERTIBLE.search(piece):
            replayed, spans = model.convert(piece)
            if replayed == expected:
                units = [Unit(a0, a1, b0, b1) for a0, a1, b0, b1 in spans]
                found = Converted(expected, OffsetMap(len(piece), len(expected), units))
        if len(self._pieces_mapped) >= _PIECES_KEPT:
            self._pieces_mapped.clear()
        self._pieces_mapped[piece] = found
        return found

    def passages(
        self, text: str, sentences: dict[str, Converted | None] | None = None
    ) -> PassageConverter:
        """Converts passages of ``text`` one at a time, each as it reads in the whole text.

        ``sentences`` (converted sentences by their text) may be shared across documents:
        saved web pages repeat their boilerplate, articles quote each other.
        """
        return PassageConverter(self, text, {} if sentences is None else sentences)

    def _align(self, model: Any, piece: str, converted: str, src: int, dst: int) -> list[Unit]:
        """The units of one piece: the model's, or per sentence where the model is wrong."""
        replayed, spans = model.convert(piece) if model is not None else (None, [])
        if replayed == converted:
            return [Unit(a0 + src, a1 + src, b0 + dst, b1 + dst) for a0, a1, b0, b1 in spans]
        units: list[Unit] = []
        for start, end, _ in self._pieces(piece, 1):
            sentence = piece[start:end]
            expected = self._engine.convert(sentence)
            replayed, spans = model.convert(sentence) if model is not None else (None, [])
            if replayed == expected:
                units.extend(
                    Unit(a0 + src, a1 + src, b0 + dst, b1 + dst) for a0, a1, b0, b1 in spans
                )
            elif end - start != 1 or len(expected) != 1:
                self.fallbacks += 1
                units.append(Unit(src, src + end - start, dst, dst + len(expected)))
            src += end - start
            dst += len(expected)
        return units

    def replay_model(self) -> Any:
        """The Python model of the engine (reader.core.opencc_engine.Model), loaded on first
        use; None if this config cannot be replayed."""
        return self._replay()

    def _replay(self) -> Any:
        """The Python model, loaded on first use; None if this config cannot be replayed."""
        if not self._model_loaded:
            with self._lock:
                if not self._model_loaded:
                    from reader.core import opencc_engine

                    try:
                        self._model = opencc_engine.Model(self.config)
                    except opencc_engine.ModelUnsupported:
                        self._model = None
                    self._model_loaded = True
        return self._model

    def _pieces(self, text: str, size: int) -> Iterator[tuple[int, int, bool]]:
        """(start, end, convertible) pieces of about ``size`` characters, cut where OpenCC
        would convert the two sides exactly as it converts the whole: after a character no
        dictionary key contains (and no IDS reaches across), and around NUL and surrogates."""
        start = 0
        for bad in _UNCONVERTIBLE.finditer(text):
            yield from self._cuts(text, start, bad.start(), size)
            yield bad.start(), bad.end(), False
            start = bad.end()
        yield from self._cuts(text, start, len(text), size)

    def _cuts(self, text: str, start: int, stop: int, size: int) -> Iterator[tuple[int, int, bool]]:
        while stop - start > size:
            found = _SAFE_CUT.search(text, start + size - 1, stop)
            while found and _IDS_OPERATOR.search(
                text, max(start, found.end() - _IDS_REACH), found.end()
            ):
                found = _SAFE_CUT.search(text, found.end(), stop)
            if found is None or found.end() == stop:
                break
            yield start, found.end(), True
            start = found.end()
        if start < stop:
            yield start, stop, True


class PassageConverter:
    """The converted text of passages of one document, without converting the whole of it.

    ``convert(start, end)`` equals ``text[a:b]`` of ``convert_mapped(text)`` where ``(a, b)`` is
    ``offsets.to_dst(start, end)``, but asks the C++ engine for the passage alone and replays
    (in Python, the costly part) only the few characters around an end that a dictionary
    match may cross.

    A *seam* is a position no dictionary key spans at any step of the config (the two
    characters around it, or what a step may turn them into, are adjacent in no key:
    :meth:`reader.core.opencc_engine.Model.seam`): every match, of the segmentation and of
    each step, ends before it or starts after it, so the text on each side
    converts as it does inside the whole, and no unit of the whole text's map crosses it. Three
    positions in four are seams in Chinese prose. A passage is widened to the nearest seams
    around its ends; that stretch is converted by the engine (all of a document's at once,
    :meth:`plan`); where an end was not a seam, the map of the short piece between the seams
    around it (a word, from the replay model, kept per piece across documents) says where the
    passage starts or stops inside its conversion. Where the model disagrees with the engine
    on such a piece, the passage is converted from its sentences' maps as the whole text's map
    would have it (:meth:`Converter.convert_mapped` per sentence, shared across documents in
    ``sentences``). A document holding an Ideographic Description Sequence operator (whose
    reach moves the seams) is converted whole.
    """

    def __init__(
        self, engine: Converter, text: str, sentences: dict[str, Converted | None]
    ) -> None:
        from reader.core.opencc_engine import JOINING

        self._engine = engine
        self._text = text
        self._whole: Converted | None = None
        self._sentences = sentences
        self._cuts: list[int] | None = None
        self._counted: set[int] = set()
        """Sentences (by index) this document has counted in ``sentences`` already."""
        self._stretches: dict[tuple[int, int], str] = {}
        """The engine's conversion of text[a:b] for seams a < b."""
        self._model = engine.replay_model()
        self._seams: dict[str, bool] = {} if self._model is None else self._model.seams
        self._joining = JOINING if JOINING.search(text) is not None else None
        if _IDS_OPERATOR.search(text) is not None:
            self._whole = engine.convert_mapped(text)

    def plan(self, spans: Iterable[tuple[int, int]]) -> None:
        """Convert the stretches these passages need in one call of the engine (one call per
        passage costs about twice as much): :meth:`convert` then only cuts them."""
        if self._whole is not None:
            return
        needed: set[tuple[int, int]] = set()
        for start, end in spans:
            start, end = self._clamped(start, end)
            if end > start and not self._by_sentences(start, end):
                needed.add((self._seam_at_or_before(start), self._seam_at_or_after(end)))
        fresh = sorted(needed - self._stretches.keys())
        converted = self._engine.convert_many([self._text[a:b] for a, b in fresh])
        self._stretches.update(zip(fresh, converted, strict=True))

    def convert(self, start: int, end: int) -> str:
        """The converted text of source span [start, end), widened to whole units."""
        start, end = self._clamped(start, end)
        if end == start:
            return ""  # to_dst maps both ends of an empty span to the same offset
        if self._whole is not None:
            a, b = self._whole.offsets.to_dst(start, end)
            return self._whole.text[a:b]
        if self._by_sentences(start, end):
            return self._from_sentences(start, end)
        first = self._seam_at_or_before(start)
        last = self._seam_at_or_after(end)
        stretch = self._stretches.get((first, last))
        if stretch is None:
            stretch = self._stretches[first, last] = self._engine.convert(self._text[first:last])
        head = tail = 0  # converted characters to drop before the start and after the end
        if first < start:
            piece = self._engine.mapped_piece(self._text[first : self._seam_at_or_after(start + 1)])
            if piece is None:
                return self._from_sentences(start, end)
            head = piece.offsets.to_dst(start - first, start - first)[0]
        if end < last:
            piece_start = self._seam_at_or_before(end - 1)
            piece = self._engine.mapped_piece(self._text[piece_start:last])
            if piece is None:
                return self._from_sentences(start, end)
            tail = len(piece.text) - piece.offsets.to_dst(0, end - piece_start)[1]
        return stretch[head : len(stretch) - tail]

    def _clamped(self, start: int, end: int) -> tuple[int, int]:
        length = len(self._text)
        start = min(max(start, 0), length)
        return start, min(max(end, start), length)

    def _is_seam(self, at: int) -> bool:
        text = self._text
        if at <= 0 or at >= len(text):
            return True
        if self._model is None:
            return False
        pair = text[at - 1 : at + 1]
        seam = self._seams.get(pair)  # the model's own cache, read without a call
        if seam is None:
            seam = self._model.seam(text[at - 1], text[at])
        if not seam:
            return False
        # A combining mark joins the unit before it (opencc_engine._over_marks): not a seam.
        joining = self._joining
        return joining is None or not (joining.match(text, at - 1) or joining.match(text, at))

    def _seam_at_or_before(self, at: int) -> int:
        while not self._is_seam(at):
            at -= 1
        return at

    def _seam_at_or_after(self, at: int) -> int:
        while not self._is_seam(at):
            at += 1
        return at

    def _by_sentences(self, start: int, end: int) -> bool:
        """Whether every sentence the passage touches also occurs in another document (a saved
        page's boilerplate, a quoted paragraph): then its map, made once, serves every
        occurrence, and the passage is cut from it. A sentence seen in one document only
        is noted (None), and mapped when a second document has it."""
        cuts = self._sentence_cuts()
        text, sentences = self._text, self._sentences
        mapped = True
        for index in range(bisect.bisect_right(cuts, start) - 1, bisect.bisect_left(cuts, end)):
            source = text[cuts[index] : cuts[index + 1]]
            known = sentences.get(source, _UNSEEN)
            if index not in self._counted:
                self._counted.add(index)
                if known is _UNSEEN:
                    if len(sentences) >= _SENTENCES_KEPT:
                        sentences.clear()
                    sentences[source] = None
                elif known is None:  # a second document has it: worth its map
                    known = sentences[source] = self._engine.convert_mapped(source)
            if not isinstance(known, Converted):
                mapped = False
        return mapped

    def _sentence_cuts(self) -> list[int]:
        if self._cuts is None:
            ends = (found.end() for found in _SAFE_CUT.finditer(self._text))
            self._cuts = sorted({0, *ends, len(self._text)})
        return self._cuts

    def _from_sentences(self, start: int, end: int) -> str:
        """The passage as the whole text's map has it, from the maps of its sentences (the
        sentences :meth:`Converter._pieces` cuts the text into, after ``。！？；`` and line
        breaks, are exactly the pieces ``convert_mapped`` aligns on their own when its model
        disagrees, and no unit crosses them)."""
        cuts = self._sentence_cuts()
        parts: list[str] = []
        for index in range(bisect.bisect_right(cuts, start) - 1, bisect.bisect_left(cuts, end)):
            first, last = cuts[index], cuts[index + 1]
            sentence = self._sentence(first, last)
            a, b = sentence.offsets.to_dst(max(start, first) - first, min(end, last) - first)
            parts.append(sentence.text[a:b])
        return "".join(parts)

    def _sentence(self, first: int, last: int) -> Converted:
        source = self._text[first:last]
        sentence = self._sentences.get(source)
        if sentence is None:
            sentence = self._engine.convert_mapped(source)
            if len(self._sentences) >= _SENTENCES_KEPT:
                self._sentences.clear()
            self._sentences[source] = sentence
        return sentence


_CONVERTERS_KEPT = 1
"""Converters kept loaded: the reader shows one script at a time, and s2twp's dictionaries
alone (the C++ engine's and the replay model's) take 80 MB."""
_converters: dict[str, Converter] = {}
_converters_lock = threading.Lock()


def converter(config: str) -> Converter:
    """The shared converter for a config: OpenCC loads its dictionaries once while it is used.

    Only the most recently asked for stay loaded: visiting every script must not keep every
    script's dictionaries (a caller still holding an older converter keeps it working).
    """
    with _converters_lock:
        found = _converters.pop(config, None)
        if found is None:
            found = Converter(config)
        _converters[config] = found  # the most recent last
        released = len(_converters) > _CONVERTERS_KEPT
        while len(_converters) > _CONVERTERS_KEPT:
            del _converters[next(iter(_converters))]
    if released:
        _release_memory()
    return found


def _release_memory() -> None:
    """Forget the parsed dictionaries no loaded model uses, and hand freed memory back."""
    from reader.core import opencc_engine

    opencc_engine.forget_unused()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed dictionaries otherwise
    except (OSError, AttributeError):
        pass


def script_votes(text: str) -> tuple[int, int]:
    """How many characters of the text only Simplified uses, and how many only Traditional uses.

    A character is a Simplified vote when OpenCC's STCharacters maps it only to other
    characters (们 -> 們), a Traditional vote when TSCharacters does (們 -> 们). A character
    that is its own candidate in either table (于 -> 於 or 于, 乾 -> 干 or 乾) is written in both
    scripts and decides nothing; nor does one in neither table (the, 。, 中).
    """
    from collections import Counter

    from reader.core.opencc_engine import character_table

    to_traditional = character_table("STCharacters.txt")
    to_simplified = character_table("TSCharacters.txt")
    simplified = traditional = 0
    for char, count in Counter(text).items():
        candidates = to_traditional.get(char)
        if candidates is not None and char not in candidates:
            simplified += count
        candidates = to_simplified.get(char)
        if candidates is not None and char not in candidates:
            traditional += count
    return simplified, traditional
