"""The Textual app, built by one factory for the CLI and the tests alike."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.app import App
from textual.content import Content
from textual.notifications import SeverityLevel

from reader.core.config import Settings, load_settings
from reader.core.display import visible
from reader.core.importing import import_files, import_seeds
from reader.core.store import Store, StoreError
from reader.ui import compositor_fix
from reader.ui.safe_text import line_text
from reader.ui.screens.main import MainScreen


class ReaderApp(App[None]):
    CSS_PATH = "reader.tcss"
    TITLE = "reader"

    def __init__(
        self,
        store: Store,
        open_document: int | None = None,
        messages: Iterable[str] = (),
        settings: Settings | None = None,
        setting_problems: Iterable[str] = (),
    ) -> None:
        super().__init__()
        compositor_fix.apply()  # notifications keep their Chinese characters over pane edges
        self.store = store
        self.open_document = open_document
        self.startup_messages = list(messages)
        self.settings = settings or Settings()
        """The config file's settings (reader.core.config): script, theme, panes, keymap."""
        self.setting_problems = list(setting_problems)
        """What the config file asked for and could not have, one sentence each."""
        self.keymap = self._usable_keymap(self.settings.keymap)
        """Binding id -> keys, the config file's remapping (the help screen lists them)."""
        self.set_keymap(self.keymap)
        if self.settings.theme is not None:
            if self.settings.theme in self.available_themes:
                self.theme = self.settings.theme
            else:
                known = ", ".join(sorted(self.available_themes))
                self.setting_problems.append(
                    f"theme {self.settings.theme!r} is not one of {known}; the default is used."
                )

    def _usable_keymap(self, keymap: Mapping[str, str]) -> dict[str, str]:
        """The entries of ``keymap`` whose id names a binding; the others are reported."""
        from reader.ui.screens.main import binding_ids

        known = binding_ids()
        unknown = sorted(set(keymap) - known)
        if unknown:
            self.setting_problems.append(
                f"[keymap] has no binding called {', '.join(unknown)} (the README lists the"
                " ids); those keys are unchanged."
            )
        return {binding_id: keys for binding_id, keys in keymap.items() if binding_id in known}

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is text, never markup: they quote titles, passages, paths and
        error messages, any of which can hold ``[/quote]`` or an escape sequence.

        Textual's own notifications come through here too; ``markup`` is accepted and ignored.
        """
        super().notify(
            visible(message),
            title=line_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header shows a document's title: text, and control characters as symbols."""
        return super().format_title(line_text(title), line_text(sub_title))

    def get_default_screen(self) -> MainScreen:
        """The reading screen is the app's base screen (not one pushed over Textual's blank
        default): dialogs and the concordance open over it, and nothing can pop it."""
        return MainScreen(self.store, self.open_document, self.settings)

    def on_mount(self) -> None:
        for message in self.startup_messages:
            self.notify(message, severity="error", timeout=15)
        for problem in self.setting_problems:
            self.notify(problem, title="Settings", severity="warning", timeout=15)
        # What the store repaired on the way out (a colour it could not use, a private copy of
        # a read-only WAL): the database is as it was, but the user should know.
        for notice in self.store.notices:
            self.notify(notice, title="Database", severity="warning", timeout=15)
        # What is alive once the first screen is up (Textual, the library, the article's
        # layout) stays alive: a full garbage collection walking it all took 150-200 ms, a
        # stall every dozen keys (benchmarks/serve_browser.py). Frozen, it is not walked again.
        self.call_after_refresh(gc.freeze)


def make_app(
    store: Store, files: Iterable[Path] = (), settings_file: Path | None = None
) -> ReaderApp:
    """The app on ``store``: samples if the library is empty, then ``files`` imported; settings
    from ``settings_file`` (default: the user's config file, see reader.core.config)."""
    settings, problems = load_settings(settings_file)
    messages: list[str] = []
    first: int | None = None
    try:
        if store.documents.count() == 0 and not store.read_only:
            import_seeds(store)
        summary = import_files(store, [Path(path) for path in files])
        messages.extend(str(failure) for failure in summary.failures)
        first = summary.imported[0].document_id if summary.imported else None
    except StoreError as error:  # read-only or busy: open on what is there, and say why
        messages.append(str(error))
    return ReaderApp(store, first, messages, settings, problems)
