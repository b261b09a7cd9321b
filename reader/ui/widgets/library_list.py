"""The library: every article with its date, source, script and annotation count."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.models import DocumentSummary

SCRIPT_BADGES = {"simplified": "简", "traditional": "繁"}


class LibraryList(OptionList):
    """Lists the documents; choosing one posts :class:`LibraryList.DocumentChosen`."""

    class DocumentChosen(Message):
        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    def show_documents(
        self,
        documents: Sequence[DocumentSummary],
        current: int | None,
        in_script: Callable[[str], str] = str,
    ) -> None:
        """List ``documents``, their titles and sources shown through ``in_script``."""
        self.set_options(Option(self._prompt(d, in_script), id=str(d.id)) for d in documents)
        if current is not None:
            for index, document in enumerate(documents):
                if document.id == current:
                    self.highlighted = index

    @staticmethod
    def _prompt(document: DocumentSummary, in_script: Callable[[str], str]) -> Text:
        badge = SCRIPT_BADGES.get(document.script, "?")
        prompt = Text()
        prompt.append(f"\u00a0{badge}\u00a0", style="bold reverse")
        prompt.append(f"\u00a0{in_script(document.title) or '(untitled)'}\n", style="bold")
        source = in_script(document.source)
        details = " · ".join(part for part in (document.published, source) if part)
        prompt.append(f"    {details or '—'}", style="dim")
        count = document.annotation_count
        prompt.append(f"  ✎ {count}" if count else "", style="italic")
        return prompt

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.DocumentChosen(int(event.option.id)))
