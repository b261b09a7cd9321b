"""sqlite-utils, imported without pandas: every module of ours takes it from here.

sqlite-utils imports pandas and numpy eagerly whenever they are installed (as they are in
most data-analysis environments, and in our test extras): about 0.4 s on every ``reader``
start. We never hand it pandas or numpy values, so they are hidden while it loads and put
back afterwards: anyone else can still import pandas normally.
"""

from __future__ import annotations

import sys

_hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]
try:
    from sqlite_utils import Database, Migrations
finally:
    for _name in _hidden:
        if sys.modules.get(_name) is None:
            del sys.modules[_name]

__all__ = ["Database", "Migrations"]
