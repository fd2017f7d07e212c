"""A backend that misbehaves: the caller gets ModelError, a discussion gets TurnError."""

from __future__ import annotations

import pytest

from syndisco_widgets import Actor, Discussion, Persona, RoundRobin, ScriptedModel
from syndisco_widgets.errors import ConfigError, ModelError, TurnError
from syndisco_widgets.models import BaseModel, ChatPrompt


class ReturnsNumber(BaseModel):
    def generate(self, prompt, *, control=None, options=None):
        return 42


class ReturnsNone(BaseModel):
    def generate(self, prompt, *, control=None, options=None):
        return None


@pytest.mark.parametrize("backend", [ReturnsNumber, ReturnsNone])
def test_non_text_is_a_model_error_naming_the_model(backend):
    model = backend("odd")
    with pytest.raises(ModelError, match=r"model 'odd' returned .*not text"):
        model.prompt(ChatPrompt.single("s", "hi"))


def test_non_text_in_a_discussion_is_a_turn_error_and_the_log_is_kept():
    good, odd = ScriptedModel(["fine"]), ReturnsNumber("odd")
    ann = Actor(good, Persona(username="Ann"))
    bob = Actor(odd, Persona(username="Bob"))
    conv = Discussion(RoundRobin(["Ann", "Bob"]), [ann, bob], conv_len=4)
    conv.step()
    with pytest.raises(TurnError, match="Bob's turn") as caught:
        conv.step()
    assert isinstance(caught.value.__cause__, ModelError)
    assert caught.value.speaker == "Bob" and len(conv.logs) == 1


def test_strip_strings_removes_whole_strings_only():
    model = ScriptedModel(["Hello there <|im_end|>"], strip_strings=["<|im_end|>"])
    assert model.prompt(ChatPrompt.single("s", "hi")) == "Hello there"
    kept = ScriptedModel(["Let me see"], strip_strings=["<END>"])
    assert kept.prompt(ChatPrompt.single("s", "hi")) == "Let me see"


def test_a_single_strip_string_is_refused_not_split_into_letters():
    with pytest.raises(ConfigError, match=r"strip_strings must be a list of strings.*wrap it: \['e'\]"):
        ScriptedModel(["Let me see"], strip_strings="e")
