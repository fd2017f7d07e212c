"""Chain, Debate and Ensemble: who saw what, in which order; re-runs; outputs; errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from syndisco_widgets.deliberation import (
    Agent,
    Chain,
    Debate,
    DeliberationError,
    Ensemble,
    Moderator,
    logs_to_frame,
)
from syndisco_widgets.deliberation.templates import COMBINATION_INSTRUCTIONS
from syndisco_widgets.engine import Logs
from syndisco_widgets.errors import ConfigError
from syndisco_widgets.models import ScriptedModel

from .helpers import entries, sent, user_text

if TYPE_CHECKING:
    from pathlib import Path

    from syndisco_widgets.models.base import ChatPrompt

TASK = "How should a town spend its budget?"


def agents(model: ScriptedModel, n: int, **kwargs: Any) -> list[Agent]:
    return [Agent(model=model, **kwargs) for _ in range(n)]


def shown(call: ChatPrompt) -> list[str]:
    """The '[label]: text' lines an agent was shown, as 'label=text'."""
    lines = [line for line in user_text(call).split("\n") if line.startswith("[")]
    return [line[1:].replace("]: ", "=", 1) for line in lines]


# -- Chain -----------------------------------------------------------------------------
def test_chain_each_agent_sees_the_last_n_earlier_responses(model: ScriptedModel) -> None:
    chain = Chain(agents(model, 4), task=TASK, last_n=2, combination_instructions="chain")
    assert chain.process() == "Reply 4" == chain.final_response
    assert [shown(c) for c in model.calls] == [
        [],
        ["Response 1=Reply 1"],
        ["Response 1=Reply 1", "Response 2=Reply 2"],
        ["Response 1=Reply 2", "Response 2=Reply 3"],
    ]
    assert user_text(model.calls[0]) == TASK
    assert "Keep the strongest points made so far" in user_text(model.calls[1])  # 'chain'
    assert chain.responses == ["Reply 1", "Reply 2", "Reply 3", "Reply 4"]
    assert [e["seen"] for e in entries(chain.logs)] == [[], [0], [0, 1], [1, 2]]
    assert [e["context"] for e in entries(chain.logs)] == [None, [0, 1], [0, 2], [1, 3]]
    assert all(isinstance(e["options"]["seed"], int) for e in chain.logs)


def test_chain_cycles_continue_the_window_and_last_n_zero_hides_everything(model: ScriptedModel) -> None:
    chain = Chain(agents(model, 2), task=TASK, cycles=2, last_n=1)
    chain.process()
    assert [shown(c) for c in model.calls] == [
        [],
        ["Response 1=Reply 1"],
        ["Response 1=Reply 2"],
        ["Response 1=Reply 3"],
    ]
    assert [e["cycle"] for e in entries(chain.logs)] == [1, 1, 2, 2]
    blind = Chain(agents(ScriptedModel(), 3), task=TASK, last_n=0)
    blind.process()
    assert all(user_text(c) == TASK for c in blind.agents[0].model.calls)


def test_structure_task_replaces_agent_task_with_a_warning(model: ScriptedModel) -> None:
    with pytest.warns(UserWarning, match="replaces the own task"):
        chain = Chain([Agent(model=model, task="old"), Agent(model=model)], task=TASK)
    chain.process()
    assert all(user_text(c).startswith(TASK) for c in model.calls)
    own = Chain([Agent(model=model, task="A?"), Agent(model=model, task="B?")])
    model.calls.clear()
    own.process()
    assert [user_text(c).split("\n")[0] for c in model.calls] == ["A?", "B?"]
    with pytest.raises(ConfigError, match=r"has no task, and neither do \['Agent 2'\]"):
        Chain([Agent(model=model, task="A?"), Agent(model=model)])


def test_agent_combination_instructions_win_over_the_structure(model: ScriptedModel) -> None:
    mine = "Mine: ${previous_responses}"
    Chain(
        [Agent(model=model), Agent(model=model, combination_instructions=mine)],
        task=TASK,
        combination_instructions="voting",
    ).process()
    assert user_text(model.calls[1]) == TASK + "\n\nMine: [Response 1]: Reply 1"


# -- Debate ------------------------------------------------------------------------------
def test_debate_needs_exactly_two_agents(model: ScriptedModel) -> None:
    for n in (1, 3):
        with pytest.raises(ConfigError, match=f"exactly 2 agents, got {n}"):
            Debate(agents(model, n), task=TASK)
    with pytest.raises(ValueError):
        Debate([], task=TASK)


def test_debate_labels_own_and_other_lines_and_moderator_sees_debaters(model: ScriptedModel) -> None:
    debate = Debate(agents(model, 2), task=TASK, cycles=2, moderator=Moderator(model=model))
    assert debate.combination_instructions == "debate" and debate.names == ["Debater 1", "Debater 2"]
    debate.process()
    assert [shown(c) for c in model.calls[:4]] == [
        [],
        ["Other=Reply 1"],
        ["You=Reply 1", "Other=Reply 2"],
        ["Other=Reply 1", "You=Reply 2", "Other=Reply 3"],
    ]
    assert COMBINATION_INSTRUCTIONS["debate"].split("\n")[0] in user_text(model.calls[1])
    assert shown(model.calls[4]) == [
        "Debater 1=Reply 1",
        "Debater 2=Reply 2",
        "Debater 1=Reply 3",
        "Debater 2=Reply 4",
    ]
    assert debate.final_response == debate.moderator_response == "Reply 5"
    # as in Plurals: each debater's reply labelled, the moderator's last (agents' histories stay unlabelled)
    assert debate.responses == [
        "[Debater 1] Reply 1",
        "[Debater 2] Reply 2",
        "[Debater 1] Reply 3",
        "[Debater 2] Reply 4",
        "Reply 5",
    ]
    assert [h["response"] for h in debate.agents[0].history or []] == ["Reply 1", "Reply 3"]


def test_debate_last_n_and_shuffle_keep_debater_identity(model: ScriptedModel) -> None:
    debate = Debate(
        [Agent(model=model, name="Pro"), Agent(model=model, name="Con")],
        task=TASK,
        cycles=3,
        last_n=1,
        shuffle=True,
        seed=4,
    )
    debate.process()
    speakers = [e["name"] for e in entries(debate.logs)]
    for entry, call in zip(list(debate.logs)[1:], model.calls[1:], strict=False):
        (line,) = shown(call)
        previous = speakers[entry["seen"][0]]
        assert line.startswith("You=" if previous == entry["name"] else "Other=")


# -- Ensemble -------------------------------------------------------------------------------
def test_ensemble_answers_independently_in_one_batch_per_cycle(model: ScriptedModel) -> None:
    ensemble = Ensemble(agents(model, 10), task=TASK, cycles=2)
    ensemble.process()
    assert len(model.batch_calls) == 2 and [len(b) for b in model.batch_calls] == [10, 10]
    assert all(user_text(c) == TASK for c in model.calls)
    assert ensemble.responses == [f"Reply {i}" for i in range(1, 21)]
    assert [e["seen"] for e in entries(ensemble.logs)] == [[]] * 20
    assert next(a.responses for a in ensemble.agents) == ["Reply 1", "Reply 11"]


def test_ensemble_groups_by_model_object(model: ScriptedModel) -> None:
    other = ScriptedModel(name="other")
    members = [Agent(model=model), Agent(model=other), Agent(model=model)]
    ensemble = Ensemble(members, task=TASK, moderator=Moderator(model=other))
    ensemble.process()
    assert [len(b) for b in model.batch_calls] == [2] and [len(b) for b in other.batch_calls] == [1]
    assert ensemble.names == ["Agent 1", "Agent 2", "Agent 3"]
    assert [e["model"] for e in entries(ensemble.logs)] == ["scripted", "other", "scripted", "other"]
    assert shown(other.calls[-1]) == ["Response 1=Reply 1", "Response 2=Reply 1", "Response 3=Reply 2"]


def test_ensemble_batch_failure_names_the_agents_and_cycle() -> None:
    failing = ScriptedModel(fail_on_call=3)
    ensemble = Ensemble(agents(failing, 2), task=TASK, cycles=2)
    with pytest.raises(DeliberationError, match=r"\['Agent 1', 'Agent 2'\].*failed in cycle 2") as info:
        ensemble.process()
    assert info.value.cycle == 2 and len(ensemble.logs) == 2  # cycle 1 is kept


# -- shared behaviour ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Chain, Debate, Ensemble])
def test_rerun_gives_a_fresh_independent_run(kind: Any) -> None:
    model = ScriptedModel()
    structure = kind(agents(model, 2), task=TASK, moderator=Moderator(model=model))
    structure.process()
    first_calls = len(model.calls)
    structure.process()
    assert len(model.calls) == 2 * first_calls
    assert len(structure.responses) == 3 and len(structure.logs) == 3  # the moderator's is last
    assert all(len(a.history or []) == 1 for a in structure.agents)
    assert len(structure.moderator.history or []) == 1
    # the second run's prompts only contain second-run replies
    seen_replies = [line.split("=Reply ")[1] for c in model.calls[first_calls:] for line in shown(c)]
    assert seen_replies and all(int(n) > first_calls for n in seen_replies)
    assert structure.responses[0].endswith(f"Reply {first_calls + 1}")
    assert structure.responses[-1] == structure.final_response


def test_seeded_shuffle_repeats_and_differs_between_seeds(model: ScriptedModel) -> None:
    def order(seed: int) -> list[str]:
        chain = Chain(
            [Agent(model=model, name=str(i)) for i in range(6)], task=TASK, shuffle=True, cycles=3, seed=seed
        )
        chain.process()
        first = [e["name"] for e in entries(chain.logs)]
        chain.process()
        assert [e["name"] for e in entries(chain.logs)] == first and chain.last_seed == seed
        return first

    assert order(1) == order(1)
    assert order(1) != order(2)
    assert sorted(order(1)[:6]) == [str(i) for i in range(6)]
    unseeded = Chain(agents(model, 3), task=TASK, shuffle=True)
    unseeded.process()
    assert (
        isinstance(unseeded.last_seed, int)
        and unseeded.info["structure_information"]["last_seed"] == unseeded.last_seed
    )
    assert Chain(agents(model, 3), task=TASK).names == ["Agent 1", "Agent 2", "Agent 3"]


def test_no_none_system_message_anywhere(model: ScriptedModel) -> None:
    Chain(agents(model, 2), task=TASK, moderator=Moderator(model=model)).process()
    Debate(agents(model, 2), task=TASK).process()
    Ensemble(agents(model, 2), task=TASK).process()
    agent_calls = [c for c in model.calls if not c.system.startswith("You are a skilled, neutral moderator")]
    assert agent_calls and all(c.system == "" and c.as_chat()[0]["role"] == "user" for c in agent_calls)
    assert not any("None" in m["content"] for c in model.calls for m in c.as_chat())


def test_constructor_errors(model: ScriptedModel) -> None:
    a, b = agents(model, 2)
    with pytest.raises(ConfigError, match="same Agent object"):
        Chain([a, a], task=TASK)
    with pytest.raises(ConfigError, match=r"moderator=..."):
        Chain([a, Moderator(model=model)], task=TASK)
    with pytest.raises(ConfigError, match="non-empty list"):
        Ensemble([], task=TASK)
    with pytest.raises(ConfigError, match="unique"):
        Chain([Agent(model=model, name="x"), Agent(model=model, name="x")], task=TASK)
    with pytest.raises(ConfigError, match="cycles"):
        Chain([a, b], task=TASK, cycles=0)
    with pytest.raises(ConfigError, match="last_n"):
        Chain([a, b], task=TASK, last_n=-1)
    with pytest.raises(ConfigError, match="unknown template name 'debat'"):
        Debate([a, b], task=TASK, combination_instructions="debat")
    with pytest.raises(ConfigError, match="moderator must be a Moderator"):
        Chain([a, b], task=TASK, moderator=a)


def test_chain_error_names_agent_and_cycle_and_keeps_partial_logs() -> None:
    failing = ScriptedModel(fail_on_call=4)
    chain = Chain(agents(failing, 3), task=TASK, cycles=2)
    with pytest.raises(DeliberationError, match=r"Chain: 'Agent 1' failed in cycle 2") as info:
        chain.process()
    assert (info.value.agent, info.value.cycle, info.value.structure) == ("'Agent 1'", 2, "Chain")
    assert len(chain.logs) == 3 and chain.final_response is None


# -- outputs --------------------------------------------------------------------------------
def test_logs_follow_the_engine_entry_format(model: ScriptedModel, tmp_path: Path) -> None:
    chain = Chain(
        [Agent(persona="a baker", model=model), Agent(model=model)],
        task=TASK,
        moderator=Moderator(model=model),
    )
    chain.process()
    logs = chain.logs
    assert isinstance(logs, Logs) and len(logs) == 3
    first, _, last = list(logs)
    assert list(first)[:4] == ["name", "text", "model", "prompt"]
    assert (first["role"], first["source"], first["cycle"], first["context"]) == ("user", "model", 1, None)
    assert (last["role"], last["name"], last["seen"], last["context"]) == (
        "moderator",
        "Moderator",
        [0, 1],
        [0, 2],
    )
    # the prompt is exactly what the model was sent
    for entry, call in zip(logs, model.calls, strict=False):
        assert sent(entry) == {"system": call.system or None, "messages": [dict(m) for m in call.messages]}
    assert sent(logs[1])["system"] is None
    # round trip through the engine's file format, prompts included
    path = tmp_path / "run.json"
    text = chain.to_json(path)
    assert Logs.from_file(path) == logs
    data = json.loads(text)
    assert data["structure"]["structure"] == "Chain" and data["logs"] == [dict(e) for e in logs]
    assert logs.to_pandas().shape[0] == 3


def test_to_dataframe_is_tidy(model: ScriptedModel) -> None:
    debate = Debate(agents(model, 2), task=TASK, cycles=2, moderator=Moderator(model=model))
    debate.process()
    frame = debate.to_pandas()
    assert list(frame.columns) == [
        "turn",
        "agent",
        "cycle",
        "role",
        "is_moderator",
        "model",
        "system",
        "prompt",
        "response",
        "seen",
        "seed",
    ]
    assert frame["agent"].tolist() == ["Debater 1", "Debater 2", "Debater 1", "Debater 2", "Moderator"]
    assert frame["cycle"].tolist() == [1, 1, 2, 2, 2]
    assert frame["is_moderator"].tolist() == [False] * 4 + [True]
    assert frame["response"].tolist() == [f"Reply {i}" for i in range(1, 6)]
    assert frame.loc[0, "prompt"] == TASK and frame["system"].iloc[:4].isna().all()
    assert frame.equals(logs_to_frame(debate.logs))
    empty = Chain(agents(model, 1), task=TASK).to_pandas()
    assert isinstance(empty, pd.DataFrame) and empty.empty


def test_info_and_defaults(model: ScriptedModel) -> None:
    chain = Chain(
        [Agent(model=model, persona="a baker"), Agent(model=model)],
        task=TASK,
        moderator=Moderator(model=model),
    )
    chain.process()
    info = chain.info
    assert info["structure_information"]["final_response"] == chain.final_response
    assert info["structure_information"]["responses"] == chain.responses
    assert info["structure_information"]["moderator"]["persona"] == "default"
    assert [a["log_name"] for a in info["agent_information"]] == ["Agent 1", "Agent 2"]
    assert info["agent_information"][0]["persona"] == "a baker"
    assert chain.moderated and not Chain(agents(model, 1), task=TASK).moderated
    assert set(chain.defaults) == {"persona_template", "combination_instructions", "moderator"}
    json.dumps(info)  # JSON-friendly


def test_shuffled_ensemble_sends_each_agent_its_own_prompt_every_cycle() -> None:
    model = ScriptedModel()
    members = [Agent(persona=f"person {i}", model=model) for i in range(3)]
    ensemble = Ensemble(members, task=TASK, cycles=3, shuffle=True, seed=5)
    ensemble.process()
    for entry in ensemble.logs:
        persona = f"person {ensemble.names.index(entry['name'])}"
        assert persona in sent(entry)["system"]
    assert [len(a.history) for a in members] == [3, 3, 3]


def test_agent_without_task_names_its_class() -> None:
    with pytest.raises(
        ConfigError, match=r"has no task: pass process\(task=\.\.\.\) or Agent\(task=\.\.\.\)"
    ):
        Agent(model=ScriptedModel()).process()


def test_ensemble_keeps_replies_of_groups_that_finished_when_another_group_fails() -> None:
    from syndisco_widgets.deliberation import Agent, DeliberationError, Ensemble
    from syndisco_widgets.models import ScriptedModel

    good, bad = ScriptedModel(["fine"], name="good"), ScriptedModel(fail_on_call=1, name="bad")
    agents = [
        Agent(system_instructions="a", model=good),
        Agent(system_instructions="b", model=bad),
        Agent(system_instructions="c", model=good),
    ]
    ensemble = Ensemble(agents, task="Say something.")
    with pytest.raises(DeliberationError, match=r"batched call .* on model 'bad' failed in cycle 1"):
        ensemble.process()
    assert [e["text"] for e in entries(ensemble.logs)] == ["fine", "fine"]
    assert [e["model"] for e in entries(ensemble.logs)] == ["good", "good"]
