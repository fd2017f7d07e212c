"""Import-time benchmark: ``import syndisco_widgets`` vs ``import transformers``.

Each statement runs in a fresh ``python -c`` subprocess (so nothing is cached
in ``sys.modules``); the statements are interleaved round by round so drift in
machine load hits all of them alike. Prints a Markdown snippet with medians.

Usage (from the repository root)::

    python3 bench/import_time.py            # 9 rounds
    python3 bench/import_time.py --rounds 15
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]

STATEMENTS = {
    "baseline (`pass`)": "pass",
    "`import syndisco_widgets`": "import syndisco_widgets",
    "`import syndisco_widgets.models`": "import syndisco_widgets.models",
    "`import transformers`": "import transformers",
}


def time_once(statement: str, env: dict[str, str]) -> float:
    """Wall time of one fresh interpreter running ``statement``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], env=env, cwd=REPO, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="repetitions of each statement")
    args = parser.parse_args()

    # Import the working tree, installed or not.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    for statement in STATEMENTS.values():  # warm the OS file cache once, untimed
        time_once(statement, env)

    times: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    for _ in range(args.rounds):
        for label, statement in STATEMENTS.items():
            times[label].append(time_once(statement, env))

    median = {label: statistics.median(values) for label, values in times.items()}
    ours = median["`import syndisco_widgets`"]
    theirs = median["`import transformers`"]
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {args.rounds} interleaved rounds, "
        "fresh subprocess each (wall time, includes interpreter start-up)\n"
    )
    print("| statement | median (s) | min (s) | max (s) |")
    print("| --- | ---: | ---: | ---: |")
    for label, values in times.items():
        print(f"| {label} | {median[label]:.3f} | {min(values):.3f} | {max(values):.3f} |")
    print(f"\n`import transformers` / `import syndisco_widgets` (medians): **{theirs / ours:.1f}x**")


if __name__ == "__main__":
    main()
