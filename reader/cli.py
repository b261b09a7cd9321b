"""The ``reader`` command: thin wrappers that parse options, call the core and print.

Heavy imports (Textual, the store) happen inside the commands so that ``reader convert`` starts
as fast as OpenCC's own command line.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

import click
from click_default_group import DefaultGroup

from reader.core.convert import CONFIGS
from reader.core.display import visible_line

if TYPE_CHECKING:
    from reader.core.importing import ImportResult
    from reader.core.search import Query
    from reader.core.store import Store

DEFAULT_DB = Path("annotations.db")

Database = Path | str
"""A --db value: an SQLite file's path, or a ``postgresql://`` URL (kept as text)."""


class DatabaseType(click.ParamType):
    """--db: a file path, or a PostgreSQL URL (whose credentials libpq finds itself)."""

    name = "PATH|URL"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Database:
        from reader.core.store.common import is_postgres_url

        if isinstance(value, Path):
            return value
        text = str(value)
        if is_postgres_url(text):
            return text
        if "://" in text:
            self.fail(
                f"{shown(text)} is not a database: give a file path or a postgresql:// URL",
                param,
                ctx,
            )
        return Path(text)


def database_missing(db: Database) -> bool:
    """A file that is not there (a server's database is created or refused on connecting)."""
    return isinstance(db, Path) and not db.exists()


def shown(text: str) -> str:
    """A message as it may reach the terminal: one line, no control character, encodable.

    Titles, paths, tag names and error texts are data: each control character becomes a
    visible symbol (reader.core.display), and the undecodable bytes of a file name (lone
    surrogates from the file system) become U+FFFD instead of failing to print.
    """
    line = visible_line(text)
    try:  # the file system's undecodable bytes, as Python keeps them
        return line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # other lone surrogates
        return line.encode("utf-8", "replace").decode("utf-8")


def say(message: str, *, err: bool = False, fg: str | None = None) -> None:
    """Print one message line: every message the command line prints goes through here.

    Data the user asked for on standard output (``export -o -``, ``convert``) is not a
    message and is written byte for byte instead.
    """
    click.secho(shown(message), err=err, fg=fg)


class ReaderGroup(DefaultGroup):
    """The command group, making every error message (ours and click's) safe to print."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _shown_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _shown_errors():
            return super().invoke(ctx)


@contextlib.contextmanager
def _shown_errors() -> Iterator[None]:
    try:
        yield
    except click.ClickException as error:
        # click types message as Final; rewritten in place, the exception keeps its own type
        # (UsageError, BadParameter) and context, so click still prints its usage line.
        error.message = shown(error.message)  # type: ignore[misc]
        raise


def configured_database() -> str:
    """``--db`` when neither it nor READER_DB is given: the settings file's ``[database] url``,
    else annotations.db here. A ``[database]`` entry that is wrong stops the command with its
    sentence, rather than quietly opening (or creating) another database."""
    from reader.core.config import load_settings

    settings, problems = load_settings()
    wrong = [problem for problem in problems if "[database]" in problem or "TOML" in problem]
    if wrong and settings.database is None:
        raise click.UsageError(wrong[0])
    return settings.database or str(DEFAULT_DB)


db_option = click.option(
    "--db",
    "db_path",
    type=DatabaseType(),
    default=configured_database,
    show_default=f"{DEFAULT_DB}, or [database] url in the settings file",
    envvar="READER_DB",
    help="The annotations database: a file, or postgresql://host/project (also READER_DB).",
)


def _checked_coder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from reader.core.coders import CoderNameError, check_coder_name

    try:
        return check_coder_name(value)
    except CoderNameError as error:
        raise click.BadParameter(str(error)) from None


coder_option = click.option(
    "--coder",
    metavar="NAME",
    callback=_checked_coder,
    help="Who is coding: new annotations are recorded as theirs, and undo takes back only"
    " their actions (default: $READER_CODER, else the OS user).",
)


def open_store(db_path: Database, coder: str | None = None) -> Store:
    """The store at ``db_path``, coding as ``coder`` (None: READER_CODER, else the OS user)."""
    from reader.core.coders import CoderNameError, resolve_coder
    from reader.core.store import Store, StoreError

    try:
        store = Store(db_path, coder=resolve_coder(coder))
    except CoderNameError as error:
        raise click.ClickException(f"READER_CODER: {error}") from error
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    for notice in store.notices:
        say(notice, err=True, fg="yellow")
    return store


@click.group(cls=ReaderGroup, default="open", default_if_no_args=True)
@click.version_option(package_name="reader")
def cli() -> None:
    """A terminal reader and annotator for Chinese text.

    Run with no arguments to open the library in ./annotations.db, or give files to import
    and open them: reader article.txt
    """


@cli.command("open")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@coder_option
def open_app(files: tuple[Path, ...], db_path: Database, coder: str | None) -> None:
    """Open the reader (the default command).

    Example: reader --db project.db --coder anna article.txt
    """
    from reader.ui.app import make_app

    store = open_store(db_path, coder)
    app = make_app(store, files)
    app.run()


class ByteSize(click.ParamType):
    """A size such as ``200MB``, ``512K`` or a plain number of bytes."""

    name = "size"
    units = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "M": 1 << 20, "MB": 1 << 20,
             "G": 1 << 30, "GB": 1 << 30}  # fmt: skip

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().replace(" ", "")
        number = text.rstrip("KMGB")
        unit = text[len(number) :]
        try:
            size = int(float(number) * self.units[unit])
        except (ValueError, KeyError, OverflowError):
            size = -1
        if size < 0:
            self.fail(
                f"{value!r} is not a size like 200MB, 512K or 1048576 (for no practical limit,"
                " give a large one such as 100GB)",
                param,
                ctx,
            )
        return size


@cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--encoding", help="Decode every file with this encoding instead of detecting it.")
@click.option(
    "--errors",
    type=click.Choice(["strict", "replace"]),
    default="strict",
    show_default=True,
    help="With --encoding: 'replace' imports undecodable bytes as U+FFFD instead of refusing.",
)
@click.option(
    "--max-size",
    type=ByteSize(),
    default="200MB",
    show_default=True,
    help="Refuse files larger than this.",
)
@coder_option
def import_command(
    paths: tuple[str, ...],
    db_path: Database,
    encoding: str | None,
    errors: str,
    max_size: int,
    coder: str | None,
) -> None:
    """Import text files and saved web pages: files, folders (recursively) and globs.

    Encodings (UTF-8/16, GB18030/GBK/GB2312, Big5/Big5-HKSCS) are detected. Importing a file
    again adds nothing if it is unchanged; if it changed, it becomes a new version of the same
    document and its annotations move with the text (those whose passage is gone are kept as
    orphans). Exit status 1 if any file failed.

    Example: reader import --db project.db articles/ 'saved/**/*.html'
    """
    from reader.core.importing import ImportFailure, ImportProgress, ImportStatus, import_files

    if errors == "replace" and encoding is None:
        raise click.BadParameter("only valid together with --encoding", param_hint="--errors")
    if encoding is not None:
        from reader.core.documents import is_text_encoding

        if not is_text_encoding(encoding):
            raise click.BadParameter(
                f"{encoding!r} is not a text encoding (try utf-8, gb18030, big5 or big5hkscs)",
                param_hint="--encoding",
            )
    store = open_store(db_path, coder)
    counts: dict[str, int] = {}

    def report(step: ImportProgress) -> None:
        outcome = step.outcome
        if isinstance(outcome, ImportFailure):
            counts["failed"] = counts.get("failed", 0) + 1
            say(f"failed       {outcome}", fg="red", err=True)
            return
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        say(_import_line(outcome, step.path))

    import_files(store, paths, progress=report, encoding=encoding, errors=errors, max_size=max_size)
    store.close()
    summary = ", ".join(
        f"{counts[key]} {key}" for key in (*ImportStatus, "failed") if counts.get(key)
    )
    total = sum(count for key, count in counts.items() if key != "failed")
    say(f"Imported {total} file{'s' if total != 1 else ''} into {store.location}: {summary or '0'}")
    if counts.get("failed"):
        sys.exit(1)


def _import_line(result: ImportResult, path: Path | None) -> str:
    """``new     #3  gb18030     simplified   红楼梦  (956,757 chars)  path``."""
    from reader.core.importing import ImportStatus

    new_version = result.status == ImportStatus.NEW_VERSION
    status = f"version {result.version}" if new_version else str(result.status)
    line = (
        f"{status:<12} #{result.document_id:<4} {result.encoding:<10} {result.script:<11}"
        f" {result.title}  ({result.chars:,} chars)"
    )
    if new_version:
        line += (
            f"  annotations: {result.kept} kept, {result.moved} moved, {result.orphaned} orphaned"
        )
    if result.replaced:
        line += f"  {result.replaced} undecodable bytes replaced"
    return f"{line}  {path}" if path else line


@cli.command("export")
@db_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the export (default: annotations-YYYYMMDD.csv or .xlsx; '-' for"
    " standard output).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "xlsx", "w3c", "qdpx"]),
    help="csv (default), xlsx (a spreadsheet whose text cells stay text), w3c (W3C Web"
    " Annotation JSON-LD) or qdpx (a REFI-QDA project for QualCoder, NVivo, ATLAS.ti, MAXQDA);"
    " a FILE ending in .xlsx, .jsonld or .qdpx chooses that format.",
)
@click.option(
    "--script",
    type=click.Choice(CONFIGS),
    help="Add a passage_converted column in this OpenCC config.",
)
@click.option("--tag", "tags", multiple=True, help="Only annotations with this tag (repeatable).")
@click.option("--document", help="Only this document: an id, or part of its title.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only annotations created or changed on or after this date (YYYY-MM-DD, UTC).",
)
@click.option(
    "--coder",
    "coders",
    multiple=True,
    metavar="NAME",
    help="Only annotations made by this coder (repeatable).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="Start with a UTF-8 byte order mark so Excel shows Chinese text correctly.",
)
def export_command(
    db_path: Database,
    output: Path | None,
    file_format: str | None,
    script: str | None,
    tags: tuple[str, ...],
    document: str | None,
    since: datetime | None,
    coders: tuple[str, ...],
    excel: bool,
) -> None:
    """Export annotations: CSV (UTF-8, RFC 4180, safe in a spreadsheet), xlsx, W3C or REFI-QDA.

    CSV: every text field is quoted; cells that a spreadsheet would run as a formula (starting
    with = + - @ tab or CR) and cells starting with ' get a leading ' (OWASP);
    import-annotations removes it again. xlsx: every text cell is a string cell (never a
    formula, number or date) and needs no '; the tags are also one per row on the
    annotation_tags sheet.

    Example: reader export -o coded.csv --script s2twp --tag 政策 --since 2025-01-01 --excel

    Example: reader export -o anna.csv --coder anna

    Example: reader export -o coded.xlsx

    Example: reader export --format qdpx -o study.qdpx   (then: reader import-project)
    """
    from reader.core.export import (
        default_export_name,
        export_format,
        export_to_file,
        find_documents,
        write_csv,
    )
    from reader.core.store import StoreError

    if database_missing(db_path):
        raise click.ClickException(f"{db_path}: no such database")
    store = open_store(db_path)
    documents = None
    if document is not None:
        documents = find_documents(store, document)
        if not documents:
            raise click.ClickException(f"no document has the id or a title containing {document!r}")
    options: dict[str, Any] = {
        "tags": tags,
        "documents": documents,
        "since": since.date().isoformat() if since else None,
        "coders": tuple(name.strip() for name in coders if name.strip()),
        "excel": excel,
    }
    chosen = export_format(output or "", file_format)
    if excel and chosen != "csv":
        raise click.UsageError(f"--excel is for CSV: a {chosen} file needs no byte order mark")
    if script and chosen in ("w3c", "qdpx"):
        raise click.UsageError(
            f"--script is for csv and xlsx: a {chosen} export carries the original text"
        )
    cut_cells: list[str] = []
    if chosen == "xlsx":
        options["cut_cells"] = cut_cells
    try:
        if output is not None and str(output) == "-":
            if chosen == "xlsx":
                from reader.core.xlsx_export import write_xlsx

                _to_stdout(lambda out: write_xlsx(store, out.buffer, script, **options))
            elif chosen in ("w3c", "qdpx"):
                _to_stdout(lambda out: _write_project(store, out, chosen, options))
            else:
                _to_stdout(lambda out: write_csv(store, out, script, **options))
            return
        target = output or Path(default_export_name(file_format=chosen))
        count = export_to_file(store, target, script, file_format=chosen, **options)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
        for line in cut_cells:
            say(f"cut: {line} (the CSV export keeps it whole)", err=True)
    noun = "annotation" if count == 1 else "annotations"
    say(f"Wrote {count} {noun} to {target}", err=True)


def _write_project(store: Store, out: TextIO, chosen: str, options: dict[str, Any]) -> int:
    """A W3C or REFI-QDA export to standard output (text, or the archive's bytes)."""
    from reader.core.export import PROJECT_FILTERS

    filters = {key: value for key, value in options.items() if key in PROJECT_FILTERS}
    if chosen == "w3c":
        from reader.core.w3c import write_w3c

        return write_w3c(store, out, **filters)
    from reader.core.project import read_project
    from reader.core.refiqda import write_qdpx

    project = read_project(store, **filters)
    return write_qdpx(out.buffer, project, name=store.path.stem, owner_name=store.coder)


def _to_stdout(write: Callable[[TextIO], object]) -> None:
    """Write data to standard output; a closed or full output is a sentence and exit 1."""
    from reader.core.safefile import write_reason

    try:
        write(sys.stdout)
        sys.stdout.flush()
        with contextlib.suppress(AttributeError):
            sys.stdout.buffer.flush()
    except OSError as error:
        _silence_stdout()
        raise click.ClickException(
            f"Cannot write standard output: {write_reason(error)}."
        ) from error


def _silence_stdout() -> None:
    """After a failed write, point stdout at nothing so the exit's flush does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner)
        pass


@cli.command("import-annotations")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@coder_option
def import_annotations_command(csv_file: Path, db_path: Database, coder: str | None) -> None:
    """Restore annotations from a CSV or xlsx made by `reader export` (twice adds nothing).

    Each row goes back to its own document: the one with its id and title, else its title,
    else its content (every passage at its offsets), so the documents must be in the
    database first (reader import FILES). Rows that cannot be read or placed are listed and
    make the exit status 1; all the others are written in one transaction (all or nothing).
    Each annotation keeps the coder of its `coder` column; an export from before coders has
    none, and its annotations become --coder's (default: $READER_CODER, else the OS user).

    Example: reader import-annotations coded.csv --db restored.db

    Example: reader import-annotations coded.xlsx --db restored.db
    """
    from reader.core.restore import import_csv
    from reader.core.store import StoreError

    store = open_store(db_path, coder)
    try:
        report = import_csv(store, csv_file)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    for line in report.missing:
        say(f"not restored: {line}", err=True)
    say(
        f"{report.added} added ({report.moved} placed by title or content),"
        f" {report.already_present} already present, {len(report.missing)} not restored.",
        err=True,
    )
    if report.missing:
        sys.exit(1)


@cli.command("agreement")
@click.argument(
    "coder_dbs",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--coders",
    metavar="A,B[,C...]",
    help="The coders to compare, by name, in one database (--db).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"With --coders: the database (default: {DEFAULT_DB}).",
)
@click.option("--tag", "tags", multiple=True, help="Only this code (repeatable).")
@click.option(
    "--document",
    help="Only this document: an id or part of a title (in the first file, without --coders).",
)
@click.option(
    "--unit",
    type=click.Choice(["character", "sentence"]),
    default="character",
    show_default=True,
    help="character: every character is a unit; sentence: the text cut after 。！？!? and at"
    " line ends.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the CSV or JSON here instead of standard output.",
)
def agreement_command(
    coder_dbs: tuple[Path, ...],
    coders: str | None,
    db_path: Path | None,
    tags: tuple[str, ...],
    document: str | None,
    unit: str,
    file_format: str,
    output: Path | None,
) -> None:
    """Inter-coder agreement: percent agreement, Cohen's κ (two coders), Krippendorff's α.

    With --coders, the coders' annotations in one database (every annotation records its
    coder). Or give one database per coder (copies of the project): the coder is named after
    the file and documents are matched by their text. Only documents every coder annotated
    count. Per code and overall (every unit-code pair pooled).

    Example: reader agreement --coders li,anna --db project.db --unit sentence --format csv

    Example: reader agreement li.db anna.db -o agreement.csv --format csv
    """
    from reader.core.agreement import AgreementReport, Unit
    from reader.core.agreement_input import (
        AgreementInputError,
        agreement_of_coders,
        agreement_of_stores,
        text_lines,
        write_report,
    )
    from reader.core.export import find_documents
    from reader.core.safefile import replacing
    from reader.core.store import StoreError

    chosen_unit: Unit = "sentence" if unit == "sentence" else "character"
    if coders is not None:
        if coder_dbs:
            raise click.UsageError(
                "give either --coders (several coders in one --db) or one database per coder,"
                " not both"
            )
        names = _coder_list(coders)
    else:
        if db_path is not None:
            raise click.UsageError("--db goes with --coders A,B; or give one database per coder")
        if len(coder_dbs) < 2:
            raise click.UsageError(
                "give the coders: --coders A,B [--db PATH], or two or more coders' databases"
            )
        names = [path.stem for path in coder_dbs]
        if len(set(names)) < len(names):
            names = [str(path) for path in coder_dbs]
        if len(set(names)) < len(names):
            raise click.UsageError("a database is given twice")
    stores: dict[str, Store] = {}
    try:
        if coders is not None:
            path = db_path or DEFAULT_DB
            if not path.exists():
                raise click.ClickException(f"{path}: no such database")
            stores[str(path)] = open_store(path)
        else:
            for name, path in zip(names, coder_dbs, strict=True):
                stores[name] = open_store(path)
        ids = None
        if document is not None:
            ids = find_documents(next(iter(stores.values())), document)
            if not ids:
                raise click.ClickException(
                    f"no document has the id or a title containing {document!r}"
                )
        report: AgreementReport
        if coders is not None:
            report = agreement_of_coders(
                next(iter(stores.values())),
                names,
                unit=chosen_unit,
                tags=list(tags) or None,
                documents=ids,
            )
        else:
            report = agreement_of_stores(
                stores, unit=chosen_unit, tags=list(tags) or None, documents=ids
            )
        if file_format == "text":
            for line in text_lines(report):
                say(line)
            return
        if output is not None and str(output) != "-":
            with replacing(output) as out:
                write_report(report, out, file_format)
            say(f"Wrote the agreement of {', '.join(names)} to {output}", err=True)
        else:
            _to_stdout(lambda out: write_report(report, out, file_format))
    except AgreementInputError as error:
        raise click.ClickException(str(error)) from error
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        for store in stores.values():
            store.close()


def _coder_list(value: str) -> list[str]:
    """``--coders A,B,C`` as names (each checked), at least two different ones."""
    from reader.core.coders import CoderNameError, check_coder_name

    try:
        names = [check_coder_name(part) for part in value.split(",")]
    except CoderNameError as error:
        raise click.BadParameter(str(error), param_hint="--coders") from None
    if len(set(names)) < 2:
        raise click.BadParameter("give at least two different coders: A,B", param_hint="--coders")
    if len(set(names)) < len(names):
        raise click.BadParameter("a coder is given twice", param_hint="--coders")
    return names


@cli.command("import-project")
@click.argument("project_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@coder_option
def import_project_command(project_file: Path, db_path: Database, coder: str | None) -> None:
    """Import a REFI-QDA project (.qdpx from QualCoder, NVivo, ATLAS.ti, MAXQDA or reader).

    Its text sources become documents (a text already here is reused), its codes tags, its
    coded selections annotations with their memos as comments, each by the coder its user
    names (or --coder when the file names none); all in one transaction, and
    importing the same file twice adds nothing. What reader cannot hold (pictures, PDFs,
    audio, video, codings of a whole source) is listed and makes the exit status 1.

    Example: reader import-project study.qdpx --db study.db
    """
    from reader.core.refiqda import import_qdpx
    from reader.core.store import StoreError

    store = open_store(db_path, coder)
    try:
        report = import_qdpx(store, project_file)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    for line in report.skipped:
        say(f"not imported: {line}", err=True)
    for line in report.renamed:
        say(f"note: {line}", err=True)
    say(
        f"{report.documents_added} documents added ({report.documents_present} already here),"
        f" {report.codes} codes, {report.annotations_added} annotations added"
        f" ({report.annotations_present} already here), {len(report.skipped)} not imported.",
        err=True,
    )
    if report.skipped:
        sys.exit(1)


@cli.group("codebook", invoke_without_command=True)
@db_option
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["text", "csv", "qdc"]),
    help="text (the tree, the default), csv (name, parent, color, description, passages,"
    " documents, memo) or qdc (REFI-QDA codebook); -o FILE ending in .csv or .qdc chooses it.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output ('-': standard output).",
)
@click.pass_context
def codebook_command(
    ctx: click.Context, db_path: Path, file_format: str | None, output: Path | None
) -> None:
    """List or export the codebook: every code in its tree, with colour, counts, description.

    CSV is written as `reader export` writes it (a ' before a cell a spreadsheet would run
    as a formula); .qdc is the REFI-QDA codebook QualCoder, NVivo, ATLAS.ti and MAXQDA read
    (memos have no place in it: they are in the CSV's memo column).

    Example: reader codebook

    Example: reader codebook -o codes.qdc   (then: reader codebook import codes.qdc)
    """
    if ctx.invoked_subcommand is not None:
        return
    import io

    from reader.core.codebook_file import codebook_format, write_codebook
    from reader.core.safefile import replacing
    from reader.core.store import StoreError

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database")
    to_stdout = output is None or str(output) == "-"
    chosen = codebook_format(None if to_stdout else output, file_format)
    store = open_store(db_path)
    try:
        codes = store.codebook.codes()
        if to_stdout:
            data = io.BytesIO()
            write_codebook(codes, data, chosen)
            _to_stdout(lambda out: out.buffer.write(data.getvalue()))
            return
        assert output is not None
        with replacing(output, "wb") as target:
            write_codebook(codes, target, chosen)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    say(f"Wrote {len(codes)} code{'s' if len(codes) != 1 else ''} to {output}", err=True)


@codebook_command.command("import")
@click.argument("codebook_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def codebook_import_command(codebook_file: Path, db_path: Path) -> None:
    """Merge a codebook (.csv or REFI-QDA .qdc) into the database, by name.

    A new name becomes a new code; a code already here takes the file's parent, colour,
    description (and memo) where the file gives them, and keeps its passages. One undoable
    action (u in the app). A file that is not a codebook is refused with the reason, and
    nothing is imported.

    Example: reader codebook import codes.qdc --db study.db
    """
    from reader.core.codebook_file import import_codebook
    from reader.core.store import StoreError

    store = open_store(db_path)
    try:
        report, notes = import_codebook(store, codebook_file)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    for note in notes:
        say(f"note: {note}", err=True)
    say(
        f"{report.added} codes added, {report.updated} changed, {report.unchanged} already"
        f" as in {codebook_file.name}.",
        err=True,
    )


@cli.command("convert")
@click.option("-c", "--config", default="s2t", show_default=True, help="OpenCC configuration.")
@click.argument("source", default="-", type=click.File("rb"))
def convert_command(config: str, source: BinaryIO) -> None:
    """Print a text converted with OpenCC, byte for byte what OpenCC's own command line prints.

    Example: reader convert --config s2twp article.txt
    """
    from reader.core.convert import Converter

    try:
        engine = Converter(config)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error
    # Bytes in, bytes out: line endings stay as they are (CRLF too) and undecodable bytes pass
    # through untouched, as with OpenCC's own tool.
    text = source.read().decode("utf-8", "surrogateescape")
    converted = engine.convert_whole_file(text).encode("utf-8", "surrogateescape")
    _to_stdout(lambda out: out.buffer.write(converted))


@cli.command("serve")
@click.option(
    "--db",
    "db",
    default=configured_database,
    show_default=f"{DEFAULT_DB}, or [database] url in the settings file",
    envvar="READER_DB",
    help="The annotations database, passed as it is to every browser session.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but loopback needs a token.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="0: any free port.",
)
@click.option(
    "--token",
    envvar="READER_SERVE_TOKEN",
    help="The secret every request must carry (also READER_SERVE_TOKEN); random if left out"
    " on an address other than loopback.",
)
def serve_command(db: str, host: str, port: int, token: str | None) -> None:
    """Serve the reader to web browsers: each browser tab is its own reader on the database.

    Listens on 127.0.0.1 only unless told otherwise; any other address needs a token (a random
    one is made and printed if you give none), and requests without it get 403. Ctrl+C stops
    the server and every session.

    Example: reader serve --db project.db --host 0.0.0.0 --port 8080
    """
    from reader.web.server import ServeConfig, ServeError, check_token, is_loopback, new_token
    from reader.web.server import serve as run_server

    try:
        if token is not None:
            token = check_token(token)
        elif not is_loopback(host):
            token = new_token()
        if "://" not in db:  # a file: refuse a bad one now, not in every tab
            store = open_store(Path(db))
            try:
                if store.documents.count() == 0 and not store.read_only:
                    from reader.core.importing import import_seeds

                    import_seeds(store)  # once here, not once per session racing each other
            finally:
                store.close()
        run_server(ServeConfig(db=db, host=host, port=port, token=token), say)
    except ServeError as error:
        raise click.ClickException(str(error)) from error


# Search and auto-coding (issue 15)

SEARCH_FORMATS = ("text", "csv", "json")
SEARCH_COLUMNS = ("document_id", "document_title", "start", "end", "match", "left", "right")
SEARCH_CONVERTED = ("match_converted", "left_converted", "right_converted")


def _search_setup(
    db_path: Database,
    query_text: str,
    exact: bool,
    regex: bool,
    document: str | None,
    coder: str | None = None,
) -> tuple[Store, Query, list[int] | None]:
    from reader.core.search import Query, QueryError

    if database_missing(db_path):
        raise click.ClickException(f"{db_path}: no such database")
    try:
        query = Query(query_text, exact=exact, regex=regex)
    except QueryError as error:
        raise click.ClickException(str(error)) from error
    store = open_store(db_path, coder)
    documents = None
    if document is not None:
        documents = store.documents.matching(document)
        if not documents:
            raise click.ClickException(f"no document has the id or a title containing {document!r}")
    return store, query, documents


def _search_options(function):  # type: ignore[no-untyped-def]
    for option in reversed(
        (
            db_option,
            click.option("--exact", is_flag=True, help="Match literally (no script folding)."),
            click.option("--regex", is_flag=True, help="QUERY is a regular expression."),
            click.option("--document", help="Only this document: an id, or part of its title."),
        )
    ):
        function = option(function)
    return function


@cli.command("search")
@click.argument("query_text", metavar="QUERY")
@_search_options
@click.option("--tag", "tags", multiple=True, help="Only inside passages with this tag.")
@click.option("--untagged", is_flag=True, help="Only outside every annotation.")
@click.option("--context", type=click.IntRange(0), default=20, show_default=True,
              help="Characters of context on each side.")  # fmt: skip
@click.option("--script", type=click.Choice(CONFIGS),
              help="Add *_converted columns (text: show) in this OpenCC config.")  # fmt: skip
@click.option("--format", "output_format", type=click.Choice(SEARCH_FORMATS), default="text",
              show_default=True)  # fmt: skip
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option("--limit", type=click.IntRange(1), help="Stop after this many matches.")
def search_command(
    query_text: str,
    db_path: Database,
    exact: bool,
    regex: bool,
    document: str | None,
    tags: tuple[str, ...],
    untagged: bool,
    context: int,
    script: str | None,
    output_format: str,
    count_only: bool,
    limit: int | None,
) -> None:
    """Find QUERY in every document, in any script: 发展 also finds 發展.

    Prints a concordance (one line per match, keyword in context), CSV or JSON. Matches do not
    overlap and come in document, then offset order; start/end are code points into the stored
    original. --regex applies to the folded text (all scripts folded to one).

    Example: reader search 一带一路 --format csv --script s2tw > matches.csv
    """
    from itertools import islice

    from reader.core.search import QueryError, concordance, count_matches, search

    store, query, documents = _search_setup(db_path, query_text, exact, regex, document)
    try:
        if count_only:
            total = count_matches(store, query, documents=documents, tags=tags, untagged=untagged)
            shown = total if limit is None else min(total, limit)
            _to_stdout(lambda out: out.write(f"{shown}\n"))
            return
        matches = search(store, query, documents=documents, tags=tags, untagged=untagged)
        lines = concordance(store, islice(matches, limit), context)
        writer = {"text": _write_text, "csv": _write_search_csv, "json": _write_json}
        _to_stdout(lambda out: writer[output_format](store, lines, script, context, out))
    except QueryError as error:
        raise click.ClickException(str(error)) from error


def _converted_lines(store, lines, script: str | None):  # type: ignore[no-untyped-def]
    """Each line with (match, left, right) in ``script`` (None: no conversion)."""
    if script is None:
        for line in lines:
            yield line, None
        return
    from reader.core.convert import converter

    engine = converter(script)
    current = None
    for line in lines:
        # The whole document converted once: a phrase converts by its context (like export).
        if current is None or current[0] != line.document_id:
            text = store.documents.text(line.document_id)
            current = (line.document_id, engine.convert_mapped(text))
        converted = current[1]
        left_start, right_end = line.start - len(line.left), line.end + len(line.right)
        spans = ((line.start, line.end), (left_start, line.start), (line.end, right_end))
        pieces = []
        for start, end in spans:
            a, b = converted.offsets.to_dst(start, end) if end > start else (0, 0)
            pieces.append(converted.text[a:b])
        yield line, tuple(pieces)


def _write_search_csv(store, lines, script: str | None, context: int, out: TextIO) -> None:  # type: ignore[no-untyped-def]
    from reader.core.export import csv_writer, neutralise

    writer = csv_writer(out)
    writer.writerow([*SEARCH_COLUMNS, *SEARCH_CONVERTED] if script else SEARCH_COLUMNS)
    for line, converted in _converted_lines(store, lines, script):
        row = [line.document_id, neutralise(line.document_title), line.start, line.end,
               neutralise(line.match), neutralise(line.left), neutralise(line.right)]  # fmt: skip
        if converted is not None:
            row.extend(neutralise(piece) for piece in converted)
        writer.writerow(row)


def _write_json(store, lines, script: str | None, context: int, out: TextIO) -> None:  # type: ignore[no-untyped-def]
    import json

    out.write("[")
    first = True
    for line, converted in _converted_lines(store, lines, script):
        item = {
            "document_id": line.document_id, "document_title": line.document_title,
            "start": line.start, "end": line.end,
            "match": line.match, "left": line.left, "right": line.right,
        }  # fmt: skip
        if converted is not None:
            item.update(zip(SEARCH_CONVERTED, converted, strict=True))
        out.write(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


def _write_text(store, lines, script: str | None, context: int, out: TextIO) -> None:  # type: ignore[no-untyped-def]
    """An aligned concordance: the matches in one column, left context right-aligned."""
    from rich.cells import cell_len

    from reader.core.display import visible_line

    count = 0
    for line, converted in _converted_lines(store, lines, script):
        match, left, right = converted or (line.match, line.left, line.right)
        left, match, right = (visible_line(part) for part in (left, match, right))
        width = context * 2  # CJK: two cells a character
        while cell_len(left) > width:
            left = left[1:]
        where = f"#{line.document_id}:{line.start}"
        out.write(f"{where:<14} {' ' * (width - cell_len(left))}{left} [{match}] {right}\n")
        count += 1
    out.flush()  # the lines first, then the count on stderr
    click.echo(f"{count} match{'es' if count != 1 else ''}", err=True)


@cli.command("autocode")
@click.argument("query_text", metavar="QUERY")
@click.option("--tag", required=True, help="The tag every match gets.")
@_search_options
@click.option("--dry-run", is_flag=True, help="Show what would be coded; change nothing.")
@coder_option
def autocode_command(
    query_text: str,
    tag: str,
    db_path: Database,
    exact: bool,
    regex: bool,
    document: str | None,
    dry_run: bool,
    coder: str | None,
) -> None:
    """Code every match of QUERY with a tag, as one action (undo in the app removes it all).

    A match where the coder already has an annotation with this tag on exactly that passage
    is skipped.

    Example: reader autocode 一带一路 --tag 倡议 --dry-run
    """
    from reader.core.search import QueryError, search
    from reader.core.store import StoreError

    if not tag.strip():
        raise click.BadParameter("a tag name cannot be empty", param_hint="--tag")
    store, query, documents = _search_setup(db_path, query_text, exact, regex, document, coder)
    try:
        spans = [(m.document_id, m.start, m.end) for m in search(store, query, documents=documents)]
        if dry_run:
            mine = store.annotations.spans([tag.strip()], coder=store.coder)
            coded = {
                (document_id, start, end)
                for document_id, items in mine.items()
                for start, end in items
            }
            per_document: dict[int, int] = {}
            skipped = 0
            for span in dict.fromkeys(spans):
                if span in coded:
                    skipped += 1
                else:
                    per_document[span[0]] = per_document.get(span[0], 0) + 1
        else:
            per_document, skipped = store.annotations.autocode(tag, spans)
    except (QueryError, StoreError) as error:
        raise click.ClickException(str(error)) from error
    from reader.core.display import visible_line

    titles = store.documents.titles(per_document)
    for document_id in sorted(per_document):
        title = visible_line(titles.get(document_id, ""))
        click.echo(f"#{document_id:<5} {per_document[document_id]:>7}  {title}")
    total = sum(per_document.values())
    verb = "Would create" if dry_run else "Created"
    click.echo(
        f"{verb} {total} annotation{'s' if total != 1 else ''} tagged {visible_line(tag.strip())}"
        f" ({skipped} skipped: already coded)"
    )


# Reports on the coding (issue 9)


@cli.command("report")
@click.argument("kind", type=click.Choice(["frequencies", "cooccurrence", "timeline"]))
@db_option
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Only this code (repeatable); cooccurrence: only pairs with one of them.",
)
@click.option("--document", help="Only this document: an id, or part of its title.")
@click.option("--format", "output_format", type=click.Choice(["text", "csv", "json"]),
              default="text", show_default=True)  # fmt: skip
def report_command(
    kind: str, db_path: Database, tags: tuple[str, ...], document: str | None, output_format: str
) -> None:
    """Count the coding: frequencies, cooccurrence or timeline of the codes.

    frequencies: per code, passages and documents, in total and per document (CSV: tag,
    document_id, document_title, passages; the row with document_id empty is the total).
    cooccurrence: per pair of codes A < B, the pairs of annotations (x with A, y with B) in one
    document whose passages share a character; one annotation with both counts once (CSV:
    tag_a, tag_b, count). timeline: passages per code per month of the documents' published
    date, 'unknown' without one (CSV: tag, month, passages). Orphaned annotations count nowhere.

    Example: reader report cooccurrence --tag 产业政策 --format csv > pairs.csv
    """
    from reader.core.reports import ReportError, build, text_lines, write_report
    from reader.core.store import StoreError

    if database_missing(db_path):
        raise click.ClickException(f"{db_path}: no such database")
    store = open_store(db_path)
    try:
        documents = None
        if document is not None:
            documents = store.documents.matching(document)
            if not documents:
                raise click.ClickException(
                    f"no document has the id or a title containing {document!r}"
                )
        report = build(store, kind, tags=tags, documents=documents)
    except (ReportError, StoreError) as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    if output_format == "text":
        _to_stdout(lambda out: out.writelines(line + "\n" for line in text_lines(report)))
    else:
        _to_stdout(lambda out: write_report(report, out, output_format))


@cli.group("team")
def team_group() -> None:
    """The members of a PostgreSQL project and their roles (lead, coder, viewer).

    The server enforces the roles (grants and row-level security), not only reader: a coder
    connecting with psql still cannot change another coder's annotation.
    """


def _team_gateway(db_path: Database) -> tuple[Store, Any]:
    from reader.core.store.postgres import PostgresGateway

    if not isinstance(db_path, str):
        raise click.ClickException(
            "A team is a PostgreSQL project's: give --db postgresql://host/project"
            " (or READER_DB). A file has one person; reader merge brings a coder's file in."
        )
    store = open_store(db_path)
    assert isinstance(store.gateway, PostgresGateway)
    return store, store.gateway


@team_group.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["lead", "coder", "viewer"]),
    required=True,
    help="lead: documents, codebook and team; coder: own annotations; viewer: reads.",
)
@db_option
def team_add_command(name: str, role: str, db_path: Database) -> None:
    """Make NAME a member with a role (a login role is created if it is new).

    Needs a lead (with CREATEROLE to create new roles) or a superuser. reader sets no
    password: set one with psql's \\password NAME, or use the server's certificates.

    Example: reader team add li --role coder --db postgresql://db.example.org/project
    """
    from reader.core.store import StoreError
    from reader.core.store.team import TeamRole, add_member

    store, gateway = _team_gateway(db_path)
    try:
        created = add_member(gateway, name, TeamRole(role))
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    made = "created, and " if created else ""
    say(f"{visible_line(name)}: {made}{role} of {store.location}")
    if created:
        say(f"Set a password on the server: psql -c '\\password {visible_line(name)}'")


@team_group.command("list")
@db_option
def team_list_command(db_path: Database) -> None:
    """The members and their roles, one a line.

    Example: reader team list --db postgresql://db.example.org/project
    """
    from reader.core.store import StoreError
    from reader.core.store.team import members

    store, gateway = _team_gateway(db_path)
    try:
        found = members(gateway)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    if not found:
        say(f"No members yet in {store.location}: reader team add NAME --role lead")
    width = max((len(member.name) for member in found), default=0)
    for member in found:
        say(f"{visible_line(member.name):<{width}}  {member.role}")


@cli.command("merge")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def merge_command(source: Path, db_path: Database) -> None:
    """Bring a coder's SQLite file into this project (--db: a file or a server).

    Documents are matched by content (imported if missing); annotations come with their coder,
    tags and comments. Merging the same file again adds nothing. An annotation by the same
    coder on the same passage with other tags or another comment is a conflict: listed, and
    left as it is on both sides.

    Example: reader merge li-offline.db --db postgresql://db.example.org/project
    """
    from reader.core.merge import merge
    from reader.core.store import Store, StoreError

    try:
        incoming = Store(source, read_only=True)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    store = open_store(db_path)
    try:
        report = merge(incoming, store)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        incoming.close()
        store.close()
    say(
        f"Merged {source} into {store.location}: {report.annotations_added} annotations added,"
        f" {report.already_present} already there; {report.documents_added} documents"
        f" imported, {report.documents_matched} matched; {len(report.conflicts)} conflicts."
    )
    for conflict in report.conflicts:
        say(f"conflict: {visible_line(conflict.describe())}", err=True, fg="yellow")
