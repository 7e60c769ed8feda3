# Trợ lý thủ tục hành chính — every target sets up what it needs first.
PYTHON := .venv/bin/python
RAW_CATALOGUE ?= ../shared/tthc_catalogue/raw
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup run test bench lookup import lock

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

setup: ## create .venv from Python 3.10 and install the pinned packages (idempotent)
	@bash scripts/setup.sh

run: setup ## the staff lookup prompt over the knowledge base
	@$(PYTHON) -m procedures_kb lookup

lookup: setup ## same as run: interactive procedure lookup for hotline staff
	@$(PYTHON) -m procedures_kb lookup

test: setup ## run the whole test suite
	@bash scripts/test.sh

bench: setup ## print the performance and accuracy figures
	@$(PYTHON) benchmarks/bench_search.py

import: setup ## re-import the national catalogue into procedures_kb/records
	@$(PYTHON) -m procedures_kb import $(RAW_CATALOGUE)

lock: ## re-resolve requirements.in into requirements.lock (needs the registry)
	@bash scripts/lock.sh
