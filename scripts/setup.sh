#!/usr/bin/env bash
# Creates .venv from Python 3.10 (Rasa 3.6 needs Python < 3.11) and installs the exact
# versions in requirements.lock. Idempotent: does nothing when the lock has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v python3.10
    return
  fi
  local candidate
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
  return 1
}

stamp=.venv/.installed-lock
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && cmp -s requirements.lock "$stamp"; then
  exit 0
fi

if ! python=$(find_python310); then
  echo "LỖI: không tìm thấy Python 3.10 (Rasa 3.6 cần Python < 3.11)." >&2
  echo "ERROR: Python 3.10 not found on PATH (python3.10) or under ~/.pyenv/versions/3.10.*." >&2
  echo "Install it, e.g. 'pyenv install 3.10.13', then run 'make setup' again." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "Creating .venv with $python"
  rm -rf .venv
  "$python" -m venv .venv
fi
echo "Installing pinned packages from requirements.lock (first time: about 2 minutes)"
.venv/bin/python -m pip install --quiet --no-deps -r requirements.lock
.venv/bin/python -m pip check
cp requirements.lock "$stamp"
