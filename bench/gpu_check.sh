#!/usr/bin/env bash
# P1 and the fleet benchmark (P8) against a real vLLM with prefix caching, on a CUDA machine.
#
#   bash bench/gpu_check.sh                      # starts vLLM itself (needs `pip install vllm`)
#   URL=http://gpu1:8000/v1 MODEL=name bash bench/gpu_check.sh   # a vLLM that is already running
#
# Settings (environment): MODEL (default HuggingFaceTB/SmolLM2-135M-Instruct),
# PORT (8000), PEERS (/tmp/peers, where SynDisco 2.2.1 is installed for P1),
# DISCUSSIONS (1000), TURNS (8), SLOTS (256: requests in flight).
# It prints what it measured and writes the same lines to bench/gpu_check.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

MODEL=${MODEL:-HuggingFaceTB/SmolLM2-135M-Instruct}
PORT=${PORT:-8000}
PEERS=${PEERS:-/tmp/peers}
DISCUSSIONS=${DISCUSSIONS:-1000}
TURNS=${TURNS:-8}
SLOTS=${SLOTS:-256}
LOG=bench/gpu_check.log
SERVER_PID=""

say() { echo "$*" | tee -a "$LOG"; }

cleanup() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

: >"$LOG"
python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
  || { say "no CUDA GPU here: run this on a GPU machine"; exit 1; }
say "GPU: $(python -c 'import torch; print(torch.cuda.get_device_name(0))')"

if [[ -z "${URL:-}" ]]; then
  command -v vllm >/dev/null || { say "vllm is not installed: pip install vllm (or pass URL=)"; exit 1; }
  URL="http://127.0.0.1:$PORT/v1"
  say "starting: vllm serve $MODEL --enable-prefix-caching --port $PORT"
  vllm serve "$MODEL" --enable-prefix-caching --port "$PORT" >bench/gpu_check.vllm.log 2>&1 &
  SERVER_PID=$!
fi
for _ in $(seq 1 180); do
  if curl -sf "$URL/models" >/dev/null; then break; fi
  if [[ -n "$SERVER_PID" ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
    say "vLLM exited; see bench/gpu_check.vllm.log"; exit 1
  fi
  sleep 2
done
curl -sf "$URL/models" >/dev/null || { say "no server answers at $URL/models"; exit 1; }
say "server: $URL ($MODEL), prefix caching on"

if [[ ! -d "$PEERS/syndisco" ]]; then
  say "installing the peer SynDisco 2.2.1 into $PEERS (not a dependency of ours)"
  pip install -q --no-deps --ignore-requires-python syndisco==2.2.1 --target "$PEERS"
  pip install -q --no-deps --target "$PEERS" coloredlogs humanfriendly
fi

say ""
say "== P1: DiscussionExperiment vs SynDisco's, 16 discussions x 8 turns, both through the server"
python bench/vs_syndisco.py --part p1 --rounds 3 --peers "$PEERS" \
  --server "$URL" --server-model "$MODEL" 2>&1 | tee -a "$LOG"

say ""
say "== P8: $DISCUSSIONS discussions x $TURNS turns, pipelined drive vs lock-step rounds, $SLOTS in flight"
python bench/fleet.py --base-url "$URL" --model-name "$MODEL" --discussions "$DISCUSSIONS" \
  --turns "$TURNS" --replicas 1 --slots "$SLOTS" --rounds 2 2>&1 | tee -a "$LOG"

say ""
say "done; the lines above are in $LOG (add them to bench/RESULTS.md with the GPU's name)"
