"""A class's exports: named by study, branch and participant, loaded into one table."""

import json

import pytest

from syndisco_widgets import Logs, ScriptedModel
from syndisco_widgets.engine.exports import EXPORT_COLUMNS, export_run, load_exports
from syndisco_widgets.engine.study import Study
from syndisco_widgets.errors import ConfigError, LogsFormatError

from .helpers import FULL


def run(study, model):
    discussion = study.build_discussion(model)
    for _ in discussion:
        pass
    return discussion


def test_two_students_exports_of_one_study_load_into_one_table(full_study, tmp_path):
    folder = tmp_path / "class"
    maria = run(full_study, ScriptedModel(["Maria's reply"]))
    li = run(full_study, ScriptedModel(["Li's reply"]))
    paths = [
        export_run(maria, folder / "maria", study=full_study, participant="Maria", branch="main"),
        export_run(maria.fork(2), folder / "maria", study=full_study, participant="Maria", branch="branch 1"),
        export_run(li, folder, study=full_study, participant="Li Wei"),
    ]
    assert paths[0].name.startswith("town-budget--Maria--main-")
    assert paths[1].name.startswith("town-budget--Maria--branch-1-")
    assert paths[2].name.startswith("town-budget--Li-Wei--main-")

    table = load_exports(folder)
    assert list(table.columns[: len(EXPORT_COLUMNS)]) == list(EXPORT_COLUMNS)
    assert set(table["study"]) == {"town budget"}
    assert sorted(set(zip(table["participant"], table["branch"], strict=True))) == [
        ("Li Wei", "main"),
        ("Maria", "branch 1"),
        ("Maria", "main"),
    ]
    assert len(table) == len(maria.logs) + 2 + len(li.logs)
    mine = table[(table["participant"] == "Maria") & (table["branch"] == "main")]
    assert list(mine["turn"]) == list(range(len(maria.logs)))
    assert list(mine["text"]) == [e["text"] for e in maria.logs]
    assert set(table[table["participant"] == "Li Wei"]["file"]) == {paths[2].name}
    assert set(table[table["source"] == "model"]["text"]) == {"Maria's reply", "Li's reply"}


def test_an_export_says_what_made_it_and_reads_back_as_logs(full_study, tmp_path):
    discussion = run(full_study, ScriptedModel())
    path = export_run(discussion, tmp_path, study=full_study, participant="Maria", run={"seed": 1})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["study"] == {"name": "town budget", "version": 1, "sha256": full_study.sha256}
    assert Study.from_dict(data["study_file"]) == full_study
    assert data["run"] == {"seed": 1}
    assert data["usage"]["turns"] == len(discussion.logs)
    assert Logs.from_file(path) == discussion.logs


def test_load_exports_filters_by_study_and_says_what_it_skipped(full_study, tmp_path):
    other = Study.from_dict({**FULL, "name": "other"})
    export_run(run(full_study, ScriptedModel()), tmp_path, study=full_study, participant="A")
    export_run(run(other, ScriptedModel()), tmp_path, study=other, participant="B")
    Logs().export(tmp_path / "plain.json")
    with pytest.warns(UserWarning, match=r"skipped 1 JSON file\(s\) that are not study exports: plain\.json"):
        table = load_exports(tmp_path, study=full_study)
    assert set(table["participant"]) == {"A"}
    with pytest.warns(UserWarning, match=r"plain\.json"):
        assert set(load_exports(tmp_path, study="other")["participant"]) == {"B"}


def test_bad_class_folders_are_named(full_study, tmp_path):
    with pytest.raises(ConfigError, match="is not a folder"):
        load_exports(tmp_path / "missing")
    with pytest.raises(ConfigError, match="no study exports in"):
        load_exports(tmp_path)
    path = export_run(run(full_study, ScriptedModel()), tmp_path, study=full_study, participant="A")
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "participant": ""}), encoding="utf-8")
    with pytest.raises(LogsFormatError, match=rf"{path.name}: field 'participant'"):
        load_exports(tmp_path)
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(LogsFormatError, match=rf"{path.name}: not valid JSON"):
        load_exports(tmp_path)
    with pytest.raises(ConfigError, match="participant must be a non-empty name"):
        export_run(Logs(), tmp_path, participant=" ")
    with pytest.raises(ConfigError, match="source must be Logs or a discussion"):
        export_run("logs", tmp_path, participant="A")


def test_the_same_study_file_and_seed_give_the_same_transcripts(tiny_model_dir, tmp_path):
    study = Study.from_dict(
        {
            "version": 1,
            "name": "repeat",
            "personas": [{"username": "Ann"}, {"username": "Bob"}],
            "turn_manager": {"kind": "random_weighted", "seed": 4},
            "conv_len": 3,
            "model": {"kind": "transformers", "path": str(tiny_model_dir), "name": "tiny"},
            "generation": {"temperature": 0.9, "top_p": 0.95, "max_new_tokens": 6, "seed": 21},
        }
    )
    path = study.save(tmp_path / "repeat.study.json")
    first = run(Study.load(path), None)
    second = run(Study.load(path), None)
    texts = [(e["name"], e["text"]) for e in first.logs]
    assert texts == [(e["name"], e["text"]) for e in second.logs]
    assert len({t for _, t in texts}) > 1  # sampled replies, not one repeated text
