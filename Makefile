# The README's two commands: `make run` and `make test`. Every target installs what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
export PORT

.PHONY: run test bench e2e screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app screening init-db
	$(BIN)/flask --app screening demo
	$(BIN)/flask --app screening run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Browser tests alone (they also run in `make test`; Debian's /usr/bin/chromium, never a download).
e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

# Regenerates the pictures in docs/screenshots/ from the demo data.
screenshots: $(STAMP)
	$(BIN)/python -m tests.e2e.screenshots_for_docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
