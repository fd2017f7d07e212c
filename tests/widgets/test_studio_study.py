"""DiscussionStudio and study files: pre-fill, open, save the set-up, participant exports, cost."""

from __future__ import annotations

import json

import pytest

from syndisco_widgets.engine import FunctionTurnManager, Persona, load_exports
from syndisco_widgets.engine.study import Study
from syndisco_widgets.errors import StudyError
from syndisco_widgets.models import ScriptedModel
from syndisco_widgets.widgets import DiscussionStudio

STUDY = {
    "version": 1,
    "name": "town budget",
    "description": "Residents argue about the budget.",
    "personas": [
        {"username": "Maria", "age": 41, "personality_characteristics": ["patient"]},
        {"username": "Tom", "age": 23},
    ],
    "context": "A forum about the town budget.",
    "instructions": "One short sentence.",
    "turn_manager": {"kind": "random_weighted", "p_respond": 0.4, "seed": 7},
    "conv_len": 3,
    "history_context_len": 4,
    "moderator": {"persona": {"username": "Mod"}, "instructions": "Keep it civil.", "every": 2},
    "seed_opinions": [{"user": "Maria", "text": "The library needs more money."}],
    "model": {"kind": "demo"},
    "generation": {"temperature": 0.7, "top_p": 0.9, "max_new_tokens": 32, "seed": 2024},
    "price": {"input_per_million": 100000.0, "output_per_million": 200000.0, "currency": "EUR"},
}


@pytest.fixture
def study() -> Study:
    return Study.from_dict(STUDY, source="test")


@pytest.fixture
def study_file(study, tmp_path):
    return study.save(tmp_path / "town.study.json")


def test_a_study_prefills_the_set_up_and_builds_its_discussion(closing, study, study_file):
    studio = closing(DiscussionStudio(ScriptedModel(["hi there"]), study=study_file))
    assert studio.study == study
    assert [p.username for p in studio.persona_editor.value] == ["Maria", "Tom"]
    assert studio.persona_editor.value[0].age == 41
    assert studio.turn_selector.kind.value == "random_weighted"
    assert studio.turn_selector.seed.value == "7" and studio.turn_selector.p_respond.value == 0.4
    assert studio.context.value == "A forum about the town budget."
    assert studio.instructions.value == "One short sentence."
    assert studio.moderator_name.value == "Mod"
    assert studio.settings.moderator_instructions.value == "Keep it civil."
    assert (studio.conv_len.value, studio.history_context_len.value) == (3, 4)
    assert studio.study_saver.name.value == "town budget"

    d = studio.discussion  # model and personas given: built at once
    assert d is not None and [a.name for a in d.participants] == ["Maria", "Tom", "Mod"]
    assert d.moderator_every == 2 and d.conv_len == 3 and d.history_context_len == 4
    studio.controls.step_button.click()
    assert studio.runner.wait(5)
    assert d.logs[0]["name"] == "Maria" and d.logs[0]["text"] == "The library needs more money."


def test_a_bad_study_file_raises_in_code_and_shows_inline_in_the_opener(closing, tmp_path):
    bad = tmp_path / "bad.study.json"
    bad.write_text(json.dumps({**STUDY, "conv_len": "three"}), encoding="utf-8")
    with pytest.raises(StudyError, match="conv_len"):
        DiscussionStudio(ScriptedModel(), study=bad)

    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), [Persona(username="Ann")], conv_len=2))
    studio.study_opener.path.value = str(bad)
    studio.study_opener.open_button.click()
    status = studio.study_opener.status
    assert "conv_len" in status.value and "bad.study.json" in status.value
    assert "sdw-error" in status._dom_classes
    assert studio.study is None and [p.username for p in studio.persona_editor.value] == ["Ann"]
    studio.controls.run_button.click()  # the discussion stays usable
    assert studio.runner.wait(5) and studio.runner.state == "finished"

    studio.study_opener.path.value = str(tmp_path / "missing.study.json")
    studio.study_opener.open_button.click()
    assert "missing.study.json" in status.value and "sdw-error" in status._dom_classes


def test_opening_a_study_fills_the_set_up_and_asks_to_start(closing, study_file):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), [Persona(username="Ann")], conv_len=2))
    studio.study_opener.path.value = str(study_file)
    studio.study_opener.open_button.click()
    assert "Opened study 'town budget'" in studio.study_opener.status.value
    assert studio.study is not None and studio.explorer.study is studio.study
    assert [p.username for p in studio.persona_editor.value] == ["Maria", "Tom"]
    assert studio.setup_changed and "press Start to apply" in studio.setup_status.value
    assert [u.name for u in studio.discussion.users] == ["Ann"]  # until Start
    studio.start_button.click()
    assert [a.name for a in studio.discussion.participants] == ["Maria", "Tom", "Mod"]
    studio.controls.step_button.click()
    assert studio.runner.wait(5)
    assert studio.discussion.logs[0]["text"] == "The library needs more money."


def test_save_set_up_round_trips_to_an_equal_study(closing, study, tmp_path):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), study=study, export_dir=tmp_path))
    studio.study_saver.save_button.click()
    [saved] = tmp_path.glob("town-budget-*.study.json")
    assert Study.load(saved) == study
    status = studio.study_saver.status.value
    assert str(saved) in status and f'download="{saved.name}"' in status

    studio.context.value = "A new context."
    studio.persona_editor.add(Persona(username="Cy", age=30))
    studio.study_saver.name.value = "budget, take 2"
    path = studio.save_study()
    assert path is not None and path.name.startswith("budget-take-2-")
    again = Study.load(path)
    assert again.name == "budget, take 2" and again.context == "A new context."
    assert again.usernames == ["Maria", "Tom", "Cy"] and again.price == study.price
    assert again.generation == study.generation and again.model == study.model


def test_save_set_up_errors_show_inline(closing, tmp_path):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), [Persona(username="Ann")], export_dir=tmp_path))
    saver = studio.study_saver
    saver.save_button.click()
    assert "type a study name first" in saver.status.value
    saver.name.value = "scripted"
    saver.save_button.click()  # a scripted model cannot be named in a file
    assert "ScriptedModel cannot be named in a study file" in saver.status.value
    assert "sdw-error" in saver.status._dom_classes

    given = closing(
        DiscussionStudio(
            None, [Persona(username="Ann"), Persona(username="Bob")], FunctionTurnManager(lambda tm: "Ann")
        )
    )
    given.study_saver.name.value = "given"
    assert given.save_study(tmp_path) is None
    assert "FunctionTurnManager cannot be saved in a study file" in given.study_saver.status.value
    assert list(tmp_path.glob("*.study.json")) == []


def test_two_participants_exports_load_into_one_table(closing, study, tmp_path):
    folder = tmp_path / "class"
    for name in ("Sam", "Li"):
        studio = closing(DiscussionStudio(ScriptedModel([f"{name} says hi"]), study=study, export_dir=folder))
        studio.participant.value = name
        studio.controls.run_button.click()
        assert studio.runner.wait(5)
        path = studio.export_json()
        assert path is not None and path.name.startswith(f"town-budget--{name}--main-")
        assert "No name typed" not in studio.export_status.value
        assert f'download="{path.name}"' in studio.export_status.value
        if name == "Li":  # Li also branches and exports the branch from the Branches tab
            studio.controls.branch_button.click()
            studio.controls.step_button.click()
            assert studio.runner.wait(5)
            studio.explorer.export_button.click()
            assert "town-budget--Li--branch-1-" in studio.explorer.message.value
    table = load_exports(folder)
    assert set(table["study"]) == {"town budget"}
    runs = table.groupby(["participant", "branch"]).size().to_dict()
    assert set(runs) == {("Sam", "main"), ("Li", "main"), ("Li", "branch 1")}
    sam = table[table["participant"] == "Sam"]
    assert sam["text"].iloc[0] == "The library needs more money."
    assert "Sam says hi" in set(sam["text"])
    assert "Sam says hi" not in set(table[table["participant"] == "Li"]["text"])


def test_export_without_a_name_says_anonymous(closing, study, tmp_path):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), study=study, export_dir=tmp_path))
    path = studio.export_json()
    assert path is not None and path.name.startswith("town-budget--anonymous--main-")
    assert "No name typed" in studio.export_status.value and "Your name" in studio.export_status.value
    csv = studio.export_csv()
    assert csv is not None and csv.name.startswith("town-budget--anonymous--main-")


def test_status_shows_tokens_seconds_and_cost_when_the_run_settles(closing, study):
    studio = closing(DiscussionStudio(ScriptedModel(["one two three"]), study=study))
    # The one count the status uses too (issue 19: not "5 turns" beside "4 of 12 user turns").
    assert "Used so far: 0 of 3 user turns · 0.0 s" in studio.usage_note.value  # started, nothing said yet
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    logs = studio.logs
    prompt = sum(e["prompt_tokens"] for e in logs if e.get("prompt_tokens") is not None)
    out = sum(e["completion_tokens"] for e in logs if e.get("completion_tokens") is not None)
    text = studio.usage_note.value
    assert prompt > 0 and out > 0
    assert f"{prompt:,} tokens in · {out:,} out" in text and " s · " in text
    cost = (prompt * 100000.0 + out * 200000.0) / 1e6
    assert "EUR" in text and "≈" in text and f"{cost:,.2f}" in text


def test_status_without_a_price_has_no_cost(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["one two"]), [Persona(username="Ann")], conv_len=2))
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    text = studio.usage_note.value
    assert "2 of 2 user turns" in text and "tokens in" in text and "≈" not in text
