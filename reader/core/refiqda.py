"""REFI-QDA (QDA-XML 1.0): the project exchange format of QualCoder, NVivo, ATLAS.ti, MAXQDA.

A ``.qdpx`` file is a zip archive holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``) and the sources, here each text as UTF-8 in
``sources/{guid}.txt`` (referred to as ``internal://{guid}.txt``). What we write:

- ``Users``: the exporting coder (the project's creating user) and one ``User`` per coder
  whose annotations are in it; each selection's and coding's ``creatingUser`` is its coder;
- ``CodeBook``: each tag a ``Code`` with its colour (codes may nest and carry a
  ``Description``: :class:`CodeEntry` takes a parent and a description, for issue 9); a
  code's memo is a ``Note`` (named ``memo``) that the ``Code`` refers to with a ``NoteRef``,
  where Project.xsd's CodeType has its place;
- ``Variables``: ``source``, ``published``, ``author`` and ``script`` (Text), the
  documents' metadata;
- ``Sources``: each document a ``TextSource`` named by its title, with its metadata as
  ``VariableValue`` and each annotation a ``PlainTextSelection`` (``startPosition`` /
  ``endPosition`` in code points of the stored text, creating user and dates) with one
  ``Coding`` per tag;
- ``Notes``: each comment a ``Note`` (``PlainTextContent``; a comment holding a character
  XML 1.0 cannot carry goes into the archive as a file instead), referred to by its
  selection's ``NoteRef``. Titles and tag names with such characters get U+FFFD there.

GUIDs are UUID 5 of what they stand for (a tag's name, a document's content hash, ...), so
exporting the same project twice gives the same GUIDs.

The codebook part (:func:`codes_element`, :func:`codebook_xml`) stands alone so that a
codebook can also be written as a ``.qdc`` file (``urn:QDA-XML:codebook:1.0``).

Reading (:func:`read_qdpx`) accepts what other tools write too: ``PlainTextContent`` or
an ``internal://`` file (UTF-8, a byte order mark dropped), CRLF line endings (positions
count the CR, as Windows tools do, and are mapped onto the stored LF text), nested codes
(a code's name becomes a tag), three-digit colours, memos as notes or as a selection's
``Description``. What reader cannot hold (a picture, PDF, audio or video source, a coding
of a whole source, a selection outside its text, a file outside the archive) is listed in
``skipped``, never guessed at.
"""

from __future__ import annotations

import bisect
import getpass
import hashlib
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from lxml import etree

from reader.core.coders import usable_coder_name
from reader.core.documents import content_hash, detect_script, normalize_text
from reader.core.errors import StoreError
from reader.core.models import (
    Annotation,
    Code,
    CodeSpec,
    Document,
    RestoredAnnotation,
    Script,
    Tag,
)
from reader.core.project import ProjectSnapshot, read_project
from reader.core.safefile import replacing
from reader.core.store import Store

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "CodeEntry",
    "ImportReport",
    "QdaProject",
    "QdaSelection",
    "QdaSource",
    "code_entries",
    "codebook_xml",
    "codes_element",
    "export_qdpx",
    "import_qdpx",
    "project_xml",
    "read_qdpx",
    "tag_entries",
    "write_qdpx",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:x-reader:refi-qda")
"""Our namespace for UUID 5: the same thing always gets the same GUID."""
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes
VARIABLES = ("source", "published", "author", "script")
"""Document metadata carried as Text variables; ``script`` saves detecting it again."""
SCRIPTS = ("simplified", "traditional", "neutral", "japanese")
MAX_MEMBER_BYTES = 1 << 30
"""A member of the archive larger than this (1 GiB unpacked) is refused: a zip bomb."""

_RGB = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def guid(kind: str, key: str) -> str:
    """UUID 5 of ``kind:key`` in our namespace (uuid.uuid5, without its object overhead:
    an export makes one per selection and coding)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{kind}:{key}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    hex_ = digest.hex()
    return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _datetime(stamp: str) -> str | None:
    """An ISO timestamp as xsd:dateTime in UTC, or None when it is not one."""
    if len(stamp) == 25 and stamp.endswith("+00:00") and stamp[10] == "T":  # the store's own
        return stamp[:19] + "Z"
    try:
        parsed = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_UTC_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _stored_time(stamp: str | None) -> str:
    """An xsd:dateTime read from a file, as the store keeps times (ISO, seconds, +00:00)."""
    if not stamp:
        return ""
    if _UTC_SECONDS.fullmatch(stamp):  # what we write
        return stamp[:19] + "+00:00"
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


def _xml_text(text: str) -> str:
    """Text as XML 1.0 can hold it: characters it forbids (most C0 controls, lone
    surrogates, U+FFFE/U+FFFF) become U+FFFD. Only comments and titles can hold them; the
    sources themselves are files in the archive and keep every character."""
    return _XML_FORBIDDEN.sub("\ufffd", text)


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The codebook


@dataclass(frozen=True)
class CodeEntry:
    """One code of a codebook. ``parent``: the name of the code it sits under (issue 9)."""

    name: str
    color: str | None = None
    description: str = ""
    parent: str | None = None
    guid: str = ""
    memo: str = ""
    """The analyst's notes on the code: a project writes it as a Note (a ``.qdc`` has no
    place for it)."""
    note_guids: tuple[str, ...] = ()
    """Read from a project: the Notes its ``NoteRef`` elements name (their texts become the
    memo)."""

    @property
    def code_guid(self) -> str:
        return self.guid or guid("code", self.name)


def tag_entries(tags: Iterable[Tag]) -> list[CodeEntry]:
    """The store's tags as codebook entries (flat until tags have parents)."""
    return [
        CodeEntry(
            name=tag.name,
            color=tag.color,
            description=getattr(tag, "description", "") or "",
            parent=getattr(tag, "parent", None),
        )
        for tag in tags
    ]


def code_entries(codes: Sequence[Code]) -> list[CodeEntry]:
    """The store's codebook (store.codebook.codes()) as entries: parents by name, with their
    descriptions and memos (a project writes a memo as a Note; Codebook.xsd has no place for
    it, so a ``.qdc`` leaves it out)."""
    names = {code.id: code.name for code in codes}
    return [
        CodeEntry(
            name=code.name,
            color=code.color,
            description=code.description,
            parent=names.get(code.parent_id) if code.parent_id is not None else None,
            memo=code.memo,
        )
        for code in codes
    ]


def memo_note_guid(code: CodeEntry) -> str:
    """The GUID of the Note holding a code's memo in a project (stable, as every GUID)."""
    return guid("note", f"code:{code.code_guid}")


def codes_element(
    codes: Sequence[CodeEntry], namespace: str = PROJECT_NS, *, memos: bool = False
) -> etree._Element:
    """The ``<Codes>`` element: codes nested under their parents (a parent that is not in
    the list, or a cycle, puts the code at the top level). ``memos``: a code with a memo
    refers to its Note (:func:`memo_note_guid`; a project writes the Note itself)."""
    by_name = {code.name: code for code in codes}
    children: dict[str | None, list[CodeEntry]] = {}
    for code in codes:
        parent = code.parent if code.parent in by_name and code.parent != code.name else None
        children.setdefault(parent, []).append(code)
    root = etree.Element(f"{{{namespace}}}Codes", nsmap={None: namespace})  # type: ignore[dict-item]
    placed: set[str] = set()

    def add(parent_element: etree._Element, code: CodeEntry) -> None:
        placed.add(code.name)
        attributes = {"guid": code.code_guid, "name": _xml_text(code.name), "isCodable": "true"}
        if code.color and _RGB.fullmatch(code.color):
            attributes["color"] = code.color
        element = etree.SubElement(parent_element, f"{{{namespace}}}Code", attributes)
        if code.description:
            etree.SubElement(element, f"{{{namespace}}}Description").text = _xml_text(
                code.description
            )
        if memos and code.memo.strip():  # CodeType: Description?, NoteRef*, Code*
            etree.SubElement(
                element, f"{{{namespace}}}NoteRef", {"targetGUID": memo_note_guid(code)}
            )
        for child in children.get(code.name, []):
            if child.name not in placed:
                add(element, child)

    for code in children.get(None, []):
        add(root, code)
    for code in codes:  # codes only reachable through a cycle
        if code.name not in placed:
            add(root, code)
    return root


def codebook_xml(codes: Sequence[CodeEntry], origin: str = "reader") -> bytes:
    """A REFI-QDA codebook file (``.qdc``, ``urn:QDA-XML:codebook:1.0``)."""
    root = etree.Element(
        f"{{{CODEBOOK_NS}}}CodeBook",
        {"origin": origin},
        nsmap={None: CODEBOOK_NS},  # type: ignore[dict-item]
    )
    root.append(codes_element(codes, CODEBOOK_NS))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_codes(codes: etree._Element | None) -> list[CodeEntry]:
    """The codes of a ``<Codes>`` element (either namespace), parents before children.

    Walked with a stack, not recursion: a file nesting codes thousands deep is data too.
    """
    entries: list[CodeEntry] = []
    if codes is None:
        return entries
    stack: list[tuple[etree._Element, str | None]] = [
        (code, None) for code in reversed(list(codes.iterchildren("{*}Code")))
    ]
    while stack:
        code, parent = stack.pop()
        name = (code.get("name") or "").strip()
        description = code.find("{*}Description")
        color = code.get("color") or None
        if color and _RGB.fullmatch(color):
            if len(color) == 4:
                color = "#" + "".join(c * 2 for c in color[1:])  # #f00 -> #ff0000
            color = color.lower()
        else:
            color = None
        if name:
            text = "" if description is None else description.text or ""
            notes = tuple(ref.get("targetGUID", "") for ref in code.iterchildren("{*}NoteRef"))
            entries.append(
                CodeEntry(name, color, text, parent, code.get("guid", ""), note_guids=notes)
            )
        stack.extend(
            (child, name or parent) for child in reversed(list(code.iterchildren("{*}Code")))
        )
    return entries


# The project model, as read from or written to a file


@dataclass(frozen=True)
class QdaSelection:
    start: int
    end: int
    code_guids: tuple[str, ...]
    note: str = ""
    created: str = ""
    modified: str = ""
    user: str | None = None
    """The creating user's GUID."""


@dataclass(frozen=True)
class QdaSource:
    guid: str
    name: str
    text: str
    """The stored form (BOM dropped, LF line endings); selections are mapped onto it."""
    selections: tuple[QdaSelection, ...] = ()
    variables: dict[str, str] = field(default_factory=dict)
    description: str = ""
    """The source's Description: its memo."""


@dataclass(frozen=True)
class QdaProject:
    name: str
    users: dict[str, str]
    """GUID -> name."""
    codes: list[CodeEntry]
    sources: list[QdaSource]
    skipped: list[str] = field(default_factory=list)
    """What the file holds that reader cannot (one sentence each)."""

    @property
    def code_names(self) -> dict[str, str]:
        return {code.code_guid: code.name for code in self.codes}


# Writing
#
# project.qde is written as text: a 1,000-document project has some 200,000 elements, and
# building them as lxml elements costs more than the rest of the export together.


_NEEDS_ESCAPE = re.compile('[&<>"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def _attr(value: str) -> str:
    """An attribute value, quoted and escaped (line breaks kept as character references)."""
    if not _NEEDS_ESCAPE.search(value):
        return f'"{value}"'
    return (
        '"'
        + _xml_text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
        + '"'
    )


def _content(value: str) -> str:
    """Element text, escaped (a CR kept as a character reference, so it survives parsing)."""
    return (
        _xml_text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def _tag(name: str, attributes: dict[str, str], close: bool = False) -> str:
    inside = "".join(f" {key}={_attr(value)}" for key, value in attributes.items())
    return f"<{name}{inside}{'/' if close else ''}>"


def project_xml(
    project: ProjectSnapshot,
    *,
    name: str,
    coder_of: Callable[[Annotation], str] | None = None,
    codes: Sequence[CodeEntry] | None = None,
    owner_name: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` and the files to put beside it (archive name -> text).

    ``owner_name``: who exports (the project's creating user; default: the login name of
    whoever runs reader). ``coder_of(annotation)``: the coder who made it (default: its
    coder, or the owner for an annotation without one). ``codes``: the codebook (default:
    the project's tags, flat).
    """
    default_user = owner_name or _login_name()
    coder = coder_of or (lambda annotation: annotation.coder or default_user)
    users: dict[str, str] = {default_user: guid("user", default_user)}
    for annotation in project.annotations:
        user = coder(annotation)
        if user not in users:
            users[user] = guid("user", user)
    owner = users[default_user]
    stamp = _now()
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        _tag(
            "Project",
            {
                "xmlns": PROJECT_NS,
                "name": name,
                "origin": "reader",
                "creatingUserGUID": owner,
                "creationDateTime": stamp,
                "modifyingUserGUID": owner,
                "modifiedDateTime": stamp,
            },
        ),
        "\n<Users>",
        *(_tag("User", {"guid": g, "name": user}, close=True) for user, g in users.items()),
        "</Users>\n",
    ]
    if codes is not None:
        entries = list(codes)
    else:
        entries = code_entries(project.codes) if project.codes else tag_entries(project.tags)
    if entries:
        codes_xml = etree.tostring(codes_element(entries, memos=True), encoding="unicode")
        # the element carries its own xmlns; inside <Project> the default namespace is the same
        out += ["<CodeBook>", codes_xml.replace(f' xmlns="{PROJECT_NS}"', "", 1), "</CodeBook>\n"]
    code_guids = {entry.name: entry.code_guid for entry in entries}
    used_variables = [
        variable
        for variable in VARIABLES
        if any(getattr(document, variable) for document in project.documents.values())
    ]
    if used_variables:
        out.append("<Variables>")
        for variable in used_variables:
            out.append(
                _tag(
                    "Variable",
                    {
                        "guid": guid("variable", variable),
                        "name": variable,
                        "typeOfVariable": "Text",
                    },
                    close=True,
                )
            )
        out.append("</Variables>\n")
    by_document: dict[int, list[Annotation]] = {}
    for annotation in project.annotations:
        by_document.setdefault(annotation.document_id, []).append(annotation)
    files: dict[str, str] = {}
    notes: list[tuple[str, str, str, str]] = []
    # Each code's memo: a Note its Code refers to (written with the comments' Notes).
    memo_notes = [
        (memo_note_guid(entry), entry.memo, owner, "") for entry in entries if entry.memo.strip()
    ]
    memo_guids = {note[0] for note in memo_notes}
    if project.documents:
        out.append("<Sources>\n")
        for document in project.documents.values():
            source_guid = guid("document", document.content_hash or f"{document.id}")
            if f"sources/{source_guid}.txt" in files:  # the same text twice
                source_guid = guid("document", f"{document.content_hash}:{document.id}")
            files[f"sources/{source_guid}.txt"] = document.text
            out.append(
                _tag(
                    "TextSource",
                    {
                        "guid": source_guid,
                        "name": document.title,
                        "plainTextPath": f"internal://{source_guid}.txt",
                        "creatingUser": owner,
                    },
                )
            )
            memo = project.memos.get(document.id, "")
            if memo:  # the document's memo: a source's Description (QualCoder's memo too)
                out.append(f"<Description>{_content(memo)}</Description>")
            for annotation in by_document.get(document.id, []):
                _selection(
                    out, annotation, document, source_guid, users[coder(annotation)],
                    code_guids, notes,
                )  # fmt: skip
            for variable in used_variables:
                value = getattr(document, variable)
                if value:
                    out.append(
                        "<VariableValue>"
                        + _tag("VariableRef", {"targetGUID": guid("variable", variable)}, True)
                        + f"<TextValue>{_content(value)}</TextValue></VariableValue>"
                    )
            out.append("</TextSource>\n")
        out.append("</Sources>\n")
    if notes or memo_notes:
        out.append("<Notes>\n")
        for note_guid, text, user_guid, created in [*memo_notes, *notes]:
            kind = "memo" if note_guid in memo_guids else "comment"
            attributes = {"guid": note_guid, "name": kind, "creatingUser": user_guid}
            if created:
                attributes["creationDateTime"] = created
            if _XML_FORBIDDEN.search(text):  # XML cannot hold it: a file in the archive can
                attributes["plainTextPath"] = f"internal://{note_guid}.txt"
                files[f"sources/{note_guid}.txt"] = text
                out.append(_tag("Note", attributes, close=True) + "\n")
            else:
                out.append(
                    _tag("Note", attributes)
                    + f"<PlainTextContent>{_content(text)}</PlainTextContent></Note>\n"
                )
        out.append("</Notes>\n")
    out.append("</Project>\n")
    return "".join(out).encode("utf-8"), files


def exportable(annotation: Annotation, text: str) -> bool:
    """An orphan's offsets point at other words: it has no place in the text."""
    return annotation.status == "active" and 0 <= annotation.start < annotation.end <= len(text)


def _selection(
    out: list[str],
    annotation: Annotation,
    document: Document,
    source_guid: str,
    user_guid: str,
    code_guids: dict[str, str],
    notes: list[tuple[str, str, str, str]],
) -> None:
    if not exportable(annotation, document.text):
        return
    selection_guid = guid("selection", f"{source_guid}:{annotation.id}")
    created = _datetime(annotation.created_at)
    modified = _datetime(annotation.updated_at)
    user = f'"{user_guid}"'
    out.append(
        f'<PlainTextSelection guid="{selection_guid}" name={_attr(annotation.quote[:60])}'
        f' startPosition="{annotation.start}" endPosition="{annotation.end}"'
        f" creatingUser={user}"
        + (f' creationDateTime="{created}"' if created else "")
        + f" modifyingUser={user}"
        + (f' modifiedDateTime="{modified}"' if modified else "")
        + ">"
    )
    when = f' creationDateTime="{created}"' if created else ""
    for tag in annotation.tags:
        code_guid = code_guids.get(tag.name) or guid("code", tag.name)
        coding_guid = guid("coding", f"{selection_guid}:{code_guid}")
        out.append(
            f'<Coding guid="{coding_guid}" creatingUser={user}{when}>'
            f'<CodeRef targetGUID="{code_guid}"/></Coding>'
        )
    if annotation.comment:
        note_guid = guid("note", selection_guid)
        out.append(f'<NoteRef targetGUID="{note_guid}"/>')
        notes.append((note_guid, annotation.comment, user_guid, created or ""))
    out.append("</PlainTextSelection>\n")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (a container without $USER)
        return "reader"


def write_qdpx(
    out: IO[bytes],
    project: ProjectSnapshot,
    *,
    name: str,
    coder_of: Callable[[Annotation], str] | None = None,
    owner_name: str | None = None,
) -> int:
    """Write the archive to a binary handle; returns the number of annotations written.
    ``owner_name`` and ``coder_of`` as for :func:`project_xml`."""
    xml, files = project_xml(project, name=name, coder_of=coder_of, owner_name=owner_name)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("project.qde", xml)
        for member, text in files.items():
            archive.writestr(member, text.encode("utf-8", "surrogatepass"))
    return sum(
        1
        for annotation in project.annotations
        if exportable(annotation, project.documents[annotation.document_id].text)
    )


def export_qdpx(store: Store, target: Path, **filters: Any) -> int:
    """The project (filters as for the CSV export) as a ``.qdpx`` archive at ``target``,
    written through :func:`reader.core.safefile.replacing`."""
    project = read_project(store, **filters)
    with replacing(target, "wb") as out:
        return write_qdpx(out, project, name=store.path.stem or "reader", owner_name=store.coder)


# Reading


class QdpxError(StoreError):
    """The file is not a REFI-QDA project reader can read (a sentence saying why)."""


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise QdpxError(f"{name} in the archive unpacks to {info.file_size:,} bytes: refused.")
    return archive.read(info)


def _local(element: etree._Element) -> str:
    """The element's name without its namespace ("" for a comment or processing
    instruction); any namespace is accepted, as some tools write none."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child called ``name`` in any namespace (or none: some tools write none)."""
    return element.find("{*}" + name)


def _children(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else list(element.iterchildren("{*}" + name))


def read_qdpx(path: Path) -> QdaProject:
    """Read a ``.qdpx`` archive (or a bare ``project.qde``) into a :class:`QdaProject`."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                qde = next((n for n in names if n.lower().endswith(".qde")), None)
                if qde is None:
                    raise QdpxError(f"{path} holds no project.qde: not a REFI-QDA project.")
                xml = _member(archive, qde)
                members = {n: n for n in names}
                members.update({n.lower(): n for n in names})

                def load(name: str) -> bytes | None:
                    key = f"sources/{name}"
                    found = members.get(key) or members.get(key.lower())
                    return _member(archive, found) if found else None

                return _parse(xml, load, path)
        return _parse(path.read_bytes(), lambda _name: None, path)
    except OSError as error:
        raise QdpxError(f"Cannot read {path}: {error.strerror or error}.") from error
    except zipfile.BadZipFile as error:
        raise QdpxError(f"{path} is a damaged archive ({error}).") from error


_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def _parse(xml: bytes, load: Callable[[str], bytes | None], path: Path) -> QdaProject:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    if any(mark in xml for mark in _DOCTYPES):
        # QDA-XML has no DTD; a declared one could define entities that expand without end
        raise QdpxError(f"{path}: project.qde declares a DOCTYPE, which QDA-XML never has.")
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise QdpxError(f"{path}: project.qde is not well-formed XML ({error}).") from error
    if _local(root) != "Project":
        raise QdpxError(f"{path}: project.qde's root is <{_local(root)}>, not <Project>.")
    users = {
        user.get("guid", ""): user.get("name") or user.get("id") or ""
        for user in _children(_child(root, "Users"), "User")
    }
    codebook = _child(root, "CodeBook")
    parsed = parse_codes(_child(codebook, "Codes") if codebook is not None else None)
    variables = {
        variable.get("guid", ""): variable.get("name", "")
        for variable in _children(_child(root, "Variables"), "Variable")
    }
    notes = {
        note.get("guid", ""): _text_of(note, load)[0]
        for note in _children(_child(root, "Notes"), "Note")
    }
    # A code's NoteRefs: its memo (several notes one after another, as a selection's are).
    codes = [
        replace(code, memo="\n\n".join(notes[g] for g in code.note_guids if notes.get(g)))
        if code.note_guids
        else code
        for code in parsed
    ]
    skipped: list[str] = []
    sources: list[QdaSource] = []
    listed = _child(root, "Sources")
    for source in [] if listed is None else list(listed):
        kind = _local(source)
        name = source.get("name") or source.get("guid") or "?"
        if kind != "TextSource":
            skipped.append(f"{kind} {name!r}: reader holds text only")
            continue
        raw, problem = _text_of(source, load)
        if problem:
            skipped.append(f"TextSource {name!r}: {problem}")
            continue
        sources.append(_source(source, name, raw, notes, variables, skipped))
    return QdaProject(root.get("name", path.stem), users, codes, sources, skipped)


def _text_of(element: etree._Element, load: Callable[[str], bytes | None]) -> tuple[str, str]:
    """(raw text, "") of a TextSource or Note, or ("", why it cannot be read)."""
    content = _child(element, "PlainTextContent")
    if content is not None:
        return content.text or "", ""
    location = element.get("plainTextPath") or ""
    if location.startswith("internal://"):
        data = load(location[len("internal://") :])
        if data is None:
            return "", f"its file {location} is not in the archive"
        try:
            return data.decode("utf-8-sig"), ""
        except UnicodeDecodeError as error:
            return "", f"its file {location} is not UTF-8 (byte {error.start})"
    if location:
        return "", f"its text is outside the archive ({location})"
    return "", "it has no text"


class _Offsets:
    """Positions in a source's text -> positions in its stored form (CRLF -> LF).

    Positions count the characters of the text as the other tool holds it: a CR before LF
    is one of them (Windows tools count it), a byte order mark is not (it is no character
    of the text; the file is read as UTF-8 with an optional BOM).
    """

    def __init__(self, raw: str) -> None:
        self.removed = [match.start() for match in re.finditer("\r(?=\n)", raw)]

    def __call__(self, position: int) -> int:
        if not self.removed:
            return position
        return position - bisect.bisect_left(self.removed, position)


def _source(
    source: etree._Element,
    name: str,
    raw: str,
    notes: dict[str, str],
    variables: dict[str, str],
    skipped: list[str],
) -> QdaSource:
    text = normalize_text(raw)
    stored = _Offsets(raw)
    selections: list[QdaSelection] = []
    for child in source:
        kind = _local(child)
        if kind == "Coding":
            skipped.append(f"a coding of the whole of {name!r}: reader codes passages")
        if kind != "PlainTextSelection":
            continue
        try:
            raw_start = int(child.get("startPosition", ""))
            raw_end = int(child.get("endPosition", ""))
        except ValueError:
            skipped.append(f"a selection in {name!r} without whole-number positions")
            continue
        start, end = stored(raw_start), stored(raw_end)
        if not 0 <= start < end <= len(text):
            skipped.append(f"selection [{raw_start}, {raw_end}) of {name!r}: outside its text")
            continue
        memo: list[str] = []
        codings: list[str] = []
        for part in child:  # one pass: Description, Coding*, NoteRef*
            what = _local(part)
            if what == "Coding":
                codings.extend(ref.get("targetGUID", "") for ref in _children(part, "CodeRef"))
            elif what == "NoteRef":
                note = notes.get(part.get("targetGUID", ""))
                if note:
                    memo.append(note)
            elif what == "Description" and (part.text or "").strip():
                memo.insert(0, part.text or "")
        selections.append(
            QdaSelection(
                start,
                end,
                tuple(codings),
                "\n\n".join(memo),
                _stored_time(child.get("creationDateTime")),
                _stored_time(child.get("modifiedDateTime") or child.get("creationDateTime")),
                child.get("creatingUser"),
            )
        )
    values: dict[str, str] = {}
    for holder in _children(source, "VariableValue"):
        ref = _child(holder, "VariableRef")
        value = _child(holder, "TextValue")
        if ref is not None and value is not None:
            variable = variables.get(ref.get("targetGUID", ""), "")
            if variable:
                values[variable] = value.text or ""
    described = _child(source, "Description")
    source_memo = (described.text or "") if described is not None else ""
    return QdaSource(source.get("guid", ""), name, text, tuple(selections), values, source_memo)


# Importing into a store


@dataclass(frozen=True)
class ImportReport:
    documents_added: int
    documents_present: int
    codes: int
    annotations_added: int
    annotations_present: int
    users: dict[str, str]
    skipped: list[str]
    renamed: list[str] = field(default_factory=list)
    """Users whose name had to change to be a coder's name here (one sentence each)."""


def import_qdpx(store: Store, path: Path) -> ImportReport:
    """Import a REFI-QDA project: its text sources as documents (an identical text already
    here is reused), its codes as tags (an existing tag keeps its colour), its selections
    with their codings and memos as annotations, all in one transaction. Importing the same
    file twice adds nothing."""
    project = read_qdpx(path)
    code_names = project.code_names
    added = present = 0
    skipped = list(project.skipped)
    items: list[RestoredAnnotation] = []
    coders: dict[str, str] = {}
    renamed: list[str] = []
    for user_guid, user_name in project.users.items():
        coders[user_guid] = usable_coder_name(user_name)
        if coders[user_guid] != user_name.strip():
            now_called = coders[user_guid] or "the importing coder"
            renamed.append(f"user {user_name!r} codes here as {now_called!r}")
    with store.bulk_transaction():
        # New codes come with their place in the tree and their description; a code already
        # here keeps its own (and its colour).
        new_codes: dict[str, CodeSpec] = {}
        for code in project.codes:
            if code.name not in new_codes and store.codebook.find(code.name) is None:
                new_codes[code.name] = CodeSpec(
                    code.name,
                    code.parent or "",
                    code.color,
                    code.description.strip() or None,
                    code.memo if code.memo.strip() else None,
                )
        if new_codes:
            store.codebook.import_codes(list(new_codes.values()), path.name, undoable=False)
        for source in project.sources:
            digest = content_hash(source.text)
            document_id = store.documents.find_by_hash(digest)
            if document_id is None:
                script = source.variables.get("script", "")
                document_id = store.documents.add(
                    text=source.text,
                    title=source.name,
                    path=f"{path.name}#{source.name}",
                    content_hash=digest,
                    script=Script(script) if script in SCRIPTS else detect_script(source.text),
                    **{key: source.variables.get(key, "") for key in VARIABLES[:3]},
                )
                if source.description.strip():
                    store.codebook.set_document_memo(
                        document_id, source.description, undoable=False
                    )
                added += 1
            else:
                present += 1
            for selection in source.selections:
                tags = []
                for code_guid in selection.code_guids:
                    name = code_names.get(code_guid)
                    if name is None:
                        skipped.append(
                            f"a coding in {source.name!r} refers to no code ({code_guid})"
                        )
                    else:
                        tags.append(name)
                items.append(
                    RestoredAnnotation(
                        id=None,
                        document_id=document_id,
                        start=selection.start,
                        end=selection.end,
                        tags=tuple(tags),
                        comment=selection.note,
                        created_at=selection.created,
                        updated_at=selection.modified,
                        passage=source.text[selection.start : selection.end],
                        # No user, or one the file does not list: the importing coder's.
                        coder=coders.get(selection.user or "", ""),
                    )
                )
        results = store.annotations.restore(items)
    new = sum(1 for result in results if result is not None)
    return ImportReport(
        documents_added=added,
        documents_present=present,
        codes=len(project.codes),
        annotations_added=new,
        annotations_present=len(results) - new,
        users=project.users,
        skipped=skipped,
        renamed=renamed,
    )
