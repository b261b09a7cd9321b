"""reader: a terminal reader and annotator for Chinese text."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # importlib.metadata costs ~40 ms to import: pay it only when the version is asked for,
    # not on every `reader convert` start.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("reader")
        except PackageNotFoundError:  # a checkout that was never installed
            return "0.0.0"
    raise AttributeError(name)
