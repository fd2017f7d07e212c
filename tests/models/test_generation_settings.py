"""generation_kwargs, sampling settings and device are checked when a TransformersModel is built."""

from __future__ import annotations

import math

import pytest

from syndisco_widgets.errors import ConfigError, ModelLoadError
from syndisco_widgets.models import ChatPrompt, TransformersModel
from syndisco_widgets.models.cache import cached_model_count, checked_device
from syndisco_widgets.models.generation_settings import checked_generation_kwargs, known_generation_fields


def test_a_misspelt_key_is_refused_with_the_close_name():
    with pytest.raises(ConfigError, match=r"'temprature'.*did you mean 'temperature'"):
        checked_generation_kwargs({"temprature": 0.2})


def test_every_generation_config_field_is_known_and_private_ones_are_not():
    known = known_generation_fields()
    assert {"temperature", "top_k", "repetition_penalty", "stop_strings", "num_beams"} <= set(known)
    assert "transformers_version" not in known


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"num_beams": -1}, "num_beams"),
        ({"num_beams": 2.5}, "num_beams"),
        ({"temperature": math.inf}, "temperature"),
        ({"temperature": -0.1}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"top_k": True}, "top_k"),
        ({"repetition_penalty": 0}, "repetition_penalty"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"do_sample": "yes"}, "do_sample"),
        ({"stop_strings": ["\n[", ""]}, "stop_strings"),
        ({"num_return_sequences": 3}, "num_return_sequences"),
        ({"return_dict_in_generate": True}, "return_dict_in_generate"),
        ({"eos_token_id": [2, -1]}, "eos_token_id"),
    ],
)
def test_bad_values_name_the_key(kwargs, named):
    with pytest.raises(ConfigError, match=named):
        checked_generation_kwargs(kwargs)


def test_good_values_pass_and_a_single_stop_string_is_one_string():
    got = checked_generation_kwargs({"stop_strings": "\n[", "repetition_penalty": 1.1, "top_k": 0})
    assert got == {"stop_strings": ["\n["], "repetition_penalty": 1.1, "top_k": 0}


def test_the_model_refuses_bad_settings_before_loading_anything(tiny_path):
    before = cached_model_count()
    for kwargs in (
        {"generation_kwargs": {"temprature": 0.2}},
        {"generation_kwargs": {"num_beams": -1}},
        {"temperature": math.inf},
        {"top_p": 0.0},
        {"device": "gpu0"},
        {"generation_kwargs": ["temperature"]},
    ):
        with pytest.raises(ConfigError):
            TransformersModel(tiny_path, "tiny", 4, **kwargs)
    with pytest.raises(ConfigError, match="max_out_tokens"):
        TransformersModel(tiny_path, "tiny", True)
    assert cached_model_count() == before


def test_settings_that_do_not_fit_together_are_refused_with_the_fix(tiny_path):
    with pytest.raises(ConfigError, match="temperature > 0"):
        TransformersModel(tiny_path, "tiny", 4, generation_kwargs={"top_k": 5})  # greedy: top_k unused


def test_valid_generation_kwargs_reach_the_generation_config(tiny_path):
    model = TransformersModel(
        tiny_path, "tiny", 4, temperature=0.7, generation_kwargs={"repetition_penalty": 1.2, "top_k": 20}
    )
    assert model.generation_config.repetition_penalty == 1.2 and model.generation_config.top_k == 20
    assert isinstance(model.prompt(ChatPrompt.single("s", "hi")), str)


def test_devices():
    assert checked_device("auto") == "auto" and checked_device("cpu") == "cpu"
    with pytest.raises(ConfigError, match=r"'gpu0' is not a torch device; pass 'auto'"):
        checked_device("gpu0")
    with pytest.raises(ConfigError, match="device"):
        checked_device(0)
    with pytest.raises(ConfigError, match="not available"):
        checked_device("mps")


def test_a_missing_folder_is_still_a_load_error_not_a_config_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        TransformersModel(str(tmp_path / "nope"), "x", 4)
