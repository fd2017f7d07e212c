"""One reader of run folders: experiments, usage, analysis and the viewer see the same files."""

from __future__ import annotations

import json

import pytest

from syndisco_widgets import DiscussionExperiment, JsonlLogWriter, Logs, ScriptedModel, summarize_usage
from syndisco_widgets.analysis import experiment_table
from syndisco_widgets.engine.run_folder import (
    MANIFEST,
    as_logs,
    discussion_files,
    is_experiment_folder,
    load_manifest,
    logs_of,
    read_experiment,
    read_manifest,
    read_run,
    run_files,
    run_metadata,
)
from syndisco_widgets.errors import ConfigError, LogsFormatError
from syndisco_widgets.viewer import experiment_payload
from tests.engine.helpers import make_actors, make_discussion


@pytest.fixture
def folder(tmp_path):
    users = make_actors(ScriptedModel(name="scripted"), ("Ann", "Bob", "Cy"))
    experiment = DiscussionExperiment(users, ["Open"], num_turns=2, num_discussions=3, seed=2)
    files = experiment.begin(tmp_path / "exp", verbose=False)
    return tmp_path / "exp", files


def test_every_layer_reads_the_same_runs(folder):
    path, files = folder
    assert is_experiment_folder(path) and load_manifest(path) == read_manifest(path)
    assert run_files(path) == discussion_files(path) == files
    runs = read_experiment(path)
    assert [r["file"] for r in runs] == [f.name for f in files]
    assert [r["status"] for r in runs] == ["done"] * 3
    usage = summarize_usage(path)
    assert [u.turns for u in usage.discussions] == [len(r["logs"] or ()) for r in runs] == [3, 3, 3]
    assert experiment_table(path)["discussion"].nunique() == 3
    rows = experiment_payload(path)["discussions"]
    assert [r["turns"] for r in rows] == [3, 3, 3]


def test_a_run_file_is_read_once_for_entries_settings_and_times(tmp_path):
    path = tmp_path / "run.jsonl"
    writer = JsonlLogWriter(path, metadata={"models": ["m"], "run": {"started": "2026-01-01T00:00:00"}})
    writer.write({"name": "Ann", "text": "hi", "model": "m", "prompt": ""})
    writer.close()
    run = read_run(path)
    assert [e["text"] for e in run["entries"]] == ["hi"]
    assert run["metadata"]["models"] == ["m"] == run_metadata(path)["models"]
    assert run["started"] == "2026-01-01T00:00:00" and run["ended"] is not None
    assert run_metadata(tmp_path / "other.json") == {}


def test_a_broken_manifest_is_named_by_every_reader(folder):
    path, _ = folder
    (path / MANIFEST).write_text("{broken", encoding="utf-8")
    for read in (read_manifest, experiment_table, summarize_usage):
        with pytest.raises(LogsFormatError, match=r"manifest\.experiment\.json: not valid JSON at line 1"):
            read(path)
    (path / MANIFEST).write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(LogsFormatError, match="another version or program"):
        load_manifest(path)


def test_a_folder_without_a_manifest(tmp_path):
    assert load_manifest(tmp_path) is None and not is_experiment_folder(tmp_path)
    with pytest.raises(ConfigError, match=r"no manifest\.experiment\.json here"):
        read_manifest(tmp_path)
    Logs([{"name": "A", "text": "x", "model": "m", "prompt": ""}]).export(tmp_path / "b.json")
    (tmp_path / "a.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a run", encoding="utf-8")
    assert [p.name for p in discussion_files(tmp_path)] == ["a.jsonl", "b.json"]


def test_any_discussion_reads_as_logs(tmp_path):
    conv = make_discussion(conv_len=2, autosave_dir=tmp_path)
    conv.begin(verbose=False)
    assert logs_of(conv) is conv.logs and logs_of(conv.logs) is conv.logs and logs_of("x") is None
    assert as_logs(conv.log_path) == conv.logs
    assert as_logs(list(conv.logs)) == conv.logs
    with pytest.raises(ConfigError, match="is a folder"):
        as_logs(tmp_path)
    with pytest.raises(ConfigError, match="annotations must be Logs"):
        as_logs(3, "annotations")
