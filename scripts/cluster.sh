#!/usr/bin/env bash
# make cluster: RASA_REPLICAS Rasa servers (default 2) and ACTION_REPLICAS action servers
# (default 2) behind HAProxy, which listens where make serve does (RASA_HOST:RASA_PORT, by
# default 127.0.0.1:5005; the action servers behind 127.0.0.1:ACTION_SERVER_PORT), with the
# SQL tracker store on PostgreSQL and the Redis lock store (endpoints.production.yml).
# supervisord runs and restarts the processes (bot/cluster.py writes its configuration).
#
# TRACKER_DB_HOST / REDIS_HOST unset: PostgreSQL and Redis are installed (Debian packages)
# and started on loopback if needed, as for the tests, with a database of its own.
# Replica ports: CLUSTER_BASE_PORT+1 ... (default 5101...). RASA_CONFIG as for make serve.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
log() { echo "[cluster] $*" >&2; }

if ! command -v haproxy >/dev/null 2>&1; then
  log "installing haproxy"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy >&2; }
fi
# The settings (environment or .env) decide; only what is unset in both is started here.
setting() { .venv/bin/python -c "from bot.settings import get_settings; print(get_settings().$1)"; }
tracker_host=$(setting tracker_db_host)
redis_host=$(setting redis_host)
if [ -z "$tracker_host" ] || [ -z "$redis_host" ]; then
  log "TRACKER_DB_HOST or REDIS_HOST unset: the missing one(s) on loopback"
  eval "$(PG_DATABASE=assistant_cluster bash scripts/start_test_services.sh)"
  # Only what is unset comes from the local servers; configured ones are kept.
  eval "$(.venv/bin/python - "$TEST_POSTGRES_URL" "$TEST_REDIS_URL" "$tracker_host" "$redis_host" <<'PY'
import shlex, sys
from urllib.parse import urlparse
db, cache = urlparse(sys.argv[1]), urlparse(sys.argv[2])
local = {}
if not sys.argv[3]:
    local.update(TRACKER_DB_HOST=db.hostname, TRACKER_DB_PORT=db.port,
                 TRACKER_DB_NAME=db.path.lstrip("/"), TRACKER_DB_USER=db.username,
                 TRACKER_DB_PASSWORD=db.password)
if not sys.argv[4]:
    local.update(REDIS_HOST=cache.hostname, REDIS_PORT=cache.port)
for name, value in local.items():
    print(f"export {name}={shlex.quote(str(value))}")
PY
)"
fi
# A conversation's lock outlives a killed replica only this long (Rasa's default: 60 s).
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-10}"
model=$(.venv/bin/python -m bot train --config "${RASA_CONFIG:-config.yml}" | tail -n 1)
.venv/bin/python -m bot seed --demo --if-empty
if [ -z "$(setting action_server_token)" ]; then
  ACTION_SERVER_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
  export ACTION_SERVER_TOKEN
fi
exec .venv/bin/python -m bot cluster --model "$model"
