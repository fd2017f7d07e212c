"""DeliberationExperiment: many structures through one drive, saved as they go, resumable."""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Any

import pytest

from syndisco_widgets import GenerationControl, drive
from syndisco_widgets.analysis import experiment_table
from syndisco_widgets.deliberation import (
    Agent,
    Chain,
    Debate,
    DeliberationExperiment,
    Ensemble,
    Graph,
    Moderator,
)
from syndisco_widgets.errors import ConfigError, DiscussionsFailedError, GenerationStopped, RunLockedError
from syndisco_widgets.models import ScriptedModel

if TYPE_CHECKING:
    from pathlib import Path

    from syndisco_widgets.deliberation import AbstractStructure
    from syndisco_widgets.models.base import ChatPrompt

GREEDY = {"temperature": 0}


def echo(prompt: ChatPrompt) -> str:
    """A reply that depends only on the prompt, as greedy decoding does."""
    text = prompt.system + "".join(m["content"] for m in prompt.messages)
    return "answer " + hashlib.sha256(text.encode()).hexdigest()[:8]


def build(model: ScriptedModel, task: str = "Plan a park.") -> list[AbstractStructure]:
    def agents(n: int, tag: str) -> list[Agent]:
        return [Agent(persona=f"{tag} {i}", model=model, kwargs=GREEDY) for i in range(n)]

    def moderator() -> Moderator:
        return Moderator(model=model, kwargs=GREEDY)

    graph_agents = dict(zip("abc", agents(3, "g"), strict=True))
    return [
        Ensemble(agents(3, "e"), task=task, moderator=moderator(), cycles=2),
        Chain(agents(2, "c"), task=task, moderator=moderator(), shuffle=True),
        Debate(agents(2, "d"), task=task, cycles=2, shuffle=True),
        Graph(graph_agents, [("a", "c"), ("b", "c")], task=task),
        Ensemble(agents(3, "f"), task=task, moderator=moderator(), seed=7),
    ]


def texts(structures: list[AbstractStructure]) -> list[list[tuple[str, str, Any]]]:
    return [[(e["name"], e["text"], e.get("options", {}).get("seed")) for e in s.logs] for s in structures]


def one_by_one(model: ScriptedModel, experiment: DeliberationExperiment) -> list[AbstractStructure]:
    """The same structures, each run alone with process() and the experiment's seed."""
    alone = build(model)
    for structure, item in zip(alone, experiment.plan, strict=True):
        structure.seed = item["seed"]
        structure.process()
    return alone


def test_many_structures_batch_together_and_equal_one_by_one_runs(tmp_path: Path) -> None:
    model = ScriptedModel(echo)
    experiment = DeliberationExperiment(build(model))
    frame = experiment.begin(tmp_path, verbose=False)
    assert list(frame.columns) == ["structure", "run", "agent", "cycle", "prompt", "response", "seed"]
    assert list(frame.groupby("run").size()) == [7, 3, 4, 3, 4]
    assert frame["structure"].tolist()[:7] == ["Ensemble"] * 7
    assert max(len(b) for b in model.batch_calls) > 3  # agents of different structures share calls
    alone_model = ScriptedModel(echo)
    alone = one_by_one(alone_model, experiment)
    assert texts(experiment.structures) == texts(alone)
    assert [s.final_response for s in experiment.structures] == [s.final_response for s in alone]
    assert len(model.calls) == len(alone_model.calls)
    manifest = json.loads((tmp_path / "manifest.experiment.json").read_text())
    assert {r["status"] for r in manifest["runs"].values()} == {"done"}
    assert [item["seed"] for item in manifest["plan"]][4] == 7
    table = experiment_table(tmp_path)  # the analysis reads the folder like a discussion experiment's
    assert list(table["discussion"]) == [0, 1, 2, 3, 4] and list(table["seed"])[4] == 7
    # a second begin() finds everything saved and asks the model nothing
    again = ScriptedModel(echo)
    frame2 = DeliberationExperiment(build(again)).begin(tmp_path, verbose=False)
    assert again.calls == [] and frame2.equals(frame)


def test_a_failed_structure_resumes_without_repeating_an_answer(tmp_path: Path) -> None:
    def flaky(prompt: ChatPrompt) -> str:
        if "d 1" in prompt.system and "[Other]" in prompt.messages[0]["content"]:
            raise RuntimeError("server down")
        return echo(prompt)

    with pytest.raises(
        DiscussionsFailedError,
        match=r"^1 Debate\(s\) failed.*: Debate 2: Debate: 'Debater 2' failed in cycle",
    ):
        DeliberationExperiment(build(ScriptedModel(flaky))).begin(tmp_path, verbose=False)
    saved = sum(len(p.read_text().splitlines()) - 1 for p in tmp_path.glob("structure-*.jsonl"))
    model = ScriptedModel(echo)
    experiment = DeliberationExperiment(build(model))
    experiment.begin(tmp_path, verbose=False)
    reference = one_by_one(ScriptedModel(echo), experiment)
    assert texts(experiment.structures) == texts(reference)
    assert len(model.calls) == sum(len(s.logs) for s in reference) - saved  # only what was missing
    names = [p.name for p in sorted(tmp_path.glob("structure-*.jsonl"))]
    assert names == [f"structure-000{i}.jsonl" for i in range(5)]


def test_run_files_are_synced_once_per_model_call_not_once_per_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ScriptedModel(echo)
    structures = [
        Ensemble(
            [Agent(persona=f"r{i} {j}", model=model, kwargs=GREEDY) for j in range(3)],
            task=f"Town {i}?",
            moderator=Moderator(model=model, kwargs=GREEDY),
        )
        for i in range(4)
    ]
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    frame = DeliberationExperiment(structures).begin(tmp_path, verbose=False)
    assert len(frame) == 16 and [len(p) for p in model.batch_calls] == [12, 4]  # agents, then moderators
    assert len(synced) == 8  # each of the 4 files once after each of the 2 calls
    files = sorted(tmp_path.glob("structure-*.jsonl"))
    assert [len(p.read_text().splitlines()) for p in files] == [5] * 4  # header, 3 agents, moderator


def test_other_settings_are_refused_naming_both(tmp_path: Path) -> None:
    DeliberationExperiment(build(ScriptedModel(echo))).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match=r"run with structures .*Plan a park.*not .*Plan a zoo"):
        DeliberationExperiment(build(ScriptedModel(echo), task="Plan a zoo.")).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match="run with seed 0, not 1"):
        DeliberationExperiment(build(ScriptedModel(echo)), seed=1).begin(tmp_path, verbose=False)


def test_a_saved_file_from_other_prompts_is_refused(tmp_path: Path) -> None:
    experiment = DeliberationExperiment(build(ScriptedModel(echo)))
    experiment.begin(tmp_path, verbose=False)
    path = tmp_path / experiment.file_name(1)
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    record["entry"]["prompt"] = record["entry"]["prompt"].replace("park", "zoo")
    path.write_text("\n".join([lines[0], json.dumps(record), *lines[2:]]) + "\n")
    with pytest.raises(ConfigError, match=r"saved entry 0 was 'Agent \d' answering another prompt"):
        DeliberationExperiment(build(ScriptedModel(echo))).begin(tmp_path, verbose=False)


def test_a_folder_being_run_is_locked(tmp_path: Path) -> None:
    from syndisco_widgets.engine.locks import WriterLock

    lock = WriterLock(tmp_path / "experiment.lock", "experiment folder")
    try:
        with pytest.raises(RunLockedError):
            DeliberationExperiment(build(ScriptedModel(echo))).begin(tmp_path, verbose=False)
    finally:
        lock.release()


def test_best_of_n_candidates_are_requests_chosen_in_record(tmp_path: Path) -> None:
    def build_best(model: ScriptedModel) -> list[AbstractStructure]:
        picky = Agent(model=model, num_responses=3, response_selector=lambda rs: sorted(rs)[1])
        return [Chain([picky, Agent(model=model)], task="Name a tree.", seed=3)]

    model = ScriptedModel()
    (chain,) = build_best(model)
    chain.process()
    assert [len(b) for b in model.batch_calls] == [3]  # the candidates go in one call
    assert chain.agents[0].history[0]["all_responses"] == ["Reply 1", "Reply 2", "Reply 3"]
    assert [e["text"] for e in chain.logs] == ["Reply 2", "Reply 4"]
    experiment = DeliberationExperiment(build_best(ScriptedModel()))
    experiment.begin(tmp_path, verbose=False)
    assert texts(experiment.structures) == texts([chain])
    resumed = DeliberationExperiment(build_best(ScriptedModel()))
    resumed.begin(tmp_path, verbose=False)
    assert resumed.structures[0].agents[0].history == chain.agents[0].history


def test_drive_runs_discussions_and_structures_together() -> None:
    from syndisco_widgets import Actor, ActorType, Discussion, Persona, RoundRobin

    model = ScriptedModel(echo)

    def discussion() -> Discussion:
        users = [Actor(model, Persona(username=n), ActorType.USER, "ctx", "be brief") for n in ("Ann", "Bob")]
        return Discussion(RoundRobin(), users, conv_len=3)

    conv, structures = discussion(), build(model)
    report = drive([conv, *structures], verbose=False)
    assert report.ok and report.finished == [0, 1, 2, 3, 4, 5] and all(s.finished for s in structures)
    alone_conv = discussion()
    alone_conv.begin(verbose=False)
    assert [e["text"] for e in conv.logs] == [e["text"] for e in alone_conv.logs]
    seeded = build(ScriptedModel(echo))
    for structure, done in zip(seeded, structures, strict=True):
        structure.seed = done.last_seed
        structure.process()
    assert texts(seeded) == texts(structures)


def test_failures_name_each_source_by_its_kind() -> None:
    from syndisco_widgets import Actor, ActorType, Discussion, Persona, RoundRobin

    def flaky(prompt: ChatPrompt) -> str:
        if "e 1" in prompt.system or "Ann" in prompt.system:
            raise RuntimeError("server down")
        return echo(prompt)

    model = ScriptedModel(flaky)
    users = [Actor(model, Persona(username=n), ActorType.USER, "ctx", "be brief") for n in ("Ann", "Bob")]
    conv, structures = Discussion(RoundRobin(), users, conv_len=3), build(model)
    with pytest.raises(DiscussionsFailedError) as info:
        drive([*structures, conv], verbose=False)
    message = str(info.value)
    assert message.startswith("2 run(s) failed, the others finished: Ensemble 0: Ensemble: the batched call")
    assert "; discussion 5: Ann's turn (entry 0) failed" in message and "branch off. Their entries" in message
    assert "discussion 0" not in message and info.value.kinds == {0: "Ensemble", 5: "discussion"}
    with pytest.raises(DiscussionsFailedError, match=r"^1 Ensemble\(s\) failed.*: Ensemble 1: Ensemble: "):
        drive([build(ScriptedModel(echo))[0], build(model)[0]], verbose=False)


def test_a_watched_structure_streams_each_answer_and_stop_leaves_it_to_ask_again() -> None:
    model = ScriptedModel(["one two three four"], token_delay=0.001)
    ensemble = Ensemble(
        [Agent(model=model), Agent(model=model)], task="Say it.", moderator=Moderator(model=model)
    )
    pieces: list[str] = []
    control = GenerationControl(on_text=pieces.append)
    seen: list[tuple[str, str]] = []

    class Listener:
        def request_started(self, source: object, request: Any) -> None:
            seen.append(("start", request.name))
            if len(seen) == 3:  # the second agent: stop it mid-answer
                control.on_text = lambda piece: control.stop()

        def entry_recorded(self, source: object, request: Any, entry: Any) -> None:
            seen.append(("entry", entry["name"]))

    with pytest.raises(GenerationStopped):
        drive([ensemble], control=control, listener=Listener(), verbose=False)
    assert [e["name"] for e in ensemble.logs] == ["Agent 1"] and model.batch_calls == []
    assert " ".join(pieces).split()[:4] == ["one", "two", "three", "four"]
    report = drive([ensemble], control=GenerationControl(), listener=Listener(), verbose=False)
    assert report.turns == 2 and ensemble.finished and ensemble.final_response == "one two three four"
    assert seen[3:] == [
        ("start", "Agent 2"),
        ("entry", "Agent 2"),
        ("start", "Moderator"),
        ("entry", "Moderator"),
    ]
