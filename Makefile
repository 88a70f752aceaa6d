# Skewer. Quick start on a fresh machine: `make run`, `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test test-sqlite test-postgres lint eval bench bench-routing install clean services

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (python3.11) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[test,dev]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

## Run the service. With no TELEGRAM_BOT_TOKEN it starts the built-in Bot API emulator and
## prints the address of the sandbox page.
run: $(STAMP)
	$(VENV)/bin/skewer run

## The whole suite: on SQLite, and on PostgreSQL when a server can be started here.
test: $(STAMP)
	bash scripts/test.sh

test-sqlite: $(STAMP)
	$(PY) -m pytest -q

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
