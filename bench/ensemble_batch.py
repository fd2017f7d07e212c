"""Time a 10-agent Ensemble (one batched generate call) against 10 sequential calls.

Both sides send exactly the same 10 prompts (survey personas from the bundled
SYNTHETIC demo table, one shared task) to the same model object, and generate
the same fixed number of new tokens (min_new_tokens = max_new_tokens), so the
only difference is batching. Repetitions are interleaved (batched, sequential,
sequential, batched, ...) to spread drift evenly; medians are reported.

Usage:
    python bench/ensemble_batch.py                 # tiny model only
    python bench/ensemble_batch.py --bigger        # also a ~3M-parameter random Llama
    python bench/ensemble_batch.py --reps 9 --tokens 32 --agents 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_bigger_model(folder: Path) -> Path:
    """A random Llama with hidden size 256 and 4 layers, reusing the tiny model's tokenizer."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from syndisco_widgets.models import build_tiny_model

    if (folder / "config.json").is_file():
        return folder
    tokenizer = AutoTokenizer.from_pretrained(build_tiny_model())
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=256,
        intermediate_size=768,
        num_hidden_layers=4,
        num_attention_heads=8,
        num_key_value_heads=4,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        model = LlamaForCausalLM(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def bench(label: str, path: str, n_agents: int, tokens: int, reps: int) -> dict[str, float]:
    from syndisco_widgets.deliberation import Agent, Ensemble
    from syndisco_widgets.models import TransformersModel

    task = "Brainstorm ideas to improve public libraries."
    # Every reply exactly `tokens` long; greedy, so both runs do the same work.
    shared = TransformersModel(path, label, tokens, generation_kwargs={"min_new_tokens": tokens})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the synthetic-data notice, once per agent
        agents = [
            Agent(persona="random", seed=i, model=shared, kwargs={"temperature": 0}) for i in range(n_agents)
        ]
    model = agents[0].model
    assert all(a.model is model for a in agents), "agents must share one model object"
    params = sum(p.numel() for p in model.model.parameters())
    ensemble = Ensemble(agents, task=task)

    generate_calls: list[int] = []
    real = model.model.generate

    def counting(*args, **kwargs):
        generate_calls.append(kwargs["input_ids"].shape[0])  # rows in this generate() call
        return real(*args, **kwargs)

    model.model.generate = counting  # count the torch module's real generate() calls

    def batched() -> float:
        start = time.perf_counter()
        ensemble.process()
        return time.perf_counter() - start

    def sequential() -> float:
        start = time.perf_counter()
        for agent in agents:
            agent.process(task=task)
        return time.perf_counter() - start

    batched(), sequential()  # warm-up
    generate_calls.clear()
    times: dict[str, list[float]] = {"batched": [], "sequential": []}
    for rep in range(reps):
        order = (("batched", batched), ("sequential", sequential))
        for name, run in order if rep % 2 == 0 else order[::-1]:
            times[name].append(run())
    assert generate_calls.count(n_agents) == reps, generate_calls  # one batched call per Ensemble run
    assert generate_calls.count(1) == reps * n_agents
    b, s = statistics.median(times["batched"]), statistics.median(times["sequential"])
    prompt_tokens = [
        len(model.tokenizer(model.format_prompt(ensemble.agents[0].build_prompt(task)))["input_ids"])
    ]
    print(
        f"{label}: {params / 1e6:.2f}M params, {n_agents} agents x {tokens} new tokens, "
        f"prompt ~{prompt_tokens[0]} tokens, {reps} interleaved reps\n"
        f"  one batched call : median {b * 1000:8.1f} ms  (all: {', '.join(f'{t * 1000:.0f}' for t in times['batched'])})\n"
        f"  {n_agents} single calls  : median {s * 1000:8.1f} ms  (all: {', '.join(f'{t * 1000:.0f}' for t in times['sequential'])})\n"
        f"  sequential / batched = {s / b:.2f}x by medians, "
        f"{min(times['sequential']) / min(times['batched']):.2f}x by minimums"
    )
    return {"batched": b, "sequential": s, "ratio": s / b}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=32, help="new tokens per reply (fixed length)")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--bigger", action="store_true", help="also bench a ~3M-parameter random model")
    args = parser.parse_args()

    import platform

    import torch

    from syndisco_widgets.models import build_tiny_model

    print(
        f"python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads, "
        f"{platform.processor() or platform.machine()}"
    )
    bench("tiny-random-llama", str(build_tiny_model()), args.agents, args.tokens, args.reps)
    if args.bigger:
        with tempfile.TemporaryDirectory() as tmp:
            path = build_bigger_model(Path(tmp) / "bigger-random-llama")
            bench("bigger-random-llama", str(path), args.agents, args.tokens, args.reps)


if __name__ == "__main__":
    main()
