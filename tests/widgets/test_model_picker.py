"""ModelPicker: ready objects, the offline demo (real tiny model), inline load errors."""

from __future__ import annotations

import pytest
from widget_helpers import make_discussion

from syndisco_widgets import models
from syndisco_widgets.models import ScriptedModel
from syndisco_widgets.models.tiny import TINY_MODEL_LABEL
from syndisco_widgets.widgets import DiscussionControls, ModelPicker


def test_accepts_a_ready_model():
    model = ScriptedModel(name="ready")
    picker = ModelPicker(model)
    assert picker.value is model and "ready" in picker.status.value


def test_offline_demo_loads_the_tiny_model_and_it_streams(tiny_model_dir, monkeypatch, closing):
    calls = []
    monkeypatch.setattr(models, "build_tiny_model", lambda *a, **k: calls.append(1) or tiny_model_dir)
    picker = ModelPicker(max_new_tokens=8, temperature=0)
    picker.source.value = "test"
    assert picker.demo and picker._local_box.layout.display == "none"
    assert "meaningless" in picker.source_hint.value

    picker.load_button.click()
    assert picker.wait(60)
    assert calls == [1]
    model = picker.value
    assert isinstance(model, models.TransformersModel)
    assert model.name == TINY_MODEL_LABEL and model.max_out_tokens == 8 and model.temperature is None
    assert "Loaded" in picker.status.value and not picker.load_button.disabled

    # The loaded model drives a discussion through the widgets, streaming on the worker thread.
    controls = closing(DiscussionControls(make_discussion(model)))
    pieces = []
    controls.runner.on_text(pieces.append)
    controls.step_button.click()
    assert controls.runner.wait(60)
    assert controls.runner.state == "idle", controls.runner.status
    assert len(controls.discussion.logs) == 1 and pieces


def test_load_error_is_shown_inline_and_value_is_unchanged(tmp_path):
    picker = ModelPicker()
    picker.source.value = "local"
    picker.model_path.value = str(tmp_path / "no-such-model")
    picker.load_button.click()
    assert picker.wait(60)
    assert picker.value is None
    assert "Could not load the model" in picker.status.value
    assert (
        picker.status.value.count("\n") == 0 and "<details>" in picker.details.value
    )  # one line, details folded
    assert "sdw-error" in picker.status._dom_classes
    assert not picker.loading and picker.load_button.description == "Load"


@pytest.mark.parametrize("seed", ["x", "1.5", "--1", "²"])
def test_bad_seed_is_an_inline_error_and_nothing_loads(seed):
    picker = ModelPicker()
    picker.seed.value = seed
    assert picker.load() is False
    assert picker.seed_error.value and "Seed" in picker.status.value
    assert picker.value is None and not picker.loading
