"""P7: a DeliberationExperiment of many Ensembles against process() on each in turn.

N Ensembles of A agents plus a moderator, one task each, greedy replies of a
fixed length. Rounds alternate the two ways of running them, on fresh
structures each time: ``process()`` on each structure one after the other,
and one ``DeliberationExperiment.begin()`` (every structure through one
``drive``, saved to a fresh folder). The texts of both must be identical.
Reports answers/s and the ratio.

    OMP_NUM_THREADS=1 python bench/deliberation_experiment.py --model tiny --rounds 3
    OMP_NUM_THREADS=1 python bench/deliberation_experiment.py --model demo --ensembles 8 --rounds 2
    python bench/deliberation_experiment.py --ensembles 4 --rounds 1   # quick check
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from typing import TYPE_CHECKING

from batched_discussions import cold, load_model  # the same tiny and demo set-ups as P1

from syndisco_widgets.deliberation import Agent, DeliberationExperiment, Ensemble, Moderator

if TYPE_CHECKING:
    from syndisco_widgets.models.base import BaseModel

TOPICS = (
    "a park",
    "a library",
    "bike lanes",
    "a market",
    "a school garden",
    "night buses",
    "a pool",
    "trees",
)


def ensembles(model: BaseModel, count: int, agents: int) -> list[Ensemble]:
    greedy = {"temperature": 0}
    return [
        Ensemble(
            [Agent(persona=f"resident {j} of town {i}", model=model, kwargs=greedy) for j in range(agents)],
            task=f"Town {i}: should we spend this year's budget on {TOPICS[i % len(TOPICS)]}? Answer briefly.",
            moderator=Moderator(model=model, kwargs=greedy),
            seed=i,
        )
        for i in range(count)
    ]


def run(
    kind: str, model: BaseModel, count: int, agents: int, batch_size: int
) -> tuple[float, list[list[str]]]:
    """(wall seconds, texts) of one run."""
    structures = ensembles(model, count, agents)
    cold(model)
    started = time.perf_counter()
    if kind == "experiment":
        with tempfile.TemporaryDirectory() as folder:
            DeliberationExperiment(structures).begin(folder, batch_size=batch_size, verbose=False)
    else:
        for structure in structures:
            structure.process()
    wall = time.perf_counter() - started
    return wall, [[e["text"] for e in s.logs] for s in structures]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=("tiny", "demo"), default="tiny")
    parser.add_argument("--ensembles", type=int, default=32)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import torch

    model = load_model(args.model, args.tokens)
    run("experiment", model, 2, 2, args.batch_size)  # warm-up
    answers = args.ensembles * (args.agents + 1)
    walls: dict[str, list[float]] = {"process": [], "experiment": []}
    texts: dict[str, list[list[str]]] = {}
    for _ in range(args.rounds):
        for kind in ("process", "experiment"):
            wall, texts[kind] = run(kind, model, args.ensembles, args.agents, args.batch_size)
            walls[kind].append(wall)
    identical = texts["process"] == texts["experiment"]

    print(
        f"model={args.model} torch threads={torch.get_num_threads()} ensembles={args.ensembles} "
        f"agents={args.agents}+moderator tokens={args.tokens} batch_size={args.batch_size} rounds={args.rounds}"
    )
    print("| run | median wall (s) | answers/s |")
    print("| --- | ---: | ---: |")
    rates = {}
    for kind, rows in walls.items():
        wall = statistics.median(rows)
        rates[kind] = answers / wall
        print(f"| {kind} | {wall:.2f} | {rates[kind]:.1f} |")
    print(
        f"P7 DeliberationExperiment / process() answers/s: **{rates['experiment'] / rates['process']:.2f}x**; "
        f"identical greedy texts: {identical}"
    )
    assert identical, "experiment and process() greedy texts differ"


if __name__ == "__main__":
    main()
