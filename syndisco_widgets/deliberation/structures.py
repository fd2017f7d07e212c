"""Structures that run a task through a group of agents: Chain, Debate, Ensemble.

Every structure shares :class:`AbstractStructure`: the same arguments, a
``process()`` that can be called again for a fresh, independent run, the
results (``responses``, ``final_response``), and the record of the run
(``logs``, ``to_pandas()``, ``to_json()``). :class:`~.graph.Graph` lives in its
own module.
"""

from __future__ import annotations

import os
import random
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..checks import optional_seed, whole_number
from ..engine.logs import Logs
from ..errors import ConfigError, ModelError
from ..models.base import BaseModel, ChatPrompt
from . import templates
from .agent import Agent
from .errors import DeliberationError
from .moderator import Moderator
from .prompts import format_responses, prompt_json
from .records import logs_to_frame, run_json

if TYPE_CHECKING:
    import pandas as pd


class AbstractStructure(ABC):
    """Common machinery of all structures. Subclasses write :meth:`_run`.

    Args:
        agents: The participating agents (distinct objects).
        task: The task for every agent. When None, each agent's own task is used.
        shuffle: Shuffle the speaking order at every cycle (seeded by ``seed``).
        cycles: How many times the agents go through the task.
        last_n: At most this many earlier responses are shown to each agent.
        combination_instructions: Name or text telling agents how to use earlier
            responses (agents with their own keep theirs).
        moderator: Writes the final response from all responses, if given.
        seed: Seed for ``shuffle``. ``None`` picks a new seed for each run and
            records it in ``last_seed`` (and ``info``).

    Attributes:
        responses: The agents' responses of the latest run, in speaking order.
        final_response: The moderator's response if moderated, else the last
            agent response (None before the first run).
        moderator_response: The moderator's response of the latest run, if any.
        logs: The latest run as :class:`~syndisco_widgets.engine.Logs`.
        defaults: Every named template (a fresh copy).
    """

    #: Combination instructions used when the argument is None.
    default_combination = "default"

    def __init__(
        self,
        agents: Sequence[Agent],
        task: str | None = None,
        shuffle: bool = False,
        cycles: int = 1,
        last_n: int = 1000,
        combination_instructions: str | None = "default",
        moderator: Moderator | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        kind = type(self).__name__
        self.agents: list[Agent] = self._checked_agents(agents)
        self.names: list[str] = self._names()
        if len(set(self.names)) != len(self.names):
            raise ConfigError(f"{kind}: agent names must be unique, got {self.names}")
        if task is not None and (not isinstance(task, str) or not task.strip()):
            raise ConfigError(f"{kind} task must be a non-empty string or None, got {task!r}")
        if task is None:
            missing = [n for n, a in zip(self.names, self.agents) if a.task is None]
            if missing:
                raise ConfigError(f"{kind} has no task, and neither do {missing}: pass {kind}(..., task=...)")
        else:
            differing = [n for n, a in zip(self.names, self.agents) if a.task is not None and a.task != task]
            if differing:
                warnings.warn(
                    f"{kind}'s task replaces the own task of {differing}", UserWarning, stacklevel=3
                )
        if not isinstance(shuffle, bool):
            raise ConfigError(f"{kind} shuffle must be True or False, got {shuffle!r}")
        optional_seed(f"{kind} seed", seed)
        if moderator is not None and not isinstance(moderator, Moderator):
            raise ConfigError(f"{kind} moderator must be a Moderator or None, got {type(moderator).__name__}")
        self.task = task
        self.shuffle = shuffle
        self.seed = seed
        self.cycles = whole_number(f"{kind} cycles", cycles, 1)
        self.last_n = whole_number(f"{kind} last_n", last_n, 0)
        self.combination_instructions = combination_instructions or self.default_combination
        templates.resolve("combination_instructions", self.combination_instructions, kind)
        self.moderator = moderator
        self.defaults: dict[str, Any] = templates.defaults()
        self.last_seed: int | None = None
        self._clear()

    # -- checks -------------------------------------------------------------------
    def _checked_agents(self, agents: Sequence[Agent]) -> list[Agent]:
        kind = type(self).__name__
        if isinstance(agents, (str, bytes)) or not isinstance(agents, Sequence) or not agents:
            raise ConfigError(f"{kind} agents must be a non-empty list of Agent objects")
        agents = list(agents)
        for i, agent in enumerate(agents):
            if isinstance(agent, Moderator):
                raise ConfigError(
                    f"{kind}: agents[{i}] is a Moderator; pass it as moderator=..., not among the agents"
                )
            if not isinstance(agent, Agent):
                raise ConfigError(f"{kind}: agents[{i}] must be an Agent, got {type(agent).__name__}")
        if len({id(a) for a in agents}) != len(agents):
            raise ConfigError(
                f"{kind}: the same Agent object appears more than once; create one Agent per participant"
            )
        return agents

    def _names(self) -> list[str]:
        """Log names: each agent's own name, else a numbered default."""
        return [a.name or self._default_name(i) for i, a in enumerate(self.agents)]

    def _default_name(self, index: int) -> str:
        return f"Agent {index + 1}"

    # -- results ---------------------------------------------------------------------
    @property
    def moderated(self) -> bool:
        """True when the structure has a moderator."""
        return self.moderator is not None

    @property
    def run_task(self) -> str:
        """The task the moderator is told: the structure's, else the first agent's."""
        return self.task if self.task is not None else self.agents[0].task  # type: ignore[return-value]

    def settings(self) -> dict[str, Any]:
        """The structure's arguments, JSON-friendly."""
        return {
            "structure": type(self).__name__,
            "task": self.task,
            "agents": list(self.names),
            "shuffle": self.shuffle,
            "seed": self.seed,
            "last_seed": self.last_seed,
            "cycles": self.cycles,
            "last_n": self.last_n,
            "combination_instructions": self.combination_instructions,
            "moderated": self.moderated,
        }

    @property
    def info(self) -> dict[str, Any]:
        """Settings and results of the structure, and every agent's info."""
        structure = {
            **self.settings(),
            "responses": list(self.responses),
            "final_response": self.final_response,
            "moderator": self.moderator.info if self.moderator else None,
        }
        agents = [{"log_name": n, **a.info} for n, a in zip(self.names, self.agents)]
        return {"structure_information": structure, "agent_information": agents}

    def to_pandas(self) -> pd.DataFrame:
        """The latest run as a tidy DataFrame, one row per response (see :func:`.records.logs_to_frame`)."""
        return logs_to_frame(self.logs)

    def to_json(self, path: str | os.PathLike | None = None, indent: int | None = 2) -> str:
        """The latest run as JSON: settings plus the logs; also written to ``path`` if given.

        The file reads back with ``Logs.from_file(path)``.
        """
        return run_json(self.settings(), self.logs, path, indent)

    # -- running -----------------------------------------------------------------------
    def process(self) -> str | None:
        """Run the structure from scratch and return :attr:`final_response`.

        Earlier results, agent histories and the moderator's previous run are
        cleared first, so every call is an independent run.

        Raises:
            DeliberationError: a model failed; it names the agent and the cycle,
                and ``logs`` keeps the entries made before the failure.
        """
        self._clear()
        for agent in self.agents:
            agent.reset()
        if self.shuffle:
            self.last_seed = self.seed if self.seed is not None else random.SystemRandom().randrange(2**32)
            self._rng = random.Random(self.last_seed)
        if self.moderator is not None:
            self.moderator._start_run(self.run_task)
        self._run()
        if self.moderator is not None:
            self._moderate()
        elif self.responses:
            self.final_response = self.responses[-1]
        return self.final_response

    @abstractmethod
    def _run(self) -> None:
        """Make every agent response of one run (subclasses)."""

    def _clear(self) -> None:
        self.responses: list[str] = []
        self.final_response: str | None = None
        self.moderator_response: str | None = None
        self.logs = Logs()
        self._speaker: list[int] = []  # agent index of each agent entry

    def _task_for(self, index: int) -> str:
        return self.task if self.task is not None else self.agents[index].task  # type: ignore[return-value]

    def _prompt_for(self, index: int, previous: str) -> ChatPrompt:
        return self.agents[index].build_prompt(self._task_for(index), previous, self.combination_instructions)

    def _window(self, entries: list[int]) -> list[int]:
        """The last ``last_n`` of ``entries``."""
        return entries[len(entries) - self.last_n :] if self.last_n else []

    def _previous(self, index: int, seen: list[int]) -> str:
        """The earlier responses ``seen`` as agent ``index`` is shown them."""
        # While agents run, agent entry i of the logs is responses[i].
        return format_responses([self.responses[i] for i in seen])

    def _take_turns(self, order: list[int]) -> None:
        """Agents speak one at a time in ``order`` (reshuffled each cycle if asked), seeing the last ``last_n`` entries."""
        for cycle in range(1, self.cycles + 1):
            if self.shuffle:
                self._rng.shuffle(order)
            for index in order:
                self._speak(index, cycle, self._window(list(range(len(self.logs)))))

    def _speak(self, index: int, cycle: int, seen: list[int]) -> str:
        """One agent answers after seeing the entries ``seen``."""
        agent = self.agents[index]
        chat = self._prompt_for(index, self._previous(index, seen))
        text = agent._answer(chat, structure=type(self).__name__, label=repr(self.names[index]), cycle=cycle)
        self._record(index, agent.model, chat, text, cycle, seen)
        return text

    def _record(
        self, index: int | None, model: BaseModel, chat: ChatPrompt, text: str, cycle: int, seen: list[int]
    ) -> None:
        """Append one log entry (``index`` None: the moderator)."""
        contiguous = bool(seen) and seen == list(range(seen[0], seen[-1] + 1))
        name = self.moderator.name if index is None else self.names[index]  # type: ignore[union-attr]
        self.logs.append(
            name,
            text,
            model.name,
            prompt_json(chat),
            role="moderator" if index is None else "user",
            source="model",
            context=[seen[0], seen[-1] + 1] if contiguous else None,
            seen=list(seen),
            cycle=cycle,
        )
        if index is not None:
            self._speaker.append(index)
            self.responses.append(text)

    def _moderator_view(self) -> str:
        """What the moderator reads: every agent response, numbered."""
        return format_responses(self.responses)

    def _moderate(self) -> None:
        moderator = self.moderator
        assert moderator is not None
        seen = list(range(len(self.logs)))
        chat = moderator.build_prompt(self.run_task, self._moderator_view())
        text = moderator._answer(chat, structure=type(self).__name__, cycle=self.cycles)
        self._record(None, moderator.model, chat, text, self.cycles, seen)
        self.moderator_response = self.final_response = text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.names}, cycles={self.cycles}, moderated={self.moderated})"


class Chain(AbstractStructure):
    """Agents answer one after another; each sees the last ``last_n`` earlier responses.

    With several cycles the chain goes round again, and the window of earlier
    responses runs across cycles.
    """

    def _run(self) -> None:
        self._take_turns(list(range(len(self.agents))))


class Debate(AbstractStructure):
    """Two agents take turns; each sees the exchange with its own turns marked.

    In an agent's prompt, its own earlier turns are labelled ``[You]`` and its
    opponent's ``[Other]``. The moderator sees ``[Debater 1]`` and
    ``[Debater 2]`` instead (agent 1 is the first in ``agents``).

    Raises:
        ConfigError: not exactly two agents (a ValueError).
    """

    default_combination = "debate"

    def __init__(
        self,
        agents: Sequence[Agent],
        task: str | None = None,
        shuffle: bool = False,
        cycles: int = 1,
        last_n: int = 1000,
        combination_instructions: str | None = "debate",
        moderator: Moderator | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        if isinstance(agents, Sequence) and not isinstance(agents, (str, bytes)) and len(agents) != 2:
            raise ConfigError(
                f"Debate needs exactly 2 agents, got {len(agents)}; use Chain or Ensemble for other group sizes"
            )
        super().__init__(
            agents, task, shuffle, cycles, last_n, combination_instructions, moderator, seed=seed
        )

    def _default_name(self, index: int) -> str:
        return f"Debater {index + 1}"

    def _run(self) -> None:
        self._take_turns([0, 1])

    def _previous(self, index: int, seen: list[int]) -> str:
        labels = ["You" if self._speaker[i] == index else "Other" for i in seen]
        return format_responses([self.responses[i] for i in seen], labels)

    def _moderator_view(self) -> str:
        return format_responses(self.responses, [f"Debater {i + 1}" for i in self._speaker])


class Ensemble(AbstractStructure):
    """Agents answer independently; none sees another's response.

    Agents that share one model object are answered together in ONE batched
    call (``model.prompt_batch``) per cycle, which is much faster on local
    models than one call per agent. Responses are recorded in agent order.
    """

    def _run(self) -> None:
        order = list(range(len(self.agents)))
        chats = {index: self._prompt_for(index, "") for index in order}  # the same every cycle
        for cycle in range(1, self.cycles + 1):
            if self.shuffle:
                self._rng.shuffle(order)
            groups: dict[int, list[int]] = {}
            for index in order:
                groups.setdefault(id(self.agents[index].model), []).append(index)
            replies: dict[int, str] = {}
            try:
                for members in groups.values():
                    model = self.agents[members[0]].model
                    try:
                        texts = model.prompt_batch([chats[i] for i in members])
                    except ModelError as exc:
                        names = [self.names[i] for i in members]
                        raise DeliberationError(
                            f"Ensemble: the batched call for {names} on model {model.name!r} failed in cycle {cycle}: {exc}",
                            structure="Ensemble",
                            agent=", ".join(names),
                            cycle=cycle,
                        ) from exc
                    replies.update(zip(members, texts))
            finally:  # replies from groups that succeeded are kept even when a later group fails
                for index in order:
                    if index in replies:
                        self.agents[index]._record(chats[index], replies[index])
                        self._record(index, self.agents[index].model, chats[index], replies[index], cycle, [])
