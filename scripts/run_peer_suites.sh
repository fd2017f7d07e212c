#!/usr/bin/env bash
# Run SynDisco 2.2.1's and Plurals 0.7's own test suites against our port-in layers.
#
#   bash scripts/run_peer_suites.sh [syndisco|guides|plurals|all]
#
# Everything is fetched and run under $PEER_DIR (default /tmp/peer_suites); nothing
# is copied into this repository, and neither peer becomes a dependency.
#
# SynDisco: its wheel ships no tests, so they come from a checkout of its repository:
#   SYNDISCO_SRC=/path/to/syndisco (a clone at 2.2.1); without it the script tries
#   `git clone https://github.com/dimits-ts/syndisco`. `syndisco` is mapped to
#   syndisco_widgets.compat.syndisco by a one-line conftest.py (alias_syndisco()).
# Guides: SynDisco's notebooks in $SYNDISCO_SRC/docs/source/guides run with one added import cell
#   and the tiny offline model (scripts/run_syndisco_guides.py), under the machine-wide heavy lock.
# Plurals: `pip download plurals==0.7` (its wheel holds tests.py). A `plurals` shim package
#   maps plurals.agent/deliberation/interview/errors to syndisco_widgets.deliberation; its
#   own helpers.py and instructions.yaml are used as they are (tests.py imports them), the
#   real wheel is installed beside the shim so our survey loader finds its ANES table, and
#   every hosted model name the tests use is aliased to a local ScriptedModel.
set -euo pipefail

which_suite="${1:-all}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
peer_dir="${PEER_DIR:-/tmp/peer_suites}"
export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1
mkdir -p "$peer_dir"

summary() { # the pytest summary line of a log
    grep -E "^(=+ )?[0-9]+ (passed|failed)" "$1" | tail -1 | tr -d '='
}

run_syndisco() {
    local src="${SYNDISCO_SRC:-$peer_dir/syndisco_src}" work="$peer_dir/syndisco"
    if [ ! -d "$src/tests" ]; then
        git clone --quiet https://github.com/dimits-ts/syndisco "$src" ||
            { echo "SynDisco tests not found: set SYNDISCO_SRC to a checkout of SynDisco 2.2.1" >&2; return 1; }
    fi
    rm -rf "$work" && mkdir -p "$work"
    # the 2.2.1 suite: actors, turn managers, jobs, experiments (later files test a CLI and viewer 2.2.1 lacks)
    mkdir "$work/tests"
    for f in __init__.py dummy.py model.py test_actor.py test_turn_managers.py test_jobs.py test_experiments.py; do
        [ -f "$src/tests/$f" ] && cp "$src/tests/$f" "$work/tests/"
    done
    touch "$work/tests/__init__.py"
    echo 'import syndisco_widgets.compat; syndisco_widgets.compat.alias_syndisco()  # noqa: E702' >"$work/conftest.py"
    (cd "$work" && python -m pytest -q -p no:cacheprovider -rfE tests >"$work/result.log" 2>&1) || true
    echo "SynDisco 2.2.1 suite on syndisco_widgets.compat.syndisco: $(summary "$work/result.log") (log: $work/result.log)"
}

run_guides() {
    local src="${SYNDISCO_SRC:-$peer_dir/syndisco_src}"
    flock /tmp/heavy.lock python "$repo/scripts/run_syndisco_guides.py" "$src/docs/source/guides" \
        "$peer_dir/guides" 2>&1 | grep -v "IPKernelApp" || true
}

run_plurals() {
    local work="$peer_dir/plurals" wheel_dir="$peer_dir/plurals_wheel"
    rm -rf "$work" && mkdir -p "$work/shim/plurals" "$wheel_dir"
    [ -n "$(ls "$wheel_dir"/plurals-0.7*.whl 2>/dev/null)" ] ||
        python -m pip download --quiet --no-deps "plurals==0.7.*" -d "$wheel_dir"
    python -m pip install --quiet --no-deps --target "$work/real" "$wheel_dir"/plurals-0.7*.whl
    local real="$work/real/plurals" shim="$work/shim/plurals"
    cp "$real/tests.py" "$work/tests.py"
    cp "$real/helpers.py" "$real/instructions.yaml" "$shim/"
    touch "$shim/__init__.py"
    cat >"$shim/agent.py" <<'EOF'
from syndisco_widgets.deliberation import Agent  # noqa: F401
EOF
    cat >"$shim/deliberation.py" <<'EOF'
from syndisco_widgets.deliberation import AbstractStructure, Chain, Debate, Ensemble, Graph, Moderator  # noqa: F401
EOF
    cat >"$shim/interview.py" <<'EOF'
from syndisco_widgets.deliberation import Interview  # noqa: F401
EOF
    cat >"$shim/errors.py" <<'EOF'
from syndisco_widgets.errors import ConfigError as ConfigurationError  # noqa: F401
from syndisco_widgets.errors import DeliberationError as LLMError  # noqa: F401
from syndisco_widgets.errors import PersonaError  # noqa: F401
EOF
    cat >"$work/conftest.py" <<'EOF'
import os

from syndisco_widgets.deliberation import alias_model
from syndisco_widgets.models import ScriptedModel

STAND_IN = ScriptedModel(name="local-stand-in")
for hosted in ("gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-3.5-turbo"):
    alias_model(hosted, STAND_IN)
os.environ.setdefault("SYNDISCO_MODEL", "gpt-4o")  # Plurals' default model
EOF
    # the shim first, then the real wheel (its dist-info and ANES table, never imported as code)
    (cd "$work" && PYTHONPATH="$work/shim:$PYTHONPATH:$work/real" \
        python -m pytest -q -p no:cacheprovider -rfE tests.py >"$work/result.log" 2>&1) || true
    echo "Plurals 0.7 tests.py on syndisco_widgets.deliberation: $(summary "$work/result.log") (log: $work/result.log)"
}

case "$which_suite" in
syndisco) run_syndisco ;;
guides) run_guides ;;
plurals) run_plurals ;;
all) run_syndisco; run_guides; run_plurals ;;
*) echo "usage: $0 [syndisco|guides|plurals|all]" >&2; exit 2 ;;
esac
