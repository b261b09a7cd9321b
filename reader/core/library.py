"""Bringing files into the store: decode, normalise, read metadata, version what changed.

Each file is read and prepared completely before the store is touched, and the store writes it
in one transaction, so a file that fails leaves nothing behind. Identical content is recognised
by its hash; changed content at a path already imported becomes that document's next version,
its annotations re-anchored (see reader.core.reanchor).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
from reader.core.store import Store, StoreError
from reader.core.webpage import WebPageError, extract_article, looks_like_html

__all__ = [
    "DEFAULT_MAX_SIZE",
    "TEXT_SUFFIXES",
    "ImportError_",
    "ImportResult",
    "Prepared",
    "expand_paths",
    "import_file",
    "import_paths",
    "import_seeds",
    "prepare_file",
]

DEFAULT_MAX_SIZE = 200 * 1024 * 1024
"""Larger files are refused unread: a text that big is almost surely not one article or book."""

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".htm", ".html", ".xhtml", ".shtml"})
"""What a folder import picks up; files named explicitly are tried whatever their suffix."""


class ImportError_(Exception):
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
    script: str
    replaced: int = 0
    """Undecodable bytes replaced by U+FFFD (only with an explicit encoding and errors=replace)."""


@dataclass(frozen=True)
class ImportResult:
    document_id: int
    title: str
    encoding: str
    script: str
    created: bool
    """False when identical content was already in the library."""
    status: str = "new"
    """``"new"``, ``"unchanged"`` or ``"new version"``."""
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
    """Read, decode and extract one file; raises ImportError_ with the reason it cannot be."""
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    if errors == "replace" and encoding is None:
        raise ValueError("errors='replace' needs an explicit encoding")
    try:
        info = path.stat()
    except OSError as error:
        raise ImportError_(f"cannot read ({error.strerror or error})") from error
    if not path.is_file():
        raise ImportError_("not a regular file")
    if info.st_size > max_size:
        raise ImportError_(f"too large ({_size(info.st_size)}; the limit is {_size(max_size)})")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportError_(f"cannot read ({error.strerror or error})") from error
    if not raw:
        raise ImportError_("empty file")
    try:
        decoded = decode_bytes(raw, encoding, errors)
    except DecodeError as error:
        raise ImportError_(str(error)) from error
    text = normalize_text(decoded.text)
    if looks_like_html(text, path.suffix):
        try:
            article = extract_article(text, fallback_title=title_from_filename(path))
        except WebPageError as error:
            raise ImportError_(str(error)) from error
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
        raise ImportError_("no text (only whitespace)")
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
    except ImportError_ as error:
        raise ImportError_(f"{path}: {error}") from error
    digest = content_hash(prepared.text)
    chars = len(prepared.text)
    existing = store.find_document_by_hash(digest)
    if existing is not None:
        document = store.get_document(existing)
        return ImportResult(
            existing,
            document.title,
            document.encoding,
            document.script,
            created=False,
            status="unchanged",
            version=document.version,
            chars=chars,
        )
    location = path_text(path.resolve())
    fields = {
        "title": prepared.title,
        "source": prepared.source,
        "published": prepared.published,
        "script": prepared.script,
        "encoding": prepared.encoding,
        "author": prepared.author,
    }
    previous = store.find_document_by_path(location)
    if previous is not None:
        report = store.add_document_version(
            previous, text=prepared.text, content_hash=digest, **fields
        )
        return ImportResult(
            previous,
            prepared.title,
            prepared.encoding,
            prepared.script,
            created=False,
            status="new version",
            version=report.version,
            kept=report.kept,
            moved=report.moved,
            orphaned=report.orphaned,
            chars=chars,
            replaced=prepared.replaced,
        )
    document_id = store.add_document(
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


def expand_paths(arguments: Iterable[str | Path]) -> Iterator[Path | ImportError_]:
    """Files to import from command-line arguments: files, folders (recursively), globs.

    Problems (nothing matches, a folder without text files, an unreadable folder) come out as
    ImportError_ in place, so the caller reports them in order and carries on with the rest.
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
                yield ImportError_(f"{name}: no files match")
                continue
        else:
            yield ImportError_(f"{name}: no such file or folder")
            continue
        for match in matches:
            found = list(_walk(match)) if match.is_dir() else [match]
            if match.is_dir() and not any(isinstance(item, Path) for item in found):
                found.append(ImportError_(f"{match}: folder has no text files (.txt, .html, …)"))
            for item in found:
                if isinstance(item, Path):
                    key = item.resolve()
                    if key in seen:
                        continue
                    seen.add(key)
                yield item


def _walk(folder: Path) -> Iterator[Path | ImportError_]:
    problems: list[OSError] = []

    def unreadable() -> Iterator[ImportError_]:
        while problems:
            error = problems.pop()
            yield ImportError_(f"{error.filename}: cannot read folder ({error.strerror})")

    for root, folders, files in os.walk(folder, onerror=problems.append):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in TEXT_SUFFIXES:
                yield Path(root) / name
        yield from unreadable()
    yield from unreadable()  # a top folder that cannot be read yields no walk step at all


def import_paths(
    store: Store, arguments: Iterable[str | Path], **options: object
) -> Iterator[tuple[Path | None, ImportResult | ImportError_]]:
    """Import everything the arguments name, one file at a time, each in its own transaction.

    Yields (path, result) or (path, error); a failure never stops the files after it.
    """
    for item in expand_paths(arguments):
        if isinstance(item, ImportError_):
            yield None, item
            continue
        try:
            yield item, import_file(store, item, **options)  # type: ignore[arg-type]
        except ImportError_ as error:
            yield item, error
        except StoreError as error:  # e.g. read-only: say so for this file, go on with the rest
            yield item, ImportError_(f"{item}: {error}")


def import_seeds(store: Store) -> list[ImportResult]:
    """Fill an empty library with the sample articles."""
    return [import_file(store, path) for path in seed_paths()]


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
