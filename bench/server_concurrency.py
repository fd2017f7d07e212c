"""P3: 32 discussions at once against an OpenAI-compatible server vs the same 32 one after another.

Both sides run the same discussions (2 users, round-robin, greedy, the same
seed opinion) through one :class:`~syndisco_widgets.OpenAIModel` talking to
``transformers serve --continuous-batching`` with the tiny model:

* concurrent: ``syndisco_widgets.run_discussions`` sends each round's 32
  prompts in one ``complete_batch`` (concurrent requests the server batches);
* sequential: each discussion's ``begin()``, one request at a time.

Rounds alternate the order (concurrent first, then sequential first, ...);
medians are reported with the ratio, and how many transcripts came out equal.

Usage (starts and stops its own server on a free port):
    OMP_NUM_THREADS=1 python bench/server_concurrency.py
    OMP_NUM_THREADS=1 python bench/server_concurrency.py --discussions 32 --turns 4 --tokens 32 --reps 3
Against a server you started yourself:
    python bench/server_concurrency.py --base-url http://127.0.0.1:8000/v1 --model /path/to/model
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from syndisco_widgets import Discussion, OpenAIModel

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@contextmanager
def tiny_server(threads: int) -> Iterator[tuple[str, str]]:
    """``transformers serve --continuous-batching`` on the tiny model; yields (base_url, model name)."""
    from syndisco_widgets.models import build_tiny_model

    model = str(build_tiny_model())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    command = [sys.executable, "-c", "from transformers.cli.transformers import main; main()"]
    command += ["serve", model, "--host", "127.0.0.1", "--port", str(port), "--continuous-batching"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while server.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("transformers serve did not start (is `transformers[serving]` installed?)")
        yield f"http://127.0.0.1:{port}/v1", model
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def discussions(model: OpenAIModel, count: int, turns: int) -> list[Discussion]:
    """``count`` fresh discussions; discussion ``i`` opens with its own seed opinion."""
    from syndisco_widgets import Actor, ActorType, Discussion, Persona, RoundRobin

    made = []
    for i in range(count):
        users = [
            Actor(model, Persona(username=name, age=20 + i), ActorType.USER, "An online forum", "Be brief")
            for name in ("Ann", "Bob")
        ]
        opinion = f"Topic {i}: should the town fund the library or the roads?"
        made.append(
            Discussion(
                RoundRobin(), users, conv_len=turns, seed_opinions=[opinion], seed_opinion_usernames=["Bob"]
            )
        )
    return made


def texts(runs: list[Discussion]) -> list[list[str]]:
    return [[e["text"] for e in d.get_logs()] for d in runs]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--discussions", type=int, default=32)
    parser.add_argument("--turns", type=int, default=4, help="user turns per discussion")
    parser.add_argument("--tokens", type=int, default=32, help="max new tokens per turn")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--server-threads", type=int, default=1, help="torch threads of the launched server")
    parser.add_argument("--base-url", help="use this running server instead of launching one")
    parser.add_argument("--model", help="model name on --base-url")
    args = parser.parse_args()

    import syndisco_widgets
    from syndisco_widgets import OpenAIModel

    if not hasattr(syndisco_widgets, "run_discussions"):
        sys.exit("this benchmark needs syndisco_widgets.run_discussions (issue 9's engine path)")

    with tiny_server(args.server_threads) if args.base_url is None else _given(args) as (url, name):
        model = OpenAIModel(name, base_url=url, max_out_tokens=args.tokens, max_concurrency=args.discussions)

        def concurrent() -> tuple[float, list[list[str]]]:
            runs = discussions(model, args.discussions, args.turns)
            start = time.perf_counter()
            syndisco_widgets.run_discussions(runs, batch_size=args.discussions, verbose=False)
            return time.perf_counter() - start, texts(runs)

        def sequential() -> tuple[float, list[list[str]]]:
            runs = discussions(model, args.discussions, args.turns)
            start = time.perf_counter()
            for d in runs:
                d.begin(verbose=False)
            return time.perf_counter() - start, texts(runs)

        model.prompt(discussions(model, 1, 1)[0].users[0].turn_prompt([]))  # warm-up
        times: dict[str, list[float]] = {"concurrent": [], "sequential": []}
        same = total = 0
        for rep in range(args.reps):
            order = [("concurrent", concurrent), ("sequential", sequential)]
            results = {label: run() for label, run in (order if rep % 2 == 0 else order[::-1])}
            for label, (seconds, _) in results.items():
                times[label].append(seconds)
            pairs = zip(results["concurrent"][1], results["sequential"][1], strict=True)
            same += sum(a == b for a, b in pairs)
            total += args.discussions
        model.close()

    c, s = statistics.median(times["concurrent"]), statistics.median(times["sequential"])
    turns = args.discussions * args.turns
    print(
        f"{args.discussions} discussions x {args.turns} user turns (2 users), <= {args.tokens} new tokens, "
        f"greedy; server torch threads {args.server_threads}; {args.reps} interleaved rep(s); {os.cpu_count()} CPUs\n"
        f"  concurrent (run_discussions): median {c:7.2f} s  {turns / c:6.1f} turns/s  "
        f"(all: {', '.join(f'{t:.2f}' for t in times['concurrent'])})\n"
        f"  sequential (begin each)     : median {s:7.2f} s  {turns / s:6.1f} turns/s  "
        f"(all: {', '.join(f'{t:.2f}' for t in times['sequential'])})\n"
        f"  sequential / concurrent = {s / c:.2f}x; identical transcripts: {same}/{total}"
    )


@contextmanager
def _given(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if not args.model:
        sys.exit("--base-url needs --model (the name the server knows the model by)")
    yield args.base_url, args.model


if __name__ == "__main__":
    main()
