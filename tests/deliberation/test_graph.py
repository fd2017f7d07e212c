"""Graph: construction checks, Kahn order, predecessor-only inputs, re-runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from syndisco_widgets.deliberation import Agent, Graph, GraphCycleError, Moderator, topological_order
from syndisco_widgets.errors import ConfigError
from syndisco_widgets.models import ScriptedModel

from .helpers import entries, user_text

if TYPE_CHECKING:
    from syndisco_widgets.models.base import ChatPrompt

TASK = "What should the government do?"


def named(model: ScriptedModel, *names: str) -> dict[str, Agent]:
    return {n: Agent(model=model, system_instructions=f"you are {n}") for n in names}


def shown(call: ChatPrompt) -> list[str]:
    return [line for line in user_text(call).split("\n") if line.startswith("[")]


def test_kahn_order_is_deterministic_and_pure() -> None:
    edges = [(0, 2), (1, 2), (2, 3)]
    before = list(edges)
    assert topological_order(4, edges) == [0, 1, 2, 3]
    assert topological_order(4, [(3, 0), (2, 0)]) == [1, 2, 3, 0]
    assert edges == before


@pytest.mark.parametrize(
    ("edges", "path"),
    [
        ([("a", "b"), ("b", "c"), ("c", "a")], "a -> b -> c -> a"),
        ([("a", "b"), ("c", "b"), ("b", "c")], "b -> c -> b"),
        ([("a", "a")], "a -> a"),
    ],
)
def test_cycle_is_rejected_at_construction_naming_its_nodes(
    model: ScriptedModel, edges: Any, path: Any
) -> None:
    with pytest.raises(GraphCycleError, match=path) as info:
        Graph(named(model, "a", "b", "c"), edges, task=TASK)
    assert isinstance(info.value, ValueError)
    assert set(info.value.cycle) == set(path.split(" -> "))
    assert model.calls == []


@pytest.mark.parametrize(
    ("agents_kind", "edges", "message"),
    [
        ("list", [(0, 3)], "index 3 is out of range"),
        ("list", [(-1, 0)], "index -1 is out of range"),
        ("list", [("a", "b")], "agent indices"),
        ("list", [(0, True)], "agent indices"),
        ("list", [(0, 1, 2)], "pair"),
        ("list", [(0, 1), (0, 1)], "listed twice"),
        ("dict", [("a", "z")], "'z' is not an agent name"),
        ("dict", [(0, 1)], "0 is not an agent name"),
    ],
)
def test_bad_edges_are_clear_errors(model: ScriptedModel, agents_kind: Any, edges: Any, message: Any) -> None:
    agents = named(model, "a", "b", "c")
    if agents_kind == "list":
        agents = list(agents.values())
    with pytest.raises(ConfigError, match=message):
        Graph(agents, edges, task=TASK)


def test_graph_has_no_shuffle_or_cycles(model: ScriptedModel) -> None:
    with pytest.raises(TypeError):
        Graph(list(named(model, "a").values()), [], task=TASK, cycles=2)


def test_each_agent_sees_only_its_predecessors_labelled_by_name() -> None:
    model = ScriptedModel(lambda p: f"said by {p.system.removeprefix('you are ')}")
    graph = Graph(
        named(model, "sink", "left", "right", "root"),
        [("root", "left"), ("root", "right"), ("left", "sink"), ("right", "sink")],
        task=TASK,
    )
    assert graph.topological_order == ["root", "left", "right", "sink"]
    graph.process()
    by_speaker = {c.system.removeprefix("you are "): shown(c) for c in model.calls}
    assert by_speaker == {
        "root": [],
        "left": ["[root]: said by root"],
        "right": ["[root]: said by root"],
        "sink": ["[left]: said by left", "[right]: said by right"],
    }
    assert [e["name"] for e in entries(graph.logs)] == ["root", "left", "right", "sink"]
    assert [e["seen"] for e in entries(graph.logs)] == [[], [0], [0], [1, 2]]
    assert entries(graph.logs)[1]["context"] == [0, 1] and entries(graph.logs)[3]["context"] == [1, 3]
    assert graph.final_response == "said by sink"


def test_non_contiguous_inputs_keep_seen_but_no_context() -> None:
    model = ScriptedModel()
    graph = Graph(list(named(model, "a", "b", "c").values()), [(0, 2)], task=TASK, last_n=5)
    graph.process()
    assert graph.topological_order == ["Agent 1", "Agent 2", "Agent 3"]
    assert entries(graph.logs)[2]["seen"] == [0] and entries(graph.logs)[2]["context"] == [0, 1]
    graph = Graph(list(named(model, "a", "b", "c", "d").values()), [(0, 3), (2, 3)], task=TASK)
    graph.process()
    assert entries(graph.logs)[3]["seen"] == [0, 2] and entries(graph.logs)[3]["context"] is None
    graph.logs.to_pandas()  # engine export copes with it


def test_last_n_limits_predecessor_responses() -> None:
    model = ScriptedModel()
    graph = Graph(named(model, "a", "b", "c"), [("a", "c"), ("b", "c")], task=TASK, last_n=1)
    graph.process()
    assert shown(model.calls[2]) == ["[b]: Reply 2"]  # the last of c's predecessors, in agent order


def test_rerun_does_not_consume_the_graph_and_moderator_sees_all_by_name() -> None:
    model = ScriptedModel()
    graph = Graph(
        named(model, "liberal", "conservative", "libertarian"),
        [("liberal", "conservative"), ("liberal", "libertarian"), ("conservative", "libertarian")],
        task=TASK,
        moderator=Moderator(model=model),
    )
    order = graph.order
    graph.process()
    assert shown(model.calls[-1]) == [  # as in Plurals, a Graph's moderator reads who said what
        "[liberal]: Reply 1",
        "[conservative]: Reply 2",
        "[libertarian]: Reply 3",
    ]
    assert user_text(model.calls[-1]).startswith(TASK)
    graph.process()
    assert (
        graph.order == order
        and len(graph.logs) == 4
        and graph.responses == ["Reply 5", "Reply 6", "Reply 7", "Reply 8"]
    )
    assert graph.final_response == "Reply 8"
    assert graph.info["structure_information"]["edges"][0] == ["liberal", "conservative"]
