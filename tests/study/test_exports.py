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
    assert list(mine["turn"]) == list(range(1, len(maria.logs) + 1))  # #1 as the studio shows
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


def test_an_export_carries_the_discussions_run_record_and_model_identity(full_study, tmp_path):
    discussion = run(full_study, ScriptedModel(name="Demo (label)"))
    data = json.loads(export_run(discussion, tmp_path, participant="Maria").read_text(encoding="utf-8"))
    assert data["run"]["format"].startswith("syndisco-widgets/run-record")
    assert data["run"]["versions"]["syndisco-widgets"]
    assert [m["name"] for m in data["run"]["models"]] == ["Demo (label)"]
    assert data["run"]["models"][0]["backend"]  # the identity, not only the label
    assert data["study"] is None and data["participant"] == "Maria"
    branch = discussion.fork(1)
    data = json.loads(export_run(branch, tmp_path, participant="M").read_text(encoding="utf-8"))
    assert data["run"]["generation"] == {"seed": branch.seed}  # the branch's own sampling seed
    assert (
        json.loads(export_run(Logs(), tmp_path, participant="M").read_text(encoding="utf-8"))["run"] is None
    )


def test_files_without_a_study_are_named_by_participant_and_branch(tmp_path):
    from syndisco_widgets.engine.exports import export_stem

    path = export_run(Logs(), tmp_path, participant="Li Wei", branch="branch 2")
    assert path.name.startswith("Li-Wei--branch-2-") and "no-study" not in path.name
    assert export_stem("Maria", "main") == "Maria--main"


def test_csv_export_numbers_rows_as_the_studio_shows_them(full_study, tmp_path):
    import csv

    discussion = full_study.build_discussion(ScriptedModel(["=SUM(A1)", "fine"]))
    next(iter(discussion))
    discussion.inject(discussion.users[0].name, "A person's message")
    next(discussion)
    path = export_run(discussion, tmp_path, study=full_study, participant="Maria", kind="csv")
    assert path.name.startswith("town-budget--Maria--main-") and path.suffix == ".csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["turn"] for r in rows] == [str(n) for n in range(1, len(discussion.logs) + 1)]
    assert {r["study"] for r in rows} == {"town budget"} and {r["participant"] for r in rows} == {"Maria"}
    models = [(r, e) for r, e in zip(rows, discussion.logs, strict=True) if e["source"] == "model"]
    for row, entry in models:
        start, end = entry["context"]
        assert (row["saw_from"], row["saw_to"]) == ((str(start + 1), str(end)) if end > start else ("", ""))
        assert row["completion_tokens"] == str(entry["completion_tokens"])  # whole, never "3.0"
    assert "'=SUM(A1)" in {r["text"] for r in rows}  # never a formula
    human = next(r for r in rows if r["source"] == "human")
    assert human["saw_from"] == human["saw_to"] == human["completion_tokens"] == ""
    assert "context" not in rows[0]
    with pytest.raises(ConfigError, match="kind must be 'json' or 'csv'"):
        export_run(discussion, tmp_path, participant="M", kind="xlsx")
