"""Agent: system text sources, prompts, history, model resolution and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from syndisco_widgets.deliberation import MODEL_ENV_VAR, Agent, DeliberationError, resolve_model
from syndisco_widgets.deliberation.templates import PERSONA_TEMPLATES, fill
from syndisco_widgets.errors import ConfigError, ModelError, ModelLoadError
from syndisco_widgets.models import ScriptedModel

from .helpers import user_text

if TYPE_CHECKING:
    from pathlib import Path


# -- system text: one source or none ------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "clash"),
    [
        ({"system_instructions": "Be brief.", "persona": "a nurse"}, "persona"),
        ({"system_instructions": "Be brief.", "persona_template": "default"}, "persona_template"),
        ({"system_instructions": "Be brief.", "ideology": "liberal"}, "ideology"),
        ({"system_instructions": "Be brief.", "filters": {"state": "Ohio"}}, "filters"),
    ],
)
def test_system_instructions_cannot_be_combined(model: ScriptedModel, kwargs: Any, clash: Any) -> None:
    with pytest.raises(ConfigError, match=f"cannot be combined with {clash}"):
        Agent(model=model, **kwargs)


def test_other_conflicting_arguments(model: ScriptedModel) -> None:
    with pytest.raises(ConfigError, match="needs a persona"):
        Agent(persona_template="default", model=model)
    with pytest.raises(ConfigError, match="leave persona out"):
        Agent(persona="a nurse", ideology="liberal", model=model)
    with pytest.raises(ConfigError, match="unknown template name 'defualt'"):
        Agent(persona="a nurse", persona_template="defualt", model=model)
    with pytest.raises(ConfigError, match="only used for survey personas"):
        Agent(persona="a nurse", seed=3, model=model)
    with pytest.raises(ConfigError, match="non-empty string"):
        Agent(system_instructions="", model=model)


def test_no_system_text_means_no_system_message(model: ScriptedModel) -> None:
    agent = Agent(model=model, task="Say hi.")
    agent.process()
    call = model.calls[-1]
    assert call.system == "" and call.as_chat() == [{"role": "user", "content": "Say hi."}]
    assert agent.system_instructions is None
    assert agent.history[0]["prompts"]["system"] is None
    assert "None" not in repr(call.as_chat())


def test_system_instructions_are_sent_exactly_as_written(model: ScriptedModel) -> None:
    text = "  You are terse. Prices like $$5 and words like None stay.  "
    Agent(system_instructions=text, model=model, task="t").process()
    assert model.calls[-1].system == text


def test_persona_fills_the_default_template(model: ScriptedModel) -> None:
    agent = Agent(persona="a nurse from Ohio", model=model)
    assert agent.persona_template == "default"
    assert agent.system_instructions == fill(PERSONA_TEMPLATES["default"], persona="a nurse from Ohio")
    custom = Agent(persona="a farmer", persona_template="I am ${persona}. Answer as me.", model=model)
    assert custom.system_instructions == "I am a farmer. Answer as me."


def test_user_text_is_never_altered(model: ScriptedModel) -> None:
    task = "Is None of the above a valid answer? Cost: $$5, ${task} stays."
    agent = Agent(model=model)
    agent.process(task=task, previous_responses="None. Also None.")
    text = user_text(model.calls[-1])
    assert text.startswith(task + "\n\n")
    assert "[Response" not in text and "None. Also None." in text


def test_process_with_and_without_previous_responses(model: ScriptedModel) -> None:
    agent = Agent(model=model, task="Pick a colour.", combination_instructions="voting")
    assert agent.process() == "Reply 1"
    assert user_text(model.calls[0]) == "Pick a colour."
    agent.process(previous_responses=["red", "blue"])
    text = user_text(model.calls[1])
    assert text.startswith("Pick a colour.\n\n") and "[Response 1]: red\n\n[Response 2]: blue" in text
    assert "one clear, definite conclusion" in text  # the 'voting' instructions: reach one conclusion
    assert agent.responses == ["Reply 1", "Reply 2"]
    assert [h["prompts"]["user"] for h in agent.history] == [user_text(c) for c in model.calls]
    assert agent.history[0]["model"] == "scripted"
    with pytest.raises(ConfigError, match="no task"):
        Agent(model=model).process()


def test_info_and_history_are_copies(model: ScriptedModel) -> None:
    agent = Agent(persona="a nurse", model=model, task="t", name="Nia")
    agent.process()
    info = agent.info
    assert info["name"] == "Nia" and info["persona"] == "a nurse" and info["model"] == "scripted"
    assert info["history"] == agent.history and info["survey"] is None
    agent.history.clear()
    assert len(agent.history) == 1
    agent.reset()
    assert agent.history is None and agent.responses is None and agent.prompts is None  # as in Plurals


def test_model_error_raises_with_context_never_none() -> None:
    failing = ScriptedModel(fail_on_call=1)
    agent = Agent(model=failing, task="t", name="Nia")
    with pytest.raises(DeliberationError, match=r"agent 'Nia' failed.*scripted failure on call 1") as info:
        agent.process()
    assert isinstance(info.value, ModelError) and isinstance(info.value.__cause__, ModelError)
    assert agent.history is None


# -- model= resolution ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["gpt-4o", "gpt-3.5-turbo", "gpt-4o-mini", "claude-3-opus", "openai/gpt-4o"])
def test_api_model_names_give_a_clear_error(name: Any) -> None:
    with pytest.raises(ModelLoadError, match=r"hosted API model.*BaseModel.*Hugging Face id"):
        Agent(model=name)


def test_missing_model_needs_env_var(monkeypatch: pytest.MonkeyPatch, model: ScriptedModel) -> None:
    monkeypatch.delenv(MODEL_ENV_VAR, raising=False)
    with pytest.raises(ConfigError, match=f"needs a model.*{MODEL_ENV_VAR}"):
        Agent()
    monkeypatch.setenv(MODEL_ENV_VAR, "gpt-4o")
    with pytest.raises(ModelLoadError):
        Agent()
    assert resolve_model(model) is model
    with pytest.raises(ConfigError):
        resolve_model(42)


def test_same_string_gives_the_same_model_object(tiny_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a = Agent(model=tiny_path, max_out_tokens=4)
    b = Agent(model=tiny_path, max_out_tokens=4)
    assert a.model is b.model and a.model.name == tiny_path
    assert Agent(model=tiny_path, max_out_tokens=5).model is not a.model
    monkeypatch.setenv(MODEL_ENV_VAR, tiny_path)
    assert Agent(max_out_tokens=4).model is a.model


def test_missing_local_folder_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        Agent(model=str(tmp_path / "nope"))
