#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (python3.10 on PATH, else pyenv's), or fails.
set -euo pipefail
if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  command -v python3.10
  exit 0
fi
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10; do
  if [ -x "$candidate" ]; then
    echo "$candidate"
    exit 0
  fi
done
echo "LỖI: không tìm thấy Python 3.10 (Rasa 3.6 cần Python < 3.11)." >&2
echo "ERROR: Python 3.10 not found on PATH (python3.10) or under ~/.pyenv/versions/3.10.*." >&2
echo "Install it, e.g. 'pyenv install 3.10.13', then run 'make setup' again." >&2
exit 1
