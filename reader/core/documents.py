"""Documents: normalising text, reading metadata from a page's first lines, guessing its script."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Metadata",
    "content_hash",
    "detect_script",
    "extract_metadata",
    "normalize_text",
    "seed_paths",
]

DATE_LINE = re.compile(
    r"(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[\s\u00a0]+\d{1,2}:\d{2}(?::\d{2})?)?)"
)
SOURCE = re.compile(r"(?:来源|來源)\s*[:：]\s*(?P<source>[^\s|｜\u00a0]*)")
HEADER_WINDOW = 60
"""How many lines from the top may hold the title and date line: past the site navigation."""


@dataclass(frozen=True)
class Metadata:
    title: str
    published: str
    source: str


def normalize_text(text: str) -> str:
    """The stored form of a text: no leading BOM, LF line endings. Offsets count in this form."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_text_encoding(name: str) -> bool:
    """Whether ``name`` is a codec that turns bytes into text (``rot13`` and ``hex`` are not)."""
    try:
        b"x".decode(name, "ignore")  # b"" skips the check that it is a text encoding
    except LookupError:
        return False
    return True


def path_text(path: Path | str) -> str:
    """A path as storable text: bytes of a file name that are not UTF-8 (which Python keeps as
    lone surrogates, and SQLite cannot store) become U+FFFD, the same way every time."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def title_from_filename(path: Path) -> str:
    """A title from a file name: its stem, without an encoding suffix (``expected.big5.txt``
    and ``expected.gb18030.txt`` are both titled ``expected``)."""
    stem = Path(path_text(path.stem))
    if stem.suffix and stem.stem and is_text_encoding(stem.suffix[1:]):
        return stem.stem
    return str(stem)


def extract_metadata(text: str, fallback_title: str = "") -> Metadata:
    """Title, date and source from a news page dump.

    News pages put the date line (``时间:2021-09-29 08:13 来源:``) right under the headline, after
    the site's navigation; the headline is the nearest non-empty line above it.
    """
    lines = text.split("\n", HEADER_WINDOW)[:HEADER_WINDOW]
    for index, line in enumerate(lines):
        match = DATE_LINE.search(line)
        if not match or len(line.strip()) > 120:
            continue
        title = next((above.strip() for above in reversed(lines[:index]) if above.strip()), "")
        source_match = SOURCE.search(line)
        return Metadata(
            title=title or fallback_title,
            published=" ".join(match.group("date").split()),
            source=source_match.group("source").strip() if source_match else "",
        )
    first = next((line.strip() for line in lines if line.strip()), "")
    return Metadata(title=fallback_title or first[:80], published="", source="")


KANA = re.compile(
    "[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff\uff66-\uff6f\uff71-\uff9d]"
)
"""Hiragana and katakana (full and halfwidth), but not ・ and ー, which Chinese text uses too."""
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def detect_script(text: str, sample: int = 20_000) -> str:
    """The script of a text: ``"simplified"``, ``"traditional"``, ``"japanese"`` or ``"neutral"``.

    Japanese is written with kana between its kanji: a text where kana are at least a fifth of
    the kana and Han characters is Japanese, whatever its kanji. Otherwise the characters that
    only one script uses vote (:func:`reader.core.convert.script_votes`); characters both
    scripts write alike (吃 于 后 中) do not, and a text where no vote decides (none at all, or
    a tie) is ``"neutral"``.
    """
    from reader.core.convert import script_votes

    head = text[:sample]
    kana = len(KANA.findall(head))
    if kana and kana * 5 >= kana + len(HAN.findall(head)):
        return "japanese"
    simplified, traditional = script_votes(head)
    if simplified == traditional:
        return "neutral"
    return "traditional" if traditional > simplified else "simplified"


def seed_paths() -> list[Path]:
    """The sample articles: in the package when installed, else in the checkout."""
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "seeds", here.parent / "seeds"):
        if folder.is_dir():
            return sorted(folder.glob("*.txt"))
    return []
