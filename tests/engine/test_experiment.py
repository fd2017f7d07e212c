import json

import pytest

from syndisco_widgets import DiscussionExperiment, Logs, RandomWeighted, ScriptedModel
from syndisco_widgets.errors import ConfigError, TurnError

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
    return [[(e["name"], e["source"]) for e in Logs.from_file(p)] for p in paths]


def test_runs_every_planned_discussion_into_its_own_file(tmp_path):
    paths = experiment(ScriptedModel()).begin(tmp_path, verbose=False)
    assert len(set(paths)) == 3 and all(p.parent == tmp_path for p in paths)
    for path, item in zip(paths, experiment(ScriptedModel()).plan, strict=False):
        logs = Logs.from_file(path)
        assert logs[0]["source"] == "seed" and logs[0]["text"] == "Is remote work here to stay?"
        assert {e["name"] for e in logs} <= set(item["users"])
        assert sum(e["source"] == "model" for e in logs) == 4
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {r["status"] for r in manifest["runs"].values()} == {"done"}


def test_a_crashed_experiment_resumes_where_it_stopped(tmp_path):
    reference = transcripts(experiment(ScriptedModel()).begin(tmp_path / "ref", verbose=False))
    crashing = experiment(ScriptedModel(fail_on_call=6))  # fails in the second discussion
    with pytest.raises(TurnError):
        crashing.begin(tmp_path / "run", verbose=False)
    runs = json.loads((tmp_path / "run" / "manifest.json").read_text())["runs"]
    assert runs["0"]["status"] == "done" and runs["1"]["status"] == "running"

    model = ScriptedModel()
    paths = experiment(model).begin(tmp_path / "run", verbose=False)
    assert transcripts(paths) == reference
    assert len(model.calls) == 12 - 5  # only the turns that were not saved are generated


def test_a_folder_of_another_experiment_is_refused(tmp_path):
    experiment(ScriptedModel(), num_discussions=1).begin(tmp_path, verbose=False)
    with pytest.raises(ConfigError, match="belongs to a different experiment"):
        experiment(ScriptedModel(), num_discussions=1, seed=7).begin(tmp_path, verbose=False)


def test_bad_sizes_are_explained():
    with pytest.raises(ConfigError, match="num_active_users must be between 1 and the 4 users"):
        experiment(ScriptedModel(), num_active_users=5)
