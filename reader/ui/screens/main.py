"""The reading screen: library, article, annotations. It orchestrates; the store does the work."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, ProgressBar

from reader.core.boilerplate import boilerplate_spans
from reader.core.coders import next_whose, whose_label
from reader.core.config import Settings
from reader.core.convert import SCRIPT_CYCLE, converter
from reader.core.display import visible_line
from reader.core.export import export_to_file
from reader.core.importing import ImportProgress, ImportResult, import_files
from reader.core.models import (
    Annotation,
    AnnotationStatus,
    Document,
    DocumentSummary,
    UndoResult,
)
from reader.core.search import FoldedCache
from reader.core.store import Store, StoreError
from reader.ui.commands import ReaderCommands
from reader.ui.keys import help_rows, key_labels, own_bindings
from reader.ui.messages import (
    ConnectionChanged,
    DatabaseChanged,
    ExportFailed,
    ExportFinished,
    ImportFinished,
    ImportProgressed,
)
from reader.ui.screens.codebook import CodebookScreen  # its keys are listed below
from reader.ui.screens.coded_passages import CodedPassagesScreen, PassageJump  # keys below
from reader.ui.screens.concordance import ConcordanceScreen, Jump  # its keys are listed below
from reader.ui.screens.disagreements import DisagreementScreen, PlaceJump  # and these
from reader.ui.screens.reports import ReportsScreen  # its keys are listed below
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.code_tree import CodeTree
from reader.ui.widgets.concordance_list import ConcordanceList
from reader.ui.widgets.disagreement_list import DisagreementList
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.footer import ReaderFooter
from reader.ui.widgets.item_list import ItemList
from reader.ui.widgets.library_list import LibraryList
from reader.ui.widgets.passage_list import PassageList

POLL_SECONDS = 2.0
"""How often to look (one cheap query) for changes another program made to the database."""

NARROW_WIDTH = 100
"""Below this many columns the side panes are hidden until asked for (l, a): the article needs
the width more (at 80 columns side by side it would get four)."""

JUMP_CONTEXT_ROWS = 3
"""Rows of text kept above a passage the view jumps to ([ ], Enter in the panel, undo)."""

if TYPE_CHECKING:
    from reader.ui.screens.import_dialog import ImportRequest

# The dialogs are imported where they are opened: none is needed for the first frame, and
# importing all six cost 20 ms of every start.

T = TypeVar("T")


class MainScreen(Screen[None]):
    BINDINGS = [
        # The footer shows these in this order, and a narrow footer keeps only the first ones.
        Binding(
            "t",
            "tag",
            "Tag",
            tooltip="Tag the selection, or the annotation under the cursor",
            id="tag",
        ),
        Binding(
            "c",
            "comment",
            "Comment",
            tooltip="Comment on the selection, or the annotation under the cursor",
            id="comment",
        ),
        Binding(
            "l",
            "toggle_pane('library')",
            "Library",
            tooltip="Show or hide the library (narrow windows hide it until asked)",
            id="library",
        ),
        Binding(
            "a",
            "toggle_pane('panel')",
            "Notes",
            tooltip="Show or hide the annotations (narrow windows hide them until asked)",
            id="notes",
        ),
        Binding("question_mark", "help", "Keys", tooltip="Every key", id="help"),
        Binding(
            "s",
            "cycle_script",
            "Script",
            tooltip="Switch script: original → 简体 → 繁體 → 臺灣 → 香港 → 臺灣用語",
            id="script",
        ),
        Binding(
            "right_square_bracket",
            "next_annotation(1)",
            "Next note",
            tooltip="Go to the next annotation",
            show=False,
            id="next_annotation",
        ),
        Binding(
            "left_square_bracket",
            "next_annotation(-1)",
            "Previous note",
            tooltip="Go to the previous annotation",
            show=False,
            id="previous_annotation",
        ),
        Binding(
            "m",
            "move_annotation",
            "Move note to selection",
            tooltip="Move the annotation highlighted in the panel to the selection",
            show=False,
            id="move_annotation",
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            tooltip="Undo the last annotation change (kept across restarts)",
            id="undo",
        ),
        Binding("ctrl+r", "redo", "Redo", tooltip="Redo what was undone", id="redo"),
        Binding(
            "D",
            "disagreements",
            "Disagreements",
            tooltip="Where two coders differ on a code: compare, jump, settle (keep A's, B's,"
            " union, both)",
            show=False,
            id="disagreements",
        ),
        Binding(
            "b",
            "codebook",
            "Codebook",
            tooltip="The codebook: codes in a tree; rename, merge, move, recolour, describe",
            show=False,
            id="codebook",
        ),
        Binding(
            "M",
            "document_memo",
            "Memo",
            tooltip="Write the memo on this document",
            show=False,
            id="document_memo",
        ),
        Binding(
            "w",
            "cycle_whose",
            "Whose",
            tooltip="Whose highlights to show: everyone's → mine → each other coder's",
            show=False,
            id="whose",
        ),
        Binding("e", "export", "Export", tooltip="Export every annotation as CSV", id="export"),
        Binding("i", "import", "Import", tooltip="Import a file or folder", id="import"),
        Binding(
            "r",
            "reload",
            "Reload",
            tooltip="Show changes another program made to the database",
            show=False,
            id="reload",
        ),
        Binding(
            "n",
            "toggle_navigation",
            "Fold navigation",
            tooltip="Fold the page's site navigation and footer, or show them dimmed",
            show=False,
            id="fold_navigation",
        ),
        Binding("slash", "find", "Find", tooltip="Find in the article, in any script", id="find"),
        Binding(
            "ctrl+f",
            "search_library",
            "Search all",
            tooltip="Search the library: every match, keyword in context (concordance)",
            id="search_library",
        ),
        Binding(
            "p",
            "coded_passages",
            "Passages",
            tooltip="Coded passages: every passage of some codes (any, all, A but not B)",
            show=False,
            id="coded_passages",
        ),
        Binding(
            "R",
            "reports",
            "Reports",
            tooltip="Reports: frequencies, co-occurrence and timeline of the codes, as charts",
            show=False,
            id="reports",
        ),
        Binding("q", "app.quit", "Quit", tooltip="Quit (everything is already saved)", id="quit"),
    ]

    COMMANDS = {ReaderCommands}
    config: var[str | None] = var(None)
    """The script on screen (an OpenCC config; None: the original). The article view's own
    ``config`` is bound to it: setting it here switches the view."""
    AUTO_FOCUS = "#article"
    """Whenever nothing has focus (a new screen, focus lost and back), the article gets it."""

    def __init__(
        self, store: Store, open_document: int | None = None, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        """The config file's: the script to start in, the panes a wide window shows."""
        self.document: Document | None = None
        self.annotations: list[Annotation] = []
        self._requested_document = open_document
        self.view = ArticleView(id="article")
        self._position_timer: Timer | None = None
        self.narrow: bool | None = None
        """Whether the window is narrower than NARROW_WIDTH (None until the first size)."""
        preferences = store.preferences.load()
        self.view.fold_boilerplate = preferences.fold_boilerplate
        self.search_cache = FoldedCache()
        """The library's folded texts, kept between concordance searches (issue 15)."""
        configs = [config for config, _ in SCRIPT_CYCLE]
        if self.settings.script is not None:  # the config file's script, each start
            self.config = self.settings.start_config
        else:  # the one chosen last
            self.config = preferences.script if preferences.script in configs else None
        self.whose: str | None = None
        """Whose annotations are highlighted and listed: None for everyone's, else a coder."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            yield LibraryList(id="library")
            yield self.view.data_bind(MainScreen.config)
            yield AnnotationPanel(id="panel")
        yield FindBar(id="find-bar")
        yield ProgressBar(id="import-progress", show_eta=False)
        yield ReaderFooter()

    def on_mount(self) -> None:
        self.query_one("#library").border_title = "Library"
        self.query_one("#panel").border_title = "Annotations"
        documents = self.store.documents.summaries()
        known = {d.id for d in documents}
        wanted = self._requested_document or self.store.preferences.load().last_document
        chosen = wanted if wanted in known else (documents[0].id if documents else None)
        self._show_library(documents, chosen)
        self._fit_width(self.app.size.width)
        if chosen is not None:
            self.open_document(chosen)
        self.view.focus()
        if self.store.read_only:
            self.notify(
                f"{self.store.location} cannot be written: reading only, nothing can be saved.",
                title="Read-only",
                severity="warning",
                timeout=15,
            )
        self._seen_version = self.store.change_token()
        self.set_interval(POLL_SECONDS, self._check_other_writers)
        # A server tells of other coders' commits as they happen (LISTEN/NOTIFY): shown at
        # once, not at the next poll; and of a lost connection, and its return.
        # The listener has a thread of its own: it posts messages (safe from any thread, and
        # dropped once the screen is gone).
        on_change = getattr(self.store.gateway, "on_change", None)
        if on_change is not None:
            on_change(lambda: self.post_message(DatabaseChanged()))
        on_connection = getattr(self.store.gateway, "on_connection", None)
        if on_connection is not None:
            on_connection(lambda up: self.post_message(ConnectionChanged(up)))

    @on(DatabaseChanged)
    def show_other_coders_changes(self) -> None:
        if self.app.screen is not self:
            # A screen on top that follows changes itself (the codebook) is told; this one
            # looks when it is back on top (its poll sees the change token moved).
            self.app.screen.post_message(DatabaseChanged())
            return
        self._check_other_writers()

    @on(ConnectionChanged)
    def show_connection_state(self, event: ConnectionChanged) -> None:
        if event.up:
            self.notify(f"Connected to {self.store.location} again.", title="Database")
            self._check_other_writers()
        else:
            self.notify(
                f"Lost the connection to {self.store.location}: reconnecting. What you type"
                " is kept; a change made now is not saved (you are told) until it is back.",
                title="Database",
                severity="error",
                timeout=10,
            )

    # Panes and width

    def on_resize(self, event: events.Resize) -> None:
        self._fit_width(event.size.width)

    def _fit_width(self, width: int) -> None:
        """Wide: library, article, annotations side by side. Narrow: the article alone, the
        panes shown on demand. Crossing the line puts the panes back to that size's default."""
        narrow = width < NARROW_WIDTH
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.set_class(narrow, "-narrow")
        self.query_one(ReaderFooter).essential_only = narrow
        panes = self.settings.panes
        wanted = {"library": panes["library"], "panel": panes["annotations"]}
        for pane, shown in wanted.items():
            self._show_pane(pane, shown and not narrow, focus=False)

    def _show_pane(self, pane: str, shown: bool, *, focus: bool) -> None:
        widget = self.query_one(f"#{pane}")
        if not shown and widget.has_focus_within:
            self.view.focus()
        widget.display = shown
        if shown and focus:
            widget.focus()

    def action_toggle_pane(self, pane: str) -> None:
        """Show a side pane (and go there), or hide it (and go back to the article)."""
        shown = not self.query_one(f"#{pane}").display
        self._show_pane(pane, shown, focus=True)

    def _done_with_pane(self, pane: str) -> None:
        """A choice was made in a pane: on a narrow window it makes room for the article again."""
        if self.narrow:
            self._show_pane(pane, False, focus=False)
        self.view.focus()

    # Opening and showing

    def open_and_read(self, document_id: int) -> None:
        """Open a document with the focus in its article, ready to move and select."""
        self.open_document(document_id)
        self._show_library(self.store.documents.summaries(), document_id)
        self._done_with_pane("library")

    def in_script(self) -> Callable[[str], str]:
        """Converts short strings (titles, passages in notices) to the script on screen."""
        return self._in_script()

    def open_document(self, document_id: int) -> None:
        self._save_position()
        self.query_one(FindBar).action_close()
        self.document = self.store.documents.get(document_id)
        self.annotations = self.store.annotations.for_document(document_id)
        self.store.preferences.update(last_document=document_id)
        self.view.show_document(
            self.document.text,
            config=self.config,
            annotations=self._shown(),
            boilerplate=boilerplate_spans(self.document.text),
            top_offset=self.store.preferences.position(document_id),
        )
        self._show_panel()
        self._show_memo()
        self._update_title()

    def _in_script(self) -> Callable[[str], str]:
        """Converts short strings (titles, sources) to the script on screen."""
        return converter(self.config).convert if self.config else str

    def _update_title(self) -> None:
        label = dict(SCRIPT_CYCLE)[self.config]
        self.title = self._in_script()(self.document.title) if self.document else "reader"
        self.sub_title = f"{label}" + (f" · {self.config}" if self.config else "")
        self.sub_title += f" · {self.store.coder}"
        if self.whose is not None:
            self.sub_title += f" · showing {whose_label(self.whose, self.store.coder)}"
        if self.store.read_only:
            self.sub_title += " · read-only"

    def _shown(self) -> list[Annotation]:
        """The document's annotations whose highlights are shown (all, or one coder's)."""
        if self.whose is None:
            return self.annotations
        return [a for a in self.annotations if a.coder == self.whose]

    def _show_panel(self) -> None:
        self.query_one(AnnotationPanel).show_annotations(self._shown(), self._quote)

    def _quote(self, annotation: Annotation) -> str:
        return self._passage((annotation.start, annotation.end), annotation)

    def _passage(self, span: tuple[int, int], annotation: Annotation | None) -> str:
        """A passage as it reads on screen; an orphan's offsets are stale, so its saved quote."""
        if annotation is not None and annotation.status != AnnotationStatus.ACTIVE:
            return annotation.quote
        return self.view.passage(*span)

    def _annotations_changed(self, focus_id: int | None = None) -> None:
        assert self.document is not None
        self.annotations = self.store.annotations.for_document(self.document.id)
        focused = next((a for a in self.annotations if a.id == focus_id), None)
        if focused is not None and self.whose is not None and focused.coder != self.whose:
            # The annotation just changed (or brought back) would be hidden: show everyone's.
            self.whose = None
            self._update_title()
            self.notify("Showing everyone's annotations again.", title="Whose")
        self.view.set_annotations(self._shown())
        self._show_panel()
        self._show_memo()
        if focus_id is not None:
            self.query_one(AnnotationPanel).highlight_annotation(focus_id)
        self.refresh_bindings()
        self._show_library(self.store.documents.summaries(), self.document.id)

    def _show_library(self, documents: list[DocumentSummary], current: int | None) -> None:
        self.query_one(LibraryList).show_documents(documents, current, self._in_script())

    def _save_position(self) -> None:
        if self.document is not None and self.view.layout_ is not None:
            self.store.preferences.set_position(self.document.id, self.view.top_offset())

    def on_unmount(self) -> None:
        # Read-only or gone: the reading position is a convenience, not user data.
        with suppress(StoreError):
            self._save_position()

    @on(LibraryList.DocumentChosen)
    def open_chosen_document(self, event: LibraryList.DocumentChosen) -> None:
        self.open_document(event.document_id)
        self._done_with_pane("library")

    @on(LibraryList.Left)
    def leave_library(self) -> None:
        self._done_with_pane("library")

    @on(ArticleView.OffsetsReady)
    def show_exact_passages(self) -> None:
        self._show_panel()

    @on(ArticleView.TopMoved)
    def remember_position_soon(self) -> None:
        # Scrolling fires many events: write the position once the reader settles.
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(0.5, self._save_position)

    @on(ArticleView.CursorMoved)
    def follow_cursor_in_panel(self, event: ArticleView.CursorMoved) -> None:
        under = self.view.annotations_at(event.offset)
        if under:
            self.query_one(AnnotationPanel).highlight_annotation(under[0].id)

    # Script

    def action_cycle_script(self) -> None:
        configs = [config for config, _ in SCRIPT_CYCLE]
        self.show_script(configs[(configs.index(self.config) + 1) % len(configs)])

    def show_script(self, config: str | None) -> None:
        """Show everything in ``config``'s script (None: the original) and remember it."""
        self.config = config  # the view follows (data binding)
        self.store.preferences.update(script=self.config)
        self._show_panel()
        self._show_library(
            self.store.documents.summaries(), self.document.id if self.document else None
        )
        self._update_title()

    # Annotating

    def _target(self) -> tuple[tuple[int, int], Annotation | None] | None:
        """What ``t`` and ``c`` act on: the selection (a new annotation), else the annotation
        under the cursor; None when there is neither."""
        selection = self.view.selection
        if selection is not None:
            return selection, None
        under = self.view.annotations_at(self.view.cursor)
        return ((under[0].start, under[0].end), under[0]) if under else None

    def action_tag(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Select a passage first: v, then arrows (or drag with the mouse).")
            return
        self._edit_tags(*target)

    @work
    async def _edit_tags(self, span: tuple[int, int], annotation: Annotation | None) -> None:
        from reader.ui.screens.tag_picker import TagPicker

        if self.document is None:
            return
        document_id = self.document.id
        chosen = [tag.name for tag in annotation.tags] if annotation else []
        passage = self._passage(span, annotation)
        names = await self.app.push_screen_wait(
            TagPicker(self.store.codebook.placed(), chosen, title=f"Tag 「{passage[:40]}」")
        )
        if names is None or (annotation is None and not names):
            return
        if annotation is not None:
            saved = self._write(lambda: self.store.annotations.set_tags(annotation.id, names))
        else:
            saved = self._write(
                lambda: self.store.annotations.create(document_id, *span, tags=names)
            )
            self.view.clear_selection()
        if saved is not None:
            self._annotations_changed(saved.id)

    def action_comment(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Select a passage (v) or put the cursor on a highlighted passage.")
            return
        self._edit_comment(*target)

    @work
    async def _edit_comment(self, span: tuple[int, int], annotation: Annotation | None) -> None:
        from reader.ui.screens.comment_editor import CommentEditor

        if self.document is None:
            return
        document_id = self.document.id
        typed = annotation.comment if annotation else ""
        while True:
            comment = await self.app.push_screen_wait(
                CommentEditor(typed, self._passage(span, annotation))
            )
            if comment is None:
                return
            if annotation is not None:
                saved = self._write(
                    partial(self.store.annotations.set_comment, annotation.id, comment)
                )
            else:
                saved = self._write(
                    partial(self.store.annotations.create, document_id, *span, comment=comment)
                )
            if saved is not None or self.store.read_only:
                break
            # Not saved (a lost connection, a busy server): the editor opens again with what
            # was typed, so nothing is lost; Escape gives up.
            typed = comment
        if annotation is None:
            self.view.clear_selection()
        if saved is not None:
            self._annotations_changed(saved.id)

    def _write(self, change: Callable[[], T]) -> T | None:
        """Run one store change; a failure is shown, never swallowed, and nothing is half-done."""
        try:
            return change()
        except StoreError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=10)
        return None

    def _listed(self, annotation_id: int) -> Annotation | None:
        """The annotation the panel names, if it is still in this article."""
        return next((a for a in self.annotations if a.id == annotation_id), None)

    @on(AnnotationPanel.JumpTo)
    def jump_to_annotation(self, event: AnnotationPanel.JumpTo) -> None:
        annotation = self._listed(event.annotation_id)
        if annotation is not None and annotation.status == AnnotationStatus.ACTIVE:
            self.view.move_cursor(annotation.start, context_rows=JUMP_CONTEXT_ROWS)
            self._done_with_pane("panel")

    @on(AnnotationPanel.EditTags)
    def edit_tags_from_panel(self, event: AnnotationPanel.EditTags) -> None:
        annotation = self._listed(event.annotation_id)
        if annotation is not None:
            self._edit_tags((annotation.start, annotation.end), annotation)

    @on(AnnotationPanel.EditComment)
    def edit_comment_from_panel(self, event: AnnotationPanel.EditComment) -> None:
        annotation = self._listed(event.annotation_id)
        if annotation is not None:
            self._edit_comment((annotation.start, annotation.end), annotation)

    @on(AnnotationPanel.Delete)
    def delete_from_panel(self, event: AnnotationPanel.Delete) -> None:
        annotation = self._listed(event.annotation_id)
        if annotation is not None:
            self._delete(annotation)

    @work
    async def _delete(self, annotation: Annotation) -> None:
        from reader.ui.screens.confirm import ConfirmDialog

        quote = self._passage((annotation.start, annotation.end), annotation)
        question = ConfirmDialog(f"Delete the annotation on 「{quote[:40]}」?")
        if not await self.app.push_screen_wait(question):
            return
        if self._write(lambda: self.store.annotations.delete(annotation.id)) is not None:
            self._annotations_changed()

    def action_next_annotation(self, direction: int) -> None:
        cursor = self.view.cursor
        ordered = [a for a in self._shown() if a.status == AnnotationStatus.ACTIVE]
        candidates = (
            [a for a in ordered if a.start > cursor]
            if direction > 0
            else [a for a in reversed(ordered) if a.start < cursor]
        )
        if candidates:
            self.view.move_cursor(candidates[0].start, context_rows=JUMP_CONTEXT_ROWS)

    # Whose highlights (issue 10 §2)

    def action_cycle_whose(self) -> None:
        coders = [name for name, _ in self.store.annotations.coders()]
        self.show_whose(next_whose(self.whose, self.store.coder, coders))

    def show_whose(self, whose: str | None) -> None:
        """Highlight and list only ``whose`` annotations (None: everyone's)."""
        self.whose = whose
        if self.document is not None:
            self._annotations_changed()
        self._update_title()
        label = whose_label(whose, self.store.coder)
        self.notify(f"Showing {label} annotations.", title="Whose")

    def action_disagreements(self) -> None:
        screen = DisagreementScreen(self.store, config=self.config)
        self.app.push_screen(screen, self._back_from_disagreements)

    def _back_from_disagreements(self, jump: PlaceJump | None) -> None:
        """Places may have been settled there; a chosen one is opened at its start."""
        if self.document is not None:
            self._annotations_changed()
        if jump is None:
            return
        if self.whose is not None:  # the place is two coders' work: show both
            self.whose = None
            self._update_title()
            if self.document is not None:
                self._annotations_changed()
        if self.document is None or self.document.id != jump.document_id:
            self.open_and_read(jump.document_id)
        self.view.move_cursor(jump.start, context_rows=JUMP_CONTEXT_ROWS)
        self.view.focus()

    # Export, reload, help

    @work
    async def action_export(self) -> None:
        from reader.ui.screens.confirm import ConfirmDialog
        from reader.ui.screens.export_dialog import ExportDialog

        value: str | None = None
        while True:
            path = await self.app.push_screen_wait(ExportDialog(Path.cwd(), value))
            if path is None:
                return
            if not path.exists() or await self.app.push_screen_wait(
                ConfirmDialog(f"{visible_line(str(path))} is already there. Replace it?", "Replace")
            ):
                break
            value = str(path)  # not replaced: ask again, with the name there to edit
        self._export_in_background(path, self.config)

    @work(thread=True, exclusive=True, group="export")
    def _export_in_background(self, path: Path, script: str | None) -> None:
        """Write the export off the UI thread (a large one takes seconds), on a connection of
        the worker's own; the result or the failure comes back as a message."""
        try:
            store = self._worker_store()
            try:
                count = export_to_file(store, path, script)
            finally:
                store.close()
        except StoreError as error:
            self.post_message(ExportFailed(path, str(error)))
        else:
            self.post_message(ExportFinished(path, count, script))

    @on(ExportFinished)
    def show_exported(self, event: ExportFinished) -> None:
        extra = f" (with passage_converted in {event.script})" if event.script else ""
        noun = "annotation" if event.count == 1 else "annotations"
        self.notify(f"Exported {event.count} {noun} to {event.path}{extra}", title="Export")

    @on(ExportFailed)
    def show_export_failure(self, event: ExportFailed) -> None:
        self.notify(event.error, title="Export failed", severity="error", timeout=15)

    def _worker_store(self) -> Store:
        """A connection for a thread worker: a connection belongs to the thread that made it."""
        return Store(self.store.target, read_only=self.store.read_only, coder=self.store.coder)

    @work
    async def action_import(self) -> None:
        from reader.ui.screens.import_dialog import ImportDialog

        request = await self.app.push_screen_wait(ImportDialog(base=Path.cwd()))
        if request is not None:
            self.query_one("#import-progress", ProgressBar).add_class("-active")
            self._import_in_background(request)

    @work(thread=True, exclusive=True, group="import")
    def _import_in_background(self, request: ImportRequest) -> None:
        """Import a file or a folder off the UI thread, on a connection of the worker's own."""
        from reader.ui.screens.import_dialog import for_the_app

        def advance(step: ImportProgress) -> None:
            self.post_message(ImportProgressed(step.done, step.total))

        imported: list[ImportResult] = []
        failures: list[str] = []
        try:
            store = self._worker_store()
            try:
                summary = import_files(
                    store,
                    [request.path],
                    progress=advance,
                    encoding=request.encoding,
                    errors=request.errors,
                )
                imported = summary.imported
                failures = [for_the_app(str(failure)) for failure in summary.failures]
            finally:
                store.close()
        except StoreError as error:  # the database itself: busy, read-only, gone
            failures.append(str(error))
        self.post_message(ImportFinished(imported, failures))

    @on(ImportProgressed)
    def show_import_progress(self, event: ImportProgressed) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=event.total, progress=event.done)

    @on(ImportFinished)
    def show_imported(self, event: ImportFinished) -> None:
        self.query_one("#import-progress", ProgressBar).remove_class("-active")
        imported, failures = event.imported, event.failures
        for failure in failures:
            self.notify(failure, title="Not imported", severity="error", timeout=15)
        if not imported:
            return
        in_script = self._in_script()
        summary = ", ".join(in_script(result.title)[:20] for result in imported[:3])
        more = f" and {len(imported) - 3} more" if len(imported) > 3 else ""
        self.notify(f"Imported {summary}{more}", title=f"{len(imported)} imported")
        self.open_and_read(imported[0].document_id)

    def action_toggle_navigation(self) -> None:
        folded = self.view.toggle_folding()
        self.store.preferences.update(fold_boilerplate=folded)
        self.notify("Site navigation and footer folded." if folded else "Shown, dimmed.")

    def action_reload(self) -> None:
        """Show changes another program made to the database."""
        if self.document is None:
            self._show_library(self.store.documents.summaries(), None)
            return
        current = self.store.documents.get(self.document.id)
        if current.content_hash != self.document.content_hash:
            # A new version was imported: its annotations were re-anchored to the new text.
            self.open_document(current.id)
            title = self._in_script()(current.title)
            self.notify(f"“{title}” changed: now showing version {current.version}.")
        self._annotations_changed()

    def _check_other_writers(self) -> None:
        with suppress(StoreError):
            version = self.store.change_token()
            if version != self._seen_version and self.app.screen is self:
                self._seen_version = version
                self.action_reload()

    def on_app_focus(self) -> None:
        self._check_other_writers()
        # The terminal lost focus before anything had it (it happens at start-up over SSH):
        # Textual has nothing to restore, so give the article the focus, ready to select.
        if self.focused is None and self.app.screen is self:
            self.view.focus()

    # Undo and redo

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out Undo / Redo in the footer when there is nothing to undo or redo."""
        if action == "undo":
            return self.store.history.can_undo() or None
        if action == "redo":
            return self.store.history.can_redo() or None
        return True

    def action_undo(self) -> None:
        self._show_undone(self._write(self.store.history.undo), "Nothing to undo.", "Undo")

    def action_redo(self) -> None:
        self._show_undone(self._write(self.store.history.redo), "Nothing to redo.", "Redo")

    def _show_undone(self, result: UndoResult | None, nothing: str, title: str) -> None:
        if result is None:
            if not self.store.read_only:  # read-only: _write has said why already
                self.notify(nothing)
            return
        if result.on_codebook:
            # Codes renamed, recoloured, merged or memos changed: redraw, stay where we are.
            if self.document is not None:
                self._annotations_changed()
            self.notify(visible_line(result.description), title=title)
            return
        if self.document is None or result.document_id != self.document.id:
            self.open_document(result.document_id)
        self._annotations_changed(result.annotation_id)
        if result.annotation is not None and result.annotation.status == AnnotationStatus.ACTIVE:
            self.view.move_cursor(result.annotation.start, context_rows=JUMP_CONTEXT_ROWS)
        # The description quotes the stored original: show it in the script on screen.
        self.notify(self._in_script()(result.description), title=title)

    def action_move_annotation(self) -> None:
        """Give the annotation highlighted in the panel the passage selected in the article."""
        selection = self.view.selection
        annotation_id = self.query_one(AnnotationPanel).highlighted_annotation_id
        if selection is None or annotation_id is None:
            self.notify("Highlight an annotation in the panel and select its new passage first.")
            return
        saved = self._write(lambda: self.store.annotations.set_range(annotation_id, *selection))
        if saved is not None:
            self.view.clear_selection()
            self._annotations_changed(saved.id)

    # Find in the article (issue 15)

    def action_find(self) -> None:
        if self.document is not None:
            self.query_one(FindBar).open(self.document.text, self.view.cursor)

    @on(FindBar.Found)
    def show_found(self, event: FindBar.Found) -> None:
        self.view.set_found(event.matches, event.current)

    @on(FindBar.Closed)
    def close_find(self) -> None:
        self.view.set_found([], None)
        self.view.focus()

    def action_search_library(self) -> None:
        screen = ConcordanceScreen(self.store, config=self.config, cache=self.search_cache)
        self.app.push_screen(screen, self._back_from_concordance)

    def _back_from_concordance(self, jump: Jump | None) -> None:
        """Annotations may have been auto-coded or undone there; a chosen match is opened with
        the find bar holding the query, so n/N go on through the article."""
        if self.document is not None:
            self._annotations_changed()
        if jump is None:
            return
        if self.document is None or self.document.id != jump.document_id:
            self.open_and_read(jump.document_id)
        if self.document is not None:
            self.query_one(FindBar).open_on(
                self.document.text, jump.start, jump.query, exact=jump.exact, regex=jump.regex
            )

    # The codebook and memos (issue 9)

    def action_codebook(self) -> None:
        from reader.ui.screens.codebook import CodebookScreen

        self.app.push_screen(
            CodebookScreen(self.store, on_change=self._codebook_changed),
            # Redrawn again on closing only if something was changed there: at 5,000 passages
            # in the article a redraw for nothing made closing it take a third of a second.
            lambda changed: self._codebook_changed() if changed else None,
        )

    def _codebook_changed(self) -> None:
        """Codes renamed, recoloured, merged or deleted: highlights and panel follow at once."""
        if self.document is not None:
            self._annotations_changed()
        self.refresh_bindings()

    @work
    async def action_document_memo(self) -> None:
        from reader.ui.screens.comment_editor import CommentEditor

        if self.document is None:
            self.notify("Open a document first: its memo is written here.")
            return
        document = self.document
        try:
            memo = self.store.codebook.document_memo(document.id)
        except StoreError as error:
            self.notify(str(error), title="Not read", severity="error", timeout=10)
            return
        title = self._in_script()(document.title)
        text = await self.app.push_screen_wait(
            CommentEditor(memo, heading=f"Memo on “{title[:40]}”")
        )
        if text is None or text == memo:
            return
        if self._write(lambda: self.store.codebook.set_document_memo(document.id, text)):
            self._show_memo()
            self.refresh_bindings()
            self.notify("Memo saved. u undoes it.", title="Memo")

    def _show_memo(self) -> None:
        """The panel's subtitle says the document has a memo (its first line), M edits it."""
        panel = self.query_one("#panel")
        memo = ""
        if self.document is not None:
            with suppress(StoreError):
                memo = self.store.codebook.document_memo(self.document.id).strip()
        first = memo.splitlines()[0] if memo else ""
        panel.border_subtitle = (
            visible_line(f"memo: {first[:30]}{'…' if len(first) > 30 else ''}") if memo else ""
        )

    # Coded passages and reports (issue 9)

    def action_coded_passages(self) -> None:
        self.app.push_screen(
            CodedPassagesScreen(self.store, config=self.config), self._back_from_passages
        )

    def action_reports(self) -> None:
        from reader.ui.screens.reports import ReportsScreen

        self.app.push_screen(ReportsScreen(self.store, config=self.config))

    def _back_from_passages(self, jump: PassageJump | None) -> None:
        """A chosen passage is opened with the cursor on it, a few rows of text above."""
        if jump is None:
            return
        if self.document is None or self.document.id != jump.document_id:
            self.open_and_read(jump.document_id)
        self.view.move_cursor(jump.start, context_rows=JUMP_CONTEXT_ROWS)
        self.view.focus()

    def action_help(self) -> None:
        from reader.ui.screens.help import HelpScreen

        keymap = getattr(self.app, "keymap", {})
        self.app.push_screen(HelpScreen(every_key(self.app, keymap)))


KEY_PLACES: list[tuple[str, type[DOMNode]]] = [
    ("anywhere", MainScreen),
    ("article", ArticleView),
    ("library", LibraryList),
    ("annotations", AnnotationPanel),
    ("library, annotations", ItemList),
    ("find bar", FindBar),
    ("search", ConcordanceScreen),
    ("search", ConcordanceList),
    ("codebook", CodebookScreen),
    ("codebook", CodeTree),
    ("coded passages", CodedPassagesScreen),
    ("coded passages", PassageList),
    ("reports", ReportsScreen),
    ("disagreements", DisagreementScreen),
    ("disagreements", DisagreementList),
]
"""Where each group of bindings works, as the help screen and the README's key table say."""

OTHER_KEYS: list[tuple[str, str, str]] = [
    ("anywhere", "tab,shift+tab", "Move between library, article and annotations"),
    ("anywhere", "ctrl+p", "Command palette: open a document by title, a script, every command"),
]
"""Keys that are not bindings (moving the focus, the palette), as Textual names keys."""

OTHER_INPUT: list[tuple[str, str, str]] = [
    ("article", "mouse drag", "Select a passage"),
]
"""What is not a key at all."""


def every_key(
    app: App[object], keymap: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """(where, keys, what they do) for every binding of every place (under the keys ``keymap``
    gives them), then the other keys and the mouse; keys as ``app`` displays them."""
    rows = [
        row
        for where, owner in KEY_PLACES
        for row in help_rows(app, where, own_bindings(owner), keymap)
    ]
    others = [(where, key_labels(app, keys), what) for where, keys, what in OTHER_KEYS]
    return rows + others + OTHER_INPUT


def binding_ids() -> set[str]:
    """Every binding id a keymap may name (the config file's ``[keymap]``)."""
    return {binding.id for _, owner in KEY_PLACES for binding in own_bindings(owner) if binding.id}
