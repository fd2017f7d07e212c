"""kill -9 at any moment of a batched experiment, then begin() again: no turn lost, none repeated.

A subprocess runs the experiment and is killed with SIGKILL at several
points (start-up, header writes, mid-batch, between rounds); each time the
next run resumes the folder. The finished transcripts must equal an
uninterrupted run's, entry for entry.
"""

from __future__ import annotations

import json
import textwrap
import time
from typing import TYPE_CHECKING

import pytest

from syndisco_widgets import Logs
from tests.engine.helpers import kill_script_after, run_script_to_end

if TYPE_CHECKING:
    from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys
    import syndisco_widgets as s

    def reply(prompt):
        seen = len(prompt.messages[0]["content"])
        return f"{prompt.system.split('You are ')[1][:3]} saw {seen} " + "word " * 12

    if sys.argv[2] == "tiny":
        model = s.TransformersModel(sys.argv[3], name="tiny", max_out_tokens=6)
    else:
        model = s.ScriptedModel(reply, token_delay=0.004)
    users = [s.Actor(model, s.Persona(username=n), s.ActorType.USER, "ctx", "be brief")
             for n in ("Ann", "Bob", "Cy", "Dee")]
    experiment = s.DiscussionExperiment(
        users, ["Topic A", "Topic B", "Topic C"], next_turn_manager=s.RandomWeighted(p_respond=0.5),
        num_turns=int(sys.argv[4]), num_active_users=2, num_discussions=int(sys.argv[5]), seed=3,
    )
    experiment.begin(sys.argv[1], verbose=False, batch_size=3)
    print("done")
    """
)


def run_to_end(folder: Path, *args: str) -> None:
    run_script_to_end(SCRIPT, folder, *args)


def kill_after(folder: Path, seconds: float, *args: str) -> bool:
    return kill_script_after(SCRIPT, folder, seconds, *args)


def transcripts(folder: Path) -> list[list[tuple[str, str, str]]]:
    files = sorted(folder.glob("discussion-*.jsonl"))
    return [[(e["name"], e["source"], e["text"]) for e in Logs.from_file(p)] for p in files]


def count_lines(folder: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in folder.glob("discussion-*.jsonl"))


@pytest.mark.filterwarnings("ignore:.*cut off mid-write")
def test_sigkill_at_many_points_loses_and_repeats_nothing(tmp_path):
    args = ("scripted", "-", "6", "6")
    run_to_end(tmp_path / "reference", *args)
    reference = transcripts(tmp_path / "reference")
    assert len(reference) == 6 and all(sum(s == "model" for _, s, _ in t) == 6 for t in reference)

    folder = tmp_path / "killed"
    kills, progress = 0, []
    for seconds in (0.4, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4):
        if not kill_after(folder, seconds, *args):
            break
        kills += 1
        progress.append(count_lines(folder))
    run_to_end(folder, *args)
    assert kills >= 3, f"the run ended before enough kills ({progress})"
    assert transcripts(folder) == reference
    manifest = json.loads((folder / "manifest.experiment.json").read_text())
    assert {r["status"] for r in manifest["runs"].values()} == {"done"}
    assert not (folder / "experiment.lock").exists()


@pytest.mark.filterwarnings("ignore:.*cut off mid-write")
def test_sigkill_with_the_tiny_model_greedy_equals_an_uninterrupted_run(tmp_path, tiny_model_dir):
    args = ("tiny", str(tiny_model_dir), "4", "4")
    started = time.perf_counter()
    run_to_end(tmp_path / "reference", *args)
    whole = time.perf_counter() - started
    folder = tmp_path / "killed"
    kill_after(folder, whole * 0.7, *args)  # start-up is most of it; this lands mid-run or just before
    run_to_end(folder, *args)
    assert transcripts(folder) == transcripts(tmp_path / "reference")
