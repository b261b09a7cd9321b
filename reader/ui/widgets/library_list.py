"""The library: every article with its date, source, script and annotation count."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.message import Message

from reader.core.layout import wrap
from reader.core.models import DocumentSummary
from reader.ui.safe_text import line_text
from reader.ui.widgets.item_list import ItemList

SCRIPT_BADGES = {"simplified": "简", "traditional": "繁"}


class LibraryList(ItemList):
    """Lists the documents; choosing one posts :class:`LibraryList.DocumentChosen`."""

    ITEM_HEIGHT = 4  # two lines of title, one of details, one blank

    class DocumentChosen(Message):
        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.documents: list[DocumentSummary] = []
        self._in_script: Callable[[str], str] = str

    def show_documents(
        self,
        documents: Sequence[DocumentSummary],
        current: int | None,
        in_script: Callable[[str], str] = str,
    ) -> None:
        """List ``documents``, their titles and sources shown through ``in_script``."""
        self.documents = list(documents)
        self._in_script = in_script
        index = next((i for i, d in enumerate(self.documents) if d.id == current), None)
        self.reset(len(self.documents), index)

    def item_lines(self, index: int, width: int) -> list[Text]:
        document = self.documents[index]
        badge = SCRIPT_BADGES.get(document.script, "?")
        # Wrapped as the article is (a CJK title may break between any two characters).
        title = line_text(self._in_script(document.title))  # measured as it will be drawn
        heading = f" {badge}  {title or '(untitled)'}"
        lines = [Text(heading[a:b], style="bold") for a, b in wrap(heading, width)[:2]]
        lines[0].stylize("reverse", 0, 3)
        while len(lines) < 2:
            lines.append(Text())
        source = line_text(self._in_script(document.source))
        day = document.published.split(" ")[0]  # the time of day does not fit beside the source
        details = Text("    " + (" · ".join(p for p in (day, source) if p) or "—"))
        details.stylize("dim")
        if document.annotation_count:
            details.append(f"  ✎ {document.annotation_count}", style="italic")
        return [*lines, details]

    def on_item_list_chosen(self, event: ItemList.Chosen) -> None:
        event.stop()
        self.post_message(self.DocumentChosen(self.documents[event.index].id))
