"""Run files and experiment manifests say what made them and what it cost."""

import json

from syndisco_widgets import Discussion, DiscussionExperiment, Logs, ScriptedModel
from syndisco_widgets.engine.run_record import RunRecord
from syndisco_widgets.engine.study import Study
from syndisco_widgets.engine.usage import summarize_usage

from .helpers import FULL


def header(path):
    return json.loads(path.read_text(encoding="utf-8").splitlines()[0])["header"]


def test_a_run_file_header_carries_the_run_record(tmp_path):
    study = Study.from_dict(FULL)
    discussion = Discussion.from_study(study, ScriptedModel(name="script"), autosave_dir=tmp_path)
    for _ in discussion:
        pass
    discussion.close()
    run = header(discussion.log_path)["metadata"]["run"]
    assert set(run) == set(RunRecord.__annotations__)
    assert run["seed"] == 11  # the study's turn-manager seed
    assert [m["name"] for m in run["models"]] == ["script"]
    assert run["versions"]["syndisco-widgets"]


def test_from_study_accepts_a_file_path(tmp_path):
    path = Study.from_dict(FULL).save(tmp_path / "s.json")
    discussion = Discussion.from_study(path, ScriptedModel())
    assert [a.name for a in discussion.participants] == ["Ann", "Bob", "Cy", "Mo"]


def test_an_experiment_manifest_carries_the_run_record_and_usage(tmp_path, tiny_model_dir):
    study = Study.from_dict(
        {
            **FULL,
            "moderator": None,
            "model": {"kind": "transformers", "path": str(tiny_model_dir), "name": "tiny"},
            "generation": {"max_new_tokens": 4, "seed": 1, "temperature": 0.5},
        }
    )
    experiment = DiscussionExperiment.from_study(study)
    paths = experiment.begin(tmp_path, verbose=False)
    manifest = json.loads((tmp_path / "manifest.experiment.json").read_text(encoding="utf-8"))
    run = manifest["run"]
    assert run["seed"] == 3 and run["ended"] >= run["started"]
    assert run["models"][0]["weights_sha256"] and run["device"] == "cpu"
    usage = manifest["usage"]
    assert usage["total"]["turns"] == sum(len(Logs.from_file(p)) for p in paths)
    assert usage["total"]["prompt_tokens"] > 0 and usage["total"]["completion_tokens"] > 0
    assert usage == summarize_usage(tmp_path).as_dict()
