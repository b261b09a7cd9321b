"""The codebook as a file: a text listing, CSV, and REFI-QDA ``.qdc``; and reading one back.

- text: the tree, indented, with colours, counts and each description's first line (for a
  terminal: control characters shown as symbols);
- CSV: ``name, parent, color, description, passages, documents, memo`` (``parent`` is the
  parent's name, empty at the top level; ``memo`` is ours, after the six columns other tools
  read by name), written as ``reader export`` writes CSV (RFC 4180, every text cell quoted,
  a formula guard ``'`` before a cell starting with = + - @ tab CR or ');
- ``.qdc``: the REFI-QDA codebook (``urn:QDA-XML:codebook:1.0``, Codebook.xsd), codes nested,
  with colours and descriptions. Codebook.xsd has no place for a memo: memos go to CSV only.

Reading (:func:`read_codebook`) takes our CSV (with or without the guard) and any tool's
``.qdc``; a problem with the file is one sentence naming the line or element, and nothing is
imported. Codes are merged into the store by name (Codebook.import_codes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reader.core.display import visible_line
from reader.core.errors import StoreError
from reader.core.export import csv_writer, neutralise, unneutralise
from reader.core.models import Code, CodebookImport, CodeSpec
from reader.core.store import Store

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "CodebookFile",
    "codebook_format",
    "import_codebook",
    "qdc_bytes",
    "read_codebook",
    "write_codebook",
    "write_csv",
    "write_text",
]

CSV_COLUMNS = ("name", "parent", "color", "description", "passages", "documents", "memo")
FORMATS = ("text", "csv", "qdc")
MAX_FILE_BYTES = 64 << 20
"""A codebook file larger than this (64 MiB) is not a codebook: refused before reading."""
MAX_CODES = 100_000
MAX_NAME = 500
"""Characters in a code name read from a file (a tag picker shows one line)."""

_RGB = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def codebook_format(target: Path | str | None, requested: str | None = None) -> str:
    """``requested``, else the format ``target``'s ending names (.csv, .qdc), else text."""
    if requested:
        return requested
    name = str(target or "").lower()
    return next((fmt for fmt in ("csv", "qdc") if name.endswith("." + fmt)), "text")


def _parents(codes: Sequence[Code]) -> dict[int, str]:
    return {code.id: code.name for code in codes}


def write_text(codes: Sequence[Code], out: IO[str]) -> None:
    """The tree for a person: two spaces per level, then name, colour, counts, description."""
    if not codes:
        out.write("No codes yet: tag a passage (t in the app) to make one.\n")
        return
    for code in codes:
        plural = "" if code.passages == 1 else "s"
        line = (
            f"{'  ' * code.depth}{code.name}  {code.color}  {code.passages:,} passage{plural}"
            f" in {code.documents:,} document{'' if code.documents == 1 else 's'}"
        )
        first = code.description.strip().splitlines()[0] if code.description.strip() else ""
        if first:
            line += f"  — {first}"
        out.write(visible_line(line) + "\n")


def write_csv(codes: Sequence[Code], out: IO[str]) -> None:
    """The codebook as CSV (``out`` opened with ``newline=""``), in tree order."""
    names = _parents(codes)
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for code in codes:
        parent = names.get(code.parent_id, "") if code.parent_id is not None else ""
        writer.writerow(
            [
                neutralise(code.name),
                neutralise(parent),
                code.color,
                neutralise(code.description),
                code.passages,
                code.documents,
                neutralise(code.memo),
            ]
        )


def qdc_bytes(codes: Sequence[Code]) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` file (valid against Codebook.xsd)."""
    from reader.core.refiqda import code_entries, codebook_xml

    if not codes:
        raise StoreError(
            "The codebook is empty, and a .qdc file needs at least one code: tag a passage first."
        )
    entries = code_entries(codes)
    xml = codebook_xml(entries)
    return xml if xml.endswith(b"\n") else xml + b"\n"


def write_codebook(codes: Sequence[Code], out: IO[bytes], file_format: str) -> None:
    """Write the codebook in ``file_format`` (text, csv, qdc) to a binary stream, UTF-8."""
    import io

    if file_format == "qdc":
        out.write(qdc_bytes(codes))
        return
    text = io.StringIO(newline="")
    (write_csv if file_format == "csv" else write_text)(codes, text)
    out.write(text.getvalue().encode("utf-8"))


# Reading


@dataclass(frozen=True)
class CodebookFile:
    """The codes of a codebook file, and what was changed to read them (one line each)."""

    codes: list[CodeSpec]
    notes: list[str]


def read_codebook(path: Path) -> CodebookFile:
    """The codes of a ``.csv`` (ours, or written by hand) or ``.qdc`` file, parents first.

    StoreError with a sentence for a file that is not one: not readable, too large, not
    UTF-8, not CSV or not well-formed XML, without a ``name`` column or a ``CodeBook``
    element, a blank or overlong name, a colour that is not ``#rrggbb``, a name twice in a
    CSV, a parent missing or circular in the file (a parent may also be a code here).
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".qdc"):
        raise StoreError(
            f"{path}: a codebook to import is a .csv (as `reader codebook --format csv`"
            " writes) or a REFI-QDA .qdc file."
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StoreError(
                f"{path} is {size:,} bytes: too large for a codebook (at most"
                f" {MAX_FILE_BYTES:,}). Nothing was imported."
            )
        raw = path.read_bytes()
    except OSError as error:
        raise StoreError(f"Cannot read {path} ({error.strerror or error}).") from error
    result = _read_qdc(path, raw) if suffix == ".qdc" else _read_csv(path, raw)
    if len(result.codes) > MAX_CODES:
        raise StoreError(f"{path} lists {len(result.codes):,} codes: at most {MAX_CODES:,}.")
    return result


def _color(value: str | None) -> str | None:
    """A file's colour as ``#rrggbb`` (``#f00`` widened), None when it gives none."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if not _RGB.fullmatch(value):
        raise ValueError(value)
    if len(value) == 4:
        value = "#" + "".join(char * 2 for char in value[1:])
    return value.lower()


def _check_name(name: str, where: str) -> str:
    name = name.strip()
    if not name:
        raise StoreError(f"{where}: a code needs a name, and this one is blank.")
    if len(name) > MAX_NAME:
        raise StoreError(
            f"{where}: a code name of {len(name):,} characters (at most {MAX_NAME}):"
            " not a codebook this reader can import."
        )
    return name


def _read_csv(path: Path, raw: bytes) -> CodebookFile:
    import csv
    import io

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StoreError(
            f"{path} is not UTF-8 (byte {error.start} is {raw[error.start]:#04x}). If a"
            " spreadsheet saved it in another encoding, save it again as “CSV UTF-8”."
        ) from error
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as error:
        raise StoreError(f"{path}, line 1: not readable as CSV ({error}).") from error
    if "name" not in header:
        raise StoreError(
            f"{path} has no “name” column (its first line is the header: name, parent,"
            " color, description, ...). Nothing was imported."
        )
    codes: list[CodeSpec] = []
    seen: dict[str, int] = {}
    ended = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise StoreError(f"{path}, line {ended + 1}: not readable as CSV ({error}).") from error
        line, ended = ended + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        record = dict(zip(header, cells, strict=False))
        where = f"{path}, line {line}"

        def cell(column: str, record: dict[str, str] = record) -> str | None:
            value = record.get(column)
            return None if value is None else unneutralise(value)

        name = _check_name(cell("name") or "", where)
        if name in seen:
            raise StoreError(f"{where}: the code “{name}” is listed twice (also on line"
                             f" {seen[name]}). Nothing was imported.")  # fmt: skip
        seen[name] = line
        given = cell("parent")
        parent = None if given is None else given.strip()  # "": the top level
        try:
            color = _color(cell("color"))
        except ValueError:
            raise StoreError(
                f"{where}: “{record.get('color')}” is not a colour (write #rrggbb)."
                " Nothing was imported."
            ) from None
        codes.append(CodeSpec(name, parent, color, cell("description") or None,
                              cell("memo") or None))  # fmt: skip
    return CodebookFile(_parents_first(path, codes), [])


def _parents_first(path: Path, codes: list[CodeSpec]) -> list[CodeSpec]:
    """The codes with every parent of the file before its children; a circle is refused."""
    by_name = {code.name: code for code in codes}
    ordered: list[CodeSpec] = []
    state: dict[str, int] = {}  # 1: being placed, 2: placed
    for code in codes:
        chain: list[CodeSpec] = []
        current: CodeSpec | None = code
        while current is not None and state.get(current.name) != 2:
            if state.get(current.name) == 1:
                raise StoreError(
                    f"{path}: the code “{current.name}” is under itself (its parents make a"
                    " circle). Nothing was imported."
                )
            if current.parent == current.name:
                raise StoreError(f"{path}: the code “{current.name}” is its own parent.")
            state[current.name] = 1
            chain.append(current)
            current = by_name.get(current.parent) if current.parent else None
        for placed in reversed(chain):
            state[placed.name] = 2
            ordered.append(placed)
    return ordered


_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def _read_qdc(path: Path, raw: bytes) -> CodebookFile:
    from lxml import etree

    if any(mark in raw for mark in _DOCTYPES):
        raise StoreError(
            f"{path} declares a DOCTYPE, which a REFI-QDA codebook never has: refused."
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        raise StoreError(f"{path} is not well-formed XML ({error}).") from error
    local = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else ""
    if local != "CodeBook":
        hint = " (a project: use reader import-project)" if local == "Project" else ""
        raise StoreError(f"{path}: its root element is <{local}>, not <CodeBook>{hint}.")
    codes_element = root.find("{*}Codes")
    notes: list[str] = []
    codes: list[CodeSpec] = []
    taken: set[str] = set()
    # Walked with a stack, not recursion: a file nesting codes thousands deep is data too.
    stack: list[tuple[etree._Element, str]] = [
        (code, "")
        for code in reversed(
            [] if codes_element is None else list(codes_element.iterchildren("{*}Code"))
        )
    ]
    while stack:
        element, parent = stack.pop()
        where = f"{path}, the code {element.get('name')!r} (line {element.sourceline})"
        name = _check_name(element.get("name") or "", where)
        if name in taken:
            # Other tools allow one name under two parents; here a name is one code.
            unique, number = (f"{parent}/{name}" if parent else f"{name} (2)"), 2
            while unique in taken:
                number += 1
                unique = f"{parent + '/' if parent else ''}{name} ({number})"
            notes.append(
                f"“{name}” under “{parent or 'the top level'}” is imported as “{unique}”:"
                " the name is taken by another code of the file"
            )
            name = unique
        taken.add(name)
        try:
            color = _color(element.get("color"))
        except ValueError:
            notes.append(f"“{name}”: colour {element.get('color')!r} is not #rrggbb, left out")
            color = None
        found = element.find("{*}Description")
        description = (found.text or "").strip() if found is not None else ""
        codes.append(CodeSpec(name, parent, color, description or None, None))
        stack.extend((child, name) for child in reversed(list(element.iterchildren("{*}Code"))))
    return CodebookFile(codes, notes)


def import_codebook(store: Store, path: Path) -> tuple[CodebookImport, list[str]]:
    """Merge the codebook file at ``path`` into the store (one undoable action)."""
    read = read_codebook(path)
    return store.codebook.import_codes(read.codes, origin=path.name), read.notes
