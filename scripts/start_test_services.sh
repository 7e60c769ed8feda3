#!/usr/bin/env bash
# Starts the servers the integration tests use, on loopback only, and prints the
# variables that point the tests at them:
#   PostgreSQL on 127.0.0.1:5432 with role `assistant` and database `assistant_test`
#   Redis on 127.0.0.1:6379 (no persistence)
# Idempotent: installs (Debian packages), creates and starts only what is missing.
# Needs root (apt-get, the postgres user). Usage:
#   eval "$(scripts/start_test_services.sh)"
# Progress goes to stderr; stdout carries only the `export` lines.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_ROLE=assistant
PG_PASSWORD=assistant-test-only
PG_DATABASE=${PG_DATABASE:-assistant_test}  # make cluster asks for its own
REDIS_PORT=6379

log() { echo "[test-services] $*" >&2; }

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q "$@" >&2; then
    log "apt-get install failed, refreshing the package lists first"
    apt-get update -q >&2
    apt-get install -y -q "$@" >&2
  fi
}

ensure_packages() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# Prints "<version> <cluster>" of the first cluster, creating one when there is none.
pg_cluster() {
  local cluster
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR == 1 {print $1, $2}')
  if [ -z "$cluster" ]; then
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    log "creating PostgreSQL $version cluster 'main' on port $PG_PORT"
    pg_createcluster --port "$PG_PORT" "$version" main >&2
    cluster="$version main"
  fi
  echo "$cluster"
}

start_postgres() {
  local version name
  read -r version name < <(pg_cluster)
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    log "starting PostgreSQL $version/$name"
    pg_ctlcluster "$version" "$name" start >&2
    for _ in $(seq 1 30); do
      pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
      sleep 1
    done
  fi
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || { log "PostgreSQL did not start"; exit 1; }
}

psql_admin() {
  runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtAc "$1"
}

ensure_role_and_database() {
  if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != "1" ]; then
    log "creating role $PG_ROLE"
    psql_admin "CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD'"
  else
    psql_admin "ALTER ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD'"
  fi
  if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != "1" ]; then
    log "creating database $PG_DATABASE"
    psql_admin "CREATE DATABASE $PG_DATABASE OWNER $PG_ROLE ENCODING 'UTF8' TEMPLATE template0"
  fi
}

start_redis() {
  if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" != "PONG" ]; then
    log "starting redis-server on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
      --save '' --appendonly no --logfile /tmp/redis-test.log >&2
    for _ in $(seq 1 20); do
      [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ] && break
      sleep 0.5
    done
  fi
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ] || { log "Redis did not start"; exit 1; }
}

ensure_packages
start_postgres
ensure_role_and_database
start_redis
log "ready"
echo "export TEST_POSTGRES_URL=postgresql+psycopg2://$PG_ROLE:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DATABASE"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
