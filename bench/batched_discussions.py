"""P1 and P2: many discussions batched (run_discussions) vs one after the other.

P1: N discussions x T turns, 2 users, fixed-length greedy replies. Rounds
alternate the sequential run (each discussion's begin()) and the batched
run (run_discussions), fresh discussions each time; the greedy texts of
both must be identical. Reports turns/s, the ratio, and the torch thread count.

P2: engine time outside the model call per turn, as a share of model time,
from the same runs: wall time minus the seconds each entry's model call took.

    OMP_NUM_THREADS=1 python bench/batched_discussions.py --model tiny --rounds 3
    OMP_NUM_THREADS=1 python bench/batched_discussions.py --model demo --rounds 2
    OMP_NUM_THREADS=1 python bench/batched_discussions.py --model demo --rounds 1 --breakdown
    python bench/batched_discussions.py --discussions 4 --turns 2 --rounds 1   # quick check

``--breakdown`` (local models) also times every forward pass of the model's
layers and splits each run's wall time into prompt reading (a pass over
more than one column per row), decoding (one column per row) and the rest,
with the prompt columns read. Its ceiling is the sequential wall time over
the batched run's prompt reading alone: the ratio if batched decoding and
everything else took no time at all.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import syndisco_widgets as syndisco

if TYPE_CHECKING:
    from collections.abc import Callable

    from syndisco_widgets.models.base import BaseModel


def load_model(kind: str, tokens: int) -> BaseModel:
    if kind == "tiny":
        folder = syndisco.build_tiny_model()
        return syndisco.TransformersModel(
            str(folder), name="tiny", max_out_tokens=tokens, generation_kwargs={"min_new_tokens": tokens}
        )
    from syndisco_widgets.models import demo_model

    return demo_model(max_out_tokens=tokens, temperature=0.0, generation_kwargs={"min_new_tokens": tokens})


def cold(model: BaseModel) -> None:
    """Forget the prompt states earlier runs kept, so a timed run reuses only its own.

    The runs of a benchmark repeat the same prompts: without this, a run would
    read its prompts from the states of the run before it. A server model keeps
    none here.
    """
    cache = getattr(model, "prefix_cache", None)
    if cache is not None:
        cache.clear()


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


@dataclass
class ForwardClock:
    """Seconds and columns of the layers' forward passes: prompt reading vs decoding."""

    seconds: dict[str, float] = field(default_factory=lambda: {"prefill": 0.0, "decode": 0.0})
    columns: dict[str, int] = field(default_factory=lambda: {"prefill": 0, "decode": 0})

    def attach(self, model: BaseModel) -> None:
        """Time every call of ``model``'s layers (its ``base_model``; the output head is outside)."""
        body = model.model.base_model  # type: ignore[attr-defined]  # a TransformersModel
        inner: Callable[..., Any] = body.forward

        def timed(*args: Any, **kwargs: Any) -> Any:
            ids = kwargs.get("input_ids", args[0] if args else None)
            kind = "decode" if ids.shape[1] == 1 else "prefill"
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[kind] += time.perf_counter() - started
                self.columns[kind] += int(ids.numel())

        body.forward = timed

    def reset(self) -> None:
        for kind in self.seconds:
            self.seconds[kind], self.columns[kind] = 0.0, 0


def run(
    kind: str, model: BaseModel, count: int, turns: int, batch_size: int
) -> tuple[float, float, list[list[str]]]:
    """(wall seconds, model seconds, texts) of one run."""
    convs = discussions(model, count, turns)
    cold(model)
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
    parser.add_argument("--breakdown", action="store_true", help="split wall time into prefill/decode/rest")
    args = parser.parse_args()

    import torch

    model = load_model(args.model, args.tokens)
    run("batched", model, 2, 1, args.batch_size)  # warm-up
    clock = ForwardClock()
    if args.breakdown:
        clock.attach(model)
    turns = args.discussions * args.turns
    results: dict[str, list[tuple[float, float]]] = {"sequential": [], "batched": []}
    parts: dict[str, list[tuple[float, float, float, int, int]]] = {"sequential": [], "batched": []}
    texts: dict[str, list[list[str]]] = {}
    for _ in range(args.rounds):
        for kind in ("sequential", "batched"):
            clock.reset()
            wall, model_seconds, texts[kind] = run(kind, model, args.discussions, args.turns, args.batch_size)
            results[kind].append((wall, model_seconds))
            prefill, decode = clock.seconds["prefill"], clock.seconds["decode"]
            parts[kind].append((prefill, decode, wall - prefill - decode, *clock.columns.values()))
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
    if args.breakdown:
        print_breakdown(parts, statistics.median(w for w, _ in results["sequential"]))
    assert identical, "batched and sequential greedy texts differ"


def print_breakdown(
    parts: dict[str, list[tuple[float, float, float, int, int]]], sequential_wall: float
) -> None:
    """Median seconds per part of each run, and the ceiling prompt reading sets on the ratio."""
    print(
        "| run | prefill s | prompt columns read | prefill columns/s | decode s | decode columns | rest s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    medians = {}
    for kind, rows in parts.items():
        prefill, decode, rest = (statistics.median(r[i] for r in rows) for i in range(3))
        read, steps = (statistics.median(r[i] for r in rows) for i in (3, 4))
        medians[kind] = prefill
        print(
            f"| {kind} | {prefill:.1f} | {read:.0f} | {read / prefill if prefill else 0:.0f} "
            f"| {decode:.1f} | {steps:.0f} | {rest:.1f} |"
        )
    print(
        "ceiling (sequential wall / batched prefill alone): "
        f"**{sequential_wall / medians['batched']:.2f}x** (a decode pass reads one column per row)"
    )


if __name__ == "__main__":
    main()
