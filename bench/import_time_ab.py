"""Import time of ``syndisco_widgets``: this tree against an earlier commit, plain and inside IPython.

Each measurement is a fresh ``python -c`` that times ``import syndisco_widgets``
in-process (interpreter start-up left out). "ipython" first starts an
``InteractiveShell``, as a Jupyter kernel has, so the display registration runs.
The two trees are interleaved round by round; round 0 only warms caches.

Usage (from the repository root)::

    python bench/import_time_ab.py --base main --rounds 21
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
TIMED = "import time; t = time.perf_counter(); import syndisco_widgets; print(time.perf_counter() - t)"
SETUPS = {
    "plain": "",
    "ipython": "from IPython.core.interactiveshell import InteractiveShell; InteractiveShell.instance(); ",
}


def import_seconds(tree: pathlib.Path, setup: str) -> float:
    """Seconds one fresh interpreter spends in ``import syndisco_widgets`` from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", setup + TIMED], env=env, capture_output=True, text=True, check=True, cwd=tree
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = pathlib.Path(tmp)
        archive = subprocess.run(
            ["git", "archive", args.base, "syndisco_widgets"], cwd=REPO, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
        trees = {args.base: base, "this tree": REPO}
        times: dict[tuple[str, str], list[float]] = {(t, s): [] for t in trees for s in SETUPS}
        for round_ in range(args.rounds + 1):
            for kind, setup in SETUPS.items():
                for label, tree in trees.items():
                    seconds = import_seconds(tree, setup)
                    if round_:
                        times[(label, kind)].append(seconds)
    print(f"{args.rounds} interleaved rounds; medians of in-process import time")
    for kind in SETUPS:
        before, after = (statistics.median(times[(t, kind)]) * 1000 for t in trees)
        print(
            f"{kind:8s} {args.base}: {before:6.1f} ms   this tree: {after:6.1f} ms   ratio {after / before:.3f}"
        )


if __name__ == "__main__":
    main()
