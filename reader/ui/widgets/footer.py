"""The footer: every shown key on a wide window, the essential ones on a narrow one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Footer

ESSENTIAL_KEYS = frozenset({"v", "t", "c", "l", "a", "question_mark", "slash"})
"""What a narrow footer keeps: select, tag, comment, the two panes and the list of every key
(the palette key stays too). The rest is one `?` or `ctrl+p` away."""

ESSENTIAL_ACTIONS = frozenset(
    {
        "toggle_selection",
        "tag",
        "comment",
        "toggle_pane('library')",
        "toggle_pane('panel')",
        "help",
        "find",
    }
)
"""The same keys by what they do: a key the config file's keymap moved elsewhere stays."""


PALETTE_MIN_WIDTH = 64


class ReaderFooter(Footer):
    essential_only = reactive(False, recompose=True)
    """Show only :data:`ESSENTIAL_KEYS`, compactly (a narrow window would cut the rest off)."""

    _composed: tuple[object, ...] | None = None
    """What the keys shown were made from (see :meth:`recompose`)."""

    async def recompose(self) -> None:
        """Make the keys again only when what they show changed: Textual's footer rebuilds
        every key widget whenever the screen's bindings are updated (each focus change, four
        times before the first frame), which cost a fifth of the first paint."""
        shown = self._shown()
        if shown == self._composed:
            return
        self._composed = shown
        await super().recompose()

    def _shown(self) -> tuple[object, ...]:
        if not self._bindings_ready or not self.is_attached:
            return (False,)
        bindings = tuple(
            (key, binding.action, binding.description, binding.group, binding.key_display,
             enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show  # the footer draws only these: a focus change that adds hidden
            # keys (the codebook tree's fold keys) changes nothing on it
        )  # fmt: skip
        return (True, self.essential_only, self.show_command_palette, self.compact, bindings)

    def watch_essential_only(self, essential_only: bool) -> None:
        self.compact = essential_only

    def on_resize(self) -> None:
        # Below 64 columns even the essential keys need the palette's place (ctrl+p still works).
        show_palette = self.size.width >= PALETTE_MIN_WIDTH
        if show_palette != self.show_command_palette:
            self.show_command_palette = show_palette
            self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        keys = [
            widget
            for widget in super().compose()
            # FooterKey is not public: a key widget is the one with a ``key``.
            if not self.essential_only
            or getattr(widget, "key", None) in ESSENTIAL_KEYS
            or getattr(widget, "action", None) in ESSENTIAL_ACTIONS
            or widget.has_class("-command-palette")
        ]
        self.styles.grid_size_columns = len(keys)
        yield from keys
