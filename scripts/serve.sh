#!/usr/bin/env bash
# Rasa server (REST channel + HTTP API) on :5005 and the action server on :5055.
# Trains the model first when it is missing or stale, and seeds the demo database when empty.
# RASA_CONFIG picks the training config (default config.yml; the tests use config_test.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false
model=$(.venv/bin/python -m bot train --config "${RASA_CONFIG:-config.yml}" | tail -n 1)
.venv/bin/python -m bot seed --demo --if-empty
export ACTION_SERVER_URL="http://localhost:${ACTION_SERVER_PORT:-5055}/webhook"
.venv/bin/python -m rasa_sdk --actions actions --port "${ACTION_SERVER_PORT:-5055}" &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
.venv/bin/rasa run --enable-api --model "$model" --port "${RASA_PORT:-5005}" \
  --credentials credentials.yml --endpoints endpoints.yml --cors "*"
