import pytest

from syndisco_widgets import Actor, ActorType, Logs, Persona, ScriptedModel, annotate
from syndisco_widgets.errors import ConfigError, ModelError


def annotator(model):
    return Actor(model, Persona(username="Rater"), ActorType.ANNOTATOR, "ctx", "Rate toxicity 1-5")


def test_each_annotation_keeps_what_it_labelled_and_uses_one_batch():
    logs = Logs.from_lists(["A", "B", "A"], ["hello", "you fool", "calm down"])
    model = ScriptedModel(lambda p: "5" if "fool" in p.messages[0]["content"].rsplit("by", 1)[1] else "1")
    labels = annotate(logs, annotator(model), history_context_len=1)
    assert [e["text"] for e in labels] == ["1", "5", "1"]
    assert [e["target_text"] for e in labels] == ["hello", "you fool", "calm down"]
    assert [e["context"] for e in labels] == [[0, 0], [0, 1], [1, 2]]
    assert len(model.batch_calls) == 1 and len(model.batch_calls[0]) == 3
    assert "[A]: hello" in model.calls[1].messages[0]["content"]
    assert "Rate toxicity 1-5" in model.calls[0].system
    assert labels[0]["role"] == "annotator" and '"type": "3"' in labels[0]["prompt"]
    assert len(logs) == 3  # the discussion itself is unchanged


def test_annotate_checks_its_inputs_and_reports_model_failures():
    logs = Logs.from_lists(["A"], ["x"])
    user = Actor(ScriptedModel(), Persona(username="U"))
    with pytest.raises(ConfigError, match=r"ActorType\.ANNOTATOR"):
        annotate(logs, user)
    with pytest.raises(ModelError, match="annotating 1 entries with 'Rater' failed"):
        annotate(logs, annotator(ScriptedModel(fail_on_call=1)))
