"""Finding a saved page's site navigation and footer, so the reading pane can dim or fold them.

Pages copied from a browser start with the site's menus and end with editor credits and
copyright notices. Both are kept in the stored text (offsets and annotations refer to it, and
nothing the user imported is dropped); this module only says where they are. The rules are
deliberately conservative: a novel's table of contents or a closing paragraph that mentions
copyright must not be folded away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.core.documents import DATE_LINE, HEADER_WINDOW

__all__ = ["boilerplate_spans", "footer_span", "navigation_span"]

SHORT_LINE = 60
"""Longer lines are prose, not menu entries or labels."""
MARKER_LINE = 80
"""A copyright notice is a short line of its own; prose that mentions copyright is longer."""
NOTICE_LINE = 40
"""Longer lines count as notices only when bracketed (``【…版权…】``) or a heading (``…声明:``)."""
NOTICE_OPENERS = (
    "【",
    "[",
    "(",
    "（",
    "©",
    "Copyright",
    "copyright",
    "版权",
    "版權",
    "本站",
    "本网",
    "本網",
)
FOOTER_LOOKBACK = 15
"""Non-empty lines from the end in which a footer may start, past the trailing short lines."""
TRAILING_RUN_LIMIT = 400
"""How far back a run of short lines (credits, link lists) is followed looking for a footer."""

SENTENCE_END = re.compile(r"[。！？!?]")
MENU_SEPARATORS = re.compile(r"[\s|｜>›»·•/]+")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EDITOR = re.compile(
    r"^[\s【\[(（]*(?:责任编辑|責任編輯|责编|責編|编\s*辑|編\s*輯|校\s*对|校\s*對|审\s*核|審\s*核"
    r"|监\s*制|監\s*製|编\s*审|編\s*審)\s*[:：]"
)
NOTICE = re.compile(
    r"(?:版权|版權|著作权|著作權).{0,20}(?:所有|声明|聲明)|免责声明|免責聲明|未经授权|未經授權"
    r"|不得转载|不得轉載|公有领域|公有領域|copyright|©|all rights reserved|public domain"
    r"|about this digital edition",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    """Offset just past the line's text (before its newline)."""
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def _head_lines(text: str, count: int) -> list[Line]:
    lines: list[Line] = []
    start = 0
    while len(lines) < count and start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        lines.append(Line(start, end, text[start:end]))
        start = end + 1
    return lines


def _tail_lines(text: str, count: int) -> list[Line]:
    """The last ``count`` lines in text order, found from the end so a novel is not split."""
    lines: list[Line] = []
    end = len(text)
    while len(lines) < count and end >= 0:
        start = text.rfind("\n", 0, end) + 1
        lines.append(Line(start, end, text[start:end]))
        if start == 0:
            break
        end = start - 1
    return lines[::-1]


def is_menu_like(line: str) -> bool:
    """Several very short entries side by side: ``首页 > 政务 > 动态``, ``长春 江城 四平 …``."""
    tokens = [token for token in MENU_SEPARATORS.split(line.strip()) if token]
    return len(tokens) >= 4 and sum(map(len, tokens)) / len(tokens) <= 5


def _is_short(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= SHORT_LINE and not SENTENCE_END.search(stripped)


def navigation_span(text: str) -> tuple[int, int] | None:
    """The site navigation above the headline, or None.

    With a date line near the top (``时间:2021-09-29 08:13``), the headline is the line above it
    and everything before the headline is navigation, provided it is all short lines and at least
    one is a menu. Without one, the navigation is the leading short lines up to the last menu.
    """
    lines = _head_lines(text, HEADER_WINDOW)
    for index, line in enumerate(lines):
        if len(line.text.strip()) > 120 or not DATE_LINE.search(line.text):
            continue
        title = next((i for i in range(index - 1, -1, -1) if not lines[i].blank), None)
        if title is None:
            return None
        before = [line.text for line in lines[:title] if not line.blank]
        if before and all(map(_is_short, before)) and any(map(is_menu_like, before)):
            return (0, lines[title].start)
        return None
    last_menu = None
    for line in lines:
        if line.blank:
            continue
        if not _is_short(line.text):
            break
        if is_menu_like(line.text):
            last_menu = line
    if last_menu is None:
        return None
    menus = [line for line in lines if line.end <= last_menu.end and is_menu_like(line.text)]
    if len(menus) < 2:
        return None
    return (0, min(last_menu.end + 1, len(text)))


def _is_marker(line: str) -> bool:
    """An editor credit, or a notice standing on its own: short, bracketed or a heading."""
    stripped = line.strip()
    if len(stripped) > MARKER_LINE:
        return False
    if EDITOR.search(stripped):
        return True
    notice_like = (
        len(stripped) <= NOTICE_LINE
        or stripped.startswith(NOTICE_OPENERS)
        or stripped.endswith((":", "："))
    )
    return notice_like and bool(NOTICE.search(stripped))


def _is_light(line: str) -> bool:
    """Footer material that may run long: short lines, credits, and non-Chinese paragraphs."""
    return _is_short(line) or not CJK.search(line)


def footer_span(text: str) -> tuple[int, int] | None:
    """Editor credits, copyright notices and link lists at the end, or None.

    The footer starts at the earliest marker line (``编 辑:``, ``…版權…聲明``, ``Copyright``)
    among the last few non-empty lines or the trailing run of short lines, and runs to the end;
    menus and blank lines directly above that marker belong to it too.
    """
    lines = _tail_lines(text, TRAILING_RUN_LIMIT)
    non_blank = [index for index, line in enumerate(lines) if not line.blank]
    if not non_blank:
        return None
    zone_start = non_blank[max(0, len(non_blank) - FOOTER_LOOKBACK)]
    for index in reversed(non_blank):
        if not _is_light(lines[index].text):
            break
        zone_start = min(zone_start, index)
    first = next(
        (i for i in range(zone_start, len(lines)) if _is_marker(lines[i].text)),
        None,
    )
    if first is None:
        return None
    while first > 0 and (lines[first - 1].blank or is_menu_like(lines[first - 1].text)):
        first -= 1
    while lines[first].blank:
        first += 1
    if first == 0 and lines[0].start == 0:
        return None  # the whole text would be "footer": that is a notice, not a page
    return (lines[first].start, len(text))


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Code-point spans of ``text`` that are site chrome rather than the article, in order."""
    spans = [span for span in (navigation_span(text), footer_span(text)) if span]
    if len(spans) == 2 and spans[1][0] < spans[0][1]:
        return [spans[0]]
    return [span for span in spans if span[1] > span[0]]
