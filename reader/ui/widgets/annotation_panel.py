"""The side panel: the current article's annotations in text order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from reader.core.models import Annotation, AnnotationStatus
from reader.ui.safe_text import line_text
from reader.ui.widgets.item_list import ItemList


def _one_line(passage: str) -> str:
    """A passage on one row: line breaks shown as ⏎, control characters as symbols."""
    return line_text(passage.replace("\n", " ⏎ "))


class AnnotationPanel(ItemList):
    """Lists annotations; posts what the user wants done with one, the screen does it."""

    ITEM_HEIGHT = 4  # quote, tags, coder and comment, blank

    BINDINGS = [
        Binding("enter", "choose", "Jump", tooltip="Jump to the passage in the article"),
        Binding("t", "edit_tags", "Tags", tooltip="Edit the highlighted annotation's tags"),
        Binding("c", "edit_comment", "Comment", tooltip="Edit its comment"),
        Binding("d,delete", "delete", "Delete", tooltip="Delete it (asks first)"),
    ]

    @dataclass
    class AnnotationMessage(Message):
        """Something the user asked for on one annotation; the screen does it."""

        annotation_id: int

    class JumpTo(AnnotationMessage):
        """Show the annotation's passage in the article, the cursor on its first character."""

    class EditTags(AnnotationMessage):
        """Open the tag picker on the annotation's tags."""

    class EditComment(AnnotationMessage):
        """Open the comment editor on the annotation's comment."""

    class Delete(AnnotationMessage):
        """Delete the annotation (the screen asks first)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.annotations: list[Annotation] = []
        self._quote: Callable[[Annotation], str] = lambda annotation: annotation.quote

    def show_annotations(
        self, annotations: Sequence[Annotation], quote_in_script: Callable[[Annotation], str]
    ) -> None:
        """Show ``annotations`` in text order, orphans last, each quoted via ``quote_in_script``
        (called only for the items that come on screen)."""
        kept = self.highlighted_annotation_id
        self.annotations = [a for a in annotations if a.status == AnnotationStatus.ACTIVE]
        self.annotations += [a for a in annotations if a.status != AnnotationStatus.ACTIVE]
        self._quote = quote_in_script
        self.reset(len(self.annotations))
        if kept is not None:
            self.highlight_annotation(kept)

    def empty_text(self) -> str:
        return (
            "No annotations in this article yet. To make one: in the article, v at the first"
            " character, arrows to the last (or drag with the mouse), then t to tag it or c to"
            " comment on it."
        )

    @property
    def highlighted_annotation_id(self) -> int | None:
        if self.highlighted is None or self.highlighted >= len(self.annotations):
            return None
        return self.annotations[self.highlighted].id

    def highlight_annotation(self, annotation_id: int) -> None:
        for index, annotation in enumerate(self.annotations):
            if annotation.id == annotation_id:
                self.highlight(index)
                return

    def item_lines(self, index: int, width: int) -> list[Text]:
        annotation = self.annotations[index]
        if annotation.status == AnnotationStatus.ACTIVE:
            quote = Text(f"「{_one_line(self._quote(annotation))}」")
        else:
            quote = Text("⚠ orphan: ", style="bold red")
            quote.append(f"「{_one_line(annotation.quote)}」")
        tags = Text()
        for tag in annotation.tags:
            tags.append(f" {line_text(tag.name)} ", style=f"black on {tag.color}")
            tags.append(" ")
        if not annotation.tags:
            tags.append("(no tags)", style="dim")
        comment = Text(line_text(annotation.coder) or "?", style="dim")
        if annotation.comment:
            comment.append(f"  💬 {line_text(annotation.comment)}", style="italic")
        return [quote, tags, comment]

    def on_item_list_chosen(self, event: ItemList.Chosen) -> None:
        event.stop()
        self.post_message(self.JumpTo(self.annotations[event.index].id))

    def _post_for_highlighted(self, message: type[AnnotationMessage]) -> None:
        annotation_id = self.highlighted_annotation_id
        if annotation_id is not None:
            self.post_message(message(annotation_id))

    def action_edit_tags(self) -> None:
        self._post_for_highlighted(self.EditTags)

    def action_edit_comment(self) -> None:
        self._post_for_highlighted(self.EditComment)

    def action_delete(self) -> None:
        self._post_for_highlighted(self.Delete)
