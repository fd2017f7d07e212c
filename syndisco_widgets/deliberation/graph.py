"""Graph: agents wired as a directed acyclic graph, run wave by wave in topological order."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, GraphCycleError
from .prompts import format_responses
from .structures import AbstractStructure

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..models.base import ChatPrompt
    from .agent import Agent
    from .moderator import Moderator
    from .waves import Call


def topological_order(
    n: int, edges: Sequence[tuple[int, int]], names: Sequence[str] | None = None
) -> list[int]:
    """Order nodes ``0..n-1`` so every edge goes forward, with Kahn's algorithm.

    Ties are broken by node number, so the order is deterministic. The in-degree
    counts are a local copy: calling this never changes its inputs.

    Raises:
        GraphCycleError: the edges contain a cycle; the message names its nodes.
    """
    names = list(names) if names is not None else [str(i) for i in range(n)]
    successors: list[list[int]] = [[] for _ in range(n)]
    in_degree = [0] * n
    for src, dst in edges:
        successors[src].append(dst)
        in_degree[dst] += 1
    queue = deque(i for i in range(n) if in_degree[i] == 0)
    order: list[int] = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in successors[node]:
            in_degree[nxt] -= 1
            if in_degree[nxt] == 0:
                queue.append(nxt)
    if len(order) < n:
        cycle = _find_cycle(n, edges, set(order))
        path = " -> ".join(names[i] for i in cycle + cycle[:1])
        raise GraphCycleError(
            f"Graph edges must form a DAG, but they contain a cycle: {path}. Remove one of these edges.",
            [names[i] for i in cycle],
        )
    return order


def _find_cycle(n: int, edges: Sequence[tuple[int, int]], done: set[int]) -> list[int]:
    """A cycle among the nodes Kahn's algorithm could not place, in edge direction."""
    # Every unplaced node has an unplaced predecessor, so walking backwards must repeat a node.
    predecessors: dict[int, list[int]] = {i: [] for i in range(n)}
    for src, dst in edges:
        if src not in done and dst not in done:
            predecessors[dst].append(src)
    node = min(i for i in range(n) if i not in done)
    walk: list[int] = []
    position: dict[int, int] = {}
    while node not in position:
        position[node] = len(walk)
        walk.append(node)
        node = predecessors[node][0]
    cycle = list(reversed(walk[position[node] :]))
    start = cycle.index(min(cycle))  # start at the lowest node, for a stable message
    return cycle[start:] + cycle[:start]


class Graph(AbstractStructure):
    """Agents connected by directed edges; each agent sees only its predecessors' responses.

    Two ways to build it:

    * ``agents`` a list of Agents, ``edges`` integer pairs ``(source index, target index)``;
    * ``agents`` a dict ``{name: Agent}``, ``edges`` name pairs ``(source name, target name)``.

    A node is shown its predecessors' responses in agent order (the order of
    ``agents``), each labelled with the agent's name (``[liberal]: ...``), as
    the reference does. ``last_n`` keeps the last ``last_n`` of them in that
    order (``last_n=0`` shows none).

    Kahn's algorithm checks the graph once, at construction; a cycle raises
    :class:`~syndisco_widgets.errors.GraphCycleError` (a ValueError) naming its
    nodes. A run goes in waves: every agent whose predecessors have all
    answered is ready, and each wave is answered at once, agents sharing a
    model and settings in ONE batched call. Entries are logged wave by wave,
    in agent order within a wave. ``process()`` uses up no graph data, so it
    can be run again. Without a moderator, ``final_response`` is the response
    of the last agent in :attr:`topological_order`.

    Args:
        agents: A list of Agents, or a dict of named Agents.
        edges: Pairs of indices (list) or names (dict).
        task, last_n, combination_instructions, moderator, seed, verbose: as in
            :class:`AbstractStructure`.

    Raises:
        ConfigError: a malformed edge, an unknown index or name, a duplicate
            edge, or a cycle (:class:`GraphCycleError`).
    """

    def __init__(
        self,
        agents: Sequence[Agent] | Mapping[str, Agent],
        edges: Sequence[tuple[Any, Any]],
        task: str | None = None,
        last_n: int = 1000,
        combination_instructions: str | None = "default",
        moderator: Moderator | None = None,
        *,
        seed: int | None = None,
        verbose: bool = False,
    ) -> None:
        self._keys: list[str] | None = None
        self._entry_of: dict[int, int] = {}
        #: The agents and edges as given (a dict of named agents stays a dict), as Plurals keeps them.
        self.original_agents: Sequence[Agent] | Mapping[str, Agent] = agents
        self.original_edges: Sequence[tuple[Any, Any]] = edges
        if isinstance(agents, Mapping):
            bad = [k for k in agents if not isinstance(k, str) or not k]
            if bad:
                raise ConfigError(f"Graph agents dict keys must be non-empty agent names, got {bad}")
            self._keys = list(agents)
            agents = list(agents.values())
        super().__init__(
            agents,
            task,
            shuffle=False,
            cycles=1,
            last_n=last_n,
            combination_instructions=combination_instructions,
            moderator=moderator,
            seed=seed,
            verbose=verbose,
        )
        #: The edges as index pairs.
        self.edges: list[tuple[int, int]] = self._checked_edges(edges)
        #: Each agent's predecessors, in agent order.
        self.predecessors: list[tuple[int, ...]] = [
            tuple(sorted(src for src, dst in self.edges if dst == i)) for i in range(len(self.agents))
        ]
        self.order: tuple[int, ...] = tuple(topological_order(len(self.agents), self.edges, self.names))
        #: The waves of a run: agents whose predecessors are all in earlier waves.
        self.waves: list[list[int]] = self._waves()

    def _names(self) -> list[str]:
        if self._keys is not None:
            return list(self._keys)
        return super()._names()

    def _checked_edges(self, edges: Sequence[tuple[Any, Any]]) -> list[tuple[int, int]]:
        if isinstance(edges, (str, bytes, Mapping)) or not isinstance(edges, Sequence):
            raise ConfigError(f"Graph edges must be a list of (source, target) pairs, got {edges!r:.80}")
        lookup = {name: i for i, name in enumerate(self.names)}
        result: list[tuple[int, int]] = []
        for position, edge in enumerate(edges):
            if not isinstance(edge, (tuple, list)) or len(edge) != 2:  # noqa: PLR2004
                raise ConfigError(f"Graph edges[{position}] must be a (source, target) pair, got {edge!r}")
            src, dst = (self._edge_end(end, position, edge, lookup) for end in edge)
            if (src, dst) in result:
                raise ConfigError(f"Graph edges[{position}] {tuple(edge)!r} is listed twice")
            result.append((src, dst))
        return result

    def _edge_end(self, end: object, position: int, edge: Sequence[object], lookup: dict[str, int]) -> int:
        """The agent index an edge end names (a name for dict agents, else an index)."""
        if self._keys is not None:
            if not isinstance(end, str) or end not in lookup:
                raise ConfigError(
                    f"Graph edges[{position}] {tuple(edge)!r}: {end!r} is not an agent name; "
                    f"names are {list(lookup)}"
                )
            return lookup[end]
        n = len(self.agents)
        if isinstance(end, bool) or not isinstance(end, int):
            raise ConfigError(
                f"Graph edges[{position}] {tuple(edge)!r}: with a list of agents, edges hold "
                f"agent indices (0 to {n - 1}); pass a dict of agents to use names"
            )
        if not 0 <= end < n:
            raise ConfigError(
                f"Graph edges[{position}] {tuple(edge)!r}: index {end} is out of range; "
                f"there are {n} agents (indices 0 to {n - 1})"
            )
        return end

    def _waves(self) -> list[list[int]]:
        level = [0] * len(self.agents)
        for node in self.order:  # predecessors come first in topological order
            level[node] = max((level[p] + 1 for p in self.predecessors[node]), default=0)
        return [[i for i in range(len(self.agents)) if level[i] == w] for w in range(max(level) + 1)]

    @property
    def topological_order(self) -> list[str]:
        """Agent names in Kahn's order."""
        return [self.names[i] for i in self.order]

    @property
    def graph(self) -> dict[Agent, list[Agent]]:
        """Each agent and the agents that read its answer, as Plurals' ``Graph.graph`` has it."""
        return {a: [self.agents[d] for s, d in self.edges if s == i] for i, a in enumerate(self.agents)}

    @property
    def in_degree(self) -> dict[Agent, int]:
        """Each agent and how many agents' answers it reads."""
        return {a: len(self.predecessors[i]) for i, a in enumerate(self.agents)}

    def settings(self) -> dict[str, Any]:
        """The graph's arguments, JSON-friendly."""
        data = super().settings()
        data.pop("shuffle")
        data["edges"] = [[self.names[s], self.names[d]] for s, d in self.edges]
        data["order"] = self.topological_order
        data["waves"] = [[self.names[i] for i in wave] for wave in self.waves]
        return data

    def expected_calls(self) -> int:
        """One response per agent."""
        return len(self.agents)

    def _run(self) -> Iterator[list[Call]]:
        entry_of = self._entry_of = {}  # agent index -> its log entry
        for wave in self.waves:
            chats: dict[int, ChatPrompt] = {}
            seen: dict[int, list[int]] = {}
            for node in wave:
                shown = self._window(list(self.predecessors[node]))
                seen[node] = [entry_of[p] for p in shown]
                previous = format_responses(
                    [self._texts[entry_of[p]] for p in shown], [self.names[p] for p in shown]
                )
                chats[node] = self._prompt_for(node, previous)
            start = len(self.logs)
            yield self._wave_calls(wave, chats, 1, seen)
            entry_of.update((node, start + k) for k, node in enumerate(wave))

    def _unmoderated_final(self) -> str:
        return self._texts[self._entry_of[self.order[-1]]]

    def _moderator_view(self) -> str:
        """Every agent response in logged order, labelled with its agent's name (as in Plurals)."""
        return format_responses(self._texts, [self.names[i] for i in self._speaker])
