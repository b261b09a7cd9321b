"""The import pipeline: files into the store, decoded, normalised, versioned when changed.

Each file is read and prepared completely before the store is touched, and the store writes it
in one transaction (a savepoint of its batch's, when many are imported), so a file that fails
leaves nothing behind. Identical content is recognised
by its hash; changed content at a path already imported becomes that document's next version,
its annotations re-anchored (see reader.core.reanchor).
"""

from __future__ import annotations

import glob
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from reader.core.decoding import DecodeError, decode_bytes
from reader.core.documents import (
    content_hash,
    detect_script,
    extract_metadata,
    normalize_text,
    path_text,
    seed_paths,
    title_from_filename,
)
from reader.core.models import Script
from reader.core.store import Store, StoreError
from reader.core.webpage import WebPageError, extract_article, looks_like_html

__all__ = [
    "DEFAULT_MAX_SIZE",
    "TEXT_SUFFIXES",
    "ImportFailure",
    "ImportProgress",
    "ImportResult",
    "ImportStatus",
    "ImportSummary",
    "Prepared",
    "expand_paths",
    "import_file",
    "import_files",
    "import_paths",
    "import_seeds",
    "prepare_file",
]

DEFAULT_MAX_SIZE = 200 * 1024 * 1024
"""Larger files are refused unread: a text that big is almost surely not one article or book."""

BATCH_CHARS = 2_000_000
BATCH_SECONDS = 1.0
"""An import of many files commits (and reports progress) after this many characters or this
much time, whichever comes first: one commit per file made a thousand small articles pay for a
thousand syncs and index writes; a batch that holds the write lock for long would keep another
program (the app, annotating) waiting."""

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".htm", ".html", ".xhtml", ".shtml"})
"""What a folder import picks up; files named explicitly are tried whatever their suffix."""


class ImportFailure(Exception):
    """A file that cannot be imported, with a one-line reason."""


@dataclass(frozen=True)
class Prepared:
    """A file turned into what the store keeps, before anything is written."""

    text: str
    title: str
    published: str
    source: str
    author: str
    encoding: str
    script: Script
    replaced: int = 0
    """Undecodable bytes replaced by U+FFFD (only with an explicit encoding and errors=replace)."""


class ImportStatus(StrEnum):
    """What importing a file did."""

    NEW = "new"
    UNCHANGED = "unchanged"
    """Identical content was already in the library."""
    NEW_VERSION = "new version"
    """Changed content at a path already imported: the document's next version."""


@dataclass(frozen=True)
class ImportResult:
    document_id: int
    title: str
    encoding: str
    script: Script
    created: bool
    """False when identical content was already in the library."""
    status: ImportStatus = ImportStatus.NEW
    version: int = 1
    kept: int = 0
    """Annotations still exactly in place after a new version."""
    moved: int = 0
    """Annotations re-anchored to a new position or slightly changed passage."""
    orphaned: int = 0
    """Annotations whose passage is gone: kept with status 'orphan'."""
    chars: int = 0
    replaced: int = 0


def prepare_file(
    path: Path,
    *,
    encoding: str | None = None,
    errors: str = "strict",
    max_size: int = DEFAULT_MAX_SIZE,
) -> Prepared:
    """Read, decode and extract one file; raises ImportFailure with the reason it cannot be."""
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    if errors == "replace" and encoding is None:
        raise ValueError("errors='replace' needs an explicit encoding")
    try:
        info = path.stat()
    except OSError as error:
        raise ImportFailure(f"cannot read ({error.strerror or error})") from error
    if not path.is_file():
        raise ImportFailure("not a regular file")
    if info.st_size > max_size:
        raise ImportFailure(f"too large ({_size(info.st_size)}; the limit is {_size(max_size)})")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFailure(f"cannot read ({error.strerror or error})") from error
    if not raw:
        raise ImportFailure("empty file")
    try:
        decoded = decode_bytes(raw, encoding, errors)
    except DecodeError as error:
        raise ImportFailure(str(error)) from error
    text = normalize_text(decoded.text)
    if looks_like_html(text, path.suffix):
        try:
            article = extract_article(text, fallback_title=title_from_filename(path))
        except WebPageError as error:
            raise ImportFailure(str(error)) from error
        text = normalize_text(article.text)
        title, published, source, author = (
            article.title,
            article.published,
            article.source,
            article.author,
        )
    else:
        metadata = extract_metadata(text, fallback_title=title_from_filename(path))
        title, published, source, author = (
            metadata.title,
            metadata.published,
            metadata.source,
            "",
        )
    if not text.strip():
        raise ImportFailure("no text (only whitespace)")
    return Prepared(
        text=text,
        title=title,
        published=published,
        source=source,
        author=author,
        encoding=decoded.encoding,
        script=detect_script(text),
        replaced=decoded.replaced,
    )


def import_file(
    store: Store,
    path: Path,
    *,
    encoding: str | None = None,
    errors: str = "strict",
    max_size: int = DEFAULT_MAX_SIZE,
) -> ImportResult:
    """Import one file: a new document, an existing one (same content), or a new version."""
    try:
        prepared = prepare_file(path, encoding=encoding, errors=errors, max_size=max_size)
    except ImportFailure as error:
        raise ImportFailure(f"{path}: {error}") from error
    digest = content_hash(prepared.text)
    chars = len(prepared.text)
    existing = store.documents.find_by_hash(digest)
    if existing is not None:
        document = store.documents.get(existing)
        return ImportResult(
            existing,
            document.title,
            document.encoding,
            document.script,
            created=False,
            status=ImportStatus.UNCHANGED,
            version=document.version,
            chars=chars,
        )
    location = path_text(path.resolve())
    fields: dict[str, Any] = {
        "title": prepared.title,
        "source": prepared.source,
        "published": prepared.published,
        "script": prepared.script,
        "encoding": prepared.encoding,
        "author": prepared.author,
    }
    previous = store.documents.find_by_path(location)
    if previous is not None:
        report = store.documents.add_version(
            previous, text=prepared.text, content_hash=digest, **fields
        )
        return ImportResult(
            previous,
            prepared.title,
            prepared.encoding,
            prepared.script,
            created=False,
            status=ImportStatus.NEW_VERSION,
            version=report.version,
            kept=report.kept,
            moved=report.moved,
            orphaned=report.orphaned,
            chars=chars,
            replaced=prepared.replaced,
        )
    document_id = store.documents.add(
        text=prepared.text, path=location, content_hash=digest, **fields
    )
    return ImportResult(
        document_id,
        prepared.title,
        prepared.encoding,
        prepared.script,
        created=True,
        chars=chars,
        replaced=prepared.replaced,
    )


def expand_paths(arguments: Iterable[str | Path]) -> Iterator[Path | ImportFailure]:
    """Files to import from command-line arguments: files, folders (recursively), globs.

    Problems (nothing matches, a folder without text files, an unreadable folder) come out as
    ImportFailure in place, so the caller reports them in order and carries on with the rest.
    """
    seen: set[Path] = set()
    for argument in arguments:
        name = str(argument)
        path = Path(name).expanduser()
        if path.exists() or path.is_symlink():
            matches = [path]
        elif glob.has_magic(name):
            matches = [Path(match) for match in sorted(glob.glob(name, recursive=True))]
            if not matches:
                yield ImportFailure(f"{name}: no files match")
                continue
        else:
            yield ImportFailure(f"{name}: no such file or folder")
            continue
        for match in matches:
            found: list[Path | ImportFailure] = list(_walk(match)) if match.is_dir() else [match]
            if match.is_dir() and not any(isinstance(item, Path) for item in found):
                found.append(ImportFailure(f"{match}: folder has no text files (.txt, .html, …)"))
            for item in found:
                if isinstance(item, Path):
                    key = item.resolve()
                    if key in seen:
                        continue
                    seen.add(key)
                yield item


def _walk(folder: Path) -> Iterator[Path | ImportFailure]:
    problems: list[OSError] = []

    def unreadable() -> Iterator[ImportFailure]:
        while problems:
            error = problems.pop()
            yield ImportFailure(f"{error.filename}: cannot read folder ({error.strerror})")

    for root, folders, files in os.walk(folder, onerror=problems.append):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in TEXT_SUFFIXES:
                yield Path(root) / name
        yield from unreadable()
    yield from unreadable()  # a top folder that cannot be read yields no walk step at all


def import_paths(
    store: Store,
    arguments: Iterable[str | Path],
    *,
    encoding: str | None = None,
    errors: str = "strict",
    max_size: int = DEFAULT_MAX_SIZE,
) -> Iterator[tuple[Path | None, ImportResult | ImportFailure]]:
    """Import everything the arguments name, each file on its own (see _import_each).

    Yields (path, result) or (path, error); a failure never stops the files after it.
    """
    yield from _import_each(
        store, expand_paths(arguments), encoding=encoding, errors=errors, max_size=max_size
    )


def _import_each(
    store: Store,
    items: Iterable[Path | ImportFailure],
    *,
    encoding: str | None,
    errors: str,
    max_size: int,
) -> Iterator[tuple[Path | None, ImportResult | ImportFailure]]:
    """Each item's outcome, in order. Files are written in batches (up to BATCH_CHARS
    characters or BATCH_SECONDS of work), one transaction each whose search index is written at
    its end (Store.bulk_transaction); within it each file is a savepoint, so a file that fails
    still leaves nothing behind. Outcomes come out when their batch is committed."""
    pending = iter(items)
    if store.read_only:  # every write fails: say so for each file, as one by one
        for item in pending:
            yield _import_one(store, item, encoding=encoding, errors=errors, max_size=max_size)
        return
    while (first := next(pending, None)) is not None:
        pending = itertools.chain([first], pending)
        done: list[tuple[Path | None, ImportResult | ImportFailure]] = []
        try:
            with store.bulk_transaction():
                started, chars = time.monotonic(), 0
                for item in pending:
                    outcome = _import_one(
                        store, item, encoding=encoding, errors=errors, max_size=max_size
                    )
                    done.append(outcome)
                    if isinstance(outcome[1], ImportResult):
                        chars += outcome[1].chars
                    if chars >= BATCH_CHARS or time.monotonic() - started >= BATCH_SECONDS:
                        break
        except StoreError as error:  # the batch's BEGIN or COMMIT: none of it was written
            if not done:  # nothing was tried: the next file fails with the reason
                item = next(pending)
                done.append((item if isinstance(item, Path) else None, _failed(item, error)))
            done = [
                (path, _failed(path, error) if isinstance(outcome, ImportResult) else outcome)
                for path, outcome in done
            ]
        yield from done


def _failed(item: Path | ImportFailure | None, error: StoreError) -> ImportFailure:
    if isinstance(item, ImportFailure):
        return item
    return ImportFailure(f"{item}: {error}")


def _import_one(
    store: Store,
    item: Path | ImportFailure,
    *,
    encoding: str | None,
    errors: str,
    max_size: int,
) -> tuple[Path | None, ImportResult | ImportFailure]:
    if isinstance(item, ImportFailure):
        return None, item
    try:
        return item, import_file(store, item, encoding=encoding, errors=errors, max_size=max_size)
    except ImportFailure as error:
        return item, error
    except StoreError as error:  # e.g. read-only: say so for this file, go on with the rest
        return item, ImportFailure(f"{item}: {error}")


@dataclass(frozen=True)
class ImportProgress:
    """One file done (or one argument that named nothing), for a progress display."""

    done: int
    total: int
    path: Path | None
    outcome: ImportResult | ImportFailure


@dataclass
class ImportSummary:
    imported: list[ImportResult] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)


def import_files(
    store: Store,
    arguments: Iterable[str | Path],
    *,
    progress: Callable[[ImportProgress], None] | None = None,
    encoding: str | None = None,
    errors: str = "strict",
    max_size: int = DEFAULT_MAX_SIZE,
) -> ImportSummary:
    """Import everything the arguments name (files, folders, globs), each file on its own.

    The one import loop of every front end: ``progress`` hears of each file as it is done
    (``total`` is known from the start, for a progress bar). A failure never stops the files
    after it: it is reported in order and listed in the summary.
    """
    items = list(expand_paths(arguments))
    summary = ImportSummary()
    for done, (path, outcome) in enumerate(
        _import_each(store, items, encoding=encoding, errors=errors, max_size=max_size), 1
    ):
        if isinstance(outcome, ImportFailure):
            summary.failures.append(outcome)
        else:
            summary.imported.append(outcome)
        if progress is not None:
            progress(ImportProgress(done, len(items), path, outcome))
    return summary


def import_seeds(store: Store) -> list[ImportResult]:
    """Fill an empty library with the sample articles."""
    return [import_file(store, path) for path in seed_paths()]


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
