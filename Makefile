# Trợ lý thủ tục hành chính — every target sets up what it needs first.
PYTHON := .venv/bin/python
RAW_CATALOGUE ?= ../shared/tthc_catalogue/raw
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup run serve cluster train eval test bench bench-load lookup import lock

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

eval: setup ## train on nlu_data/ (3 seeds, ~35 min), score the held-out eval/test_questions.yml against baselines
	@$(PYTHON) -m eval.evaluate

lookup: setup ## interactive procedure lookup for hotline staff (knowledge base only)
	@$(PYTHON) -m procedures_kb lookup

test: setup ## run the whole test suite
	@bash scripts/test.sh

bench: setup ## print the performance and accuracy figures (search, fee, answers, NLU, database, feed and notifications)
	@$(PYTHON) benchmarks/bench_search.py
	@$(PYTHON) benchmarks/bench_fee.py
	@$(PYTHON) benchmarks/bench_answers.py
	@$(PYTHON) benchmarks/answer_quality.py
	@$(PYTHON) benchmarks/bench_nlu.py --model "$$($(PYTHON) -m bot train | tail -n 1)"
	@$(PYTHON) benchmarks/bench_turn.py
	@$(PYTHON) benchmarks/bench_db.py --dossiers $${BENCH_DOSSIERS:-1000000}
	@$(PYTHON) benchmarks/bench_notify.py

bench-load: setup ## load test of make serve and make cluster (BENCH_SECONDS=60 per run; the 30-user fault run BENCH_FAULT_SECONDS=300) into docs/benchmarks.md
	@$(PYTHON) benchmarks/bench_load.py --fault --write-docs

import: setup ## re-import the national catalogue into procedures_kb/records
	@$(PYTHON) -m procedures_kb import $(RAW_CATALOGUE)

lock: ## re-resolve requirements.in into requirements.lock (needs the registry)
	@bash scripts/lock.sh
