"""Every example of the reference deliberation API, run locally.

API model names ('gpt-4o', ...) are replaced by local stand-in models: the
scripted ``stand_in(name)`` models here, and the tiny random model at the end.
Passing the API names themselves gives a clear error instead of a network call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from syndisco_widgets.deliberation import Agent, Chain, Debate, Ensemble, Graph, Moderator
from syndisco_widgets.deliberation.templates import AUTO_MODERATOR_SYSTEM
from syndisco_widgets.errors import ModelLoadError, SyndiscoWarning
from syndisco_widgets.models import ScriptedModel

from .helpers import entries, user_text

if TYPE_CHECKING:
    from .conftest import StandIn

pytestmark = pytest.mark.filterwarnings("ignore::syndisco_widgets.deliberation.SyntheticDataWarning")


def test_api_names_from_the_examples_are_rejected_clearly() -> None:
    for name in ("gpt-4o", "gpt-3.5-turbo", "gpt-4o-mini"):
        with pytest.raises(ModelLoadError, match="local"):
            Agent(persona="a liberal woman from Missouri", model=name)
        with pytest.raises(ModelLoadError, match="local"):
            Moderator(persona="default", model=name)


def test_chain_example(stand_in: StandIn) -> None:
    agent1 = Agent(persona="a liberal woman from Missouri", model=stand_in("gpt-4o"))
    agent2 = Agent(persona="a 24 year old hispanic man from Florida", model=stand_in("gpt-4o"))
    agent3 = Agent(persona="an elderly woman with a PhD", model=stand_in("gpt-4o"))
    chain = Chain(
        [agent1, agent2, agent3],
        task="How should we combat climate change?",
        combination_instructions="chain",
    )
    chain.process()
    assert chain.final_response == "Reply 3"
    calls = stand_in("gpt-4o").calls
    assert ["Missouri" in calls[0].system, "Florida" in calls[1].system, "PhD" in calls[2].system] == [
        True
    ] * 3
    assert "[Response 2]: Reply 2" in user_text(calls[2])


def test_debate_example(stand_in: StandIn) -> None:
    task = "To what extent should the government be involved in providing free welfare to citizens?"
    agent1 = Agent(persona="a liberal", persona_template="default", model=stand_in("gpt-4o"))
    agent2 = Agent(persona="a conservative", persona_template="default", model=stand_in("gpt-4o"))
    moderator = Moderator(
        persona="You are a neutral moderator overseeing this task, ${task}",
        model=stand_in("gpt-4o"),
        combination_instructions="default",
    )
    debate = Debate([agent1, agent2], task=task, combination_instructions="debate", moderator=moderator)
    debate.process()
    calls = stand_in("gpt-4o").calls
    assert debate.final_response == "Reply 3"
    assert calls[-1].system == f"You are a neutral moderator overseeing this task, {task}"
    assert "[Other]: Reply 1" in user_text(calls[1])
    assert "[Debater 1]: Reply 1\n\n[Debater 2]: Reply 2" in user_text(calls[-1])


def test_ensemble_example(stand_in: StandIn) -> None:
    task = "Brainstorm ideas to improve America."
    agents = [Agent(persona="random", model=stand_in("gpt-4o")) for i in range(10)]
    moderator = Moderator(persona="default", model=stand_in("gpt-4o"))
    ensemble = Ensemble(agents, moderator=moderator, task=task)
    ensemble.process()
    model = stand_in("gpt-4o")
    assert ensemble.final_response == "Reply 11"
    assert len(model.batch_calls) == 1 and len(model.batch_calls[0]) == 10
    assert all(a.survey_draw is not None and a.survey_draw.synthetic for a in agents)
    assert all(c.system.startswith("HOW TO ANSWER") and "Do not reveal" in c.system for c in model.calls[:10])


@pytest.mark.parametrize("method", [1, 2])
def test_graph_examples(stand_in: StandIn, method: Any) -> None:
    model = stand_in("gpt-3.5-turbo")
    roles = ["liberal", "conservative", "libertarian"]
    if method == 1:
        agents = [Agent(system_instructions=f"you are a {r}", model=model) for r in roles]
        edges = [(0, 1), (0, 2), (1, 2)]
        task = "What are your thoughts on the role of government in society? Answer in 20 words."
    else:
        agents = {r: Agent(system_instructions=f"you are a {r}", model=model) for r in roles}
        edges = [("liberal", "conservative"), ("liberal", "libertarian"), ("conservative", "libertarian")]
        task = "What are your thoughts on the role of government in society?"
    graph = Graph(agents=agents, edges=edges, task=task)
    graph.process()
    assert [c.system for c in model.calls] == [f"you are a {r}" for r in roles]
    first, second = ("Agent 1", "Agent 2") if method == 1 else ("liberal", "conservative")
    assert f"[{first}]: Reply 1\n\n[{second}]: Reply 2" in user_text(model.calls[2])
    assert graph.final_response == "Reply 3"


def test_moderator_example_1(stand_in: StandIn) -> None:
    task = "What are your thoughts on the role of government in society? Answer in 20 words."
    moderator = Moderator(persona="default", model=stand_in("gpt-4o"), combination_instructions="default")
    agent1 = Agent(model=stand_in("gpt-3.5-turbo"))
    agent2 = Agent(model=stand_in("gpt-3.5-turbo"))
    chain = Chain([agent1, agent2], moderator=moderator, task=task)
    chain.process()
    (call,) = stand_in("gpt-4o").calls
    assert task in call.system and user_text(call).startswith(task)
    assert [c.system for c in stand_in("gpt-3.5-turbo").calls] == ["", ""]


def test_moderator_example_2(stand_in: StandIn) -> None:
    task = "What are your thoughts on the role of government in society? Answer in 10 words."
    moderator = Moderator(
        persona="You are an expert overseeing a discussion about ${task}",
        model=stand_in("gpt-4o"),
        combination_instructions="Come to a final conclusion based on previous responses: $previous_responses",
    )
    chain = Chain(
        [Agent(model=stand_in("gpt-3.5-turbo")), Agent(model=stand_in("gpt-3.5-turbo"))],
        moderator=moderator,
        task=task,
    )
    chain.process()
    (call,) = stand_in("gpt-4o").calls
    assert call.system == f"You are an expert overseeing a discussion about {task}"
    assert user_text(call).endswith("previous responses: [Response 1]: Reply 1\n\n[Response 2]: Reply 2")


def test_moderator_with_direct_system_instructions(stand_in: StandIn) -> None:
    with pytest.warns(UserWarning, match=r"no \$\{task\} placeholder"):  # as the reference warns
        moderator = Moderator(
            system_instructions="Summarize previous responses as neutrally as possible.",
            model=stand_in("gpt-4o"),
            combination_instructions="second_wave",
        )
    chain = Chain([Agent(model=stand_in("gpt-3.5-turbo"))], moderator=moderator, task="t")
    chain.process()
    (call,) = stand_in("gpt-4o").calls
    assert call.system == "Summarize previous responses as neutrally as possible."
    assert "the aim is to make the conflict clear" in user_text(call)  # second_wave


def test_auto_moderator_inside_structure() -> None:
    task = (
        "Your goal is to come up with the most creative ideas possible for pants. We are maximizing creativity. "
        "Answer in 20 words."
    )
    gpt4o = ScriptedModel(
        lambda p: (
            "Group similar ideas together and highlight the most unusual designs."
            if p.system == AUTO_MODERATOR_SYSTEM
            else "final list"
        )
    )
    a = Agent(model=gpt4o)
    b = Agent(model=ScriptedModel(name="stand-in for gpt-3.5-turbo"))
    chain = Chain([a, b], moderator=Moderator(system_instructions="auto", model=gpt4o), task=task)
    chain.process()
    assert (
        chain.moderator.system_instructions
        == "Group similar ideas together and highlight the most unusual designs."
    )
    assert chain.final_response == "final list"


def test_auto_moderator_outside_structure(stand_in: StandIn) -> None:
    task = "Pants ideas, 20 words."
    moderator_task = "What is a creative use for pants?"
    model = ScriptedModel(
        lambda p: "Favour practical, surprising uses." if p.system == AUTO_MODERATOR_SYSTEM else "ok"
    )
    moderator = Moderator(system_instructions="auto", model=model, task=moderator_task)
    a1 = Agent(model=stand_in("gpt-4o-mini"))
    a2 = Agent(model=stand_in("gpt-4o-mini"))
    with pytest.warns(SyndiscoWarning, match="keeps its own task"):  # Plurals warns here too
        chain = Chain([a1, a2], moderator=moderator, task=task)
    chain.process()
    assert moderator_task in user_text(model.calls[0])
    assert model.calls[-1].system == "Favour practical, surprising uses."
    assert moderator.generate_system_instructions(moderator_task) == "Favour practical, surprising uses."
    moderator.generate_and_set_system_instructions(moderator_task)
    assert moderator.system_instructions == "Favour practical, surprising uses."


# -- the same structures end to end on a real (tiny, random) transformers model --------------------
def tiny_agents(path, n, **kwargs):
    return [Agent(model=path, max_out_tokens=4, **kwargs) for _ in range(n)]


def test_tiny_chain_with_auto_moderator(tiny_path: str) -> None:
    chain = Chain(
        [
            Agent(persona="a liberal woman from Missouri", model=tiny_path, max_out_tokens=4),
            Agent(persona="an elderly woman with a PhD", model=tiny_path, max_out_tokens=4),
        ],
        task="How should we combat climate change?",
        combination_instructions="chain",
        moderator=Moderator(system_instructions="auto", model=tiny_path, max_out_tokens=8),
    )
    assert chain.process() == chain.final_response
    assert len(chain.logs) == 3 and all(isinstance(e["text"], str) for e in chain.logs)
    assert chain.moderator.system_instructions
    assert chain.logs[0]["model"] == tiny_path
    assert chain.to_pandas()["is_moderator"].tolist() == [False, False, True]


def test_tiny_debate(tiny_path: str) -> None:
    debate = Debate(
        tiny_agents(tiny_path, 2),
        task="Welfare?",
        cycles=2,
        moderator=Moderator(model=tiny_path, max_out_tokens=4),
    )
    debate.process()
    assert debate.to_pandas()["agent"].tolist() == ["Debater 1", "Debater 2"] * 2 + ["Moderator"]


def test_tiny_graph(tiny_path: str) -> None:
    agents = {
        n: Agent(system_instructions=f"you are a {n}", model=tiny_path, max_out_tokens=4)
        for n in ("liberal", "conservative", "libertarian")
    }
    graph = Graph(
        agents,
        [("liberal", "conservative"), ("liberal", "libertarian"), ("conservative", "libertarian")],
        task="Role of government?",
    )
    assert graph.process() == graph.responses[-1]
    assert [e["seen"] for e in entries(graph.logs)] == [[], [0], [0, 1]]


def test_tiny_ensemble_of_ten_makes_one_generate_call(
    tiny_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    agents = [Agent(persona="random", model=tiny_path, max_out_tokens=4, seed=i) for i in range(10)]
    model = agents[0].model
    assert all(a.model is model for a in agents)
    calls = []
    real = model._run_generate
    monkeypatch.setattr(
        model,
        "_run_generate",
        lambda texts, *args, **kw: calls.append(len(texts)) or real(texts, *args, **kw),
    )
    ensemble = Ensemble(agents, task="Brainstorm ideas to improve America.", cycles=2)
    ensemble.process()
    assert calls == [10, 10]
    assert len(ensemble.responses) == 20
    assert [h["prompts"]["system"] for h in agents[3].history] == [agents[3].system_instructions] * 2


def test_an_alias_lets_example_code_keep_its_api_model_names(stand_in: StandIn) -> None:
    from syndisco_widgets.deliberation import alias_model

    local = stand_in("local")
    alias_model("gpt-4o", local)
    try:
        agents = [Agent(persona="a liberal", model="gpt-4o"), Agent(persona="a conservative", model="gpt-4o")]
        debate = Debate(agents, task="Should voting be compulsory?")
        debate.process()
        assert all(a.model is local for a in agents) and len(local.calls) == 2
    finally:
        alias_model("gpt-4o", None)
    with pytest.raises(ModelLoadError, match=r"alias_model\('gpt-4o', <local model>\)"):
        Agent(persona="a liberal", model="gpt-4o")


def test_alias_loops_are_refused(stand_in: StandIn) -> None:
    from syndisco_widgets.deliberation import alias_model
    from syndisco_widgets.errors import ConfigError

    alias_model("a", "b")
    try:
        with pytest.raises(ConfigError, match="alias loop"):
            alias_model("b", "a")
        with pytest.raises(ConfigError, match="alias loop"):
            alias_model("c", "c")
    finally:
        alias_model("a", None)
