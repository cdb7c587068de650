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

# In development, email goes to a local test mail server that prints each message here
# (aiosmtpd, a dev dependency); set MAIL_URL to use a real server instead. The outbox
# sender runs beside the web server; Ctrl-C stops all three.
MAIL_PORT ?= 8025
DEV_MAIL_URL := smtp://127.0.0.1:$(MAIL_PORT)
run: export MAIL_URL ?= $(DEV_MAIL_URL)
run: export MAIL_FROM ?= Demo Clinic <forms@demo-clinic.example>

run: $(STAMP)
	$(BIN)/flask --app screening init-db
	$(BIN)/flask --app screening demo
	@sh -c 'if [ "$$MAIL_URL" = "$(DEV_MAIL_URL)" ]; then \
	    echo "Emails are printed here by a test mail server on $(DEV_MAIL_URL)."; \
	    $(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) & SINK=$$!; fi; \
	  $(BIN)/flask --app screening outbox work & WORKER=$$!; \
	  trap "kill $$WORKER $$SINK 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/flask --app screening run --host 127.0.0.1 --port $(PORT)'

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
