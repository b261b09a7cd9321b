"""The ``reader`` command: thin wrappers that parse options, call the core and print.

Heavy imports (Textual, the store) happen inside the commands so that ``reader convert`` starts
as fast as OpenCC's own command line.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from click_default_group import DefaultGroup

from reader.core.convert import CONFIGS

DEFAULT_DB = Path("annotations.db")

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The annotations database.",
)


def open_store(db_path: Path):  # -> Store, imported lazily
    from reader.core.store import Store, StoreError

    try:
        return Store(db_path)
    except StoreError as error:
        raise click.ClickException(str(error)) from error


@click.group(cls=DefaultGroup, default="open", default_if_no_args=True)
@click.version_option(package_name="reader")
def cli() -> None:
    """A terminal reader and annotator for Chinese text.

    Run with no arguments to open the library in ./annotations.db, or give files to import
    and open them: reader article.txt
    """


@cli.command("open")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def open_app(files: tuple[Path, ...], db_path: Path) -> None:
    """Open the reader (the default command).

    Example: reader --db project.db article.txt
    """
    from reader.ui.app import make_app

    store = open_store(db_path)
    app = make_app(store, files)
    app.run()


@cli.command("export")
@db_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the CSV (default: annotations-YYYYMMDD.csv; '-' for standard output).",
)
@click.option(
    "--script",
    type=click.Choice(CONFIGS),
    help="Add a passage_converted column in this OpenCC config.",
)
def export_command(db_path: Path, output: Path | None, script: str | None) -> None:
    """Export every annotation as CSV (UTF-8, RFC 4180).

    Example: reader export -o coded.csv --script s2twp
    """
    from reader.core.export import write_csv

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database")
    store = open_store(db_path)
    if output is not None and str(output) == "-":
        count = write_csv(store, sys.stdout, script=script)
        return
    target = output or Path(f"annotations-{date.today():%Y%m%d}.csv")
    with target.open("w", encoding="utf-8", newline="") as out:
        count = write_csv(store, out, script=script)
    click.echo(f"Wrote {count} annotations to {target}", err=True)


@cli.command("convert")
@click.option("-c", "--config", default="s2t", show_default=True, help="OpenCC configuration.")
@click.argument("source", default="-", type=click.File("r", encoding="utf-8"))
def convert_command(config: str, source) -> None:
    """Print a text converted with OpenCC, like OpenCC's own command line.

    Example: reader convert --config s2twp article.txt
    """
    from reader.core.convert import Converter

    try:
        engine = Converter(config)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error
    out = sys.stdout
    for line in source:
        out.write(engine.convert(line))
