"""reader: a terminal reader and annotator for Chinese text."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reader")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
