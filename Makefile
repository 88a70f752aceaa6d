# Skewer. Quick start on a fresh machine: `make run`, `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HASH   := $(shell cat constraints.txt pyproject.toml | sha1sum | cut -c1-12)
# What running needs, and what testing and linting need on top (which includes running).
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
STAMP     := $(VENV)/.installed-dev-$(HASH)
# `make run PORT=8090 EMULATOR_PORT=8091`: the service's and the built-in emulator's ports.
PORT          ?=
EMULATOR_PORT ?=

.PHONY: run test test-sqlite test-dates lint eval bench bench-routing install clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (python3.11) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): $(PY) pyproject.toml constraints.txt
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e .
	@rm -f $(VENV)/.installed-run-*; touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(PIP) install -q -c constraints.txt -e '.[test,dev]'
	@rm -f $(VENV)/.installed-dev-*; touch $(STAMP)

install: $(STAMP)

## Run the service. With no TELEGRAM_BOT_TOKEN it starts the built-in Bot API emulator and
## prints the address of the sandbox page. Installs only what running needs.
run: $(RUN_STAMP)
	$(VENV)/bin/skewer run $(if $(PORT),--port $(PORT)) $(if $(EMULATOR_PORT),--emulator-port $(EMULATOR_PORT))

## The whole suite: on SQLite, and on PostgreSQL when a server can be started here.
test: $(STAMP)
	bash scripts/test.sh

test-sqlite: $(STAMP)
	$(PY) -m pytest -q

## The SQLite suite under faketime at shifted dates (DST changes, New Year's Eve, a Saturday,
## a year ahead): run it after touching anything that reads the time.
test-dates: $(STAMP)
	bash scripts/test-dates.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

eval: $(STAMP)
	$(PY) -m bot.evaluate

bench: $(STAMP)
	$(PY) -m bench.conversations

bench-routing: $(STAMP)
	$(PY) -m bench.routing

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache skewer.db*
