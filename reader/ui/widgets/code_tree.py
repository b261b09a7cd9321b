"""The codebook as a tree: one line per code, folded and unfolded, drawn through the Line API.

Each line: the fold mark, the colour swatch, the name (indented by level), the passage and
document counts in aligned columns (a code with codes under it also has the totals over its
subtree, each passage and document counted once), and the first line of the description,
dimmed. Names and
descriptions are data: drawn as plain text, control characters as symbols (ItemList).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from reader.core.models import Code
from reader.ui.safe_text import line_text
from reader.ui.widgets.item_list import ItemList

COUNTS_WIDTH = 32
"""Cells for "passages  docs" and the subtree's "passages  docs" after the names."""


class CodeTree(ItemList):
    """The codes in tree order; folding a code hides everything under it."""

    ITEM_HEIGHT = 1

    BINDINGS = [
        Binding("left", "fold", "Fold", tooltip="Fold the code (or go to its parent)", show=False),
        Binding("right", "unfold", "Unfold", tooltip="Unfold the code", show=False),
        Binding(
            "enter",
            "toggle_fold",
            "Fold/unfold",
            tooltip="Fold or unfold the highlighted code",
            show=False,
        ),
    ]

    class Highlighted(Message):
        """Another code is highlighted (None: the tree is empty)."""

        def __init__(self, code: Code | None) -> None:
            super().__init__()
            self.code = code

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codes: list[Code] = []
        self.folded: set[int] = set()
        self.rows: list[Code] = []
        """The codes shown: every code but those under a folded one."""
        self._has_children: set[int] = set()
        self._name_cells = 10
        self.counted = True
        self.totals: dict[int, tuple[int, int]] | None = None
        """(passages, documents) over each parent code's subtree; None while being counted."""
        self.totalled = True
        """False: the store could not total this tree (shown as —)."""

    def show_codes(
        self, codes: Sequence[Code], highlight: int | None = None, *, counted: bool = True
    ) -> None:
        """Show ``codes`` (tree order), keeping the folds, highlighting the code ``highlight``
        (else the code highlighted before, else the first). ``counted``: False while their
        counts are being read (shown as …)."""
        kept = highlight if highlight is not None else self.highlighted_code_id
        self.counted = counted
        self.codes = list(codes)
        known = {code.id for code in self.codes}
        self.folded &= known
        self._has_children = {code.parent_id for code in self.codes if code.parent_id is not None}
        if kept is not None:
            self._unfold_above(kept)
        self._rebuild(kept)

    def _rebuild(self, highlight: int | None) -> None:
        rows: list[Code] = []
        hidden_below: int | None = None  # depth of the folded code whose subtree is skipped
        for code in self.codes:
            if hidden_below is not None:
                if code.depth > hidden_below:
                    continue
                hidden_below = None
            rows.append(code)
            if code.id in self.folded:
                hidden_below = code.depth
        self.rows = rows
        self._name_cells = (
            max((2 * c.depth + 5 + cell_len(line_text(c.name)) for c in rows), default=10) + 2
        )
        index = next((i for i, code in enumerate(rows) if code.id == highlight), None)
        if index is None and rows:
            index = min(self.highlighted or 0, len(rows) - 1)
        self.reset(len(rows), index)
        self._announce()

    def _unfold_above(self, code_id: int) -> None:
        by_id = {code.id: code for code in self.codes}
        current = by_id.get(code_id)
        while current is not None and current.parent_id is not None:
            self.folded.discard(current.parent_id)
            current = by_id.get(current.parent_id)

    @property
    def highlighted_code(self) -> Code | None:
        if self.highlighted is None or self.highlighted >= len(self.rows):
            return None
        return self.rows[self.highlighted]

    @property
    def highlighted_code_id(self) -> int | None:
        code = self.highlighted_code
        return None if code is None else code.id

    def highlight(self, index: int) -> None:
        before = self.highlighted
        super().highlight(index)
        if self.highlighted != before:
            self._announce()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self.highlighted_code))

    def empty_text(self) -> str:
        return (
            "No codes yet. A code is made by tagging a passage: in the article select it (v,"
            " arrows) and press t. Or import a codebook: reader codebook import FILE."
        )

    def item_lines(self, index: int, width: int) -> list[Text]:
        code = self.rows[index]
        mark = ("▸ " if code.id in self.folded else "▾ ") if code.id in self._has_children else "  "
        line = Text("  " * code.depth + mark)
        line.append("  ", style=f"on {code.color}")
        line.append(" ")
        name_width = self.name_width(width)
        name = line_text(code.name)
        room = name_width - cell_len(line.plain)
        if cell_len(name) > room:
            shown = Text(name)
            shown.truncate(max(room, 1), overflow="ellipsis")
            name = shown.plain
        line.append(name, style="bold")
        line.append(" " * max(name_width - cell_len(line.plain), 1))
        if self.counted:
            line.append(f"{code.passages:>8,}{code.documents:>6,}")
        else:
            line.append(f"{'…':>8}{'…':>6}", style="dim")
        line.append("  ")
        if code.id not in self._has_children:
            line.append(" " * 14)
        elif not self.totalled:
            line.append(f"{'—':>8}{'—':>6}", style="dim")
        elif self.totals is None:
            line.append(f"{'…':>8}{'…':>6}", style="dim")
        else:
            passages, documents = self.totals.get(code.id, (0, 0))
            line.append(f"{passages:>8,}{documents:>6,}", style="italic")
        line.append("  ")
        description = code.description.strip().splitlines()
        if description:
            line.append(line_text(description[0]), style="dim")
        return [line]

    def name_width(self, width: int) -> int:
        """Cells for the indent, fold mark, swatch and name: the widest code shown, as far as
        ``width`` leaves room for the counts."""
        return max(min(self._name_cells, width - COUNTS_WIDTH - 4), 8)

    def header(self, width: int) -> Text:
        """The column heads, aligned with the lines of this width."""
        head = Text("code".ljust(self.name_width(width)))
        head.append(f"{'passages':>8}{'docs':>6}  {'incl. subcodes':>14}  description")
        return head

    def has_children(self, code_id: int) -> bool:
        return code_id in self._has_children

    def show_totals(self, totals: dict[int, tuple[int, int]] | None, *, totalled: bool) -> None:
        """The subtree totals (None: being counted; ``totalled`` False: they cannot be)."""
        self.totals = totals
        self.totalled = totalled
        self.refresh()

    def action_fold(self) -> None:
        code = self.highlighted_code
        if code is None:
            return
        if code.id in self._has_children and code.id not in self.folded:
            self.folded.add(code.id)
            self._rebuild(code.id)
        elif code.parent_id is not None:  # a leaf or folded already: go to the parent
            index = next((i for i, row in enumerate(self.rows) if row.id == code.parent_id), None)
            if index is not None:
                self.highlight(index)

    def action_unfold(self) -> None:
        code = self.highlighted_code
        if code is not None and code.id in self.folded:
            self.folded.discard(code.id)
            self._rebuild(code.id)

    def action_toggle_fold(self) -> None:
        code = self.highlighted_code
        if code is None or code.id not in self._has_children:
            return
        if code.id in self.folded:
            self.action_unfold()
        else:
            self.action_fold()

    def on_item_list_chosen(self, event: ItemList.Chosen) -> None:
        event.stop()  # a click highlights; Enter folds (its own binding)
