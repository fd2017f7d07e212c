"""Plurals 0.7 behaviours of structures: agents read the structure's settings, repr, responses, own process()."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import pytest

from syndisco_widgets import deliberation
from syndisco_widgets.deliberation import AbstractStructure, Agent, Chain, Ensemble, Graph, Moderator
from syndisco_widgets.errors import ConfigError, SyndiscoWarning
from syndisco_widgets.models import ScriptedModel

if TYPE_CHECKING:
    from collections.abc import Iterator

    from syndisco_widgets.deliberation.waves import Call

TASK = "How should a town spend its budget?"


def test_agents_read_the_structures_task_and_instructions_once_it_is_built() -> None:
    model = ScriptedModel()
    plain = Agent(model=model, system_instructions="You weigh up: ${task}")
    own = Agent(model=model, combination_instructions="critique_revise")
    Chain([plain, own], task=TASK, combination_instructions="voting")
    assert plain.task == plain.task_description == plain.original_task_description == TASK
    assert plain.system_instructions == f"You weigh up: {TASK}"
    assert plain.combination_instructions == "voting"
    assert own.combination_instructions == "critique_revise"  # an agent's own instructions stay its own


def test_a_structures_task_replaces_an_agents_own_with_a_warning() -> None:
    agent = Agent("my own task", model=ScriptedModel())
    with pytest.warns(SyndiscoWarning, match="replaces the own task"):
        Chain([agent], task=TASK)
    assert agent.task == TASK
    kept = Agent("my own task", model=ScriptedModel())
    Chain([kept])
    assert kept.task == "my own task"


def test_an_agent_in_two_structures_runs_with_each_ones_settings() -> None:
    model, alone = ScriptedModel(), ScriptedModel()
    first, second = Agent(model=model), Agent(model=model)
    voting = Chain([first, second], task=TASK, combination_instructions="voting", seed=3)
    Chain([first, second], task="Another task entirely", combination_instructions="debate")
    assert first.combination_instructions == "debate"  # the latest structure's, as in Plurals
    voting.process()
    reference = Chain(
        [Agent(model=alone), Agent(model=alone)], task=TASK, combination_instructions="voting", seed=3
    )
    reference.process()
    assert [c.messages for c in model.calls] == [c.messages for c in alone.calls]


def test_a_subclass_that_writes_only_process_can_be_built() -> None:
    class OwnLoop(AbstractStructure):
        def process(self) -> str | None:
            return " / ".join(agent.process() for agent in self.agents)

    agent = Agent(model=ScriptedModel(["an answer"]))
    structure = OwnLoop([agent], task=TASK)
    assert agent.task == TASK
    assert structure.process() == "an answer"

    class NoLoop(AbstractStructure):
        pass

    with pytest.raises(TypeError, match=r"_run\(\)"):
        NoLoop([Agent(model=ScriptedModel())], task=TASK)
    with pytest.raises(TypeError, match=r"_run\(\)"):
        AbstractStructure([Agent(model=ScriptedModel())], task=TASK)


def test_a_subclass_writing_run_still_goes_through_the_engine() -> None:
    class Once(AbstractStructure):
        def _run(self) -> Iterator[list[Call]]:
            return self._take_turns([0], reshuffle=False)

        def expected_calls(self) -> int:
            return 1

    structure = Once([Agent(model=ScriptedModel(["only"]))], task=TASK)
    assert structure.process() == "only"


def test_repr_is_the_info_dict() -> None:
    agent = Agent(TASK, model=ScriptedModel())
    assert ast.literal_eval(repr(agent)) == agent.info
    chain = Chain([agent, Agent(model=ScriptedModel())], task=TASK)
    before = repr(chain)
    assert "'responses': []" in before
    assert "'final_response': None" in before
    chain.process()
    assert ast.literal_eval(repr(chain)) == chain.info


def test_combination_instructions_without_previous_responses_are_used_with_a_warning() -> None:
    model = ScriptedModel()
    loose = "Answer in your own words and ignore the others."
    with pytest.warns(SyndiscoWarning, match=r"\$\{previous_responses\}"):
        chain = Chain([Agent(model=model), Agent(model=model)], task=TASK, combination_instructions=loose)
    with pytest.warns(SyndiscoWarning, match=r"\$\{previous_responses\}"):
        chain.process()
    second = model.calls[1].messages[-1]["content"]
    assert loose in second
    assert chain.responses[0] not in second  # nothing asked for the earlier answer
    with pytest.warns(SyndiscoWarning, match=r"\$\{previous_responses\}"):
        Ensemble([Agent(model=model, combination_instructions=loose)], task=TASK)


def test_a_moderator_takes_the_structures_task_unless_it_has_its_own() -> None:
    model = ScriptedModel()
    moderator = Moderator(system_instructions="Sum up the talk on ${task}", model=model)
    Ensemble([Agent(model=model)], task=TASK, moderator=moderator)
    assert moderator.task == TASK
    assert moderator.system_instructions == f"Sum up the talk on {TASK}"
    Ensemble([Agent(model=model)], task="Another task entirely", moderator=moderator).process()
    assert model.calls[-1].system == "Sum up the talk on Another task entirely"  # each run its own task
    own = Moderator(system_instructions="Sum up the talk on ${task}", task="pants", model=model)
    with pytest.warns(SyndiscoWarning, match="keeps its own task 'pants'"):
        Ensemble([Agent(model=model)], task=TASK, moderator=own)
    assert own.task == "pants"


def test_graph_keeps_the_agents_and_edges_as_given() -> None:
    model = ScriptedModel()
    named = {"left": Agent(model=model), "right": Agent(model=model)}
    edges = [("left", "right")]
    graph = Graph(named, edges, task=TASK)
    assert graph.original_agents == named
    assert graph.original_edges == edges
    assert graph.edges == [(0, 1)]
    assert all(a.combination_instructions == graph.combination_instructions for a in graph.agents)


def test_current_task_description_follows_the_structure_from_the_next_run() -> None:
    agent = Agent("my own task", model=ScriptedModel())
    with pytest.warns(SyndiscoWarning, match="replaces the own task"):
        chain = Chain([agent], task=TASK)
    assert agent.current_task_description == "my own task"  # as Plurals leaves it until the agent runs
    chain.process()
    assert agent.current_task_description is not None
    assert agent.current_task_description.startswith(TASK)
    assert agent.info["original_task"] == TASK


def test_responses_end_with_the_moderators_answer_as_in_plurals() -> None:
    model = ScriptedModel()
    agents = [Agent(model=model), Agent(model=model)]
    chain = Chain(agents, task=TASK, moderator=Moderator(model=model))
    final = chain.process()
    assert chain.responses == ["Reply 1", "Reply 2", "Reply 3"]
    assert final == chain.final_response == chain.moderator_response == chain.responses[-1]
    assert chain.responses[:-1] == [a.responses[0] for a in agents if a.responses]  # the agents' answers
    alone = Chain([Agent(model=model)], task=TASK)
    alone.process()
    assert alone.responses == ["Reply 4"] == [alone.final_response]


def test_an_agent_has_no_history_before_its_first_call_and_info_names_the_model_as_given() -> None:
    agent = Agent(TASK, model=ScriptedModel())
    assert agent.history is None and agent.responses is None and agent.prompts is None
    assert "'history': None" in repr(agent)
    agent.process()
    assert agent.history is not None and len(agent.history) == 1
    deliberation.alias_model("hosted-name-for-a-test", ScriptedModel(name="local"))
    try:
        aliased = Agent(TASK, model="hosted-name-for-a-test")
        assert aliased.info["model"] == aliased.model_name == "hosted-name-for-a-test"
        aliased.process()
        assert aliased.history is not None and aliased.history[0]["model"] == "local"  # who answered
    finally:
        deliberation.alias_model("hosted-name-for-a-test", None)


class Rule(Agent):
    """An agent that answers by a rule of its own, not a model (a subclass writing process())."""

    def process(self, task: str | None = None, previous_responses: object = "") -> str:
        del task
        self.seen = str(previous_responses)
        return f"rule saw {self.seen.count('Reply')} replies"


def test_structures_ask_an_agent_with_its_own_process_for_its_answer() -> None:
    model = ScriptedModel()
    rule = Rule(model=model)
    chain = Chain([Agent(model=model), rule, Agent(model=model)], task=TASK)
    chain.process()
    assert chain.responses == ["Reply 1", "rule saw 1 replies", "Reply 2"]
    assert "Reply 1" in rule.seen  # it was given the earlier answers, formatted
    assert "rule saw 1 replies" in model.calls[-1].messages[-1]["content"]  # the next agent read it
    assert rule.history is None  # its history is its own business
    assert len(model.calls) == 2 and chain.logs[1]["text"] == "rule saw 1 replies"


def test_an_agent_whose_process_is_replaced_on_the_object_answers_through_it() -> None:
    model = ScriptedModel()
    first, second = Agent(model=model), Agent(model=model)
    first.process = lambda **_: "set on the object"  # type: ignore[method-assign]
    graph = Graph([first, second], [(0, 1)], task=TASK, moderator=Moderator(model=model))
    assert graph.process() == "Reply 2"
    assert graph.responses == ["set on the object", "Reply 1", "Reply 2"]
    assert "[Agent 1]: set on the object" in model.calls[0].messages[-1]["content"]
    ensemble = Ensemble([Rule(model=model), Agent(model=model), Agent(model=model)], task=TASK)
    ensemble.process()  # the two model agents still share one batched call; the rule answers alone
    assert ensemble.responses == ["rule saw 0 replies", "Reply 3", "Reply 4"]
    assert [len(batch) for batch in model.batch_calls][-1:] == [2]


def test_an_own_process_must_return_text() -> None:
    agent = Agent(model=ScriptedModel())
    agent.process = lambda **_: None  # type: ignore[method-assign,assignment,return-value]
    with pytest.raises(ConfigError, match=r"'Agent 1'.s own process\(\) returned NoneType"):
        Chain([agent], task=TASK).process()


def test_a_subclass_writing_only_process_takes_any_participants() -> None:
    class Panel(AbstractStructure):
        def process(self) -> str | None:
            self.final_response = " / ".join(str(p) for p in self.agents)
            return self.final_response

    moderator = Moderator(system_instructions="Sum up ${task}", model=ScriptedModel())
    panel = Panel(["a person", "another"], task=TASK, moderator=moderator)  # type: ignore[list-item]
    assert panel.names == ["Agent 1", "Agent 2"] and moderator.task == TASK
    assert moderator.system_instructions == f"Sum up {TASK}"
    assert panel.process() == "a person / another"
    with pytest.raises(ConfigError, match="moderator has no task"):
        Panel(["a person"], moderator=Moderator(model=ScriptedModel()))  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="agents\\[1\\] must be a Agent"):
        Chain([Agent(model=ScriptedModel()), "a person"], task=TASK)  # type: ignore[list-item]
