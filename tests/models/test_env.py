"""model_from_env: the model SYNDISCO_MODEL names, or the offline demo model."""

from __future__ import annotations

from syndisco_widgets.models import MODEL_ENV_VAR, is_tiny_model, model_from_env, model_path_from_env
from syndisco_widgets.models.demo import DEMO_MODEL_LABEL


def test_named_model_is_loaded_with_the_given_settings(monkeypatch, tiny_model_dir):
    monkeypatch.setenv(MODEL_ENV_VAR, str(tiny_model_dir))
    model = model_from_env(max_out_tokens=7, temperature=0.5, demo_kwargs={"temperature": 0.9})
    assert model_path_from_env() == str(tiny_model_dir)
    assert model.name == str(tiny_model_dir) and model.max_out_tokens == 7 and model.temperature == 0.5
    assert not is_tiny_model(model)


def test_unset_gives_the_demo_model_with_demo_settings(monkeypatch, fake_hub_cache, tiny_model_dir):
    monkeypatch.setenv(MODEL_ENV_VAR, "  ")
    fake_hub_cache(tiny_model_dir)  # stands in for a downloaded SmolLM2
    model = model_from_env(max_out_tokens=7, temperature=0.5, demo_kwargs={"temperature": 0.9})
    assert model_path_from_env() is None
    assert model.name == DEMO_MODEL_LABEL and model.temperature == 0.9 and model.max_out_tokens == 7
    assert model.generation_config.repetition_penalty == 1.1  # the demo's defaults stay
    assert not is_tiny_model(model)  # is_tiny_model flags only the meaningless tiny model


def test_syndisco_threads_sets_torchs_threads_when_a_model_loads(monkeypatch, tiny_path):
    import torch

    from syndisco_widgets.models import THREADS_ENV_VAR, TransformersModel

    before = torch.get_num_threads()
    monkeypatch.setenv(THREADS_ENV_VAR, "1")
    try:
        TransformersModel(tiny_path, "tiny", 4)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_a_bad_syndisco_threads_names_the_variable(monkeypatch):
    import pytest

    from syndisco_widgets.errors import ConfigError
    from syndisco_widgets.models.env import THREADS_ENV_VAR, apply_thread_limit

    monkeypatch.setenv(THREADS_ENV_VAR, "two")
    with pytest.raises(ConfigError, match="SYNDISCO_THREADS must be a whole number >= 1, got 'two'"):
        apply_thread_limit()
