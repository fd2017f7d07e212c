#!/usr/bin/env bash
# Every gate CI runs, in order: lint, format, types, the JS linter and type
# check, the JS tests, then pytest (unit tests, notebooks, browser and server
# tests). Run it after `bash scripts/setup.sh --test`.
#
# The fast suite alone, while developing:
#   python -m pytest tests -m "not browser and not server and not slow"
set -euo pipefail
cd "$(dirname "$0")/.."

# The environment scripts/setup.sh installed into (.venv, or a link to the one
# that was active), unless another virtual environment is active now.
if [ -z "${VIRTUAL_ENV:-}" ] && [ -x .venv/bin/python ]; then
    # shellcheck disable=SC1091  # made by scripts/setup.sh
    . .venv/bin/activate
fi

step() { printf '\n== %s\n' "$*"; }

step "ruff check";        python -m ruff check .
step "ruff format";       python -m ruff format --check .
step "mypy --strict";     python -m mypy
step "JS lint";           npm --prefix js run --silent lint
step "JS type check";     npm --prefix js run --silent typecheck
step "JS tests";          npm --prefix js test --silent
step "pytest";            python -m pytest "$@"
