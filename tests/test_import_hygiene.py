"""The domain core must not depend on the UI framework."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import reader.core


def test_core_imports_no_textual() -> None:
    modules = sorted(
        module.name for module in pkgutil.walk_packages(reader.core.__path__, "reader.core.")
    )
    assert "reader.core.store" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_convert_command_starts_without_textual_or_sqlite() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from reader.cli import cli\n"
        "result = CliRunner().invoke(cli, ['convert', '-c', 's2t'], input='汉字')\n"
        "assert result.output == '漢字', result.output\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'sqlite_utils'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
