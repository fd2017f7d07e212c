"""A model written SynDisco's way (only ``_generate_response``) works wherever our models do."""

from __future__ import annotations

import pytest

import syndisco_widgets as sw
from syndisco_widgets.deliberation import Agent, Ensemble, Moderator
from syndisco_widgets.models import BaseModel, ChatPrompt, GenerationControl

from .helpers import EchoModel

PERSONAS = [sw.Persona(username="Ann"), sw.Persona(username="Bob")]


def test_prompt_takes_syndiscos_two_strings_and_our_chat_prompt():
    model = EchoModel()
    assert model.prompt("sys", "user") == "echo #1"  # strip strings removed, as in SynDisco
    assert model.prompt(ChatPrompt.single("sys", "again")) == "echo #2"
    assert model.calls == [("sys", "user"), ("sys", "again")]
    assert model.get_name() == "echo" and model.stop_list == ["<junk>"]


def test_a_model_that_writes_neither_method_is_refused_naming_both():
    class Empty(BaseModel):
        pass

    with pytest.raises(TypeError, match=r"generate\(.*_generate_response"):
        Empty("empty")


def test_a_multi_message_prompt_reaches_the_model_as_one_user_text():
    model = EchoModel()
    prompt = ChatPrompt("sys", ({"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}))
    model.complete(prompt)
    assert model.calls == [("sys", "user: hi\n\nassistant: hello")]


def test_streaming_gets_the_whole_reply_at_once():
    pieces: list[str] = []
    text = (
        EchoModel()
        .complete(ChatPrompt.single("s", "u"), control=GenerationControl(on_text=pieces.append))
        .text
    )
    assert text == "echo #1" and pieces == ["echo #1<junk>"]


def _discussion(model: BaseModel) -> sw.Discussion:
    actors = [sw.Actor(model, p, sw.ActorType.USER) for p in PERSONAS]
    return sw.Discussion(sw.RoundRobin([a.name for a in actors]), actors, conv_len=3)


def test_in_our_discussions_and_batched_runs():
    model = EchoModel()
    discussion = _discussion(model)
    discussion.begin(verbose=False)
    assert [e["text"] for e in discussion.logs] == ["echo #1", "echo #2", "echo #3"]
    assert "Ann" in model.calls[0][0]  # our system prompt says who speaks
    batch_model = EchoModel()
    many = [_discussion(batch_model) for _ in range(3)]
    sw.run_discussions(many, batch_size=8, verbose=False)
    assert all(len(d.logs) == 3 for d in many) and len(batch_model.calls) == 9  # a batch is a loop


def test_in_deliberation_structures():
    model = EchoModel()
    ensemble = Ensemble(
        [Agent(model=model), Agent(model=model)], task="Fares?", moderator=Moderator(model=model)
    )
    ensemble.process()
    assert ensemble.responses == ["echo #1", "echo #2", "echo #3"] and ensemble.final_response == "echo #3"


def test_in_the_discussion_studio():
    from syndisco_widgets.widgets import DiscussionStudio

    model = EchoModel()
    studio = DiscussionStudio(model, PERSONAS, conv_len=2)
    try:
        studio.controls.run_button.click()
        assert studio.runner.wait(10)
        assert [e["text"] for e in studio.logs] == ["echo #1", "echo #2"]
    finally:
        studio.close()
