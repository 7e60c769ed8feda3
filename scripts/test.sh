#!/usr/bin/env bash
# Runs the test suite. Database tests also run on PostgreSQL when TEST_POSTGRES_URL is set
# (.ci/run starts a server on loopback and sets it; with CI=true they fail rather than skip).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest "$@"
