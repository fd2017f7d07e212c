"""The DeliberationStudio's form logic, apart from any widget: drafts, edge lines, checks, building.

What a person types stays raw text in a :class:`FormValues`; :func:`check_form`
turns it into per-field messages (keys of :data:`FieldKey` shape) without
raising, and :func:`build_structure` turns a checked form into a Chain,
Debate, Ensemble or Graph. Tested without ipywidgets.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict, get_args

from ..deliberation import (
    PERSONA_TEMPLATES,
    AbstractStructure,
    Agent,
    Chain,
    Debate,
    Ensemble,
    Graph,
    Moderator,
    topological_order,
)
from ..errors import ConfigError, GraphCycleError
from ..models.base import BaseModel

__all__ = [
    "DEFAULT_AGENTS",
    "DEFAULT_TASK",
    "STRUCTURE_HINTS",
    "STRUCTURE_KINDS",
    "AgentDraft",
    "AgentSpec",
    "EdgeCheck",
    "FormCheck",
    "FormValues",
    "ModelFor",
    "SpeakerRole",
    "StructureKind",
    "build_structure",
    "chain_edges",
    "check_edges",
    "check_form",
    "draft_of",
    "rename_in_edges",
]

StructureKind = Literal["chain", "debate", "ensemble", "graph"]
STRUCTURE_KINDS: tuple[StructureKind, ...] = get_args(StructureKind)
#: One line per structure: who reads what.
STRUCTURE_HINTS: Mapping[StructureKind, str] = {
    "chain": "Agents answer one after another; each reads the answers before its own.",
    "debate": "Two agents take turns; each reads the exchange with its own lines marked.",
    "ensemble": "Agents answer independently; nobody reads anybody else.",
    "graph": "You draw arrows; each agent reads only the agents pointing at it.",
}
SpeakerRole = Literal["user", "moderator"]
#: Builds the model one speaker talks through: ``model_for(name, role)``.
ModelFor = Callable[[str, SpeakerRole], BaseModel]

DEBATE_SIZE = 2
MODERATOR_NAME = "Moderator"
ARROW = "->"
#: Sampling for every agent: the small demo model reads best a little below temperature 1.
AGENT_SAMPLING: Mapping[str, float] = {"temperature": 0.7, "top_p": 0.9}
DEFAULT_TASK = "How should a small town spend a one-off budget surplus? Answer in two sentences."


class AgentSpec(TypedDict, total=False):
    """An agent as the studio's ``agents=`` argument takes it."""

    name: str
    persona: str
    instructions: str


DEFAULT_AGENTS: tuple[AgentSpec, ...] = (
    {"name": "Nurse", "persona": "a nurse from Ohio who works night shifts"},
    {"name": "Farmer", "persona": "a wheat farmer from Kansas who watches every dollar"},
    {"name": "Student", "persona": "a computer science student who cycles everywhere"},
)


@dataclass(frozen=True)
class AgentDraft:
    """One agent as typed: raw text, possibly invalid."""

    name: str = ""
    persona: str = ""
    instructions: str = ""


def draft_of(agent: AgentSpec | Agent | Mapping[str, str]) -> AgentDraft:
    """The draft of an :class:`AgentSpec` dict or an existing :class:`Agent`.

    Raises:
        ConfigError: ``agent`` is neither (or a dict with unknown keys).
    """
    if isinstance(agent, Agent):
        # An agent's persona (when set) is the editable part; otherwise its whole system text.
        persona = agent.persona or ""
        instructions = "" if agent.persona else (agent.system_instructions or "")
        return AgentDraft(agent.name or "", persona, instructions)
    if isinstance(agent, Mapping):
        if unknown := sorted(set(agent) - set(AgentDraft.__dataclass_fields__)):
            raise ConfigError(
                f"DeliberationStudio agents: unknown key(s) {unknown}; an agent is "
                "{'name': ..., 'persona': ..., 'instructions': ...}"
            )
        return AgentDraft(
            str(agent.get("name", "")), str(agent.get("persona", "")), str(agent.get("instructions", ""))
        )
    raise ConfigError(
        "DeliberationStudio agents must be dicts like {'name': 'Nurse', 'persona': 'a nurse'} or "
        f"Agent objects, got {type(agent).__name__}"
    )


@dataclass(frozen=True)
class FormValues:
    """Everything the set-up holds, as typed."""

    structure: StructureKind
    task: str
    agents: tuple[AgentDraft, ...]
    edges: str = ""
    cycles: int = 1
    moderator: bool = True
    seed: str = ""

    @property
    def names(self) -> list[str]:
        """The agents' names, stripped."""
        return [a.name.strip() for a in self.agents]


@dataclass(frozen=True)
class EdgeCheck:
    """The edges typed for a Graph: the valid pairs, the problems, the run order when valid."""

    edges: tuple[tuple[str, str], ...] = ()
    errors: tuple[str, ...] = ()
    order: tuple[str, ...] = ()


@dataclass
class FormCheck:
    """Per-field messages (empty when the form can run), the parsed seed and the edges.

    Keys: ``"task"``, ``"agents"``, ``"agent{i}.name"``, ``"agent{i}.persona"``,
    ``"edges"``, ``"cycles"``, ``"seed"``.
    """

    errors: dict[str, str] = field(default_factory=dict)
    seed: int | None = None
    edges: EdgeCheck = field(default_factory=EdgeCheck)

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.errors


def _edge_lines(text: str) -> list[tuple[int, list[str]]]:
    """``(line number, names)`` of each non-blank line; ``#`` starts a comment."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append((number, [part.strip() for part in line.split(ARROW)]))
    return lines


def _unknown_name(name: str, names: Sequence[str]) -> str:
    same = [n for n in names if n.casefold() == name.casefold()]
    close = same or difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{name!r} is not an agent{hint} Agents: {', '.join(names)}."


def check_edges(text: str, names: Sequence[str]) -> EdgeCheck:
    """Parse ``"A -> B"`` lines (``"A -> B -> C"`` is two edges) against the agent ``names``.

    Every problem is one message naming its line; a cycle names its agents.
    """
    errors: list[str] = []
    edges: list[tuple[str, str]] = []
    for number, parts in _edge_lines(text):
        if len(parts) < DEBATE_SIZE or not all(parts):
            errors.append(f"Line {number}: write an arrow between two agents, like 'Nurse -> Farmer'.")
            continue
        unknown = [p for p in parts if p not in names]
        if unknown:
            errors.append(f"Line {number}: {_unknown_name(unknown[0], names)}")
            continue
        for src, dst in itertools.pairwise(parts):
            if src == dst:
                errors.append(f"Line {number}: {src} -> {dst} points an agent at itself.")
            elif (src, dst) in edges:
                errors.append(f"Line {number}: {src} -> {dst} is listed twice.")
            else:
                edges.append((src, dst))
    if errors:
        return EdgeCheck(tuple(edges), tuple(errors))
    index = {name: i for i, name in enumerate(names)}
    try:
        order = topological_order(len(names), [(index[s], index[d]) for s, d in edges], list(names))
    except GraphCycleError as exc:
        return EdgeCheck(tuple(edges), (f"The arrows go round in a circle: {_cycle_text(exc)}",))
    return EdgeCheck(tuple(edges), (), tuple(names[i] for i in order))


def _cycle_text(exc: GraphCycleError) -> str:
    message = str(exc)
    marker = "cycle: "
    return message[message.find(marker) + len(marker) :] if marker in message else message


def chain_edges(names: Sequence[str]) -> str:
    """Edge lines wiring ``names`` one after another (a starting point for a Graph)."""
    return "\n".join(f"{a} {ARROW} {b}" for a, b in itertools.pairwise(names))


def rename_in_edges(text: str, old: str, new: str) -> str:
    """``text`` with agent ``old`` renamed ``new`` on every edge line that names it."""
    old, new = old.strip(), new.strip()
    if not old or not new or old == new:
        return text
    lines = []
    for raw in text.splitlines():
        body, hash_, comment = raw.partition("#")
        parts = [p.strip() for p in body.split(ARROW)]
        if old in parts and len(parts) > 1:
            body = f" {ARROW} ".join(new if p == old else p for p in parts) + (" " if hash_ else "")
        lines.append(body + hash_ + comment)
    return "\n".join(lines)


def _check_names(values: FormValues, errors: dict[str, str]) -> None:
    names = values.names
    for i, name in enumerate(names):
        key = f"agent{i}.name"
        if not name:
            errors[key] = "Name: give this agent a name; it labels its answers."
        elif ARROW in name or "#" in name or "\n" in name:
            errors[key] = f"Name: {name!r} may not contain '->', '#' or a line break (they mark graph edges)."
        elif names.index(name) != i:
            errors[key] = f"Name: {name!r} is already taken by agent {names.index(name) + 1}."
        elif values.moderator and name.casefold() == MODERATOR_NAME.casefold():
            errors[key] = f"Name: {name!r} is the moderator's name; pick another or turn the moderator off."


def _parse_seed(text: str, errors: dict[str, str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    errors["seed"] = f"Seed: {text!r} is not a whole number; leave it empty for a new seed every run."
    return None


def check_form(values: FormValues) -> FormCheck:
    """Every problem with ``values``, per field; never raises."""
    errors: dict[str, str] = {}
    if not values.task.strip():
        errors["task"] = "Task: type the question every agent answers."
    count = len(values.agents)
    if count == 0:
        errors["agents"] = "Agents: add at least one agent."
    elif values.structure == "debate" and count != DEBATE_SIZE:
        change = f"remove {count - DEBATE_SIZE}" if count > DEBATE_SIZE else "add one"
        errors["agents"] = f"Agents: a debate has exactly 2 agents, there are {count}; {change}."
    _check_names(values, errors)
    for i, agent in enumerate(values.agents):
        if "${" in agent.persona:
            errors[f"agent{i}.persona"] = (
                "Persona: '${' starts a template placeholder; describe the person instead."
            )
    if values.structure != "graph" and values.cycles < 1:
        errors["cycles"] = "Cycles: at least 1."
    seed = _parse_seed(values.seed, errors)
    edges = EdgeCheck()
    if values.structure == "graph" and not any(k.startswith("agent") for k in errors):
        edges = check_edges(values.edges, values.names)
        if edges.errors:
            errors["edges"] = " ".join(edges.errors)
    return FormCheck(errors, seed, edges)


def _agent(draft: AgentDraft, model: BaseModel) -> Agent:
    name, persona, instructions = draft.name.strip(), draft.persona.strip(), draft.instructions.strip()
    sampling = dict(AGENT_SAMPLING)
    try:
        if persona and instructions:
            # Both: the persona template with the instructions appended.
            template = f"{PERSONA_TEMPLATES['default']}\nALSO\n{instructions}\n"
            return Agent(persona=persona, persona_template=template, model=model, kwargs=sampling, name=name)
        if instructions:
            return Agent(system_instructions=instructions, model=model, kwargs=sampling, name=name)
        return Agent(persona=persona or None, model=model, kwargs=sampling, name=name)
    except ConfigError as exc:
        raise ConfigError(f"Agent {name!r}: {exc}") from exc


def build_structure(values: FormValues, check: FormCheck, model_for: ModelFor) -> AbstractStructure:
    """The structure ``values`` describe, each speaker talking through ``model_for(name, role)``.

    Raises:
        ConfigError: ``check`` has errors, or a structure refused its arguments
            (the message says which agent or setting).
    """
    if not check.ok:
        raise ConfigError("the set-up has problems: " + " ".join(check.errors.values()))
    agents = [_agent(d, model_for(d.name.strip(), "user")) for d in values.agents]
    moderator = (
        Moderator(
            persona="default",
            model=model_for(MODERATOR_NAME, "moderator"),
            kwargs=dict(AGENT_SAMPLING),
            name=MODERATOR_NAME,
        )
        if values.moderator
        else None
    )
    task = values.task.strip()
    if values.structure == "graph":
        named = dict(zip(values.names, agents, strict=True))
        return Graph(named, list(check.edges.edges), task=task, moderator=moderator, seed=check.seed)
    kinds: dict[str, type[Chain | Debate | Ensemble]] = {
        "chain": Chain,
        "debate": Debate,
        "ensemble": Ensemble,
    }
    kind = kinds[values.structure]
    return kind(agents, task=task, cycles=values.cycles, moderator=moderator, seed=check.seed)
