# fieldops: `make run` serves the demo desk, `make test` lints and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2

TIME_LIMIT ?= 10
TIME_LIMIT_DAY ?= 30
SEEDS ?= 3

.PHONY: run test lint bench bench-tickets bench-sweep bench-inventory bench-routing bench-field-day bench-dispatch clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/fieldops init-db
	$(BIN)/fieldops seed --demo
	@# The worker delivers mail and runs the minute sweep; it stops when the server does.
	$(BIN)/fieldops worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
		$(BIN)/fieldops serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check fieldops tests seed bench migrations/env.py
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

bench: $(STAMP) bench-tickets bench-sweep bench-inventory bench-dispatch bench-routing bench-field-day

bench-tickets: $(STAMP)
	$(BIN)/python -m bench.tickets_api

bench-sweep: $(STAMP)
	$(BIN)/python -m bench.sweep

# QUICK=1 smoke-tests it on a small dataset.
bench-inventory: $(STAMP)
	$(BIN)/python -m bench.inventory $(if $(QUICK),--quick)

# Candidates among 2,000 engineers and auto-assign of 500 jobs; QUICK=1 for a small world.
bench-dispatch: $(STAMP)
	$(BIN)/python -m bench.dispatch $(if $(QUICK),--quick)

# Every shared Solomon instance at TIME_LIMIT seconds each, both cores on each.
bench-routing: $(STAMP)
	$(BIN)/python -m bench.routing --time-limit $(TIME_LIMIT)

# SEEDS generated days of 300 visits and 40 engineers: OR-Tools (TIME_LIMIT_DAY s) vs greedy.
bench-field-day: $(STAMP)
	$(BIN)/python -m bench.field_day --time-limit $(TIME_LIMIT_DAY) --seeds $(SEEDS)

clean:
	rm -rf $(VENV) instance .pytest_cache
