import ast
import json
from pathlib import Path

import pytest

from syndisco_widgets import ScriptedModel
from syndisco_widgets.engine.study import Study
from syndisco_widgets.engine.topic import DEFAULT_INSTRUCTIONS, DEFAULT_TOPIC, context_with_topic
from syndisco_widgets.errors import StudyError

QUESTION = "Should the school day start at ten?"


def _study(**fields):
    return Study.from_dict(
        {"version": 1, "name": "t", "personas": [{"username": "Ann"}, {"username": "Bob"}], **fields}
    )


def test_a_topic_survives_the_file_and_reaches_every_speaker(tmp_path):
    study = _study(topic=QUESTION, context="A school forum.")
    assert Study.load(study.save(tmp_path / "s.json")).topic == QUESTION
    model = ScriptedModel(["Ten is too late.", "Ten is fine."])
    discussion = study.build_discussion(model)
    for _ in discussion:
        pass
    assert len(model.calls) == study.conv_len
    for prompt in model.calls:
        assert prompt.system.startswith("A school forum.\n\nThe topic of this conversation: " + QUESTION)
        assert f"\n\nThe question: {QUESTION}\n" in prompt.messages[0]["content"]  # asked at every turn
    assert discussion.settings()["topic"] == QUESTION


def test_without_a_topic_the_context_is_unchanged():
    assert _study().topic == ""
    users, _ = _study(context="A forum.").build_actors(ScriptedModel())
    assert users[0].context == "A forum."
    assert context_with_topic("", DEFAULT_TOPIC).startswith("The topic of this conversation: ")


def test_from_setup_and_studio_kwargs_carry_the_topic():
    study = Study.from_setup(name="x", personas=[{"username": "Ann"}], topic=QUESTION)
    assert study.topic == QUESTION
    assert study.studio_kwargs()["topic"] == QUESTION


def test_a_topic_that_is_not_text_names_the_field():
    with pytest.raises(StudyError, match="topic"):
        _study(topic=["a", "list"])


def test_an_experiment_restates_the_topic_in_every_discussion(tmp_path):
    study = _study(
        topic=QUESTION, conv_len=2, experiment={"num_discussions": 2, "num_active_users": 2, "seed": 1}
    )
    model = ScriptedModel(["Yes.", "No."] * 2)
    experiment = study.build_experiment(model)
    assert experiment.settings()["topic"] == QUESTION
    paths = experiment.begin(tmp_path, verbose=False)
    assert len(paths) == 2 and len(model.calls) == 4
    assert all(f"The question: {QUESTION}" in call.messages[0]["content"] for call in model.calls)


def test_the_studio_default_and_the_quickstart_ask_every_speaker_for_a_reasoned_view():
    from syndisco_widgets.widgets import DiscussionStudio  # the widget layer, only for this test

    model = ScriptedModel(["Cafés would gain.", "Deliveries would suffer."])
    studio = DiscussionStudio(model=model, personas=[{"username": "Ann"}, {"username": "Bob"}], start=False)
    discussion = studio.build_discussion()
    discussion.step()
    discussion.step()
    for call in model.calls:
        assert call.system.endswith(DEFAULT_INSTRUCTIONS)  # the shared rules close every system prompt
        assert call.messages[0]["content"].split("\n")[-2] == f"The question: {DEFAULT_TOPIC}"
    discussion.close()
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "01_quickstart.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    setup = next("".join(c["source"]) for c in cells if "INSTRUCTIONS = " in "".join(c["source"]))
    constants = {  # the notebook's plain-text set-up constants
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(setup).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert constants["INSTRUCTIONS"] == DEFAULT_INSTRUCTIONS and constants["TOPIC"] == DEFAULT_TOPIC
