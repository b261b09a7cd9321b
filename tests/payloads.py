"""Hostile strings that must show as themselves everywhere: one corpus for every surface.

Each is a title, passage, tag name, comment, file name or error text a user could really have
(forum text is full of ``[/quote]``; a saved page can carry escape sequences). Tests push each
one through every place the app or the command line shows a string, and check that it appears
as text: no markup applied, no crash, no action run, no control character on the terminal.
"""

from __future__ import annotations

MARKUP = (
    "[/]",
    "[/quote]",
    "[/图]",
    "数组a[i]",
    "[bold]粗体[/bold]",
    "[@click=app.quit]点我退出[/]",
    "[@click=app.screenshot('x.svg','shots')]截图[/]",
    "[link=https://example.invalid]链接[/link]",
    "[red on blue]彩色",
)
"""Rich/Textual markup: must be shown literally, never parsed."""

CONTROLS = (
    "\x1b[2J清屏",
    "\x1b]52;c;aGVsbG8=\x07剪贴板",
    "\x1b]8;;https://example.invalid\x1b\\超链接\x1b]8;;\x1b\\",
    "\x9b2J八位",
    "响铃\x07退格\x08",
)
"""Terminal control sequences (C0 and C1): must reach the terminal only as visible symbols."""

ALL = MARKUP + CONTROLS
