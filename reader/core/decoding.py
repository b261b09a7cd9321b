"""Turning a file's bytes into the text a reader would see, without asking which encoding it is.

Chinese legacy encodings defeat the usual "try codecs until one decodes" approach: every Big5
file also decodes without error as GB18030 (into nonsense), and GBK text decodes as Big5-HKSCS.
So a clean decode is only a candidate; candidates are ranked by how much of their text is common
Chinese characters (GB2312 level 1 and Big5's frequent-character block), which nonsense decodes
score poorly on. charset-normalizer covers whatever is not Chinese.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

__all__ = [
    "DecodeError",
    "Decoded",
    "chinese_score",
    "decode_bytes",
    "sniff_binary",
]

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one."""

FAMILIES: tuple[tuple[str, ...], ...] = (
    ("gb2312", "gbk", "gb18030"),
    ("big5", "cp950", "big5hkscs"),
)
"""Each family narrowest first, so the reported encoding is the smallest one the file fits."""

SCORE_SAMPLE = 100_000
"""Characters of a candidate decode that are scored: enough for a stable ratio, fast on novels."""

MIN_CHINESE_SCORE = 0.5
"""Below this share of common characters a Chinese decode is taken to be nonsense."""

DAMAGE_SHARE = 0.02
"""A UTF-8 reading with at most this share of bad characters is damaged UTF-8, not another code."""

CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
BINARY_CONTROL_SHARE = 0.01
BINARY_CONTROL_MINIMUM = 8
"""A short text with an escape sequence or two (an OSC 52 ends in BEL) is still text: a binary
file that decodes has controls throughout, so a handful in a short file decides nothing."""


class DecodeError(ValueError):
    """The bytes are not text in any encoding we could establish; the message says where."""


@dataclass(frozen=True)
class Decoded:
    text: str
    """Decoded text, BOM removed, line endings untouched (normalising is the caller's job)."""
    encoding: str
    """Python codec name of what the file was, e.g. ``utf-8``, ``gb18030``, ``big5hkscs``."""
    bom: bool = False
    replaced: int = 0
    """How many undecodable bytes became U+FFFD (only with ``errors="replace"``)."""


def _characters(codec: str, leads: range, trails: Iterable[int]) -> set[str]:
    found: set[str] = set()
    for lead in leads:
        for trail in trails:
            with contextlib.suppress(UnicodeDecodeError):
                found.add(bytes((lead, trail)).decode(codec))
    return found


@cache
def gb_frequent() -> frozenset[str]:
    """GB2312's 3,755 level-1 characters: what simplified text mostly uses."""
    return frozenset(_characters("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)))


@cache
def big5_frequent() -> frozenset[str]:
    """Big5's 5,401 frequent characters, A440-C67E: what traditional text mostly uses.

    C6A1 on is kana and symbols (ETEN's extensions), which GBK bytes read as Big5 often land
    on (汽车 -> イ陬): they are not counted.
    """
    trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    return frozenset(
        _characters("big5", range(0xA4, 0xC6), trails)
        | _characters("big5", range(0xC6, 0xC7), range(0x40, 0x7F))
    )


@cache
def common_chinese() -> frozenset[str]:
    """GB2312's level-1 characters plus Big5's frequent ones: what real text uses."""
    return gb_frequent() | big5_frequent()


def chinese_score(text: str, common: frozenset[str] | None = None) -> float:
    """Share of the sample's non-ASCII characters that are common Chinese characters (those of
    ``common``, by default :func:`common_chinese`)."""
    common = common_chinese() if common is None else common
    sample = text[:SCORE_SAMPLE]
    wide = [char for char in sample if ord(char) > 0x7F]
    if not wide:
        return 0.0
    return sum(char in common for char in wide) / len(wide)


def sniff_binary(raw: bytes) -> str | None:
    """Why the bytes look like a binary file rather than text, or None.

    Called only for bytes without a UTF-16/32 BOM, where a NUL byte never occurs in text.
    """
    nul = raw.find(b"\x00")
    if nul >= 0:
        return f"binary file (NUL byte at offset {nul})"
    return None


def _strict(raw: bytes, codec: str) -> str | UnicodeDecodeError:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as error:
        return error


def _describe(error: UnicodeDecodeError, codec: str, skipped: int = 0) -> str:
    """Where decoding failed; ``skipped``: bytes before those the decoder was given (utf-8-sig
    hands its decoder the bytes after the BOM, and counts from there)."""
    chunk = error.object[error.start : error.start + 2]
    shown = " ".join(f"{byte:#04x}" for byte in chunk)
    return f"{codec} fails at byte {error.start + skipped} ({shown})"


def decode_bytes(raw: bytes, encoding: str | None = None, errors: str = "strict") -> Decoded:
    """The text in ``raw``: by BOM, else UTF-8, else the most Chinese-looking clean decode.

    ``encoding`` overrides detection (a BOM for that same encoding is still dropped);
    ``errors="replace"`` is only honoured with an explicit encoding, so a guess never silently
    loses bytes.
    """
    if encoding is not None:
        return _decode_as(raw, encoding, errors)
    for bom, codec in BOMS:
        if raw.startswith(bom):
            result = _strict(raw, codec)
            if isinstance(result, UnicodeDecodeError):
                skipped = len(raw) - len(result.object)
                raise DecodeError(
                    f"has a {codec} byte-order mark but {_describe(result, codec, skipped)}"
                )
            return Decoded(result.removeprefix("\ufeff"), _bom_name(bom, codec), bom=True)
    reason = sniff_binary(raw)
    if reason:
        raise DecodeError(reason)
    utf8 = _strict(raw, "utf-8")
    if isinstance(utf8, str):
        if _mostly_controls(utf8):
            raise DecodeError("binary file (control characters throughout)")
        return Decoded(utf8, "utf-8")
    candidates: list[tuple[float, float, str, str]] = []
    failures: list[UnicodeDecodeError] = [utf8]
    names = ["utf-8"]
    for family in FAMILIES:
        for codec in family:
            result = _strict(raw, codec)
            if isinstance(result, str):
                native = gb_frequent() if family is FAMILIES[0] else big5_frequent()
                candidates.append(
                    (chinese_score(result), chinese_score(result, native), codec, result)
                )
                break
            failures.append(result)
            names.append(codec)
    # Short texts often read as common characters both ways (长春国际汽车城 as GBK and as
    # Big5): equal shares go to the reading whose characters are its own family's frequent
    # ones (記憶體 in Big5 read as GBK needs 癘, not a GB2312 character); still equal, to the GB
    # family, tried first.
    best = max(candidates, default=None, key=lambda candidate: candidate[:2])
    if best is not None and best[0] >= MIN_CHINESE_SCORE:
        return Decoded(best[3], best[2])
    damaged = _damaged(raw, dict(zip(names, failures, strict=True)))
    if damaged is not None:
        # Chinese text with some bad bytes: a single-byte code page would "decode" it into
        # mojibake without error, so refuse and say where the damage is.
        error, name = damaged
        raise DecodeError(
            f"looks like {name} but {_describe(error, name)}"
            " (use --encoding with --errors replace to import it anyway)"
        )
    guessed = _charset_normalizer_guess(raw)
    if guessed is not None:
        return guessed
    if best is not None:
        # Decodes cleanly but reads as nonsense: still better than refusing a valid file.
        return Decoded(best[3], best[2])
    tried = [(error, name) for error, name in zip(failures, names, strict=True) if error]
    error, name = max(tried, key=lambda pair: pair[0].start)
    others = ", ".join(other for _, other in tried if other != name)
    raise DecodeError(
        f"no encoding decodes it cleanly: {_describe(error, name)} (also tried {others})"
    )


def _damaged(
    raw: bytes, failures: dict[str, UnicodeDecodeError]
) -> tuple[UnicodeDecodeError, str] | None:
    """The encoding that failed but reads as real text apart from a few bad bytes, if any."""
    sample = raw[: SCORE_SAMPLE * 2]
    utf8 = sample.decode("utf-8", errors="replace")
    wide = sum(ord(char) > 0x7F for char in utf8)
    if wide and utf8.count("\ufffd") <= DAMAGE_SHARE * wide:
        return failures["utf-8"], "utf-8"
    for family in FAMILIES:
        widest = family[-1]
        if widest in failures:
            lossy = sample.decode(widest, errors="replace")
            if chinese_score(lossy) >= MIN_CHINESE_SCORE:
                return failures[widest], widest
    if any(ord(char) > 0x7F and char != "\ufffd" for char in utf8):
        # Valid multi-byte UTF-8 next to invalid bytes (abc \xff\xfe\xfd 中): damaged UTF-8,
        # however few characters there are. A single-byte code page would take it silently.
        return failures["utf-8"], "utf-8"
    return None


def _bom_name(bom: bytes, codec: str) -> str:
    if codec == "utf-8-sig":
        return "utf-8-sig"
    endian = "le" if bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE) else "be"
    return f"{codec}-{endian}"


def _decode_as(raw: bytes, encoding: str, errors: str) -> Decoded:
    try:
        codec = codecs.lookup(encoding).name
        b"x".decode(codec, "ignore")  # rot13, hex: codecs, but not from bytes to text
    except LookupError as error:
        raise DecodeError(f"{encoding!r} is not a known text encoding") from error
    if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    if errors == "replace":
        text = raw.decode(codec, errors="replace")
        strict = _strict(raw, codec)
        replaced = 0 if isinstance(strict, str) else text.count("\ufffd") - _count_real(raw, codec)
        return Decoded(text.removeprefix("\ufeff"), codec, replaced=max(replaced, 0))
    result = _strict(raw, codec)
    if isinstance(result, UnicodeDecodeError):
        raise DecodeError(
            f"not valid {codec}: {_describe(result, codec).removeprefix(codec + ' ')}"
            " (add --errors replace to import it anyway)"
        )
    return Decoded(result.removeprefix("\ufeff"), codec)


def _count_real(raw: bytes, codec: str) -> int:
    """U+FFFD characters genuinely in the file, so only substitutions get counted as replaced."""
    marker = "\ufffd".encode(codec, errors="ignore")
    return raw.count(marker) if marker else 0


def _charset_normalizer_guess(raw: bytes) -> Decoded | None:
    """charset-normalizer's verdict for text that is not Chinese, if it decodes all the bytes."""
    from charset_normalizer import from_bytes

    matches = [match for match in from_bytes(raw[:200_000]) if match.encoding is not None]
    if not matches:
        return None
    best = matches[0]
    # A short text gives charset-normalizer little to go on: café reads as well in Urdu's
    # cp1006 (cafﻠ) as in cp1252, and it lists the rare code page first. Among the readings it
    # ranks equal, take Windows-1252, by far the commonest single-byte encoding, when one of
    # them reads the bytes exactly as it does.
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    western = _strict(raw, "cp1252")
    if isinstance(western, str) and any(_strict(raw, m.encoding) == western for m in tied):
        result: str | UnicodeDecodeError = western
        name = "cp1252"
    else:
        result = _strict(raw, best.encoding)
        name = codecs.lookup(best.encoding).name
    if isinstance(result, UnicodeDecodeError) or _mostly_controls(result):
        return None
    return Decoded(result, name)


def _mostly_controls(text: str) -> bool:
    """Control characters beyond tabs and line breaks: a binary file that happened to decode."""
    sample = text[:SCORE_SAMPLE]
    found = len(CONTROL.findall(sample))
    return found > BINARY_CONTROL_MINIMUM and found > BINARY_CONTROL_SHARE * len(sample)
