#!/usr/bin/env bash
# Creates .venv from Python 3.10 (Rasa 3.6 needs Python < 3.11) and installs the exact
# versions in requirements.lock. Idempotent: does nothing when the lock has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.installed-lock
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && cmp -s requirements.lock "$stamp"; then
  exit 0
fi

python=$(bash scripts/find_python310.sh)

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "Creating .venv with $python"
  rm -rf .venv
  "$python" -m venv .venv
fi
echo "Installing pinned packages from requirements.lock (first time: about 2 minutes)"
.venv/bin/python -m pip install --quiet --no-deps -r requirements.lock
.venv/bin/python -m pip check
cp requirements.lock "$stamp"
