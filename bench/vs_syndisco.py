"""P1 and P9 side by side with SynDisco 2.2.1, in one process, rounds interleaved.

SynDisco is a peer here, never our dependency. Install it apart from ours::

    pip install --no-deps --ignore-requires-python syndisco==2.2.1 --target /tmp/peers
    pip install --no-deps --target /tmp/peers coloredlogs humanfriendly

P1: ``DiscussionExperiment`` (N discussions x T turns, batched) against
SynDisco's ``DiscussionExperiment`` (one discussion after another).
P9: single discussions one after another: our ``Discussion.begin`` (prefix
reuse on, and off) against SynDisco's ``Discussion.begin``. Our greedy texts
must be identical in every round and with reuse on or off.

The workloads hold no copies: P1's experiment draws its pairs from a pool of
eight people (with two, most of 16 greedy discussions would be copies of each
other, and batching would read each copy's prompts once), and P9's
discussions each have their own question. Before each timed run our model
forgets the prompt states kept by earlier runs (SynDisco keeps none), so only
reuse within the run is measured.

Both sides load the same checkpoint, decode greedily and make the same number
of new tokens per reply (``min_new_tokens`` = ``max_new_tokens``); ours may end
a reply early where the model starts a new ``[name]:`` line (its stop
strings), which the table shows as tokens per reply.

    OMP_NUM_THREADS=1 flock /tmp/heavy.lock python bench/vs_syndisco.py --model tiny --part p1 --rounds 3
    OMP_NUM_THREADS=1 flock /tmp/heavy.lock python bench/vs_syndisco.py --model tiny --part p9 --rounds 3
    OMP_NUM_THREADS=1 flock /tmp/heavy.lock python bench/vs_syndisco.py --model demo --part p9 --rounds 3
    python bench/vs_syndisco.py --part p1 --server http://localhost:8000/v1 --server-model NAME  # e.g. vLLM

With ``--server`` both sides talk to that server through their ``OpenAIModel``
(ours pipelines the experiment's requests, SynDisco sends them one by one);
reply lengths are then the server's (no ``min_new_tokens``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from batched_discussions import cold  # clears our model's kept prompt states before a timed run

import syndisco_widgets as ours

CONTEXT = "An online forum about everyday choices. Keep replies short."
INSTRUCTIONS = "Reply to the others politely, in one to three sentences."
PEOPLE = [
    ("Ann", {"age": 34, "current_employment": "teacher", "special_instructions": "You prefer tea."}),
    ("Bob", {"age": 52, "current_employment": "bus driver", "special_instructions": "You drink coffee."}),
    ("Cem", {"age": 27, "current_employment": "nurse", "special_instructions": "You work night shifts."}),
    ("Dana", {"age": 45, "current_employment": "baker", "special_instructions": "You start work at 4 am."}),
    ("Eli", {"age": 19, "current_employment": "student", "special_instructions": "You drink energy drinks."}),
    ("Fay", {"age": 63, "current_employment": "retired", "special_instructions": "You grow your own herbs."}),
    ("Gus", {"age": 38, "current_employment": "barista", "special_instructions": "You roast coffee."}),
    ("Hana", {"age": 30, "current_employment": "chemist", "special_instructions": "You read studies."}),
]
TOPIC = "Is tea better than coffee for starting the day?"
#: P9's discussions: one question each, the same in every round.
QUESTIONS = [TOPIC, *(f"{TOPIC} Think of day {n} of a busy week." for n in range(2, 64))]


def checkpoint(kind: str) -> str:
    if kind == "tiny":
        return str(ours.build_tiny_model())
    from syndisco_widgets.models.demo import resolve_demo_source

    return resolve_demo_source().path


def our_model(path: str, tokens: int, *, reuse: bool = True, server: str = "") -> Any:
    if server:
        return ours.OpenAIModel(
            path, base_url=server, name="ours", max_out_tokens=tokens, temperature=0.0, max_concurrency=64
        )
    return ours.TransformersModel(
        path,
        name="ours",
        max_out_tokens=tokens,
        generation_kwargs={"min_new_tokens": tokens},
        prefix_reuse=reuse,
    )


def their_model(peer: Any, path: str, tokens: int, server: str = "") -> Any:
    if server:
        return peer.model.OpenAIModel(path, "EMPTY", server, "theirs", tokens, temperature=0.0)
    return peer.model.TransformersModel(
        path, name="theirs", max_out_tokens=tokens, generation_kwargs={"min_new_tokens": tokens}
    )


def our_users(model: Any, people: int = len(PEOPLE)) -> list[Any]:
    return [
        ours.Actor(model, ours.Persona(username=name, **fields), ours.ActorType.USER, CONTEXT, INSTRUCTIONS)
        for name, fields in PEOPLE[:people]
    ]


def their_users(peer: Any, model: Any, people: int = len(PEOPLE)) -> list[Any]:
    return [
        peer.actors.Actor(model, {"username": name, **fields}, CONTEXT, INSTRUCTIONS, name=name)
        for name, fields in PEOPLE[:people]
    ]


def our_discussion(model: Any, turns: int, question: str) -> Any:
    return ours.Discussion(
        ours.RoundRobin(),
        our_users(model, 2),
        history_context_len=3,
        conv_len=turns,
        seed_opinions=[question],
        seed_opinion_usernames=["Ann"],
    )


def their_discussion(peer: Any, model: Any, turns: int, question: str) -> Any:
    manager = peer.turn_manager.QueueTurnManager()
    users = their_users(peer, model, 2)
    manager.set_actors(users)
    return peer.jobs.Discussion(
        manager,
        users,
        history_context_len=3,
        conv_len=turns,
        seed_opinions=[question],
        seed_opinion_usernames=["Ann"],
    )


def quiet(call: Any) -> float:
    """Seconds ``call()`` takes, its progress bars and prints swallowed."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        started = time.perf_counter()
        call()
        return time.perf_counter() - started


def p1_round(peer: Any, mine: Any, theirs: Any, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    def run_ours() -> None:
        experiment = ours.DiscussionExperiment(
            our_users(mine),
            seed_opinions=[TOPIC],
            history_context_len=3,
            num_turns=args.turns,
            num_discussions=args.discussions,
            num_active_users=2,
        )
        cold(mine)
        experiment.begin(tempfile.mkdtemp(dir=folder), verbose=False, batch_size=args.batch_size)

    def run_theirs() -> None:
        experiment = peer.experiments.DiscussionExperiment(
            their_users(peer, theirs),
            seed_opinions=[TOPIC],
            history_ctx_len=3,
            num_turns=args.turns,
            num_discussions=args.discussions,
            num_active_users=2,
        )
        experiment.begin(Path(tempfile.mkdtemp(dir=folder)), verbose=False)

    return {"ours": quiet(run_ours), "theirs": quiet(run_theirs)}


def p9_round(
    peer: Any, mine: Any, unreused: Any, theirs: Any, args: argparse.Namespace, order: int
) -> tuple[dict[str, float], dict[str, list[list[str]]], dict[str, float]]:
    """One round: each discussion is run by every side in turn (the first side rotates),
    so a burst of load on the shared machine falls on all sides alike."""
    kinds = ["ours", "theirs", "ours, reuse off"]
    seconds = dict.fromkeys(kinds, 0.0)
    convs: dict[str, list[Any]] = {kind: [] for kind in kinds}
    for number in range(args.discussions):
        shift = (order + number) % 3
        for kind in kinds[shift:] + kinds[:shift]:

            def run(kind: str = kind, question: str = QUESTIONS[number]) -> None:
                # the discussion is made and run inside the timing
                conv = (
                    their_discussion(peer, theirs, args.turns, question)
                    if kind == "theirs"
                    else our_discussion(mine if kind == "ours" else unreused, args.turns, question)
                )
                conv.begin(verbose=False)
                convs[kind].append(conv)

            if kind == "ours":
                cold(mine)
            seconds[kind] += quiet(run)
    texts: dict[str, list[list[str]]] = {}
    tokens: dict[str, float] = {}
    for kind in ("ours", "ours, reuse off"):
        texts[kind] = [[e["text"] for e in c.logs] for c in convs[kind]]
        made = [
            e.get("completion_tokens") or 0 for c in convs[kind] for e in c.logs if e.get("source") == "model"
        ]
        tokens[kind] = statistics.mean(made) if made else 0.0
    return seconds, texts, tokens


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--peers", default="/tmp/peers", help="folder SynDisco 2.2.1 was installed into")
    parser.add_argument("--model", choices=("tiny", "demo"), default="tiny")
    parser.add_argument("--part", choices=("p1", "p9"), default="p1")
    parser.add_argument("--discussions", type=int, help="default: 16 for p1, 2 for p9")
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", default="", help="an OpenAI-compatible server's base URL (e.g. vLLM)")
    parser.add_argument("--server-model", default="", help="the model name the server serves")
    args = parser.parse_args()
    args.discussions = args.discussions or (16 if args.part == "p1" else 2)

    sys.path.append(args.peers)
    import syndisco as peer  # the peer, from --peers
    import syndisco.experiments
    import syndisco.jobs
    import syndisco.model
    import syndisco.turn_manager  # loads the submodules used above
    import torch

    logging.disable(logging.INFO)  # SynDisco logs every experiment step
    path = args.server_model if args.server else checkpoint(args.model)
    mine = our_model(path, args.tokens, server=args.server)
    theirs = their_model(peer, path, args.tokens, args.server)
    unreused = our_model(path, args.tokens, reuse=False, server=args.server)
    version = getattr(peer, "__version__", "2.2.1")
    print(
        f"model={args.server_model + ' at ' + args.server if args.server else args.model} part={args.part} syndisco={version} torch threads={torch.get_num_threads()} "
        f"discussions={args.discussions} turns={args.turns} tokens={args.tokens} rounds={args.rounds}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if args.part == "p1":
            p1_round(peer, mine, theirs, argparse.Namespace(**{**vars(args), "discussions": 2}), Path(tmp))
            rows = [p1_round(peer, mine, theirs, args, Path(tmp)) for _ in range(args.rounds)]
            print("| round | ours (s) | SynDisco (s) | x SynDisco |")
            print("| ---: | ---: | ---: | ---: |")
            for i, row in enumerate(rows, 1):
                print(
                    f"| {i} | {row['ours']:.2f} | {row['theirs']:.2f} | {row['theirs'] / row['ours']:.2f}x |"
                )
            ratios = [r["theirs"] / r["ours"] for r in rows]
            print(
                f"P1 DiscussionExperiment x SynDisco: min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x"
            )
            return
        p9_round(peer, mine, unreused, theirs, argparse.Namespace(**{**vars(args), "discussions": 1}), 0)
        all_texts: list[dict[str, list[list[str]]]] = []
        print(
            "| round | ours (s) | ours, reuse off (s) | SynDisco (s) | x SynDisco | reuse on / off | tokens/reply |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        ratios = []
        for i in range(args.rounds):
            times, texts, tokens = p9_round(peer, mine, unreused, theirs, args, i)
            all_texts.append(texts)
            ratio = times["theirs"] / times["ours"]
            ratios.append(ratio)
            print(
                f"| {i + 1} | {times['ours']:.2f} | {times['ours, reuse off']:.2f} | {times['theirs']:.2f} "
                f"| {ratio:.2f}x | {times['ours, reuse off'] / times['ours']:.2f}x | {tokens['ours']:.1f} |"
            )
        identical = all(t["ours"] == all_texts[0]["ours"] == t["ours, reuse off"] for t in all_texts)
        print(
            f"P9 single discussion x SynDisco: min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x; "
            f"identical greedy texts across rounds and with reuse off: {identical}"
        )
        assert identical, "our greedy texts differ between runs"


if __name__ == "__main__":
    main()
