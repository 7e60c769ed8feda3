#!/usr/bin/env bash
# Runs the test suite. In CI (CI=true) the services the tests need are started first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = "true" ] && [ -x scripts/start_test_services.sh ]; then
  eval "$(bash scripts/start_test_services.sh)"
fi
exec .venv/bin/python -m pytest "$@"
