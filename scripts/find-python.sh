#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 (Django 6 needs it), or fails saying why.
set -u
candidates=(python3.13 python3.12)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*; do
  [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done
candidates+=(python3)
for py in "${candidates[@]}"; do
  path=$(command -v "$py" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "No Python >= 3.12 found (Django 6 needs it). Install python3.13 (e.g. 'pyenv install 3.13') or set PYTHON=/path/to/python3.13." >&2
exit 1
