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

LDCONFIG := $(shell command -v ldconfig || echo /sbin/ldconfig)
PDF_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
PDF_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

.PHONY: run test lint pdf-libs bench bench-documents bench-tickets bench-sweep bench-inventory bench-routing bench-field-day bench-dispatch clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP) pdf-libs
	$(BIN)/fieldops init-db
	$(BIN)/fieldops seed --demo
	@# The worker delivers mail and runs the minute sweep; it stops when the server does.
	$(BIN)/fieldops worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
		$(BIN)/fieldops serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check fieldops tests seed bench migrations/env.py
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint pdf-libs
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

# WeasyPrint needs Pango and HarfBuzz's subsetter (without it, PDFs render ~2x slower through
# fontTools) and a font; the base image lacks some of them.
pdf-libs:
	@missing=""; for lib in $(PDF_LIBS); do $(LDCONFIG) -p | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	fc-list 2>/dev/null | grep -qi "DejaVu Sans" || missing="$$missing DejaVu-fonts"; \
	if [ -n "$$missing" ]; then \
		echo "PDF rendering needs:$$missing"; \
		echo "install them with: sudo apt-get install -y $(PDF_APT)"; exit 1; fi

bench: $(STAMP) bench-tickets bench-sweep bench-inventory bench-dispatch bench-routing bench-field-day bench-documents

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

# Render time and memory of work orders and RFOs, and 100 work orders in a row.
bench-documents: $(STAMP) pdf-libs
	$(BIN)/python -m bench.documents

clean:
	rm -rf $(VENV) instance .pytest_cache
