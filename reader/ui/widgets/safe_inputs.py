"""Textual's Input and TextArea, drawing control characters as symbols.

Their value can hold data the user did not type: a stored comment, a file name offered by path
completion, a paste. Both draw through the Line API, so each line goes through
:func:`~reader.ui.safe_text.safe_strip` on its way out; the value itself is untouched.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.widgets import Input, TextArea

from reader.core.display import has_controls
from reader.ui.safe_text import line_text, safe_strip

__all__ = ["SafeInput", "SafeTextArea"]


class SafeInput(Input):
    """An Input whose value and suggestion never put a control character on the terminal.

    (BEL, BS, VT, FF and CR are not shown at all: Input draws its value as a ``rich.Text``,
    which drops these five before any subclass sees them.)
    """

    def render_line(self, y: int) -> Strip:
        return safe_strip(super().render_line(y))


class SafeTextArea(TextArea):
    """A TextArea whose text never puts a control character on the terminal."""

    def get_line(self, line_index: int) -> Text:
        """The line as drawn: controls as symbols (``rich.Text`` would drop BEL, BS, CR...)."""
        line = self.document.get_line(line_index)
        if not has_controls(line):
            return super().get_line(line_index)
        return Text(line_text(line), end="", no_wrap=True)

    def render_line(self, y: int) -> Strip:
        return safe_strip(super().render_line(y))
