# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench mutation planted browser browser-present postgres postgres-present

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
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

# The headless browser of the serve tests: Debian's packages, never a download at test time.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

browser:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(BROWSER_PACKAGES)

browser-present:
	@test -x /usr/bin/chromium && test -x /usr/bin/chromedriver && fc-list :lang=zh | grep -q .

# The PostgreSQL tests' server: Debian's package (initdb and pg_ctl; the tests start their own
# cluster in a temporary folder, so no system service is configured or started).
POSTGRES_PACKAGES := postgresql

postgres:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(POSTGRES_PACKAGES)

postgres-present:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1

bench: $(STAMP)
	$(BIN)/python benchmarks/conversion.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/xlsx_export.py
	$(BIN)/python benchmarks/kill_harness.py
	$(BIN)/python benchmarks/concurrency.py
	$(BIN)/python benchmarks/typesetting.py
	$(BIN)/python benchmarks/serve_browser.py
	$(BIN)/python benchmarks/agreement.py
	$(BIN)/python benchmarks/qdpx.py

# Mutation testing (not part of `make test`: about 11,000 mutants, a day of CPU). Niced, one mutant
# at a time, so a shared machine stays usable. `make mutation MODULES="restore store"` runs only
# those (store: the whole package); `make mutation SAMPLE=0.1` a fixed tenth of each module's
# mutants, scored with its 95 % interval. mutmut keeps its results in mutants/: a second run only
# tries the mutants not yet caught.
MODULES ?=
JOBS ?= 1
SAMPLE ?= 1
mutation: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	$(BIN)/python mutation/run.py --jobs $(JOBS) --sample $(SAMPLE) $(MODULES)
	$(BIN)/python mutation/score.py --sample $(SAMPLE) $(MODULES)

# Plant each bug of issue 11's list in a copy of the tree and check that a test catches it.
planted: $(STAMP)
	nice -n 19 $(BIN)/python mutation/planted_bugs.py
