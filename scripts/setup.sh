#!/usr/bin/env bash
# Creates .venv from Python 3.10 (Rasa 3.6 needs Python < 3.11), installs the exact versions
# in requirements.lock, then the project itself in editable mode (pyproject.toml: the packages
# import from anywhere and the console scripts land in .venv/bin). Idempotent: does nothing
# when neither the lock nor pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.installed-lock
stamped() { cat requirements.lock pyproject.toml; }
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && stamped | cmp -s - "$stamp"; then
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
# --no-build-isolation: build with the pinned setuptools already in .venv, nothing fetched
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
.venv/bin/python -m pip check
stamped > "$stamp"
