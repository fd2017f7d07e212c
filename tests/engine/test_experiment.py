import json

import pytest

from syndisco_widgets import (
    DiscussionExperiment,
    Logs,
    RandomWeighted,
    RespondTurnManager,
    RoundRobin,
    ScriptedModel,
)
from syndisco_widgets.engine.locks import WriterLock
from syndisco_widgets.errors import ConfigError, DiscussionsFailedError, RunLockedError

from .helpers import make_actors

NAMES = ("Ann", "Bob", "Cy", "Dee")


def experiment(model, **over):
    settings = {
        "seed_opinions": ["Is remote work here to stay?"],
        "next_turn_manager": RandomWeighted(p_respond=0.5),
        "num_turns": 4,
        "num_active_users": 3,
        "num_discussions": 3,
        "seed": 42,
    }
    settings.update(over)
    return DiscussionExperiment(make_actors(model, names=NAMES), **settings)


def transcripts(paths):
    return [[(e["name"], e["source"], e["text"]) for e in Logs.from_file(p)] for p in paths]


def echo(prompt):
    """A reply that depends on the whole prompt, so any change in history shows."""
    return f"{prompt.system.split('You are ')[1][:3]} saw {len(prompt.messages[0]['content'])}"


def test_runs_every_planned_discussion_into_its_own_file_in_batches(tmp_path):
    model = ScriptedModel(echo)
    paths = experiment(model).begin(tmp_path, verbose=False)
    assert [p.name for p in paths] == [
        "discussion-0000.jsonl",
        "discussion-0001.jsonl",
        "discussion-0002.jsonl",
    ]
    for path, item in zip(paths, experiment(ScriptedModel()).plan, strict=True):
        logs = Logs.from_file(path)
        assert logs[0]["source"] == "seed" and logs[0]["text"] == "Is remote work here to stay?"
        assert {e["name"] for e in logs} <= set(item["users"])
        assert sum(e["source"] == "model" for e in logs) == 4
    assert len(model.batch_calls) == 4 and all(len(b) == 3 for b in model.batch_calls)  # one batch per round
    manifest = json.loads((tmp_path / "manifest.experiment.json").read_text())
    assert {r["status"] for r in manifest["runs"].values()} == {"done"}


def test_batched_run_equals_running_each_discussion_alone(tmp_path):
    batched = transcripts(experiment(ScriptedModel(echo)).begin(tmp_path / "a", verbose=False, batch_size=2))
    exp = experiment(ScriptedModel(echo))
    alone = []
    for item in exp.plan:
        conv = exp._discussion(item)
        conv.begin(verbose=False)
        alone.append([(e["name"], e["source"], e["text"]) for e in conv.logs])
    assert batched == alone


def test_a_failing_discussion_is_isolated_and_resumes(tmp_path):
    topics = {"seed_opinions": ["Topic A", "Topic B", "Topic C"]}
    reference = transcripts(experiment(ScriptedModel(echo), **topics).begin(tmp_path / "ref", verbose=False))

    def flaky(prompt):  # discussion 1 fails after its first model turn
        content = prompt.messages[0]["content"]
        if "Topic B" in content and content.count("]: ") >= 2:
            raise RuntimeError("server down")
        return echo(prompt)

    with pytest.raises(DiscussionsFailedError, match="1 discussion") as info:
        experiment(ScriptedModel(flaky), **topics).begin(tmp_path / "run", verbose=False)
    assert list(info.value.failures) == [1] and "server down" in str(info.value.failures[1])
    runs = json.loads((tmp_path / "run" / "manifest.experiment.json").read_text())["runs"]
    assert [runs[k]["status"] for k in ("0", "1", "2")] == ["done", "failed", "done"]
    kept = Logs.from_file(tmp_path / "run" / "discussion-0001.jsonl")

    assert sum(e["source"] == "model" for e in kept) == 1
    model = ScriptedModel(echo)
    paths = experiment(model, **topics).begin(tmp_path / "run", verbose=False)
    assert transcripts(paths) == reference
    assert len(model.calls) == 3  # only the missing turns


def test_a_folder_of_another_experiment_is_refused_naming_the_setting(tmp_path):
    experiment(ScriptedModel(), num_discussions=1).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match="was run with seed 42, not 7"):
        experiment(ScriptedModel(), num_discussions=1, seed=7).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match="was run with num_turns 4, not 5"):
        experiment(ScriptedModel(), num_discussions=1, num_turns=5).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match="history_context_len 5, not 2"):
        experiment(ScriptedModel(), num_discussions=1, history_context_len=2).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match="turn_manager"):
        experiment(ScriptedModel(), num_discussions=1, next_turn_manager=RoundRobin()).begin(
            tmp_path, verbose=False
        )
    with pytest.raises(ConfigError, match="models"):
        experiment(ScriptedModel(name="other"), num_discussions=1).begin(tmp_path, verbose=False)


def test_one_writer_per_experiment_folder(tmp_path):
    lock = WriterLock(tmp_path / "experiment.lock", "test")
    with pytest.raises(RunLockedError, match="experiment folder"):
        experiment(ScriptedModel()).begin(tmp_path, verbose=False)
    lock.release()
    experiment(ScriptedModel()).begin(tmp_path, verbose=False)
    assert not (tmp_path / "experiment.lock").exists()


def test_syndisco_22_arguments_are_accepted():
    model = ScriptedModel()
    exp = DiscussionExperiment(
        make_actors(model, names=NAMES),
        seed_opinions=[["Opening one", "Reply one"], ["Opening two"]],
        turn_manager=RespondTurnManager(p_respond=0.3),
        history_ctx_len=2,
        num_turns=2,
        num_discussions=2,
    )
    assert exp.history_context_len == 2 and isinstance(exp.turn_manager_template, RespondTurnManager)
    assert (
        exp.plan[0]["seed_opinions"] == ["Opening one", "Reply one"]
        and len(exp.plan[0]["seed_opinion_usernames"]) == 2
    )
    with pytest.raises(ConfigError, match="either history_context_len or history_ctx_len"):
        DiscussionExperiment(make_actors(model), history_context_len=3, history_ctx_len=2)


def test_bad_sizes_are_explained():
    with pytest.raises(ConfigError, match="num_active_users must be between 1 and the 4 users"):
        experiment(ScriptedModel(), num_active_users=5)


def test_on_a_server_the_runs_stream_through_with_the_texts_of_local_batches(tmp_path):
    from .test_pipeline import Batches, ThreadedModel

    server = ThreadedModel(max_concurrency=2, delay={"Ann": 0.003})
    served = experiment(server, num_discussions=6).begin(tmp_path / "server", verbose=False)
    local = experiment(Batches(), num_discussions=6).begin(tmp_path / "local", verbose=False)
    assert transcripts(served) == transcripts(local)
    assert server.most_in_flight == 2 and server.sent == 6 * 4
    manifest = json.loads((tmp_path / "server" / "manifest.experiment.json").read_text())
    assert [manifest["runs"][str(i)]["status"] for i in range(6)] == ["done"] * 6
