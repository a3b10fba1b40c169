# Two commands for a fresh machine (see README.md):
#   make run    venv + install + migrate SQLite + demo data + serve on :5000
#   make test   venv + install test tools + run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Credentials are signed with this origin for good: it must be where the
# service is really served (a wildcard bind is reached on loopback).
PUBLIC_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export FLASK_APP = service

.PHONY: run test lint install install-dev system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

# Stamped: `make lint` and `make test` (run three times by .ci/run) reinstall only
# when pyproject.toml or a package-lock.json changed (a no-op pip install plus two
# `npm ci`, which delete and refetch node_modules, cost ~25 s each time).
install-dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml $(wildcard tests/interop/package-lock.json tests/web/package-lock.json)
	$(BIN)/pip install --quiet -e '.[dev,redis]'
	@if [ -f tests/interop/package-lock.json ] && command -v npm >/dev/null; then \
	  npm ci --silent --no-audit --no-fund --prefix tests/interop; fi
	@if [ -f tests/web/package-lock.json ] && command -v npm >/dev/null; then \
	  npm ci --silent --no-audit --no-fund --prefix tests/web; fi
	@touch $@

# Only `run` passes PUBLIC_BASE_URL on: the test suite sets its own per app.
run: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data
	@echo "Serving on http://$(HOST):$(PORT) as $(PUBLIC_BASE_URL)  (Ctrl-C to stop)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/pytest

# ruff (rules in pyproject.toml), mypy on the typed modules, and the import
# contracts between openbadges/, storage/, the core and the features.
lint: install-dev
	$(BIN)/ruff check service openbadges storage tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Debian packages the full suite uses: PostgreSQL server, Chromium for page tests.
system-deps:
	sh .ci/system-deps

# Figures, not pass/fail tests: see bench/README.md.
bench: install-dev
	$(BIN)/python bench/bench_verify.py
	$(BIN)/python bench/bench_bulk_issue.py -n 10000 --rules
	$(BIN)/python bench/bench_upload.py --size-mib 1024

clean:
	rm -rf $(VENV) instance .pytest_cache
