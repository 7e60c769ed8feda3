# Trợ lý thủ tục hành chính — every target sets up what it needs first.
PYTHON := .venv/bin/python
RAW_CATALOGUE ?= ../shared/tthc_catalogue/raw
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup run serve cluster train eval lint test bench bench-load lookup console import lock

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

setup: ## create .venv from Python 3.10 and install the pinned packages (idempotent)
	@bash scripts/setup.sh

run: setup ## train if needed, seed the demo database, chat with the assistant in the terminal
	@$(PYTHON) -m bot seed --demo --if-empty
	@$(PYTHON) -m bot chat

serve: setup ## Rasa (REST channel) on 127.0.0.1:5005 and the action server on 127.0.0.1:5055, behind tokens
	@bash scripts/serve.sh

cluster: setup ## RASA_REPLICAS Rasa servers (2) and ACTION_REPLICAS action servers (2) behind HAProxy on :5005; PostgreSQL tracker, Redis locks
	@bash scripts/cluster.sh

train: setup ## train the Rasa model (models/) if it is missing or stale
	@$(PYTHON) -m bot train

eval: setup ## train on nlu_data/ (3 seeds, ~35 min), score the held-out eval/test_questions.yml against baselines and eval/official_name_questions.yml
	@$(PYTHON) -m eval.evaluate

lookup: setup ## interactive procedure lookup for hotline staff (knowledge base only)
	@$(PYTHON) -m procedures_kb lookup

lint: setup ## ruff (lint and format check) and mypy, as configured in pyproject.toml
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/mypy

test: lint ## lint, then run the whole test suite
	@bash scripts/test.sh

bench: setup ## print the performance and accuracy figures (search, fee, answers, NLU, database, feed and notifications, staff console)
	@$(PYTHON) -m benchmarks.bench_search
	@$(PYTHON) -m benchmarks.bench_fee
	@$(PYTHON) -m benchmarks.bench_answers
	@$(PYTHON) -m benchmarks.answer_quality
	@$(PYTHON) -m benchmarks.bench_nlu --model "$$($(PYTHON) -m bot train | tail -n 1)"
	@$(PYTHON) -m benchmarks.bench_turn
	@$(PYTHON) -m benchmarks.bench_db --dossiers $${BENCH_DOSSIERS:-1000000}
	@$(PYTHON) -m benchmarks.bench_notify
	@$(PYTHON) -m benchmarks.bench_console --dossiers $${BENCH_DOSSIERS:-1000000}

console: setup ## staff console (web) on http://127.0.0.1:8090: migrates the database; add accounts with python -m bot staff add
	@$(PYTHON) -m bot db upgrade
	@$(PYTHON) -m bot console

bench-load: setup ## load test of make serve and make cluster (BENCH_SECONDS=60 per run; the 30-user fault run BENCH_FAULT_SECONDS=300) into docs/benchmarks.md
	@$(PYTHON) -m benchmarks.bench_load --fault --write-docs

import: setup ## re-import the national catalogue into procedures_kb/records
	@$(PYTHON) -m procedures_kb import $(RAW_CATALOGUE)

lock: ## re-resolve requirements.in into requirements.lock (needs the registry)
	@bash scripts/lock.sh
