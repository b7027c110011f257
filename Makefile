# Officine: two commands do all set-up on a fresh Debian machine with Python 3.11.
#   make run   installs, migrates, loads the demo data (if the database is empty) and serves on 127.0.0.1:$(PORT)
#   make test  installs and runs the whole suite, browser tests included
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help run test pdf-libs install install-test assets messages migrate demo serve lint format chromium bench lock clean

help:
	@echo "make run   - install, migrate, load demo data, serve on http://127.0.0.1:$(PORT)/"
	@echo "make test  - install and run the whole test suite (browser tests included)"
	@echo "make lint  - ruff check and format check"
	@echo "make bench - page benchmarks (10,000 organisations, 10,000 contributions, 500 bodies, 3,000 meetings), grouping of 5,000 contributions, import of 1,000,000 OpenCoesione rows against pandas"
	@echo "make lock  - regenerate requirements*.lock from pyproject.toml"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.test-installed: requirements-test.lock pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-test.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.run-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed

messages: $(VENV)/.run-installed
	@command -v msgfmt >/dev/null || scripts/ensure-debian-packages.sh gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# WeasyPrint (PDF outcome reports) needs Pango from the system.
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 || scripts/ensure-debian-packages.sh libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

install: $(VENV)/.run-installed assets messages pdf-libs

install-test: $(VENV)/.test-installed assets messages pdf-libs

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py load_demo_monitoring --if-empty

# The background worker (grouping of contributions) runs beside the development server and stops with it.
run: demo
	@echo "Officine on http://127.0.0.1:$(PORT)/  (stop with Ctrl-C)"
	$(PY) scripts/dev-server.py $(PORT)

chromium:
	@scripts/ensure-chromium.sh

lint: install-test
	$(VENV)/bin/ruff check officine bench tests conftest.py
	$(VENV)/bin/ruff format --check officine bench tests conftest.py

test: install-test chromium lint
	$(PY) -m pytest $(PYTEST_ARGS)

# pandas (the import benchmark's baseline) comes only with requirements-bench.lock, never with the others.
$(VENV)/.bench-installed: requirements-bench.lock pyproject.toml | $(VENV)/.test-installed
	$(PY) -m pip install -q -r requirements-bench.lock
	touch $@

bench: install-test $(VENV)/.bench-installed
	$(PY) bench/bench_pages.py --orgs 10000 --compare-small
	$(PY) bench/bench_triage.py
	$(PY) bench/bench_import.py --rows 1000000

lock: | $(VENV)/bin/python
	$(PY) -m pip install -q pip-tools
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras --no-header -o requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras --no-header --extra test -o requirements-test.lock pyproject.toml
	cp requirements-test.lock requirements-bench.lock  # same pins as the tests, plus the bench extra
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras --no-header --extra test --extra bench -o requirements-bench.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules var/static artifacts
