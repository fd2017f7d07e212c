"""kill -9 at any moment of a DeliberationExperiment, then begin() again: no answer lost, none repeated.

A subprocess runs the experiment and is killed with SIGKILL at several
points (start-up, header writes, mid-batch, between waves); each time the
next run resumes the folder. The finished files must equal an uninterrupted
run's, entry for entry.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from syndisco_widgets import Logs

if TYPE_CHECKING:
    from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import hashlib, sys
    from syndisco_widgets.deliberation import Agent, Chain, Debate, DeliberationExperiment, Ensemble, Graph, Moderator
    from syndisco_widgets.models import ScriptedModel

    def reply(prompt):
        text = prompt.system + "".join(m["content"] for m in prompt.messages)
        return "answer " + hashlib.sha256(text.encode()).hexdigest()[:8] + " word" * 12

    model = ScriptedModel(reply, token_delay=0.004)
    greedy = {"temperature": 0}

    def agents(n, tag):
        return [Agent(persona=f"{tag} {i}", model=model, kwargs=greedy) for i in range(n)]

    structures = []
    for k in range(int(sys.argv[2])):
        task = f"Plan park {k}."
        structures += [
            Ensemble(agents(3, "e"), task=task, cycles=2, moderator=Moderator(model=model, kwargs=greedy)),
            Chain(agents(2, "c"), task=task, cycles=2, shuffle=True),
            Debate(agents(2, "d"), task=task, cycles=2),
            Graph(dict(zip("abc", agents(3, "g"))), [("a", "c"), ("b", "c")], task=task),
        ]
    DeliberationExperiment(structures, seed=5).begin(sys.argv[1], batch_size=4, verbose=False)
    print("done")
    """
)


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run_to_end(folder: Path, *args: str) -> None:
    proc = start(folder, *args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "done" in out, err


def kill_after(folder: Path, seconds: float, *args: str) -> bool:
    """Start a run and SIGKILL it after ``seconds``; False if it finished first."""
    proc = start(folder, *args)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return False


def entries(folder: Path) -> list[list[tuple[str, str, str, object]]]:
    files = sorted(folder.glob("structure-*.jsonl"))
    return [[(e["name"], e["text"], e["prompt"], e.get("cycle")) for e in Logs.from_file(p)] for p in files]


def count_lines(folder: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in folder.glob("structure-*.jsonl"))


@pytest.mark.filterwarnings("ignore:.*cut off mid-write")
def test_sigkill_at_many_points_loses_and_repeats_nothing(tmp_path: Path) -> None:
    run_to_end(tmp_path / "reference", "2")
    reference = entries(tmp_path / "reference")
    assert [len(e) for e in reference] == [7, 4, 4, 3] * 2

    folder = tmp_path / "killed"
    kills, progress = 0, []
    for seconds in (0.4, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7):
        if not kill_after(folder, seconds, "2"):
            break
        kills += 1
        progress.append(count_lines(folder))
    run_to_end(folder, "2")
    assert kills >= 3, f"the run ended before enough kills ({progress})"
    assert entries(folder) == reference
    manifest = json.loads((folder / "manifest.experiment.json").read_text())
    assert {r["status"] for r in manifest["runs"].values()} == {"done"}
    assert not (folder / "experiment.lock").exists()
