"""P8: many discussions through OpenAIModel on a fleet of simulated GPU servers.

Starts ``bench/fleet_sim.py`` in a child process (replicas x slots on
loopback), then runs N discussions x T turns through ``run_discussions``:

* **pipelined**: today's ``drive`` with an ``OpenAIModel`` (each discussion's
  next request goes out as soon as its previous reply is recorded, at most
  ``max_concurrency`` = all slots in flight);
* **lock-step**: the same model behind a wrapper that only offers
  ``complete_batch``, so ``drive`` runs rounds of ``batch_size`` = all slots
  (the round barrier the pipelined driver removed).

The lower bound is the slot-seconds all requests need (prefill + decode by
the simulator's timing) divided by the slots. Variants alternate in the same
run; the simulator's seed fixes every reply, so both variants ask for the same
work. Peak memory is this process's peak resident set.

    OMP_NUM_THREADS=1 flock /tmp/heavy.lock python bench/fleet.py --discussions 1000 --rounds 2
    OMP_NUM_THREADS=1 flock /tmp/heavy.lock python bench/fleet.py --discussions 10000 --variants pipelined --rounds 1
    OMP_NUM_THREADS=1 flock /tmp/heavy.lock python bench/fleet.py --variants rolling waves --decode 0.04 --in-flight 1.25 --rounds 1
    python bench/fleet.py --base-url http://gpu:8000/v1 --model-name my-model ...   # a real server instead
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import syndisco_widgets as syndisco
from syndisco_widgets.engine.drive import drive_feed
from syndisco_widgets.engine.experiment_runs import open_runs
from syndisco_widgets.models import BaseModel, OpenAIModel

sys.path.insert(0, str(Path(__file__).parent))
from batched_discussions import discussions  # the P1 bench's discussions, beside this file
from fleet_sim import Timing, fleet, fleet_stats, reset_stats

if TYPE_CHECKING:
    from collections.abc import Sequence

    from syndisco_widgets.models import ChatPrompt, Completion

#: How many runs an experiment kept open before it opened runs as others ended.
WAVE = 128


class LockStep(BaseModel):
    """The same server model, offered to ``drive`` only as batches (no ``submit``): rounds."""

    def __init__(self, inner: OpenAIModel) -> None:
        super().__init__(inner.name, inner.max_out_tokens)
        self.inner = inner

    def generate(self, prompt: ChatPrompt, **kwargs: Any) -> Completion:
        return self.inner.generate(prompt, **kwargs)

    def generate_batch(self, prompts: Sequence[ChatPrompt], **kwargs: Any) -> list[Completion]:
        return self.inner.generate_batch(prompts, **kwargs)


class ListFeed:
    """Gives the discussions one at a time, as an experiment gives its planned runs."""

    def __init__(self, sources: Sequence[syndisco.Discussion]) -> None:
        self.sources = iter(sources)

    def next_source(self) -> syndisco.Discussion | None:
        return next(self.sources, None)

    def source_ended(self, position: int, failure: object) -> None:
        """Nothing to close here."""


def run(variant: str, model: OpenAIModel, args: argparse.Namespace) -> tuple[float, int]:
    """Wall seconds and turns of one run."""
    target: BaseModel = LockStep(model) if variant == "lock-step" else model
    convs = discussions(target, args.discussions, args.turns)
    slots = args.slots * args.replicas
    started = time.perf_counter()
    if variant == "waves":  # experiments before: 128 runs open, the next 128 after all of them end
        turns = sum(
            syndisco.run_discussions(convs[i : i + WAVE], verbose=False).turns
            for i in range(0, len(convs), WAVE)
        )
    elif variant == "rolling":  # experiments now: the next run opens as soon as one ends
        window = open_runs([model], batch_size=32)
        turns = drive_feed(ListFeed(convs), window=window).turns
    else:
        turns = syndisco.run_discussions(convs, batch_size=slots, verbose=False).turns
    return time.perf_counter() - started, turns


def real_servers(args: argparse.Namespace) -> None:
    """The same comparison against real replicas (e.g. vLLM); no lower bound is known there."""
    slots = args.replicas * args.slots
    model = OpenAIModel(
        args.model_name, base_url=args.base_url, max_out_tokens=args.max_tokens, max_concurrency=slots
    )
    print(f"servers {args.base_url}, max_concurrency {slots}; {args.discussions} x {args.turns} turns")
    run("pipelined", model, argparse.Namespace(**{**vars(args), "discussions": 8, "turns": 2}))  # warm-up
    for _ in range(args.rounds):
        walls = {v: run(v, model, args)[0] for v in args.variants}
        shown = ", ".join(f"{v} {w:.1f} s" for v, w in walls.items())
        ratio = walls["lock-step"] / walls["pipelined"] if len(walls) == 2 else float("nan")
        print(f"  {shown}; pipelined vs lock-step {ratio:.2f}x", flush=True)
    model.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--discussions", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--slots", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--prefill", type=float, default=Timing.prefill)
    parser.add_argument("--decode", type=float, default=Timing.decode)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--in-flight",
        type=float,
        default=1.0,
        help="max_concurrency as a multiple of all slots (queue headroom)",
    )
    parser.add_argument("--variants", nargs="+", default=["pipelined", "lock-step"])
    parser.add_argument("--base-url", nargs="*", default=[], help="real replicas instead of the simulator")
    parser.add_argument("--model-name", default="sim", help="the model name the real replicas serve")
    args = parser.parse_args()
    if args.base_url:
        real_servers(args)
        return

    timing = Timing(prefill=args.prefill, decode=args.decode)
    slots = args.replicas * args.slots
    print(
        f"fleet: {args.replicas} replicas x {args.slots} slots, prefill {timing.prefill * 1e3:g} ms/token, "
        f"decode {timing.decode * 1e3:g} ms/token, replies log-normal (median {timing.median_tokens:g} "
        f"tokens, sigma {timing.spread:g}, max {args.max_tokens}); {args.discussions} discussions x "
        f"{args.turns} turns; max_concurrency {round(args.in_flight * slots)}"
    )
    rows: dict[str, list[tuple[float, float]]] = {v: [] for v in args.variants}
    with fleet(args.replicas, args.slots, timing) as urls:
        in_flight = round(args.in_flight * slots)
        model = OpenAIModel("sim", base_url=urls, max_out_tokens=args.max_tokens, max_concurrency=in_flight)
        run("pipelined", model, argparse.Namespace(**{**vars(args), "discussions": 8, "turns": 2}))  # warm-up
        for _ in range(args.rounds):
            for variant in args.variants:
                reset_stats(urls)
                wall, turns = run(variant, model, args)
                stats = fleet_stats(urls)
                bound = sum(s["nominal_seconds"] for s in stats) / slots
                assert turns == args.discussions * args.turns, (variant, turns)
                rows[variant].append((wall, bound))
                busy = max(s["most_busy"] for s in stats)
                print(
                    f"  {variant}: {wall:.1f} s, lower bound {bound:.1f} s ({wall / bound:.3f}x), "
                    f"{turns} turns, most slots busy on a replica {busy}/{args.slots}",
                    flush=True,
                )
        model.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| variant | median wall (s) | lower bound (s) | wall / bound |")
    print("| --- | ---: | ---: | ---: |")
    for variant, values in rows.items():
        wall = statistics.median(w for w, _ in values)
        bound = statistics.median(b for _, b in values)
        print(f"| {variant} | {wall:.1f} | {bound:.1f} | {wall / bound:.3f}x |")
    if "rolling" in rows and "waves" in rows:
        speedups = [wave[0] / roll[0] for roll, wave in zip(rows["rolling"], rows["waves"], strict=True)]
        print(f"experiments, rolling vs waves: {', '.join(f'{s:.2f}x' for s in speedups)}")
    if "pipelined" in rows and "lock-step" in rows:
        speedups = [
            lock[0] / pipe[0] for pipe, lock in zip(rows["pipelined"], rows["lock-step"], strict=True)
        ]
        print(f"P8 pipelined vs lock-step: {', '.join(f'{s:.2f}x' for s in speedups)}")
    print(f"peak resident memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
