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


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def test_every_record_is_stamped_and_the_run_ends_at_the_last_one(tmp_path):
    from syndisco_widgets.engine.run_record import run_file_record

    discussion = Discussion.from_study(Study.from_dict(FULL), ScriptedModel(), autosave_dir=tmp_path)
    for _ in discussion:
        pass
    discussion.close()
    path = discussion.log_path
    stamps = [r["at"] for r in records(path)]
    assert len(stamps) == len(discussion.logs) and stamps == sorted(stamps)
    assert header(path)["metadata"]["run"]["ended"] is None  # the header is written before the run
    run = run_file_record(path)
    assert run is not None and run["ended"] == stamps[-1] and run["started"] <= stamps[0]
    usage = summarize_usage(path).total
    assert (usage.started, usage.ended) == (run["started"], stamps[-1])
    assert len(Logs.from_file(path)) == len(discussion.logs)  # the stamp stays outside the entries


def test_a_resumed_run_ends_at_its_newest_record(tmp_path):
    from syndisco_widgets.engine.run_record import run_file_record

    study = Study.from_dict({**FULL, "moderator": None, "experiment": None})
    model = ScriptedModel()
    first = Discussion.from_study(study, model, autosave_dir=tmp_path)
    first.step()
    first.close()
    path = first.log_path
    ended_first = run_file_record(path)["ended"]
    users, moderator = study.build_actors(model)
    resumed = Discussion.resume(path, study.build_turn_manager(), users, moderator)
    for _ in resumed:
        pass
    resumed.close()
    stamps = [r["at"] for r in records(path)]
    assert len(stamps) == len(resumed.logs) > 1
    assert run_file_record(path)["ended"] == stamps[-1] >= ended_first


def test_usage_of_many_runs_spans_the_earliest_start_to_the_latest_end(tmp_path):
    study = Study.from_dict(FULL)
    paths = []
    for _ in range(2):
        discussion = Discussion.from_study(study, ScriptedModel(), autosave_dir=tmp_path)
        for _ in discussion:
            pass
        discussion.close()
        paths.append(discussion.log_path)
    summary = summarize_usage(paths)
    parts = summary.discussions
    assert summary.total.started == min(u.started for u in parts)
    assert summary.total.ended == max(u.ended for u in parts)
    assert summary.as_dict()["total"]["ended"] == summary.total.ended
    assert summarize_usage(Logs()).total.ended is None  # logs in memory carry no times
