"""Coded passages, grouped by document: the concordance's lines, a document's title on the first
line of its group only, so each document's passages read as one block."""

from __future__ import annotations

from textual.binding import Binding

from reader.ui.widgets.concordance_list import ConcordanceList


class PassageList(ConcordanceList):
    """A ConcordanceList whose lines are coded passages (the match is the passage)."""

    BINDINGS = [
        Binding("enter", "choose", "Open", tooltip="Open the article at the passage", show=False),
        Binding("space", "page(1)", "Page down", tooltip="A page of passages down", show=False),
    ]

    def title_cell(self, index: int) -> str:
        line = self.lines[index]
        if index and self.lines[index - 1].document_id == line.document_id:
            return "  ·"
        return super().title_cell(index)
