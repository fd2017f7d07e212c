"""Structures that run a task through a group of agents: Chain, Debate, Ensemble.

Every structure shares :class:`AbstractStructure`: the same arguments, a
``process()`` that can be called again for a fresh, independent run, the
results (``responses``, ``final_response``), and the record of the run
(``logs``, ``to_dataframe()``, ``to_json()``, ``print_responses()``).
:class:`~.graph.Graph` lives in its own module.

Deliberate differences from the reference library:

* the moderator always sees the task (its user message starts with it);
* every run has a seed (``last_seed``): shuffling and every agent's sampling
  follow from it, so ``seed=last_seed`` repeats a run exactly.
"""

from __future__ import annotations

import random
import warnings
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from ..checks import instance_of, optional_seed, sequence_of, whole_number
from ..engine.drive import BarListener, drive, progress_bar
from ..engine.logs import Logs
from ..errors import ConfigError, DeliberationError, ModelError, SyndiscoWarning, TurnError
from ..models.base import Completion
from . import templates
from .agent import Agent, answers_itself, optional_text, whole
from .moderator import Moderator
from .prompts import format_responses, prompt_json
from .records import RunEntry, logs_to_frame, plurals_frame, run_json, save_csv
from .sampling import derive_seed, fresh_seed
from .waves import Call, Candidate, Done, Wave

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Mapping, Sequence

    import pandas as pd

    from ..engine.requests import TurnRequest
    from ..engine.storage import JsonlLogWriter
    from ..models.base import ChatPrompt


class AbstractStructure:
    """Common machinery of all structures. Subclasses write :meth:`_run` (or, Plurals-style, ``process()``).

    Args:
        agents: The participating agents (distinct objects).
        task: The task for every agent. When None, each agent's own task is used.
        shuffle: Shuffle the speaking order at every cycle (from the run's seed).
        cycles: How many times the agents go through the task.
        last_n: At most this many earlier responses are shown to each agent.
        combination_instructions: Name or text telling agents how to use earlier
            responses (agents with their own keep theirs); None: the
            structure's own (``"default"``; a Debate's ``"debate"``).
        moderator: Writes the final response from all responses, if given.
        seed: The run's seed: shuffling and every call's sampling seed follow
            from it. ``None`` picks a new one for each run, recorded in
            ``last_seed`` (and ``info``).
        verbose: Show a progress bar (``tqdm.auto``) while the run goes.

    Attributes:
        responses: The responses of the latest run, in speaking order, the
            moderator's last (as in Plurals; Debate's carry ``[Debater N]``).
        final_response: The moderator's response if moderated, else the last
            agent response (None before the first run).
        moderator_response: The moderator's response of the latest run, if any.
        logs: The latest run as :class:`~syndisco_widgets.engine.Logs`.
        defaults: Every named template (a fresh copy).
    """

    #: Combination instructions used when the argument is None (the default).
    default_combination = "default"

    def __init__(
        self,
        agents: Sequence[Agent],
        task: str | None = None,
        shuffle: bool = False,
        cycles: int = 1,
        last_n: int = 1000,
        combination_instructions: str | None = None,
        moderator: Moderator | None = None,
        *,
        seed: int | None = None,
        verbose: bool = False,
    ) -> None:
        kind = type(self).__name__
        cls = type(self)
        if cls._run is AbstractStructure._run and cls.process is AbstractStructure.process:
            raise TypeError(
                f"{kind} must write _run() (or process()) to be a structure; or use Chain, Debate, Ensemble"
            )
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
        for agent in self.agents:  # as Plurals: agents read the structure's task once it is built
            if isinstance(agent, Agent):
                agent.join(self.task, self.combination_instructions)
        if moderator is not None:
            instance_of(f"{kind} moderator", moderator, Moderator, "a Moderator or None")
        self.moderator = moderator
        if moderator is not None:
            moderator.join(self.task, self.combination_instructions)
            if moderator.task is None and not any(isinstance(a, Agent) and a.task for a in self.agents):
                raise ConfigError(
                    f"{kind}: its moderator has no task to moderate: pass {kind}(..., task=...) "
                    "or Moderator(task=...)"
                )
        self.defaults: dict[str, Any] = templates.defaults()
        self.last_seed: int | None = None
        self._run_seed = 0
        self._rng = random.Random(0)
        self.responses: list[str] = []
        self._texts: list[str] = []  # each agent entry's reply as given (what later speakers are shown)
        self.final_response: str | None = None
        self.moderator_response: str | None = None
        #: What stopped the latest run, if a model failed (``process()`` raises it).
        self.error: DeliberationError | None = None
        self.logs = Logs()
        self._speaker: list[int] = []  # agent index of each agent entry
        # the earlier responses each speaker (None: the moderator) was shown
        self._shown: dict[int | None, str] = {}
        self._started = False
        self._script: Iterator[list[Call]] | None = None  # the waves still to come
        self._wave: Wave | None = None  # the wave being answered
        self._saved: deque[Mapping[str, Any]] = deque()
        self._writer: JsonlLogWriter | None = None

    # -- checks -------------------------------------------------------------------
    @classmethod
    def runs_itself(cls) -> bool:
        """True for a Plurals-style subclass that writes only ``process()`` (never run by our engine)."""
        return cls._run is AbstractStructure._run and cls.process is not AbstractStructure.process

    def _checked_agents(self, agents: Sequence[Agent]) -> list[Agent]:
        kind = type(self).__name__
        if self.runs_itself():  # its process() decides what a participant is: only Agents are checked
            participants = sequence_of(f"{kind} agents", agents, object, what="participants")
            if not participants:
                raise ConfigError(f"{kind} agents must be a non-empty list of participants")
            return cast("list[Agent]", participants)  # whatever its own process() takes
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
        pairs = [(n, a) for n, a in zip(self.names, self.agents, strict=True) if isinstance(a, Agent)]
        if self.task is None:
            missing = [n for n, a in pairs if a.task is None]
            if missing:
                raise ConfigError(f"{kind} has no task, and neither do {missing}: pass {kind}(..., task=...)")
            return
        differing = [n for n, a in pairs if a.own_task not in (None, self.task)]
        if differing:
            warnings.warn(
                f"{kind}'s task replaces the own task of {differing}", SyndiscoWarning, stacklevel=4
            )

    def _names(self) -> list[str]:
        """Log names: each agent's own name, else a numbered default."""
        return [
            a.name if isinstance(a, Agent) and a.name else self._default_name(i)
            for i, a in enumerate(self.agents)
        ]

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
        agents = [
            {"log_name": n, **(a.info if isinstance(a, Agent) else {})}
            for n, a in zip(self.names, self.agents, strict=True)
        ]
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
        """Run the structure from scratch and return :attr:`final_response` (``drive([structure])``).

        Earlier results, agent histories and the moderator's previous run are
        cleared first, so every call is an independent run.

        Raises:
            DeliberationError: a model failed; it names the agent and the cycle,
                and ``logs`` keeps the entries made before the failure.
        """
        self.start()
        total = self.expected_calls() + (1 if self.moderator is not None else 0)
        with progress_bar(total, self.verbose, type(self).__name__) as bar:
            listener = None if bar is None else BarListener(bar, ("user", "moderator"))
            drive(
                [self],
                batch_size=self._largest_call(),
                verbose=False,
                raise_on_failure=False,
                listener=listener,
            )
        if self.error is not None:
            raise self.error from self.error.__cause__
        return self.final_response

    def start(
        self,
        seed: int | None = None,
        *,
        saved: Sequence[Mapping[str, Any]] = (),
        writer: JsonlLogWriter | None = None,
    ) -> None:
        """Begin a fresh run; :func:`~syndisco_widgets.drive` (or :meth:`process`) then makes it.

        Args:
            seed: The run's seed (default: ``seed`` given at construction, else a new one).
            saved: Records of an earlier, interrupted run of this structure with
                this seed (``{"entry": ..., "candidates": [...]}``, as ``writer``
                writes them): they are taken in order as the replies to the calls
                they match, without asking a model.
            writer: Appends every new entry (with its candidates) to its run file.

        Raises:
            ConfigError: a saved record does not match the call this run makes
                at its place (the run was made with other settings; both are named).
        """
        self._clear()
        for agent in self.agents:
            agent.reset()
        chosen = optional_seed(f"{type(self).__name__} start seed", seed if seed is not None else self.seed)
        self._run_seed = fresh_seed() if chosen is None else chosen
        self.last_seed = self._run_seed
        self._rng = random.Random(self._run_seed)
        self._saved = deque(saved)
        self._writer = writer
        if self.moderator is not None:
            self.moderator.start_run(self.run_task, self._run_seed)
        self._script = self._calls()
        self._started = True

    @property
    def finished(self) -> bool:
        """True once the latest run has made all its responses."""
        return self._started and self._script is None and self.error is None

    @property
    def answers_left(self) -> int:
        """Agent responses the current run still has to make."""
        return max(self.expected_calls() - len(self._texts), 0) if self.error is None else 0

    def next_requests(self) -> list[TurnRequest[Candidate]]:
        """The model calls that are ready now (empty when the run is over or failed).

        A structure not started yet starts a run (see :meth:`start`).
        """
        if not self._started:
            self.start()
        while self.error is None and self._script is not None:
            if self._wave is not None and not self._wave.complete:
                return self._wave.open_requests()
            calls = next(self._script, None)
            if calls is None:
                self._end()
            else:
                self._wave = Wave(calls, len(self.logs))
                self._take_saved(self._wave)
                self._take_own_answers(self._wave)
        return []

    def record(self, request: TurnRequest[Any], completion: Completion) -> RunEntry | None:
        """Take the reply to ``request``; the entry it makes (None while a best-of-N call waits for more)."""
        wave = self._current_wave()
        position = wave.position(request)
        replies = wave.add(position, request.payload.number, completion)
        if replies is None:
            return None
        done = self._finish_call(wave.calls[position], replies)
        wave.done[position] = done
        self._take_ready(wave)
        return done.entry

    def fail(self, request: TurnRequest[Any], error: BaseException) -> TurnError:
        """Stop the run: replies that came are kept in order, and :attr:`error` says what failed."""
        wave = self._current_wave()
        call: Call = wave.calls[wave.position(request)]
        kind = type(self).__name__
        if call.group is not None:
            failure = DeliberationError(
                f"{kind}: the batched call for {list(call.group)} on model {call.model.name!r} failed "
                f"in cycle {call.cycle}: {error}",
                structure=kind,
                agent=", ".join(call.group),
                cycle=call.cycle,
            )
        else:
            label = None if call.index is None else repr(call.name)
            speaker = self._speaker_of(call)
            model_error = error if isinstance(error, ModelError) else ModelError(str(error))
            failure = speaker.failure(model_error, structure=kind, label=label, cycle=call.cycle)
        failure.__cause__ = error
        self.error = failure
        self._take_ready(wave, skip_gaps=True)
        return TurnError(str(failure), speaker=call.name, turn=request.turn)

    def _largest_call(self) -> int:
        """A batch size that sends every wave's group in one call, as a lone run always has."""
        speakers = [*self.agents, *([self.moderator] if self.moderator else [])]
        return max(32, sum(s.num_responses for s in speakers))

    def _unmoderated_final(self) -> str:
        """The final response of a run without a moderator: the last agent response."""
        return self.responses[-1]

    def expected_calls(self) -> int:
        """How many agent responses one run makes."""
        return self.cycles * len(self.agents)

    def _run(self) -> Iterator[list[Call]]:
        """The agents' waves of one run (subclasses); each is answered and logged before the next.

        A subclass written for Plurals overrides only ``process()``; it can be
        built (and its agents read), but running it through the engine needs ``_run``.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not say how its agents take turns: write its _run() "
            "(see Chain, Debate, Ensemble), or override process()"
        )

    def _calls(self) -> Iterator[list[Call]]:
        yield from self._run()
        if self.moderator is not None:
            seed = derive_seed(self._run_seed, "moderator")
            view = self._shown[None] = self._moderator_view()
            chat = self.moderator.build_prompt(self.run_task, view)
            yield [self._call(None, self.cycles, list(range(len(self.logs))), chat, seed)]

    def _end(self) -> None:
        self._script = None
        self._wave = None
        self.close()
        if self.moderator is None and self.responses:
            self.final_response = self._unmoderated_final()

    def _clear(self) -> None:
        self.close()
        self.responses = []
        self._texts = []
        self.final_response = None
        self.moderator_response = None
        self.error = None
        self.logs = Logs()
        self._speaker = []
        self._shown = {}
        self._wave = None

    def sync(self) -> None:
        """Push the entries written to the run file to disk (``drive`` calls it after each model call)."""
        if self._writer is not None:
            self._writer.sync()

    def close(self) -> None:
        """Stop writing to the run file given to :meth:`start` (so another process may resume it)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _current_wave(self) -> Wave:
        if self._wave is None or self.error is not None:
            raise ConfigError(
                f"{type(self).__name__} is not waiting for any reply; "
                "ask next_requests() for the calls it makes"
            )
        return self._wave

    def _speaker_of(self, call: Call) -> Agent:
        speaker = self.moderator if call.index is None else self.agents[call.index]
        assert speaker is not None  # a moderator call exists only with a moderator
        return speaker

    def _prompt_for(self, index: int, previous: str) -> ChatPrompt:
        self._shown[index] = previous
        return self.agents[index].build_prompt(self.task_for(index), previous, self.combination_instructions)

    def _call(
        self,
        index: int | None,
        cycle: int,
        seen: list[int],
        chat: ChatPrompt,
        seed: int,
        group: tuple[str, ...] | None = None,
    ) -> Call:
        """The call of agent ``index`` (None: the moderator) with the call seed ``seed``."""
        speaker = self.moderator if index is None else self.agents[index]
        assert speaker is not None
        name = (speaker.name or "Moderator") if index is None else self.names[index]
        options = speaker.options_for(seed)
        many = speaker.num_responses
        return Call(index, name, speaker.model, cycle, tuple(seen), chat, options, many, group)

    def _window(self, entries: list[int]) -> list[int]:
        """The last ``last_n`` of ``entries``."""
        return entries[len(entries) - self.last_n :] if self.last_n else []

    def _previous(self, index: int, seen: list[int]) -> str:  # noqa: ARG002  Debate uses index
        """The earlier responses ``seen`` as agent ``index`` is shown them."""
        # While agents run, agent entry i of the logs is responses[i].
        return format_responses([self._texts[i] for i in seen])

    def _take_turns(self, order: list[int], *, reshuffle: bool) -> Iterator[list[Call]]:
        """Agents speak one at a time in ``order``, seeing the last ``last_n`` entries.

        With ``reshuffle`` the order is shuffled again at every cycle.
        """
        for cycle in range(1, self.cycles + 1):
            if reshuffle:
                self._rng.shuffle(order)
            for index in order:
                seen = self._window(list(range(len(self.logs))))
                chat = self._prompt_for(index, self._previous(index, seen))
                seed = derive_seed(self._run_seed, cycle, index, len(self.logs))
                yield [self._call(index, cycle, seen, chat, seed)]

    def _wave_calls(
        self, indices: list[int], chats: dict[int, ChatPrompt], cycle: int, seen: dict[int, list[int]]
    ) -> list[Call]:
        """Agents that need nothing from each other; those sharing a model and settings form one batched call.

        Each group's call seed comes from its members; the calls are logged in ``indices`` order.
        """
        groups: dict[object, list[int]] = {}
        for index in indices:
            key = self.agents[index].batch_key
            groups.setdefault(key if key is not None else ("alone", index), []).append(index)
        calls: dict[int, Call] = {}
        for members in groups.values():
            seed = derive_seed(self._run_seed, cycle, "wave", tuple(members))
            batched = self.agents[members[0]].batch_key is not None
            names = tuple(self.names[i] for i in members) if batched else None
            for i in members:
                calls[i] = self._call(i, cycle, seen[i], chats[i], seed, names)
        return [calls[i] for i in indices]

    def _finish_call(self, call: Call, replies: list[Completion]) -> Done:
        """The reply kept for ``call`` and the entry it makes."""
        label = repr(call.name) if call.index is not None else None
        chosen, raw = whole(self._speaker_of(call).pick(replies, label))
        return Done(chosen, [c.text for c in replies], self._entry(call, chosen, raw))

    def _take_saved(self, wave: Wave) -> None:
        """Take saved records of an interrupted run as the replies to this wave's calls."""
        for position, call in enumerate(wave.calls):
            if not self._saved:
                return
            record = self._saved.popleft()
            entry = record.get("entry", {})
            if entry.get("name") != call.name or entry.get("prompt") != prompt_json(call.chat):
                raise ConfigError(
                    f"{type(self).__name__}: saved entry {wave.start + position} was {entry.get('name')!r} "
                    f"answering another prompt, but this run asks {call.name!r} (cycle {call.cycle}); the "
                    "run was made with other settings: use a new output folder, or the settings it was "
                    "made with"
                )
            completion = Completion(
                str(entry.get("text", "")),
                entry.get("prompt_tokens"),
                entry.get("completion_tokens"),
                float(entry.get("seconds", 0.0)),
            )
            texts = [str(t) for t in record.get("candidates", [completion.text])]
            raw = entry.get("raw_text") if entry.get("truncated") is True else None
            wave.done[position] = Done(completion, texts, self._entry(call, completion, raw))
            self._take_ready(wave, saved=True)

    def _take_own_answers(self, wave: Wave) -> None:
        """Calls of speakers with their own ``process()`` are answered by it, as Plurals' structures do.

        It gets the earlier responses the speaker is shown, formatted; what it
        records in its history is its own business.
        """
        for position, call in enumerate(wave.calls):
            speaker = self._speaker_of(call)
            if position in wave.done or not answers_itself(speaker):
                continue
            text = speaker.process(previous_responses=self._shown.get(call.index, ""))
            if not isinstance(text, str):
                raise ConfigError(
                    f"{type(self).__name__}: {call.name!r}'s own process() returned {type(text).__name__}; "
                    "it must return the answer as a str"
                )
            completion = Completion(text)
            wave.done[position] = Done(completion, [text], self._entry(call, completion))
        self._take_ready(wave)

    def _take_ready(self, wave: Wave, *, skip_gaps: bool = False, saved: bool = False) -> None:
        """Log the wave's done calls, in order (each agent's history too)."""
        for call, done in wave.ready(skip_gaps=skip_gaps):
            speaker = self._speaker_of(call)
            many = done.texts if call.candidates > 1 else None
            if not answers_itself(speaker):
                speaker.record(call.chat, done.completion.text, call.options, all_responses=many)
            self.logs.add(done.entry)
            if self._writer is not None and not saved:
                self._writer.write(done.entry, candidates=done.texts)
            text = done.completion.text
            if call.index is None:
                self.moderator_response = self.final_response = text
                self.responses.append(text)
            else:
                self._speaker.append(call.index)
                self._texts.append(text)
                self.responses.append(self._labelled(call.index, text))

    def _labelled(self, index: int, text: str) -> str:  # noqa: ARG002  Debate labels its debaters
        """Agent ``index``'s reply as :attr:`responses` holds it."""
        return text

    def _entry(self, call: Call, completion: Completion, raw_text: str | None = None) -> RunEntry:
        """The log entry of ``call`` answered with ``completion`` (``raw_text``: the model's, if cut)."""
        seen = list(call.seen)
        contiguous = bool(seen) and seen == list(range(seen[0], seen[-1] + 1))
        entry = RunEntry(
            name=call.name,
            text=completion.text,
            model=call.model.name,
            prompt=prompt_json(call.chat),
            role="moderator" if call.index is None else "user",
            source="model",
            context=[seen[0], seen[-1] + 1] if contiguous else None,
            seen=seen,
            cycle=call.cycle,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            seconds=completion.seconds,
            options=call.options.as_dict(),
        )
        if raw_text is not None:
            entry["truncated"] = True
            entry["raw_text"] = raw_text
        return entry

    def _moderator_view(self) -> str:
        """What the moderator reads: every agent response, numbered."""
        return format_responses(self._texts)

    def __repr__(self) -> str:
        """The :attr:`info` dict, as Plurals shows a structure."""
        return repr(self.info)


class Chain(AbstractStructure):
    """Agents answer one after another; each sees the last ``last_n`` earlier responses.

    With several cycles the chain goes round again, and the window of earlier
    responses runs across cycles. ``shuffle`` reshuffles the order every cycle.
    """

    def _run(self) -> Iterator[list[Call]]:
        return self._take_turns(list(range(len(self.agents))), reshuffle=self.shuffle)


class Debate(AbstractStructure):
    """Two agents take turns; each sees the exchange with its own turns marked.

    In an agent's prompt, its own earlier turns are labelled ``[You]`` and its
    opponent's ``[Other]``; labels a model echoes at the start of a line are
    removed first. The moderator sees ``[Debater 1]`` and ``[Debater 2]``
    (agent 1 is the first in ``agents``), and :attr:`responses` holds each
    reply as ``[Debater N] reply``, as in Plurals (so does an unmoderated
    ``final_response``). Turns strictly alternate: with ``shuffle=True`` the
    opener is drawn once per run (``first_speaker``).

    Raises:
        ConfigError: not exactly two agents (a ValueError).
    """

    default_combination = "debate"
    #: Name of the agent that opened the latest run.
    first_speaker: str | None = None

    def _checked_agents(self, agents: Sequence[Agent]) -> list[Agent]:
        checked = super()._checked_agents(agents)
        if len(checked) != 2:  # noqa: PLR2004
            raise ConfigError(
                f"Debate agents must be exactly 2 agents, got {len(checked)}; "
                "use Chain or Ensemble for other group sizes"
            )
        return checked

    def _default_name(self, index: int) -> str:
        return f"Debater {index + 1}"

    def expected_calls(self) -> int:
        """Two responses per cycle."""
        return 2 * self.cycles

    def _run(self) -> Iterator[list[Call]]:
        order = [0, 1]
        if self.shuffle and self._rng.random() < 0.5:  # noqa: PLR2004  a fair coin
            order = [1, 0]
        self.first_speaker = self.names[order[0]]
        return self._take_turns(order, reshuffle=False)

    def settings(self) -> dict[str, Any]:
        """The structure's arguments, plus who opened the latest run."""
        return {**super().settings(), "first_speaker": self.first_speaker}

    def _previous(self, index: int, seen: list[int]) -> str:
        labels = ["You" if self._speaker[i] == index else "Other" for i in seen]
        return format_responses([self._texts[i] for i in seen], labels)

    def _moderator_view(self) -> str:
        return format_responses(self._texts, [f"Debater {i + 1}" for i in self._speaker])

    def _labelled(self, index: int, text: str) -> str:
        """``[Debater N] reply``, as Plurals' Debate keeps its responses (agent N is ``agents[N - 1]``)."""
        return f"[Debater {index + 1}] {text}"


class Ensemble(AbstractStructure):
    """Agents answer independently; none sees another's response.

    Agents that share one model object and the same generation settings are
    answered together in ONE batched call (``model.complete_batch``) per
    cycle, which is much faster on local models than one call per agent.
    Responses are recorded in speaking order.
    """

    def _run(self) -> Iterator[list[Call]]:
        order = list(range(len(self.agents)))
        chats = {index: self._prompt_for(index, "") for index in order}  # the same every cycle
        for cycle in range(1, self.cycles + 1):
            if self.shuffle:
                self._rng.shuffle(order)
            yield self._wave_calls(list(order), chats, cycle, {i: [] for i in order})
