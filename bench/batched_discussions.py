"""P1 and P2: many discussions batched (run_discussions) vs one after the other.

P1: N discussions x T turns, 2 users, fixed-length greedy replies. Rounds
alternate the sequential run (each discussion's begin()) and the batched
run (run_discussions), fresh discussions each time; the greedy texts of
both must be identical. Reports turns/s, the ratio, and the torch thread count.

P2: engine time outside the model call per turn, as a share of model time,
from the same runs: wall time minus the seconds each entry's model call took.

    OMP_NUM_THREADS=1 python bench/batched_discussions.py --model tiny --rounds 3
    OMP_NUM_THREADS=1 python bench/batched_discussions.py --model demo --rounds 2
    python bench/batched_discussions.py --discussions 4 --turns 2 --rounds 1   # quick check
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import TYPE_CHECKING

import syndisco_widgets as syndisco

if TYPE_CHECKING:
    from syndisco_widgets.models.base import BaseModel


def load_model(kind: str, tokens: int) -> BaseModel:
    if kind == "tiny":
        folder = syndisco.build_tiny_model()
        return syndisco.TransformersModel(
            str(folder), name="tiny", max_out_tokens=tokens, generation_kwargs={"min_new_tokens": tokens}
        )
    from syndisco_widgets.models import demo_model

    return demo_model(max_out_tokens=tokens, temperature=0.0, generation_kwargs={"min_new_tokens": tokens})


def discussions(model: BaseModel, count: int, turns: int) -> list[syndisco.Discussion]:
    convs = []
    for i in range(count):
        users = [
            syndisco.Actor(
                model,
                syndisco.Persona(username=n, age=20 + i % 60),  # ages stay valid for 10,000
                syndisco.ActorType.USER,
                "A forum.",
                "Be brief.",
            )
            for n in ("Ann", "Bob")
        ]
        convs.append(
            syndisco.Discussion(
                syndisco.RoundRobin(),
                users,
                conv_len=turns,
                seed_opinions=[f"Topic {i}: is tea better than coffee?"],
                seed_opinion_usernames=["Ann"],
            )
        )
    return convs


def run(
    kind: str, model: BaseModel, count: int, turns: int, batch_size: int
) -> tuple[float, float, list[list[str]]]:
    """(wall seconds, model seconds, texts) of one run."""
    convs = discussions(model, count, turns)
    started = time.perf_counter()
    if kind == "batched":
        syndisco.run_discussions(convs, batch_size=batch_size, verbose=False)
    else:
        for conv in convs:
            conv.begin(verbose=False)
    wall = time.perf_counter() - started
    entries = [e for c in convs for e in c.logs if e.get("source") == "model"]
    model_seconds = sum(e.get("seconds", 0.0) for e in entries)
    return wall, model_seconds, [[e["text"] for e in c.logs] for c in convs]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=("tiny", "demo"), default="tiny")
    parser.add_argument("--discussions", type=int, default=16)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import torch

    model = load_model(args.model, args.tokens)
    run("batched", model, 2, 1, args.batch_size)  # warm-up
    turns = args.discussions * args.turns
    results: dict[str, list[tuple[float, float]]] = {"sequential": [], "batched": []}
    texts: dict[str, list[list[str]]] = {}
    for _ in range(args.rounds):
        for kind in ("sequential", "batched"):
            wall, model_seconds, texts[kind] = run(kind, model, args.discussions, args.turns, args.batch_size)
            results[kind].append((wall, model_seconds))
    identical = texts["sequential"] == texts["batched"]

    print(
        f"model={args.model} torch threads={torch.get_num_threads()} discussions={args.discussions} "
        f"turns={args.turns} tokens={args.tokens} batch_size={args.batch_size} rounds={args.rounds}"
    )
    print("| run | median wall (s) | turns/s | engine ms/turn | engine / model time |")
    print("| --- | ---: | ---: | ---: | ---: |")
    rates = {}
    for kind, rows in results.items():
        wall = statistics.median(w for w, _ in rows)
        engine = statistics.median((w - m) / turns for w, m in rows)
        share = statistics.median((w - m) / m for w, m in rows if m)
        rates[kind] = turns / wall
        print(f"| {kind} | {wall:.2f} | {rates[kind]:.1f} | {engine * 1000:.2f} | {share:.1%} |")
    print(
        f"P1 batched / sequential turns/s: **{rates['batched'] / rates['sequential']:.2f}x**; "
        f"identical greedy texts: {identical}"
    )
    assert identical, "batched and sequential greedy texts differ"


if __name__ == "__main__":
    main()
