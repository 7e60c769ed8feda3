#!/usr/bin/env bash
# Rasa server (REST channel) and the action server, both on 127.0.0.1 by default
# (RASA_HOST/RASA_PORT, ACTION_SERVER_HOST/ACTION_SERVER_PORT; settings from the environment
# or .env). Rasa's HTTP API is on only when RASA_AUTH_TOKEN or RASA_JWT_SECRET is set.
# Trains the model first when it is missing or stale, and seeds the demo database when empty.
# RASA_CONFIG picks the training config (default config.yml; the tests use config_test.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
model=$(.venv/bin/python -m bot train --config "${RASA_CONFIG:-config.yml}" | tail -n 1)
.venv/bin/python -m bot seed --demo --if-empty
# Rasa must show the action server its token: without one configured (environment or .env),
# this run uses a random one that only these two processes know.
token=$(.venv/bin/python -c 'from bot.settings import get_settings; print(get_settings().action_server_token)')
if [ -z "$token" ]; then
  ACTION_SERVER_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
  export ACTION_SERVER_TOKEN
fi
.venv/bin/python -m bot actions &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
.venv/bin/python -m bot rasa --model "$model"
