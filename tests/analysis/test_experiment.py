"""Experiment tables from a real (scripted) experiment folder."""

from __future__ import annotations

import json

import pytest

from syndisco_widgets import DiscussionExperiment, ScriptedModel
from syndisco_widgets.analysis import (
    DESIGN_COLUMNS,
    experiment_speaking_share,
    experiment_table,
    read_experiment,
)
from syndisco_widgets.errors import ConfigError
from tests.engine.helpers import make_actors


@pytest.fixture
def folder(tmp_path):
    model = ScriptedModel(["one two", "three", "four five six"], name="scripted")
    users = make_actors(model, ("Ann", "Bob", "Cy"))
    experiment = DiscussionExperiment(users, ["Opening words here"], num_turns=3, num_discussions=3, seed=5)
    experiment.begin(tmp_path, verbose=False)
    return tmp_path, experiment


def test_experiment_table_has_design_columns_and_counts(folder):
    path, experiment = folder
    table = experiment_table(path)
    assert list(table.columns[:5]) == DESIGN_COLUMNS
    assert table["discussion"].tolist() == [0, 1, 2]
    assert table["seed"].tolist() == [item["seed"] for item in experiment.plan]
    assert table["users"].tolist() == [", ".join(item["users"]) for item in experiment.plan]
    assert table["model"].tolist() == ["scripted"] * 3
    assert table["status"].tolist() == ["done"] * 3
    # Each discussion: the seed opinion (3 words) plus 3 user turns.
    assert table["turns"].tolist() == [4, 4, 4]
    for file, words in zip(table["file"], table["words"], strict=True):
        assert words == sum(
            len(json.loads(line)["entry"]["text"].split())
            for line in (path / file).read_text().splitlines()[1:]
        )


def test_unfinished_discussions(folder):
    path, _ = folder
    manifest = json.loads((path / "manifest.experiment.json").read_text())
    manifest["runs"].pop("2")
    (path / "manifest.experiment.json").write_text(json.dumps(manifest))
    table = experiment_table(path)
    assert table["status"].tolist() == ["done", "done", "not started"]
    assert table["turns"].isna().tolist() == [False, False, True]
    assert len(experiment_table(path, include_unfinished=False)) == 2
    assert [r["logs"] is None for r in read_experiment(path)] == [False, False, True]


def test_experiment_speaking_share_stacks_discussions(folder):
    path, _ = folder
    shares = experiment_speaking_share(path)
    assert list(shares.columns[:3]) == ["discussion", "condition", "speaker"]
    assert shares.groupby("discussion")["turn_share"].sum().tolist() == pytest.approx([1, 1, 1])


def test_not_an_experiment_folder(tmp_path):
    with pytest.raises(ConfigError, match=r"no manifest\.experiment\.json"):
        experiment_table(tmp_path)
    (tmp_path / "manifest.experiment.json").write_text("{broken")
    with pytest.raises(ConfigError, match="not valid JSON at line 1"):
        experiment_table(tmp_path)
