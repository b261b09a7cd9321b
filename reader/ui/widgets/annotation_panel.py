"""The side panel: the current article's annotations in text order."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from reader.core.models import Annotation

QUOTE_CHARS = 60
"""How much of a passage the panel shows before eliding the rest."""


class AnnotationPanel(OptionList):
    """Lists annotations; posts what the user wants done with one, the screen does it."""

    BINDINGS = [
        Binding(
            "t",
            "request('tags')",
            "Tags",
            tooltip="Edit the highlighted annotation's tags",
            id="panel-tags",
        ),
        Binding(
            "c", "request('comment')", "Comment", tooltip="Edit its comment", id="panel-comment"
        ),
        Binding(
            "d,delete",
            "request('delete')",
            "Delete",
            tooltip="Delete it (asks first)",
            id="panel-delete",
        ),
    ]

    class Requested(Message):
        """The user asked for ``action`` ("jump", "tags", "comment", "delete") on an annotation."""

        def __init__(self, action: str, annotation_id: int) -> None:
            super().__init__()
            self.action = action
            self.annotation_id = annotation_id

    def show_annotations(
        self, annotations: Sequence[Annotation], quote_in_script: Callable[[Annotation], str]
    ) -> None:
        """Show ``annotations``, each quoted in the script on screen via ``quote_in_script``."""
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.set_options(
            Option(self._prompt(a, quote_in_script(a)), id=str(a.id))
            for a in annotations
            if a.status == "active"
        )
        orphans = [a for a in annotations if a.status == "orphan"]
        for orphan in orphans:
            self.add_option(Option(self._prompt(orphan, orphan.quote), id=str(orphan.id)))
        if highlighted is not None:
            self.highlight_annotation(int(highlighted))

    def highlight_annotation(self, annotation_id: int) -> None:
        try:
            self.highlighted = self.get_option_index(str(annotation_id))
        except OptionDoesNotExist:  # deleted meanwhile: leave the highlight where it is
            return

    @staticmethod
    def _prompt(annotation: Annotation, quote: str) -> Text:
        prompt = Text()
        if annotation.status == "orphan":
            prompt.append("⚠ orphan: its passage is no longer in the text\n", style="bold red")
        shown = quote.replace("\n", " ⏎ ")
        if len(shown) > QUOTE_CHARS:
            shown = shown[: QUOTE_CHARS - 1] + "…"
        prompt.append(f"「{shown}」\n")
        for tag in annotation.tags:
            prompt.append(f" {tag.name} ", style=f"black on {tag.color}")
            prompt.append(" ")
        if not annotation.tags:
            prompt.append("(no tags)", style="dim")
        if annotation.comment:
            comment = annotation.comment.replace("\n", " ")
            prompt.append(f"\n💬 {comment[:QUOTE_CHARS]}", style="italic")
        return prompt

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Requested("jump", int(event.option.id)))

    def action_request(self, action: str) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Requested(action, int(option.id)))
