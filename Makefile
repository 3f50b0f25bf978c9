# Everything a newcomer needs: `make run` and `make test`. Targets create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` serves with DEBUG off, so an error is a plain page, never a traceback; `make run DEBUG=1` for one.
DEBUG ?= 0
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: install run dev test test-postgres test-e2e lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Migrate the SQLite default (var/peerlend.sqlite3), seed the demo once, serve the site.
run: $(STAMP)
	$(BIN)/peerlend migrate --noinput
	$(BIN)/peerlend seed-demo
	DEBUG=$(DEBUG) $(BIN)/peerlend runserver $(HOST):$(PORT)

# The same with DEBUG on (Django's debug pages, for developing the site itself).
dev:
	$(MAKE) run DEBUG=1

test: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not e2e" $(PYTEST_ARGS)

# The same suite on PostgreSQL, plus the tests that need row locks and triggers.
test-postgres: $(STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist loadfile --create-db -m "not e2e" $(PYTEST_ARGS)

test-e2e: $(STAMP)
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

# pip-audit: a known vulnerability in an installed dependency fails; PIP_AUDIT_STRICT=1 also fails
# when the vulnerability feed could not check every dependency.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python tools/audit_deps.py

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
