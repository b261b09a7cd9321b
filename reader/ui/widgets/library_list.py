"""The library: every article with its date, source, script and annotation count."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import PurePath

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message

from reader.core.display import visible_line
from reader.core.layout import wrap
from reader.core.models import DocumentSummary
from reader.core.naming import distinguishing_paths
from reader.ui.safe_text import line_text
from reader.ui.widgets.item_list import ItemList

SCRIPT_BADGES = {"simplified": "简", "traditional": "繁", "japanese": "日", "neutral": "中"}


class LibraryList(ItemList):
    """Lists the documents; choosing one posts :class:`LibraryList.DocumentChosen`.

    Typing filters the list by title (as on screen or as stored), source or file name: a
    Chinese character starts the filter, ``/`` starts it for Latin letters and digits too.
    """

    ITEM_HEIGHT = 4  # two lines of title, one of details, one blank

    BINDINGS = [
        Binding("enter", "choose", "Open", tooltip="Open the highlighted document", show=False),
        # Letters keep their meaning here (t tags, q quits) until / is pressed; a Chinese
        # character, what titles are made of, starts the filter by itself.
        Binding(
            "slash",
            "start_filter",
            "Filter",
            tooltip="Filter by title, source or file name (typing a Chinese character also does)",
        ),
        Binding(
            "backspace",
            "filter_back",
            "Filter back",
            tooltip="Take the last character off the filter",
            show=False,
        ),
        Binding(
            "escape",
            "leave",
            "Clear filter",
            tooltip="Clear the filter; with none, back to the article",
            show=False,
        ),
    ]

    class DocumentChosen(Message):
        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    class Left(Message):
        """Esc with no filter: the user is done with the library."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.all_documents: list[DocumentSummary] = []
        """Every document in the library."""
        self.documents: list[DocumentSummary] = []
        """The ones the filter lets through, in the order shown."""
        self.filter_text = ""
        self.filtering = False
        """Whether printable keys go to the filter (after ``/`` or a Chinese character)."""
        self._in_script: Callable[[str], str] = str
        self._paths: dict[int, str] = {}
        """Path tails for documents whose titles repeat (shown so they can be told apart)."""

    def show_documents(
        self,
        documents: Sequence[DocumentSummary],
        current: int | None,
        in_script: Callable[[str], str] = str,
    ) -> None:
        """List ``documents``, their titles and sources shown through ``in_script``."""
        self.all_documents = list(documents)
        self._in_script = in_script
        self._paths = distinguishing_paths((d.id, d.title, d.path) for d in self.all_documents)
        self._apply_filter(current)

    def _apply_filter(self, current: int | None) -> None:
        wanted = self.filter_text.casefold()
        self.documents = [d for d in self.all_documents if wanted in self._haystack(d)]
        index = next((i for i, d in enumerate(self.documents) if d.id == current), None)
        if index is None and wanted and self.documents:
            index = 0
        self.reset(len(self.documents), index)
        title = Content("Library")
        if self.filter_text or self.filtering:
            caret = "▏" if self.filtering else ""
            title += Content(f" · /{visible_line(self.filter_text)}{caret}")
        self.border_title = title

    def _haystack(self, document: DocumentSummary) -> str:
        parts = (
            document.title,
            self._in_script(document.title),
            document.source,
            PurePath(document.path).name if document.path else "",
        )
        return "\n".join(parts).casefold()

    @property
    def current_id(self) -> int | None:
        if self.highlighted is None or self.highlighted >= len(self.documents):
            return None
        return self.documents[self.highlighted].id

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._apply_filter(self.current_id)

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if not (event.is_printable and character):
            return
        if not self.filtering and not character.isascii():
            self.filtering = True
        if self.filtering:
            event.stop()
            event.prevent_default()
            self.set_filter(self.filter_text + character)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.filtering = True
        self.set_filter(self.filter_text + visible_line(event.text))

    def on_blur(self) -> None:
        if self.filtering:
            self.filtering = False
            self.set_filter(self.filter_text)

    def action_start_filter(self) -> None:
        self.filtering = True
        self.set_filter(self.filter_text)

    def action_filter_back(self) -> None:
        if self.filter_text:
            self.set_filter(self.filter_text[:-1])

    def action_leave(self) -> None:
        if self.filter_text or self.filtering:
            self.filtering = False
            self.set_filter("")
        else:
            self.post_message(self.Left())

    def empty_text(self) -> str:
        if self.filter_text:
            return f"Nothing matches “{visible_line(self.filter_text)}”. Backspace or Esc."
        return "The library is empty: i imports a file or a folder."

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
        # Titles that repeat (a folder of saved pages, all "expected"): the file tells them apart.
        path = visible_line(self._paths.get(document.id, ""))
        details = Text("    " + (" · ".join(p for p in (path, day, source) if p) or "—"))
        details.stylize("dim")
        if document.annotation_count:
            details.append(f"  ✎ {document.annotation_count}", style="italic")
        return [*lines, details]

    def on_item_list_chosen(self, event: ItemList.Chosen) -> None:
        event.stop()
        self.filtering = False
        self.post_message(self.DocumentChosen(self.documents[event.index].id))
