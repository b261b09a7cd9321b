"""Paths and helpers shared by the tests, imported as a plain module: ``from support import ...``.

(conftest.py holds only fixtures: pytest loads it itself, tests never import it.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.core.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SIMPLIFIED_SEED = SEEDS / "changchun-auto-city-simplified.txt"
TRADITIONAL_SEED = SEEDS / "changchun-auto-city-traditional.txt"


def load_benchmark(name: str) -> ModuleType:
    """A script from benchmarks/ as a module, so tests can run its harness on a smaller scale."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def split_like_calc(text: str, separators: str = ",;\t") -> list[list[str]]:
    """Records as a spreadsheet's import dialog splits them with comma, semicolon and tab all
    ticked (LibreOffice Calc's default): any of them outside quotes ends a cell, ``""`` inside
    quotes is one quote, a line break outside quotes ends the record."""
    records: list[list[str]] = []
    cells: list[str] = []
    cell: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"' and text.startswith('"', index + 1):
                cell.append('"')
                index += 1
            elif char == '"':
                quoted = False
            else:
                cell.append(char)
        elif char == '"':
            quoted = True
        elif char in separators:
            cells.append("".join(cell))
            cell = []
        elif char in "\r\n":
            if text.startswith("\r\n", index):
                index += 1
            cells.append("".join(cell))
            records.append(cells)
            cells, cell = [], []
        else:
            cell.append(char)
        index += 1
    if cell or cells:
        cells.append("".join(cell))
        records.append(cells)
    return records


def oracle(text: str, query: str) -> list[tuple[int, int]]:
    """The search oracle: leftmost non-overlapping matches, comparing folded characters one by
    one (independent of the index and of reader.core.search)."""
    from reader.core.folding import fold_char

    wanted = [fold_char(char) for char in query]
    found, position, size = [], 0, len(query)
    while position + size <= len(text):
        if all(fold_char(text[position + k]) == wanted[k] for k in range(size)):
            found.append((position, position + size))
            position += size
        else:
            position += 1
    return found


def index_rows_by_document(store: Store) -> dict[int, set[tuple[int, int, bytes]]]:
    """The search index's rows as stored: document id -> {(char, count, positions)}."""
    found: dict[int, set[tuple[int, int, bytes]]] = {}
    for char, document_id, count, positions in store.gateway.query(
        "select char, document_id, count, positions from search_chars"
    ):
        found.setdefault(document_id, set()).add((char, count, bytes(positions)))
    return found


def expected_index_rows(store: Store) -> dict[int, set[tuple[int, int, bytes]]]:
    """What the index rows of every stored text are, built afresh from the text."""
    from reader.core.store.search_index import index_rows

    expected: dict[int, set[tuple[int, int, bytes]]] = {}
    for document_id, text in store.search_index.originals():
        rows, _ = index_rows(document_id, text)
        expected[document_id] = {(char, count, positions) for char, _, count, positions in rows}
    return expected
