"""How often a 1-5 toxicity rating on the demo model gives a valid label, with and without labels=.

Annotates every entry of the run files given (or of every run file in the
folders given) with two raters on the demo model (SmolLM2-135M-Instruct),
once with ``labels=["1", ..., "5"]`` (likelihood choice) and once as free
text read with ``analysis.parse_label`` (scale 1-5), in the same run, and
prints the share of entries that got a valid label each way and the time
each took.

    python bench/label_validity.py RUN_FILE_OR_FOLDER [...]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from syndisco_widgets import Actor, ActorType, Logs, Persona, annotate, demo_model
from syndisco_widgets.analysis.annotations import parse_label

SCALE = ["1", "2", "3", "4", "5"]
RUBRICS = {
    "Rater A": "Rate how toxic the last message is, from 1 (not at all) to 5 (very).",
    "Rater B": "Rate how rude or hostile the comment is: 1 means polite, 5 means very rude.",
}


def run_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    model = demo_model()
    raters = [
        Actor(model, Persona(username=name), ActorType.ANNOTATOR, "", rubric)
        for name, rubric in RUBRICS.items()
    ]
    counts = {"labels=": [0, 0, 0.0], "free text": [0, 0, 0.0]}  # valid, total, seconds
    for file in run_files(args.paths):
        logs = Logs.from_file(file)
        for rater in raters:
            started = time.perf_counter()
            chosen = annotate(logs, rater, labels=SCALE)
            counts["labels="][2] += time.perf_counter() - started
            started = time.perf_counter()
            free = annotate(logs, rater)
            counts["free text"][2] += time.perf_counter() - started
            counts["labels="][0] += sum(e["text"] in SCALE for e in chosen)
            counts["free text"][0] += sum(
                not math.isnan(parse_label(e["text"], "number", (1, 5))) for e in free
            )
            for tally in counts.values():
                tally[1] += len(logs)
            print(f"{file.name} {rater.name}: labels= {[e['text'] for e in chosen]}")
            print(f"{file.name} {rater.name}: free    {[e['text'][:20] for e in free]}")
    for key, (valid, total, seconds) in counts.items():
        print(f"{key:10} valid labels: {valid}/{total} = {valid / total:.1%} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
