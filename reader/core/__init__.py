"""The domain: documents, script conversion, annotation storage and export.

Nothing below this package imports Textual, so the CLI, the tests and any later front end
share it (tests/test_import_hygiene.py checks that).
"""
