"""Structures that run a task through a group of agents: Chain, Debate, Ensemble.

Every structure shares :class:`AbstractStructure`: the same arguments, a
``process()`` that can be called again for a fresh, independent run, the
results (``responses``, ``final_response``), and the record of the run
(``logs``, ``to_dataframe()``, ``to_json()``, ``print_responses()``).
:class:`~.graph.Graph` lives in its own module.

Deliberate differences from the reference library:

* the moderator always sees the task (its user message starts with it);
* ``responses`` holds the agents' answers only; the moderator's is ``final_response``;
* every run has a seed (``last_seed``): shuffling and every agent's sampling
  follow from it, so ``seed=last_seed`` repeats a run exactly.
"""

from __future__ import annotations

import contextlib
import random
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Protocol

from ..checks import instance_of, optional_seed, sequence_of, whole_number
from ..engine.logs import Logs
from ..errors import ConfigError, SyndiscoWarning
from . import templates
from .agent import Agent, answer_together, optional_text
from .moderator import Moderator
from .prompts import format_responses, prompt_json
from .records import RunEntry, logs_to_frame, plurals_frame, run_json, save_csv
from .sampling import derive_seed, fresh_seed

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence

    import pandas as pd

    from ..models.base import ChatPrompt, Completion, GenerationOptions


class _Progress(Protocol):
    def update(self, n: int = 1) -> object: ...


class AbstractStructure(ABC):
    """Common machinery of all structures. Subclasses write :meth:`_run`.

    Args:
        agents: The participating agents (distinct objects).
        task: The task for every agent. When None, each agent's own task is used.
        shuffle: Shuffle the speaking order at every cycle (from the run's seed).
        cycles: How many times the agents go through the task.
        last_n: At most this many earlier responses are shown to each agent.
        combination_instructions: Name or text telling agents how to use earlier
            responses (agents with their own keep theirs).
        moderator: Writes the final response from all responses, if given.
        seed: The run's seed: shuffling and every call's sampling seed follow
            from it. ``None`` picks a new one for each run, recorded in
            ``last_seed`` (and ``info``).
        verbose: Show a progress bar (``tqdm.auto``) while the run goes.

    Attributes:
        responses: The agents' responses of the latest run, in speaking order
            (the moderator's is not among them; see ``final_response``).
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
        verbose: bool = False,
    ) -> None:
        kind = type(self).__name__
        self.agents: list[Agent] = self._checked_agents(agents)
        self.names: list[str] = self._names()
        if len(set(self.names)) != len(self.names):
            raise ConfigError(f"{kind}: agent names must be unique, got {self.names}")
        self.task = optional_text(kind, "task", task)
        self._check_tasks(kind)
        self.shuffle = instance_of(f"{kind} shuffle", shuffle, bool, "True or False")
        self.seed = optional_seed(f"{kind} seed", seed)
        self.verbose = instance_of(f"{kind} verbose", verbose, bool, "True or False")
        self.cycles = whole_number(f"{kind} cycles", cycles, 1)
        self.last_n = whole_number(f"{kind} last_n", last_n, 0)
        optional_text(kind, "combination_instructions", combination_instructions)
        self.combination_instructions = combination_instructions or self.default_combination
        templates.resolve("combination_instructions", self.combination_instructions, kind)
        if moderator is not None:
            instance_of(f"{kind} moderator", moderator, Moderator, "a Moderator or None")
        self.moderator = moderator
        self.defaults: dict[str, Any] = templates.defaults()
        self.last_seed: int | None = None
        self._run_seed = 0
        self._rng = random.Random(0)
        self._bar: _Progress | None = None
        self.responses: list[str] = []
        self.final_response: str | None = None
        self.moderator_response: str | None = None
        self.logs = Logs()
        self._speaker: list[int] = []  # agent index of each agent entry

    # -- checks -------------------------------------------------------------------
    def _checked_agents(self, agents: Sequence[Agent]) -> list[Agent]:
        kind = type(self).__name__
        checked = sequence_of(f"{kind} agents", agents, Agent, what="Agent objects")
        if not checked:
            raise ConfigError(f"{kind} agents must be a non-empty list of Agent objects")
        for i, agent in enumerate(checked):
            if isinstance(agent, Moderator):
                raise ConfigError(
                    f"{kind}: agents[{i}] is a Moderator; pass it as moderator=..., not among the agents"
                )
        if len({id(a) for a in checked}) != len(checked):
            raise ConfigError(
                f"{kind}: the same Agent object appears more than once in agents; "
                "create one Agent per participant"
            )
        return checked

    def _check_tasks(self, kind: str) -> None:
        if self.task is None:
            missing = [n for n, a in zip(self.names, self.agents, strict=True) if a.task is None]
            if missing:
                raise ConfigError(f"{kind} has no task, and neither do {missing}: pass {kind}(..., task=...)")
            return
        pairs = zip(self.names, self.agents, strict=True)
        differing = [n for n, a in pairs if a.task not in (None, self.task)]
        if differing:
            warnings.warn(
                f"{kind}'s task replaces the own task of {differing}", SyndiscoWarning, stacklevel=4
            )

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
        return self.task_for(0)

    def task_for(self, index: int) -> str:
        """The task agent ``index`` answers: the structure's, else its own."""
        task = self.task if self.task is not None else self.agents[index].task
        if task is None:  # excluded by _check_tasks unless an agent's task was removed since
            raise ConfigError(f"{self.names[index]} has no task; pass {type(self).__name__}(..., task=...)")
        return task

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
        agents = [{"log_name": n, **a.info} for n, a in zip(self.names, self.agents, strict=True)]
        return {"structure_information": structure, "agent_information": agents}

    def to_dataframe(self, fn: str | os.PathLike[str] | None = None) -> pd.DataFrame:
        """The agents' responses as Plurals 0.7 tabulates them; also saved as CSV to ``fn`` if given.

        Columns ``response_index``, ``agent_index``, ``persona``, ``model``,
        ``turn``, ``system_prompt``, ``user_prompt``, ``response``; rows by
        turn, then agent (see :func:`.records.plurals_frame`). :meth:`to_pandas`
        has every entry, the moderator's included.
        """
        frame = plurals_frame(self.logs, self.names, [a.persona for a in self.agents])
        if fn is not None:
            save_csv(frame, fn)
        return frame

    def to_pandas(self) -> pd.DataFrame:
        """The latest run as a tidy DataFrame, one row per entry (see :func:`.records.logs_to_frame`)."""
        return logs_to_frame(self.logs)

    def to_json(self, fn: str | os.PathLike[str] | None = None, indent: int | None = 2) -> str:
        """The latest run as JSON: :attr:`info` plus settings and logs; also written to ``fn`` if given.

        The file reads back with ``Logs.from_file(fn)``.
        """
        return run_json(self.settings(), self.logs, fn, indent, info=self.info)

    def print_responses(self) -> None:
        """Print every response of the latest run with its speaker and cycle, then the final response."""
        for turn, entry in enumerate(self.logs):
            who = f"{entry['name']}, MODERATOR" if entry.get("role") == "moderator" else entry["name"]
            print(f"[{turn}] {who} (cycle {entry.get('cycle')}):\n{entry['text']}\n")  # noqa: T201
        print(f"Final response:\n{self.final_response}")  # noqa: T201

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
        self._run_seed = self.seed if self.seed is not None else fresh_seed()
        self.last_seed = self._run_seed
        self._rng = random.Random(self._run_seed)
        with self._progress():
            if self.moderator is not None:
                self.moderator.start_run(self.run_task, self._run_seed)
            self._run()
            if self.moderator is not None:
                self._moderate(self.moderator)
            elif self.responses:
                self.final_response = self._unmoderated_final()
        return self.final_response

    def _unmoderated_final(self) -> str:
        """The final response of a run without a moderator: the last agent response."""
        return self.responses[-1]

    @contextlib.contextmanager
    def _progress(self) -> Iterator[None]:
        if not self.verbose:
            yield
            return
        from tqdm.auto import tqdm  # only when asked: it may load ipywidgets

        total = self.expected_calls() + (1 if self.moderator is not None else 0)
        with tqdm(total=total, desc=type(self).__name__, unit="response") as bar:
            self._bar = bar
            try:
                yield
            finally:
                self._bar = None

    def expected_calls(self) -> int:
        """How many agent responses one run makes."""
        return self.cycles * len(self.agents)

    @abstractmethod
    def _run(self) -> None:
        """Make every agent response of one run (subclasses)."""

    def _clear(self) -> None:
        self.responses = []
        self.final_response = None
        self.moderator_response = None
        self.logs = Logs()
        self._speaker = []

    def _prompt_for(self, index: int, previous: str) -> ChatPrompt:
        return self.agents[index].build_prompt(self.task_for(index), previous, self.combination_instructions)

    def _window(self, entries: list[int]) -> list[int]:
        """The last ``last_n`` of ``entries``."""
        return entries[len(entries) - self.last_n :] if self.last_n else []

    def _previous(self, index: int, seen: list[int]) -> str:  # noqa: ARG002  Debate uses index
        """The earlier responses ``seen`` as agent ``index`` is shown them."""
        # While agents run, agent entry i of the logs is responses[i].
        return format_responses([self.responses[i] for i in seen])

    def _take_turns(self, order: list[int], *, reshuffle: bool) -> None:
        """Agents speak one at a time in ``order``, seeing the last ``last_n`` entries.

        With ``reshuffle`` the order is shuffled again at every cycle.
        """
        for cycle in range(1, self.cycles + 1):
            if reshuffle:
                self._rng.shuffle(order)
            for index in order:
                self._speak(index, cycle, self._window(list(range(len(self.logs)))))

    def _speak(self, index: int, cycle: int, seen: list[int]) -> None:
        """One agent answers after seeing the entries ``seen``."""
        agent = self.agents[index]
        chat = self._prompt_for(index, self._previous(index, seen))
        seed = derive_seed(self._run_seed, cycle, index, len(self.logs))
        completion = agent.answer(
            chat, seed=seed, structure=type(self).__name__, label=repr(self.names[index]), cycle=cycle
        )
        self._record(index, chat, completion, agent.options_for(seed), cycle, seen)

    def _answer_wave(
        self, indices: list[int], chats: dict[int, ChatPrompt], cycle: int, seen: dict[int, list[int]]
    ) -> None:
        """Agents that need nothing from each other answer; those sharing a model and settings in ONE batch.

        Responses are recorded in ``indices`` order. When a group fails, the
        replies of groups that finished are kept in the logs.
        """
        groups: dict[object, list[int]] = {}
        for index in indices:
            key = self.agents[index].batch_key
            groups.setdefault(key if key is not None else ("alone", index), []).append(index)
        done: dict[int, tuple[Completion, GenerationOptions]] = {}
        kind = type(self).__name__
        try:
            for members in groups.values():
                seed = derive_seed(self._run_seed, cycle, "wave", tuple(members))
                first = self.agents[members[0]]
                if first.batch_key is None:
                    completion = first.answer(
                        chats[members[0]],
                        seed=seed,
                        structure=kind,
                        label=repr(self.names[members[0]]),
                        cycle=cycle,
                    )
                    done[members[0]] = (completion, first.options_for(seed))
                    continue
                replies = answer_together(
                    [self.agents[i] for i in members],
                    [chats[i] for i in members],
                    seed=seed,
                    structure=kind,
                    labels=[self.names[i] for i in members],
                    cycle=cycle,
                )
                done.update((i, (c, first.options_for(seed))) for i, c in zip(members, replies, strict=True))
        finally:  # replies from groups that succeeded are kept even when a later group fails
            for index in indices:
                if index in done:
                    completion, options = done[index]
                    self._record(index, chats[index], completion, options, cycle, seen[index])

    def _record(
        self,
        index: int | None,
        chat: ChatPrompt,
        completion: Completion,
        options: GenerationOptions,
        cycle: int,
        seen: list[int],
    ) -> None:
        """Append one log entry (``index`` None: the moderator)."""
        contiguous = bool(seen) and seen == list(range(seen[0], seen[-1] + 1))
        speaker = self.moderator if index is None else self.agents[index]
        assert speaker is not None
        entry = RunEntry(
            name=(speaker.name or "Moderator") if index is None else self.names[index],
            text=completion.text,
            model=speaker.model.name,
            prompt=prompt_json(chat),
            role="moderator" if index is None else "user",
            source="model",
            context=[seen[0], seen[-1] + 1] if contiguous else None,
            seen=list(seen),
            cycle=cycle,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            seconds=completion.seconds,
            options=options.as_dict(),
        )
        self.logs.add(entry)
        if index is not None:
            self._speaker.append(index)
            self.responses.append(completion.text)
        if self._bar is not None:
            self._bar.update(1)

    def _moderator_view(self) -> str:
        """What the moderator reads: every agent response, numbered."""
        return format_responses(self.responses)

    def _moderate(self, moderator: Moderator) -> None:
        seen = list(range(len(self.logs)))
        chat = moderator.build_prompt(self.run_task, self._moderator_view())
        seed = derive_seed(self._run_seed, "moderator")
        completion = moderator.answer(chat, seed=seed, structure=type(self).__name__, cycle=self.cycles)
        self._record(None, chat, completion, moderator.options_for(seed), self.cycles, seen)
        self.moderator_response = self.final_response = completion.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.names}, cycles={self.cycles}, moderated={self.moderated})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Rich display: the structure's graph and answers in JupyterLab, escaped HTML elsewhere."""
        from ..viewer import structure_bundle  # lazily: the viewer is a layer over the engine

        return structure_bundle(self, include, exclude)


class Chain(AbstractStructure):
    """Agents answer one after another; each sees the last ``last_n`` earlier responses.

    With several cycles the chain goes round again, and the window of earlier
    responses runs across cycles. ``shuffle`` reshuffles the order every cycle.
    """

    def _run(self) -> None:
        self._take_turns(list(range(len(self.agents))), reshuffle=self.shuffle)


class Debate(AbstractStructure):
    """Two agents take turns; each sees the exchange with its own turns marked.

    In an agent's prompt, its own earlier turns are labelled ``[You]`` and its
    opponent's ``[Other]``; labels a model echoes at the start of a line are
    removed first. The moderator sees ``[Debater 1]`` and ``[Debater 2]``
    (agent 1 is the first in ``agents``). Turns strictly alternate: with
    ``shuffle=True`` the opener is drawn once per run (``first_speaker``).

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
        verbose: bool = False,
    ) -> None:
        if isinstance(agents, (list, tuple)) and len(agents) != 2:  # noqa: PLR2004
            raise ConfigError(
                f"Debate agents must be exactly 2 agents, got {len(agents)}; "
                "use Chain or Ensemble for other group sizes"
            )
        super().__init__(
            agents,
            task,
            shuffle,
            cycles,
            last_n,
            combination_instructions,
            moderator,
            seed=seed,
            verbose=verbose,
        )
        #: Name of the agent that opened the latest run.
        self.first_speaker: str | None = None

    def _default_name(self, index: int) -> str:
        return f"Debater {index + 1}"

    def expected_calls(self) -> int:
        """Two responses per cycle."""
        return 2 * self.cycles

    def _run(self) -> None:
        order = [0, 1]
        if self.shuffle and self._rng.random() < 0.5:  # noqa: PLR2004  a fair coin
            order = [1, 0]
        self.first_speaker = self.names[order[0]]
        self._take_turns(order, reshuffle=False)

    def settings(self) -> dict[str, Any]:
        """The structure's arguments, plus who opened the latest run."""
        return {**super().settings(), "first_speaker": self.first_speaker}

    def _previous(self, index: int, seen: list[int]) -> str:
        labels = ["You" if self._speaker[i] == index else "Other" for i in seen]
        return format_responses([self.responses[i] for i in seen], labels)

    def _moderator_view(self) -> str:
        return format_responses(self.responses, [f"Debater {i + 1}" for i in self._speaker])


class Ensemble(AbstractStructure):
    """Agents answer independently; none sees another's response.

    Agents that share one model object and the same generation settings are
    answered together in ONE batched call (``model.complete_batch``) per
    cycle, which is much faster on local models than one call per agent.
    Responses are recorded in speaking order.
    """

    def _run(self) -> None:
        order = list(range(len(self.agents)))
        chats = {index: self._prompt_for(index, "") for index in order}  # the same every cycle
        for cycle in range(1, self.cycles + 1):
            if self.shuffle:
                self._rng.shuffle(order)
            self._answer_wave(list(order), chats, cycle, {i: [] for i in order})
