# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/reader $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check reader tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/conversion.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/kill_harness.py
	$(BIN)/python benchmarks/concurrency.py
	$(BIN)/python benchmarks/typesetting.py
