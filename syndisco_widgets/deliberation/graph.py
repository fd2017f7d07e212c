"""Graph: agents wired as a directed acyclic graph, run in topological order."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from .agent import Agent
from .moderator import Moderator
from .structures import AbstractStructure


class GraphCycleError(ConfigError):
    """The edges contain a cycle. ``cycle`` lists the node names along it."""

    def __init__(self, message: str, cycle: list[str]) -> None:
        super().__init__(message)
        self.cycle = cycle


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

    The order of answering is computed once, at construction, with Kahn's
    algorithm; a cycle raises :class:`GraphCycleError` (a ValueError) naming
    its nodes. ``process()`` does not use up any graph data, so it can be run
    again. Without a moderator, ``final_response`` is the response of the
    last agent in topological order.

    Args:
        agents: A list of Agents, or a dict of named Agents.
        edges: Pairs of indices (list) or names (dict).
        task, last_n, combination_instructions, moderator: as in :class:`AbstractStructure`.

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
    ) -> None:
        self._keys: list[str] | None = None
        if isinstance(agents, Mapping):
            bad = [k for k in agents if not isinstance(k, str) or not k]
            if bad:
                raise ConfigError(f"Graph agent names must be non-empty strings, got {bad}")
            self._keys = list(agents)
            agents = list(agents.values())
        super().__init__(agents, task, False, 1, last_n, combination_instructions, moderator)
        #: The edges as index pairs.
        self.edges: list[tuple[int, int]] = self._checked_edges(edges)
        self.predecessors: list[tuple[int, ...]] = [
            tuple(src for src, dst in self.edges if dst == i) for i in range(len(self.agents))
        ]
        self.order: tuple[int, ...] = tuple(topological_order(len(self.agents), self.edges, self.names))

    def _names(self) -> list[str]:
        if self._keys is not None:
            return list(self._keys)
        return super()._names()

    def _checked_edges(self, edges: Sequence[tuple[Any, Any]]) -> list[tuple[int, int]]:
        if isinstance(edges, (str, bytes)) or not isinstance(edges, Sequence):
            raise ConfigError("Graph edges must be a list of (source, target) pairs")
        lookup = {name: i for i, name in enumerate(self.names)}
        result: list[tuple[int, int]] = []
        for position, edge in enumerate(edges):
            if not isinstance(edge, (tuple, list)) or len(edge) != 2:
                raise ConfigError(f"Graph edges[{position}] must be a (source, target) pair, got {edge!r}")
            src, dst = (self._edge_end(end, position, edge, lookup) for end in edge)
            if (src, dst) in result:
                raise ConfigError(f"Graph edges[{position}] {tuple(edge)!r} is listed twice")
            result.append((src, dst))
        return result

    def _edge_end(self, end: Any, position: int, edge: Sequence[Any], lookup: dict[str, int]) -> int:
        """The agent index an edge end names (a name for dict agents, else an index)."""
        if self._keys is not None:
            if not isinstance(end, Hashable) or end not in lookup:
                raise ConfigError(
                    f"Graph edges[{position}] {tuple(edge)!r}: {end!r} is not an agent name; names are {list(lookup)}"
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

    @property
    def topological_order(self) -> list[str]:
        """Agent names in the order they answer."""
        return [self.names[i] for i in self.order]

    def settings(self) -> dict[str, Any]:
        data = super().settings()
        data.pop("shuffle")
        data.pop("seed")
        data.pop("last_seed")
        data["edges"] = [[self.names[s], self.names[d]] for s, d in self.edges]
        data["order"] = self.topological_order
        return data

    def _run(self) -> None:
        # Each agent speaks once, in ``order``, so its log entry is its rank there.
        rank = {node: r for r, node in enumerate(self.order)}
        for index in self.order:
            self._speak(index, 1, self._window(sorted(rank[s] for s in self.predecessors[index])))
