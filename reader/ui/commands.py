"""The command palette's reader commands: open a document by title, pick a script, and the rest.

Titles are data: each hit is plain ``Content`` (never markup) with control characters shown as
symbols, and the fuzzy match is painted on top of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from reader.core.coders import whose_choices, whose_label
from reader.core.convert import SCRIPT_CYCLE
from reader.core.display import visible_line

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen

Command = tuple[str, Callable[[], object], str]
"""(what the palette shows, what it runs, a line of help)."""


def plain_highlight(matcher: Matcher, candidate: str) -> Content:
    """The candidate as plain text with the matched characters styled (Matcher.highlight would
    read the candidate as markup, and a title like ``[b]x`` is not markup)."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def reader_commands(screen: MainScreen) -> Iterator[Command]:
    """Every reader command the palette offers, actions first, then scripts, then documents."""
    yield ("Import a file or folder", screen.action_import, "i · runs in the background")
    yield ("Export annotations as CSV", screen.action_export, "e · asks for a path")
    yield ("Show or hide the library", partial(screen.action_toggle_pane, "library"), "l")
    yield ("Show or hide the annotations", partial(screen.action_toggle_pane, "panel"), "a")
    yield (
        "Fold or show site navigation and footer",
        screen.action_toggle_navigation,
        "n · the page's menus and footer, one line each",
    )
    yield (
        "Search the library (concordance)",
        screen.action_search_library,
        "ctrl+f · every match in any script, keyword in context",
    )
    yield (
        "Codebook: codes, counts, rename, merge, move, recolour",
        screen.action_codebook,
        "b · the codes in a tree; every change undoable with u",
    )
    yield ("Memo on this document", screen.action_document_memo, "M · like a comment")
    yield (
        "Coded passages (retrieve by codes)",
        screen.action_coded_passages,
        "p · every passage of some codes: any, all overlapping, A but not B",
    )
    yield (
        "Reports: frequencies, co-occurrence, timeline",
        screen.action_reports,
        "R · the codes counted, as charts and tables",
    )
    yield ("Keys: every key (help)", screen.action_help, "?")
    yield (
        "Disagreements between coders",
        screen.action_disagreements,
        "D · two coders and a code: where they differ, jump, settle",
    )
    yield ("Undo", screen.action_undo, "u · your own last change")
    yield ("Redo", screen.action_redo, "ctrl+r")
    me = screen.store.coder
    coders = [name for name, _ in screen.store.annotations.coders()]
    for whose in whose_choices(me, coders):
        label = visible_line(whose_label(whose, me))
        yield (f"Highlights: {label}", partial(screen.show_whose, whose), "w cycles through them")
    for config, label in SCRIPT_CYCLE:
        name = f"Script: {label}" + (f" ({config})" if config else "")
        yield (name, partial(screen.show_script, config), "s cycles through them")
    in_script = screen.in_script()
    for document in screen.store.documents.summaries():
        title = visible_line(in_script(document.title)) or "(untitled)"
        # The palette reads a hit's help line as markup: a path is data, so escape it.
        where = escape(visible_line(document.path or document.source))
        yield (f"Open: {title}", partial(screen.open_and_read, document.id), where)


class ReaderCommands(Provider):
    """The palette (ctrl+p) on the reading screen: type part of a command or a title."""

    async def discover(self) -> Hits:
        from reader.ui.screens.main import MainScreen

        if not isinstance(self.screen, MainScreen):
            return
        for name, run, help_text in reader_commands(self.screen):
            yield DiscoveryHit(Content(name), run, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        from reader.ui.screens.main import MainScreen

        if not isinstance(self.screen, MainScreen):
            return
        matcher = self.matcher(query)
        for name, run, help_text in reader_commands(self.screen):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, name), run, text=name, help=help_text)
