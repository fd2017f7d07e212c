# mypy: disable-error-code="arg-type,list-item"
# (wrong types are what this table passes on purpose)
"""Bad input to the deliberation API: each case names the parameter in a clear error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from syndisco_widgets import deliberation, drive
from syndisco_widgets.deliberation import Agent, Chain, Debate, Ensemble, Graph, Moderator
from syndisco_widgets.errors import ConfigError, GraphCycleError, ModelLoadError
from syndisco_widgets.models import ScriptedModel

if TYPE_CHECKING:
    from collections.abc import Callable

TASK = "How should a town spend its budget?"
M = ScriptedModel()


def _two() -> list[Agent]:
    return [Agent(model=M), Agent(model=M)]


def _shared() -> object:
    agents = _two()
    return deliberation.DeliberationExperiment([Chain(agents, task=TASK), Ensemble([agents[1]], task=TASK)])


def _repeated() -> object:
    chain = Chain(_two(), task=TASK)
    return deliberation.DeliberationExperiment([chain, chain])


def _begin(batch_size: object = 4, output_dir: object = "unused-folder") -> object:
    return deliberation.DeliberationExperiment([Chain(_two(), task=TASK)]).begin(
        output_dir, batch_size=batch_size
    )


def _record_unasked() -> object:
    chain, other = Chain(_two(), task=TASK), Chain(_two(), task=TASK)
    (request,) = other.next_requests()
    chain.next_requests()
    return chain.record(request, M.complete(request.prompt))


def _own_process_without_text() -> object:
    agent = Agent(model=M)
    agent.process = lambda **_: 42  # type: ignore[method-assign,assignment,return-value]
    return Chain([agent], task=TASK).process()


class _OwnLoop(deliberation.AbstractStructure):
    def process(self) -> str | None:
        return None


CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("agents as one string", lambda: Chain("Bob", task=TASK), ConfigError, "agents"),
    ("agents not a list", lambda: Ensemble(5, task=TASK), ConfigError, "agents"),
    ("agents hold a str", lambda: Chain([Agent(model=M), "Ann"], task=TASK), ConfigError, "agents"),
    ("no agents", lambda: Chain([], task=TASK), ConfigError, "agents"),
    ("own process() returns no text", _own_process_without_text, ConfigError, "process() returned int"),
    (
        "moderator with no task anywhere",
        lambda: _OwnLoop(["a"], moderator=Moderator(model=M)),
        ConfigError,
        "task",
    ),
    ("no participants", lambda: _OwnLoop([], task=TASK), ConfigError, "agents"),
    ("task not text", lambda: Chain(_two(), task=42), ConfigError, "task"),
    ("blank task", lambda: Chain(_two(), task="  "), ConfigError, "task"),
    ("shuffle as text", lambda: Chain(_two(), task=TASK, shuffle="yes"), ConfigError, "shuffle"),
    ("cycles zero", lambda: Chain(_two(), task=TASK, cycles=0), ConfigError, "cycles"),
    ("cycles float", lambda: Chain(_two(), task=TASK, cycles=2.5), ConfigError, "cycles"),
    ("last_n negative", lambda: Chain(_two(), task=TASK, last_n=-1), ConfigError, "last_n"),
    ("seed as text", lambda: Chain(_two(), task=TASK, seed="42"), ConfigError, "seed"),
    ("verbose as int", lambda: Chain(_two(), task=TASK, verbose=1), ConfigError, "verbose"),
    (
        "moderator not a Moderator",
        lambda: Chain(_two(), task=TASK, moderator=Agent(model=M)),
        ConfigError,
        "moderator",
    ),
    (
        "unknown combination name",
        lambda: Chain(_two(), task=TASK, combination_instructions="vote"),
        ConfigError,
        "combination_instructions",
    ),
    ("debate of three", lambda: Debate([*_two(), Agent(model=M)], task=TASK), ConfigError, "agents"),
    ("graph edges as text", lambda: Graph(_two(), "0->1", task=TASK), ConfigError, "edges"),
    ("graph edge out of range", lambda: Graph(_two(), [(0, 5)], task=TASK), ConfigError, "edges[0]"),
    (
        "graph edge by unknown name",
        lambda: Graph({"a": Agent(model=M)}, [("a", "b")], task=TASK),
        ConfigError,
        "edges[0]",
    ),
    ("graph cycle", lambda: Graph(_two(), [(0, 1), (1, 0)], task=TASK), GraphCycleError, "edges"),
    ("agent kwargs typo", lambda: Agent(TASK, model=M, kwargs={"temprature": 1}), ConfigError, "kwargs"),
    (
        "agent kwargs not a dict",
        lambda: Agent(TASK, model=M, kwargs=[("temperature", 1)]),
        ConfigError,
        "kwargs",
    ),
    (
        "agent temperature negative",
        lambda: Agent(TASK, model=M, kwargs={"temperature": -1}),
        ConfigError,
        "temperature",
    ),
    (
        "agent max_tokens zero",
        lambda: Agent(TASK, model=M, kwargs={"max_tokens": 0}),
        ConfigError,
        "max_new_tokens",
    ),
    ("agent stop as number", lambda: Agent(TASK, model=M, kwargs={"stop": 5}), ConfigError, "stop"),
    ("agent task not text", lambda: Agent(5, model=M), ConfigError, "task"),
    ("agent persona blank", lambda: Agent(TASK, model=M, persona=""), ConfigError, "persona"),
    (
        "agent persona and system text",
        lambda: Agent(TASK, model=M, persona="a nurse", system_instructions="Be brief."),
        ConfigError,
        "system_instructions",
    ),
    (
        "agent template without persona",
        lambda: Agent(TASK, model=M, persona_template="default"),
        ConfigError,
        "persona_template",
    ),
    (
        "agent custom template lacks placeholder",
        lambda: Agent(TASK, model=M, persona="a nurse", persona_template="You are nice and kind."),
        ConfigError,
        "persona_template",
    ),
    ("agent num_responses zero", lambda: Agent(TASK, model=M, num_responses=0), ConfigError, "num_responses"),
    (
        "agent best-of-N without selector",
        lambda: Agent(TASK, model=M, num_responses=3),
        ConfigError,
        "response_selector",
    ),
    (
        "agent selector not callable",
        lambda: Agent(TASK, model=M, response_selector="longest"),
        ConfigError,
        "response_selector",
    ),
    ("agent legacy data", lambda: Agent(TASK, model=M, data=[1, 2]), ConfigError, "data="),
    (
        "agent survey seed as text",
        lambda: Agent(TASK, model=M, persona="random", seed="7"),
        ConfigError,
        "seed",
    ),
    (
        "agent bad query_str",
        lambda: Agent(TASK, model=M, query_str="not a column >"),
        ConfigError,
        "query_str",
    ),
    ("agent model a number", lambda: Agent(TASK, model=3), ConfigError, "model"),
    ("agent hosted name without server", lambda: Agent(TASK, model="gpt-4o"), ModelLoadError, "'gpt-4o'"),
    (
        "moderator persona and system text",
        lambda: Moderator(persona="default", system_instructions="x y", model=M),
        ConfigError,
        "persona",
    ),
    (
        "moderator persona name typo",
        lambda: Moderator(persona="votng", model=M),
        ConfigError,
        "moderator persona",
    ),
    (
        "moderator max_tries zero",
        lambda: Moderator(system_instructions="auto", model=M).generate_system_instructions(TASK, 0),
        ConfigError,
        "max_tries",
    ),
    (
        "process previous_responses hold a number",
        lambda: Agent(TASK, model=M).process(previous_responses=["ok", 3]),
        ConfigError,
        "previous_responses",
    ),
    (
        "experiment structures empty",
        lambda: deliberation.DeliberationExperiment([]),
        ConfigError,
        "structures",
    ),
    (
        "experiment one structure",
        lambda: deliberation.DeliberationExperiment(Chain(_two(), task=TASK)),
        ConfigError,
        "structures",
    ),
    (
        "experiment holds an agent",
        lambda: deliberation.DeliberationExperiment([Agent(TASK, model=M)]),
        ConfigError,
        "structures[0]",
    ),
    ("experiment shares agents", _shared, ConfigError, "structures[1] shares"),
    ("experiment repeats a structure", _repeated, ConfigError, "structures[1]"),
    (
        "experiment seed as text",
        lambda: deliberation.DeliberationExperiment([Chain(_two(), task=TASK)], seed="1"),
        ConfigError,
        "seed",
    ),
    ("experiment batch_size zero", lambda: _begin(batch_size=0), ConfigError, "batch_size"),
    ("experiment output_dir not a path", lambda: _begin(output_dir=3), ConfigError, "output_dir"),
    (
        "drive a structure not in a list",
        lambda: drive(Chain(_two(), task=TASK)),
        ConfigError,
        "drive sources",
    ),
    ("drive an agent", lambda: drive([Agent(TASK, model=M)]), ConfigError, "sources[0]"),
    ("start seed as text", lambda: Chain(_two(), task=TASK).start("3"), ConfigError, "seed"),
    ("record before any request", _record_unasked, ConfigError, "next_requests"),
]


@pytest.mark.parametrize(("case", "make", "error", "names"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.filterwarnings("ignore::syndisco_widgets.deliberation.SyntheticDataWarning")
def test_bad_deliberation_input_is_refused_clearly(
    case: str,
    make: Callable[[], object],
    error: type[Exception],
    names: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(error) as caught:
        make()
    assert names in str(caught.value), f"{case}: the message does not name {names!r}: {caught.value}"
