"""Moderator: system text sources, placeholders, auto instructions, reuse."""

from __future__ import annotations

from typing import Any

import pytest

from syndisco_widgets.deliberation import (
    Agent,
    Chain,
    DeliberationError,
    Ensemble,
    Moderator,
    instructions_problem,
)
from syndisco_widgets.deliberation.templates import (
    AUTO_MODERATOR_SYSTEM,
    MODERATOR_COMBINATION_INSTRUCTIONS,
    MODERATOR_PERSONAS,
    fill,
)
from syndisco_widgets.errors import ConfigError, SyndiscoWarning
from syndisco_widgets.models import ScriptedModel

from .helpers import user_text

TASK = "Name a fruit."


def test_persona_and_system_instructions_are_exclusive(model: ScriptedModel) -> None:
    with pytest.raises(ConfigError, match="pass only one"):
        Moderator(persona="default", system_instructions="Summarise.", model=model)
    with pytest.raises(ConfigError, match="unknown template name 'defualt'"):
        Moderator(persona="defualt", model=model)
    with pytest.raises(ConfigError, match="unknown template name 'sum'"):
        Moderator(combination_instructions="sum", model=model)
    with pytest.warns(SyndiscoWarning, match=r"\$\{previous_responses\}"):  # accepted, as in Plurals
        moderator = Moderator(combination_instructions="Combine everything please.", model=model)
    assert moderator.combination_instructions == "Combine everything please."


def test_default_moderator_knows_the_task_in_system_and_user_text(model: ScriptedModel) -> None:
    moderator = Moderator(model=model)
    assert moderator.persona == "default"
    chain = Chain([Agent(model=model), Agent(model=model)], task=TASK, moderator=moderator)
    chain.process()
    call = model.calls[-1]
    assert call.system == fill(MODERATOR_PERSONAS["default"], task=TASK)
    assert TASK in call.system and "${task}" not in call.system
    text = user_text(call)
    assert text.startswith(TASK + "\n\n")
    assert "[Response 1]: Reply 1\n\n[Response 2]: Reply 2" in text
    assert text == TASK + "\n\n" + fill(
        MODERATOR_COMBINATION_INSTRUCTIONS["default"],
        previous_responses="[Response 1]: Reply 1\n\n[Response 2]: Reply 2",
    )


def test_custom_persona_and_dollar_placeholder(model: ScriptedModel) -> None:
    moderator = Moderator(
        persona="You are an expert overseeing a discussion about ${task}",
        combination_instructions="Come to a final conclusion based on previous responses: $previous_responses",
        model=model,
    )
    Chain([Agent(model=model), Agent(model=model)], task=TASK, moderator=moderator).process()
    call = model.calls[-1]
    assert call.system == f"You are an expert overseeing a discussion about {TASK}"
    assert user_text(call).endswith("previous responses: [Response 1]: Reply 1\n\n[Response 2]: Reply 2")


def test_system_instructions_without_placeholder_are_kept_verbatim(model: ScriptedModel) -> None:
    with pytest.warns(UserWarning, match=r"no \$\{task\} placeholder"):
        moderator = Moderator(
            system_instructions="Summarize previous responses as neutrally as possible.",
            combination_instructions="second_wave",
            model=model,
        )
    assert moderator.system_instructions == "Summarize previous responses as neutrally as possible."
    assert moderator.process(task=TASK, previous_responses=["a", "b"]) == "Reply 1"
    assert model.calls[0].system == "Summarize previous responses as neutrally as possible."


def test_own_task_fills_the_system_text_but_the_run_task_leads_the_message(model: ScriptedModel) -> None:
    moderator = Moderator(persona="Moderate talk about ${task}.", task="pants", model=model)
    assert moderator.system_instructions == "Moderate talk about pants."
    with pytest.warns(SyndiscoWarning, match="keeps its own task 'pants'"):  # as Plurals warns
        ensemble = Ensemble([Agent(model=model)], task=TASK, moderator=moderator)
    ensemble.process()
    assert moderator.task == "pants"
    assert model.calls[-1].system == "Moderate talk about pants."
    assert user_text(model.calls[-1]).startswith(TASK)


def test_auto_makes_one_generation_call_per_run() -> None:
    model = ScriptedModel(["Group similar ideas and keep the most original ones.", "agent answer"])
    moderator = Moderator(system_instructions="auto", model=model)
    assert moderator.auto and moderator.system_instructions is None
    chain = Chain([Agent(model=model), Agent(model=model)], task=TASK, moderator=moderator)
    for _run in (1, 2):
        model.calls.clear()
        chain.process()
        generation_calls = [c for c in model.calls if c.system == AUTO_MODERATOR_SYSTEM]
        assert len(generation_calls) == 1 and len(model.calls) == 4
        assert TASK in user_text(generation_calls[0])
        assert model.calls[-1].system == "Group similar ideas and keep the most original ones."
    assert chain.moderator.system_instructions == "Group similar ideas and keep the most original ones."
    assert len(moderator.history) == 1  # reused across runs without old responses


def test_auto_declared_outside_uses_its_own_task() -> None:
    model = ScriptedModel(
        lambda p: "Look for practical uses." if p.system == AUTO_MODERATOR_SYSTEM else "idea"
    )
    moderator = Moderator(system_instructions="auto", model=model, task="What is a creative use for pants?")
    with pytest.warns(SyndiscoWarning, match="keeps its own task"):  # as Plurals warns
        chain = Chain([Agent(model=model), Agent(model=model)], moderator=moderator, task=TASK)
    chain.process()
    assert "creative use for pants" in user_text(model.calls[0])
    assert user_text(model.calls[-1]).startswith(TASK)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "12345",
        "Use ${task} here.",
        "Use $previous_responses.",
        "x" * 1600 + " words",
        "<|im_end|> hi",
    ],
)
def test_instructions_problem_rejects_junk(bad: Any) -> None:
    assert instructions_problem(bad) is not None


def test_invalid_answers_raise_value_error_after_max_tries() -> None:
    model = ScriptedModel(["", "${task}", "Summarise fairly and name disagreements."])
    moderator = Moderator(system_instructions="auto", model=model)
    with pytest.raises(ValueError, match=r"in 2 tries.*template or control text"):
        moderator.generate_system_instructions(TASK, max_tries=2)
    assert len(model.calls) == 2
    assert moderator.generate_system_instructions(TASK) == "Summarise fairly and name disagreements."
    assert moderator.auto  # generate_* alone does not set anything


def test_generate_and_set_fixes_the_instructions() -> None:
    model = ScriptedModel(["Weigh each idea on originality.", "ans"])
    moderator = Moderator(system_instructions="auto", model=model)
    moderator.generate_and_set_system_instructions(TASK)
    assert not moderator.auto and moderator.system_instructions == "Weigh each idea on originality."
    model.calls.clear()
    Chain([Agent(model=model)], task=TASK, moderator=moderator).process()
    assert len(model.calls) == 2  # no generation call any more


def test_auto_failure_stops_the_run_before_agents_speak() -> None:
    model = ScriptedModel([""])
    chain = Chain(
        [Agent(model=model)], task=TASK, moderator=Moderator(system_instructions="auto", model=model)
    )
    with pytest.raises(ValueError, match="10 tries"):
        chain.process()
    assert len(model.calls) == 10 and len(chain.logs) == 0


def test_moderator_model_error_has_context(model: ScriptedModel) -> None:
    failing = ScriptedModel(fail_on_call=1)
    chain = Chain([Agent(model=model)], task=TASK, moderator=Moderator(model=failing))
    with pytest.raises(DeliberationError, match="Chain: moderator 'Moderator' failed in cycle 1") as info:
        chain.process()
    assert info.value.agent == "moderator 'Moderator'" and len(chain.logs) == 1


def test_direct_process_without_responses_or_task() -> None:
    model = ScriptedModel()
    moderator = Moderator(model=model)
    assert moderator.process(task=TASK) == "Reply 1"
    user = model.calls[0].messages[0]["content"]
    assert user.startswith(TASK + "\n\n") and "(no responses)" in user
    with pytest.raises(
        ConfigError, match=r"has no task: pass process\(task=\.\.\.\) or Moderator\(task=\.\.\.\)"
    ):
        Moderator(model=model).process()
