"""Bad input to the model layer: each case gives a clear error naming the parameter or file.

Every row is (call, error type, text the message must contain). A call takes
the tiny model's folder so rows can build a real TransformersModel; checks
that fail run before anything is loaded.
"""

from __future__ import annotations

import math

import pytest

from syndisco_widgets.errors import ConfigError, ModelError, ModelLoadError
from syndisco_widgets.models import ChatPrompt, GenerationOptions, ScriptedModel, TransformersModel
from syndisco_widgets.models.demo import converted_checkpoint, demo_model
from syndisco_widgets.models.generation_settings import checked_generation_kwargs

PROMPT = ChatPrompt.single("system", "hello")


def tm(path, **kwargs):
    settings = {"name": "tiny", "max_out_tokens": 4, **kwargs}
    return TransformersModel(path, **settings)


class NotText(ScriptedModel):
    def generate(self, prompt, *, control=None, options=None):
        return {"text": "hi"}


CASES = [
    # generation_kwargs, checked against GenerationConfig
    (
        "misspelt key",
        lambda p: tm(p, generation_kwargs={"temprature": 0.2}),
        ConfigError,
        "did you mean 'temperature'",
    ),
    ("unknown key", lambda p: tm(p, generation_kwargs={"beams": 2}), ConfigError, "'beams'"),
    ("num_beams=-1", lambda p: tm(p, generation_kwargs={"num_beams": -1}), ConfigError, "num_beams"),
    ("top_k float", lambda p: tm(p, generation_kwargs={"top_k": 2.5}), ConfigError, "top_k"),
    (
        "repetition_penalty 0",
        lambda p: tm(p, generation_kwargs={"repetition_penalty": 0}),
        ConfigError,
        "repetition_penalty",
    ),
    (
        "stop_strings number",
        lambda p: tm(p, generation_kwargs={"stop_strings": 5}),
        ConfigError,
        "stop_strings",
    ),
    (
        "num_return_sequences",
        lambda p: tm(p, generation_kwargs={"num_return_sequences": 2}),
        ConfigError,
        "num_return_sequences",
    ),
    (
        "generation_kwargs list",
        lambda p: tm(p, generation_kwargs=["top_k"]),
        ConfigError,
        "generation_kwargs",
    ),
    (
        "generation_kwargs int key",
        lambda p: checked_generation_kwargs({1: 2}),
        ConfigError,
        "generation_kwargs",
    ),
    ("top_k with greedy", lambda p: tm(p, generation_kwargs={"top_k": 5}), ConfigError, "temperature > 0"),
    # constructor settings
    ("temperature inf", lambda p: tm(p, temperature=math.inf), ConfigError, "temperature"),
    ("temperature nan", lambda p: tm(p, temperature=math.nan), ConfigError, "temperature"),
    ("temperature text", lambda p: tm(p, temperature="hot"), ConfigError, "temperature"),
    ("top_p 0", lambda p: tm(p, top_p=0), ConfigError, "top_p"),
    ("top_p 2", lambda p: tm(p, top_p=2), ConfigError, "top_p"),
    ("seed text", lambda p: tm(p, seed="42"), ConfigError, "seed"),
    ("max_out_tokens True", lambda p: tm(p, max_out_tokens=True), ConfigError, "max_out_tokens"),
    ("max_out_tokens 0", lambda p: tm(p, max_out_tokens=0), ConfigError, "max_out_tokens"),
    ("device gpu0", lambda p: tm(p, device="gpu0"), ConfigError, "device"),
    ("device number", lambda p: tm(p, device=0), ConfigError, "device"),
    ("model_kwargs list", lambda p: tm(p, model_kwargs=["dtype"]), ConfigError, "model_kwargs"),
    ("tokenizer_kwargs str", lambda p: tm(p, tokenizer_kwargs="fast"), ConfigError, "tokenizer_kwargs"),
    ("name empty", lambda p: tm(p, name=" "), ConfigError, "name"),
    ("strip_strings single", lambda p: tm(p, strip_strings="e"), ConfigError, "strip_strings"),
    ("missing folder", lambda p: tm(p + "-missing"), ModelLoadError, "-missing"),
    ("file, not folder", lambda p: tm(p + "/config.json"), ModelLoadError, "config.json"),
    # per-call options and prompts
    (
        "options unknown key",
        lambda p: GenerationOptions.from_kwargs({"max_token": 5}),
        ConfigError,
        "max_tokens",
    ),
    ("options temperature", lambda p: GenerationOptions(temperature=-1), ConfigError, "temperature"),
    ("options stop number", lambda p: GenerationOptions(stop=5), ConfigError, "stop"),
    ("prompt as text", lambda p: ScriptedModel().prompt("hello"), ConfigError, "ChatPrompt"),
    ("message without role", lambda p: ChatPrompt("s", ({"content": "x"},)), ConfigError, "messages[0]"),
    ("backend returns a dict", lambda p: NotText().prompt(PROMPT), ModelError, "not text"),
    # the demo model
    ("demo model_path", lambda p: demo_model(model_path=p), ConfigError, "model_path"),
    ("demo gguf missing", lambda p: converted_checkpoint(p + "/none.gguf"), ModelLoadError, "none.gguf"),
    ("demo dtype", lambda p: converted_checkpoint(p + "/none.gguf", dtype="fp8"), ConfigError, "dtype"),
]


@pytest.mark.parametrize(("call", "error", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_model_input_is_a_clear_error(call, error, named, tiny_model_dir):
    with pytest.raises(error) as caught:
        call(str(tiny_model_dir))
    assert named in str(caught.value)
    assert type(caught.value).__module__ == "syndisco_widgets.errors"


def test_the_table_is_big_enough():
    assert len(CASES) >= 20


def test_max_tokens_env_var_is_checked(monkeypatch):
    from syndisco_widgets.models.demo import MAX_TOKENS_ENV_VAR, max_tokens_cap

    monkeypatch.setenv(MAX_TOKENS_ENV_VAR, "lots")
    with pytest.raises(ConfigError, match=MAX_TOKENS_ENV_VAR):
        max_tokens_cap()
