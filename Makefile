# One Makefile for every way of running the platform. `make demo` and `make test` work on a fresh machine with
# Python 3.11: they create .venv and install everything first.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
DBT_DIR := $(CURDIR)/dbt_project

export JOURNEYHUB_WAREHOUSE ?= $(CURDIR)/var/warehouse.duckdb
export DAGSTER_HOME := $(CURDIR)/dagster_home
export DBT_PROFILES_DIR := $(DBT_DIR)

.PHONY: help lock install check postgres-server manifest demo test lint validate ui sandbox clean chromium bench

help:
	@echo "make demo      install, start the sandbox, run the whole pipeline through Dagster, print what it built"
	@echo "make test      install, lint, validate the Dagster definitions, run every test"
	@echo "make check     the inner loop: lint, types, definitions, the tests without dbt builds or servers"
	@echo "make ui        the Dagster UI on http://127.0.0.1:3000 with the sandbox running behind it"
	@echo "make sandbox   only the sandbox vendor APIs (writes var/sandbox.env); Ctrl-C stops them"
	@echo "make manifest  parse the dbt project (Dagster reads dbt_project/target/manifest.json)"
	@echo "make lock      re-resolve dependencies to the newest allowed releases into constraints.txt (then test, commit)"
	@echo "make bench     the whole path at SCALE touchpoints (default 1000000): results into docs/benchmarks.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs are reproducible: constraints.txt pins every package (pip and the build backend included) to the exact
# version the tests last passed with, so a new release upstream cannot change a fresh clone. `make lock` refreshes it.
LOCK := constraints.txt

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) pip setuptools wheel
	$(BIN)/python -m pip install --quiet --no-build-isolation --constraint $(LOCK) -e '.[dev]'
	$(BIN)/python -m pip check
	touch $@

# Re-resolve every dependency to the newest release pyproject.toml allows and write the versions to constraints.txt.
# A deliberate step: run `make test` on the result and commit constraints.txt with what it changed.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip setuptools wheel
	.venv-lock/bin/python -m pip install --quiet --no-build-isolation -e '.[dev]'
	{ echo "# Exact versions installed by make install (pip --constraint). Regenerate with: make lock"; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable; } > $(LOCK)
	rm -rf .venv-lock
	@echo "wrote $(LOCK): run make test, then commit it"

# A DuckDB 1.x client, as BI drivers bundle: the tests prove it can read the serving copy. The oldest line the
# serving copy's storage version (v1.4.0) supports, pinned like everything else.
BI_DUCKDB := duckdb==1.4.5
.venv-bi/.installed: Makefile
	$(PYTHON) -m venv .venv-bi
	.venv-bi/bin/python -m pip install --quiet '$(BI_DUCKDB)'
	touch $@

# A PostgreSQL server for tests/postgres (the dbt project also builds with `dbt build --target postgres`): the
# Debian package when initdb is missing. Only root can install it; the tests skip without it unless CI is set.
postgres-server:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	else \
		echo "note: PostgreSQL is not installed (tests/postgres will skip): sudo apt-get install postgresql"; \
	fi

# Headless Chromium for tests/report (the journey map opened in a real browser): Debian's package when it is missing.
# Only root can install it; the browser tests fail with this hint without it.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "note: Chromium is not installed (tests/report needs it): sudo apt-get install chromium"; \
	fi

install: $(VENV)/.installed postgres-server chromium

manifest: install
	mkdir -p var
	$(BIN)/dbt parse --project-dir $(DBT_DIR) --profiles-dir $(DBT_DIR) --quiet

demo: manifest
	$(BIN)/python -m journeyhub.demo

# The house rules as checks: Python style, the import table of docs/architecture.md (import-linter contracts in
# pyproject.toml), types of the domain packages, and the dbt models' SQL style (sqlfluff compiles them with dbt).
TYPED := connectors attribution quality reverse_etl journey_map pipelines journeyhub
LINT_WAREHOUSE := $(CURDIR)/var/lint/warehouse.duckdb

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(TYPED)
	mkdir -p var/lint
	JOURNEYHUB_WAREHOUSE=$(LINT_WAREHOUSE) $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

validate: manifest
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg check defs

test: lint validate .venv-bi/.installed
	$(BIN)/python -m pytest

# The inner loop: every lint, the Dagster definitions, and the tests that need no dbt build, database server,
# browser or Dagster run (the in-process sandbox servers are fine) — a few minutes, where `make test` takes twenty.
check: lint validate .venv-bi/.installed
	$(BIN)/python -m pytest -m "not slow and not e2e" -q

ui: manifest
	$(BIN)/python -m journeyhub.dev

sandbox: install
	mkdir -p var
	$(BIN)/python -m sandbox serve --env-file var/sandbox.env

# The whole path at SCALE touchpoints (benchmarks/scale): the generated world is cached in var/bench/ (10M: about
# 25 minutes to generate once, then about 20 minutes per run on 2 cores). Only the venv: no database servers needed.
SCALE ?= 1000000
bench: $(VENV)/.installed
	mkdir -p var
	$(BIN)/python -m benchmarks.scale --scale $(SCALE) --out docs/benchmarks.md

clean:
	rm -rf var dbt_project/target dbt_project/logs .pytest_cache
