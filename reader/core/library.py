"""Bringing files into the store: decode, normalise, read metadata, skip what is already there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reader.core.documents import (
    content_hash,
    detect_script,
    extract_metadata,
    normalize_text,
    seed_paths,
)
from reader.core.store import Store

__all__ = ["ImportError_", "ImportResult", "import_file", "import_seeds"]


class ImportError_(Exception):
    """A file that cannot be imported, with a one-line reason."""


@dataclass(frozen=True)
class ImportResult:
    document_id: int
    title: str
    encoding: str
    script: str
    created: bool
    """False when identical content was already in the library."""


def import_file(store: Store, path: Path) -> ImportResult:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportError_(f"{path}: cannot read ({error.strerror or error})") from error
    try:
        text = normalize_text(raw.decode("utf-8-sig"))
        encoding = "utf-8"
    except UnicodeDecodeError as error:
        raise ImportError_(
            f"{path}: not UTF-8 (byte {error.start} is {raw[error.start]:#04x})"
        ) from error
    digest = content_hash(text)
    existing = store.find_document_by_hash(digest)
    if existing is not None:
        document = store.get_document(existing)
        return ImportResult(existing, document.title, document.encoding, document.script, False)
    metadata = extract_metadata(text, fallback_title=path.stem)
    script = detect_script(text)
    document_id = store.add_document(
        text=text,
        title=metadata.title,
        source=metadata.source,
        published=metadata.published,
        path=str(path.resolve()),
        script=script,
        encoding=encoding,
        content_hash=digest,
    )
    return ImportResult(document_id, metadata.title, encoding, script, True)


def import_seeds(store: Store) -> list[ImportResult]:
    """Fill an empty library with the sample articles."""
    return [import_file(store, path) for path in seed_paths()]
