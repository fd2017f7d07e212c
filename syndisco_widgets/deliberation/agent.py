"""Agents: one model answering a task, optionally as a persona.

An agent's system text comes from exactly one source, or none:

* ``system_instructions=`` (the whole system text, used as written), or
* ``persona=`` (optionally with ``persona_template=``), or
* ``persona='random'`` / ``ideology=`` / ``query_str=`` / ``filters=`` (a survey respondent).

Without any of them the model gets no system message at all. ``${task}`` in
the system text is filled with the task of each call, as the reference does.

The positional order of :class:`Agent` is the reference library's (task
first), and its keywords are the reference's, plus a few of our own after ``*``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from ..checks import instance_of, non_empty_text, positive_whole_number
from ..engine.sentences import whole_reply
from ..errors import ConfigError, DeliberationError, ModelError
from ..models.base import BaseModel, ChatPrompt, Completion, GenerationOptions
from . import templates
from .plurals_data import plurals_survey
from .prompts import chat_prompt, format_responses, user_message
from .resolve import resolve_model
from .sampling import fresh_seed, options_from_kwargs, with_seed
from .survey import SurveyDraw, SurveyPersonas, SyntheticDataWarning, load_demo_survey

#: Picks one reply out of an agent's ``num_responses`` replies (best-of-N).
ResponseSelector = Callable[[list[str]], str]


class Prompts(TypedDict):
    """The two texts of one call, as the reference's history shows them."""

    system: str | None
    user: str


class _Exchange(TypedDict):
    prompts: Prompts
    response: str
    model: str
    options: dict[str, Any]


class HistoryEntry(_Exchange, total=False):
    """One exchange of an agent, readable the reference's way (``entry["prompts"]["user"]``).

    ``options`` are the generation settings the call used (seed included);
    ``all_responses`` holds every candidate of a best-of-N call.
    """

    all_responses: list[str]


def optional_text(owner: str, label: str, value: object) -> str | None:
    """``value`` if it is None or a non-empty string; else a ConfigError naming ``label``."""
    return None if value is None else non_empty_text(f"{owner} {label}", value)


def _refuse_legacy(owner: str, data: object, persona_mapping: object) -> None:
    if data is not None or persona_mapping is not None:
        raise ConfigError(
            f"{owner}: data= and persona_mapping= come from an older release of the reference "
            "library; pass survey=SurveyPersonas(your_dataframe, fields, weight_column=...) instead"
        )


def _best_of(
    owner: str, num_responses: object, response_selector: object
) -> tuple[int, ResponseSelector | None]:
    """Checked ``num_responses`` and ``response_selector``."""
    count = positive_whole_number(f"{owner} num_responses", num_responses)
    if response_selector is not None and not callable(response_selector):
        raise ConfigError(f"{owner} response_selector must be a function of the list of replies")
    if count > 1 and response_selector is None:
        raise ConfigError(
            f"{owner}: num_responses={count} needs response_selector=, a function that takes the "
            "list of replies and returns the one to keep, e.g. lambda rs: max(rs, key=len)"
        )
    return count, response_selector


def _default_survey(owner: str) -> SurveyPersonas:
    """The installed plurals ANES table, else the synthetic demo table (with a warning)."""
    found = plurals_survey()
    if found is not None:
        return found
    demo = load_demo_survey()
    warnings.warn(
        f"{owner}: persona drawn from the bundled demo table. {demo.notice} Install the plurals "
        "package to draw from its ANES table, or pass survey=SurveyPersonas(your_dataframe, ...).",
        SyntheticDataWarning,
        stacklevel=4,
    )
    return demo


class Agent:
    """A participant that answers a task with a model.

    Args:
        task: The agent's task (its user prompt). A structure's task replaces it.
        combination_instructions: How to use earlier answers: a name from
            :data:`~syndisco_widgets.deliberation.templates.COMBINATION_INSTRUCTIONS`
            or text containing ``${previous_responses}``. When None, the
            structure's (or ``'default'``) is used.
        ideology: Draw a survey respondent with this ideology (``'liberal'``,
            ``'conservative'``, ``'moderate'``, ``'very liberal'``, ``'very conservative'``).
        query_str: Draw a survey respondent from the rows this pandas query selects,
            e.g. ``"age > 60"``.
        model: A BaseModel, a local checkpoint folder or a Hugging Face id; a
            hosted name such as ``'gpt-4o'`` when a server is configured. When
            left out, the ``SYNDISCO_MODEL`` environment variable is used.
        system_instructions: The complete system text (may contain ``${task}``).
            Cannot be combined with a persona.
        persona_template: Name of a persona template or your own text containing
            ``${persona}`` (and optionally ``${task}``). Defaults to ``'default'``,
            or ``'anes'`` for survey personas.
        persona: Who the agent is, in free text, or ``'random'`` to draw a survey respondent.
        kwargs: Generation settings sent with every call, whatever the model:
            ``temperature``, ``max_tokens``, ``top_p``, ``seed``, ``stop``. Agents
            sample at temperature 1 unless told otherwise (as the reference's
            models do); ``{"temperature": 0}`` is greedy. Unknown keys are refused.
        num_responses: Replies to generate per call; ``response_selector`` picks one.
        response_selector: A function from the list of replies to the one to keep
            (required when ``num_responses > 1``). All replies stay in ``history``.
        filters: Draw a respondent matching ``{column: allowed value(s)}``.
        survey: The :class:`SurveyPersonas` to draw from. Default: the installed
            plurals ANES table, else the SYNTHETIC demo table (with a
            :class:`SyntheticDataWarning`).
        seed: Seed for the survey draw. ``None`` picks one and records it in ``info``.
        name: Name shown in logs; structures number unnamed agents.
        max_out_tokens: Longest reply when ``model`` is a string (``kwargs``'
            ``max_tokens`` limits single calls further).
        data: Refused (older reference releases); use ``survey=``.
        persona_mapping: Refused (older reference releases); use ``survey=``.
    """

    def __init__(
        self,
        task: str | None = None,
        combination_instructions: str | None = None,
        ideology: str | None = None,
        query_str: str | None = None,
        model: BaseModel | str | None = None,
        system_instructions: str | None = None,
        persona_template: str | None = None,
        persona: str | None = None,
        kwargs: Mapping[str, Any] | None = None,
        *,
        num_responses: int = 1,
        response_selector: ResponseSelector | None = None,
        filters: Mapping[str, Any] | None = None,
        survey: SurveyPersonas | None = None,
        seed: int | None = None,
        name: str | None = None,
        max_out_tokens: int = 256,
        data: object = None,
        persona_mapping: object = None,
    ) -> None:
        owner = f"Agent {name!r}" if isinstance(name, str) and name else "Agent"
        _refuse_legacy(owner, data, persona_mapping)
        for label, value in (
            ("task", task),
            ("combination_instructions", combination_instructions),
            ("ideology", ideology),
            ("query_str", query_str),
            ("system_instructions", system_instructions),
            ("persona_template", persona_template),
            ("persona", persona),
            ("name", name),
        ):
            optional_text(owner, label, value)
        drawn_by = {"ideology": ideology, "query_str": query_str, "filters": filters}
        survey_args = [label for label, value in drawn_by.items() if value is not None]
        from_survey = persona == "random" or bool(survey_args)
        self._check_sources(owner, system_instructions, persona, persona_template, survey_args)
        if survey is not None:
            if not from_survey:
                raise ConfigError(
                    f"{owner}: survey= is only used with persona='random', ideology= or query_str="
                )
            instance_of(f"{owner} survey", survey, SurveyPersonas, "a SurveyPersonas")
        if seed is not None and not from_survey:
            raise ConfigError(f"{owner}: seed= is only used for survey personas (persona='random')")

        self.name = name
        self._task: str | None = task
        #: The task the agent was given itself (a structure's task, taken by :meth:`join`, is not).
        self.own_task: str | None = task
        #: The user message of the latest call (the task until the agent has answered).
        self.current_task_description = task
        self.ideology = ideology
        self.query_str = query_str
        self._own_combination = combination_instructions
        self._joined_combination: str | None = None  # the latest structure's, when it has none of its own
        if combination_instructions is not None:
            templates.resolve("combination_instructions", combination_instructions, owner)
        self.kwargs: dict[str, Any] = dict(kwargs) if isinstance(kwargs, Mapping) else {}
        #: Generation settings sent with every call (a per-call seed is added when none is set).
        self.options: GenerationOptions = options_from_kwargs(kwargs, owner)
        self.num_responses, self.response_selector = _best_of(owner, num_responses, response_selector)
        self.model: BaseModel = resolve_model(model, owner=owner, max_out_tokens=max_out_tokens)
        #: The model as named in ``model=`` (an alias such as ``'gpt-4o'`` stays as written; each
        #: history entry names the model that answered).
        self.model_name: str = model if isinstance(model, str) else self.model.name

        #: The survey respondent behind a random persona (None otherwise).
        self.survey_draw: SurveyDraw | None = None
        self.persona: str | None = persona
        self.persona_template: str | None = None
        if from_survey:
            draw_from = survey if survey is not None else _default_survey(owner)
            self.survey_draw = draw_from.sample(
                seed=seed, ideology=ideology, filters=filters, query_str=query_str
            )
            self.persona = self.survey_draw.persona
            self.persona_template = persona_template or "anes"
        elif persona is not None:
            self.persona_template = persona_template or "default"
        self._system_template: str | None = system_instructions
        if self.persona is not None and self.persona_template is not None:
            _, template_text = templates.resolve("persona_template", self.persona_template, owner)
            self._system_template = templates.fill(template_text, persona=self.persona)
        self._history: list[HistoryEntry] = []

    @staticmethod
    def _check_sources(
        owner: str,
        system_instructions: str | None,
        persona: str | None,
        persona_template: str | None,
        survey_args: list[str],
    ) -> None:
        """Exactly one way of setting the system text."""
        given = {"persona": persona, "persona_template": persona_template}
        clashes = [label for label, value in given.items() if value is not None] + survey_args
        if system_instructions is not None and clashes:
            raise ConfigError(
                f"{owner}: system_instructions sets the whole system text, so it cannot be combined "
                f"with {', '.join(clashes)}. Use either system_instructions=..., or persona=... "
                "(optionally with persona_template=...)."
            )
        if persona not in (None, "random") and survey_args:
            raise ConfigError(
                f"{owner}: {', '.join(survey_args)} draw a persona from survey data, so they cannot be "
                f"combined with the written persona {persona!r}; leave persona out"
            )
        if persona_template is not None and persona is None and not survey_args:
            raise ConfigError(
                f"{owner}: persona_template={persona_template!r} needs a persona to fill in; pass persona=..."
            )

    # -- the reference's task attributes ---------------------------------------------
    @property
    def original_task_description(self) -> str | None:
        """The task as set, without earlier responses (the reference's name for ``task``)."""
        return self.task

    @property
    def task_description(self) -> str | None:
        """Same as :attr:`task` (the reference's name)."""
        return self.task

    @property
    def task(self) -> str | None:
        """The task the agent answers: its own, or that of the latest structure with a task it joined."""
        return self._task

    @task.setter
    def task(self, value: str | None) -> None:
        self._task = self.own_task = value

    @property
    def combination_instructions(self) -> str | None:
        """The agent's own combination instructions, else those of the latest structure it joined."""
        return self._own_combination or self._joined_combination

    @combination_instructions.setter
    def combination_instructions(self, value: str | None) -> None:
        self._own_combination = optional_text(self._label, "combination_instructions", value)

    def join(self, task: str | None, combination_instructions: str) -> None:
        """Take a structure's task and combination instructions, as a Plurals structure gives them when built.

        The structure's task (if it has one) becomes :attr:`task` (``current_task_description``
        follows at the start of the next run, as in Plurals); its
        combination instructions show in :attr:`combination_instructions`
        unless the agent has its own. Each structure still runs with its own
        settings, so the agent can sit in several.
        """
        if task is not None:
            self._task = task
        self._joined_combination = combination_instructions

    def set_task(self, task: str) -> None:
        """Give the agent a new task; its persona and system text stay the same."""
        self.task = non_empty_text(f"{self._label} task", task)
        self.current_task_description = task

    @property
    def system_instructions(self) -> str | None:
        """The system text, with ``${task}`` filled when the task is known (None: no system message)."""
        return self.system_text(self.task)

    @system_instructions.setter
    def system_instructions(self, value: str | None) -> None:
        self._system_template = optional_text(self._label, "system_instructions", value)

    def system_text(self, task: str | None) -> str | None:
        """The system text for a call about ``task``."""
        if self._system_template is None or task is None:
            return self._system_template
        return templates.fill(self._system_template, task=task)

    # -- state ------------------------------------------------------------------
    @property
    def history(self) -> list[HistoryEntry] | None:
        """Every exchange of the current run, oldest first (copies); None before the first, as in Plurals."""
        if not self._history:
            return None
        return [HistoryEntry(**{**entry, "prompts": Prompts(**entry["prompts"])}) for entry in self._history]

    @property
    def responses(self) -> list[str] | None:
        """The agent's replies in the current run, oldest first (None before the first)."""
        return [h["response"] for h in self._history] or None

    @property
    def prompts(self) -> list[Prompts] | None:
        """The ``{"system", "user"}`` texts of the current run's calls (None before the first)."""
        return [Prompts(**h["prompts"]) for h in self._history] or None

    @property
    def info(self) -> dict[str, Any]:
        """The agent's settings and history."""
        draw = self.survey_draw
        return {
            "name": self.name,
            "original_task": self.original_task_description,
            "current_task_description": self.current_task_description,
            "persona": self.persona,
            "persona_template": self.persona_template,
            "ideology": self.ideology,
            "query_str": self.query_str,
            "system_instructions": self.system_instructions,
            "combination_instructions": self.combination_instructions,
            "model": self.model_name,
            "kwargs": dict(self.kwargs),
            "options": self.options.as_dict(),
            "num_responses": self.num_responses,
            "survey": None
            if draw is None
            else {
                "seed": draw.seed,
                "row_index": draw.index,
                "filters": draw.filters,
                "query_str": draw.query_str,
                "synthetic": draw.synthetic,
                "source": draw.source,
            },
            "history": self.history,
        }

    def reset(self) -> None:
        """Forget the history; structures call this at the start of every run."""
        self._history = []
        self.current_task_description = self.task

    # -- answering ----------------------------------------------------------------
    def build_prompt(
        self, task: str, previous_responses: str = "", combination_instructions: str | None = None
    ) -> ChatPrompt:
        """The exact prompt this agent sends for ``task`` after ``previous_responses``.

        ``combination_instructions`` (a name or text) is used when the agent has none of its own.
        """
        chosen = self._own_combination or combination_instructions or "default"
        _, combination_text = templates.resolve("combination_instructions", chosen, self._label)
        return chat_prompt(self.system_text(task), user_message(task, combination_text, previous_responses))

    def options_for(self, seed: int) -> GenerationOptions:
        """The generation settings of one call: :attr:`options`, with ``seed`` unless ``kwargs`` fix one."""
        return with_seed(self.options, seed)

    @property
    def batch_key(self) -> tuple[int, GenerationOptions] | None:
        """Agents with equal keys can be answered in one batched call (None: never batched)."""
        return (
            (id(self.model), self.options) if self.num_responses == 1 and not answers_itself(self) else None
        )

    def process(self, task: str | None = None, previous_responses: str | Sequence[str] = "") -> str:
        """Answer a task, optionally after seeing earlier responses, and record it in ``history``.

        Args:
            task: A new task (it replaces the agent's own, as :meth:`set_task`).
            previous_responses: Earlier answers, as formatted text or a list of texts.

        Raises:
            ConfigError: there is no task.
            DeliberationError: the model failed (the original error is the cause).
        """
        if task is not None:
            self.set_task(task)
        if self.task is None:
            raise ConfigError(
                f"{self._label} has no task: pass process(task=...) or {type(self).__name__}(task=...)"
            )
        if not isinstance(previous_responses, str):
            previous_responses = format_responses(
                [non_empty_text("previous_responses item", r) for r in previous_responses]
            )
        return self.answer(self.build_prompt(self.task, previous_responses)).text

    def answer(
        self,
        chat: ChatPrompt,
        *,
        seed: int | None = None,
        structure: str | None = None,
        label: str | None = None,
        cycle: int | None = None,
    ) -> Completion:
        """Send ``chat`` to the model (``num_responses`` times), record the exchange, return the kept reply.

        Args:
            chat: The prompt.
            seed: The call's seed; None draws a fresh one (recorded in ``history``).
            structure: The structure asking, for error messages.
            label: How to name the agent in error messages.
            cycle: The structure's cycle, for error messages.

        Raises:
            DeliberationError: the model failed, or ``response_selector`` did not return text.
        """
        options = self.options_for(fresh_seed() if seed is None else seed)
        try:
            if self.num_responses == 1:
                completion = self.choose([self.model.complete(chat, options=options)])
                self.record(chat, completion.text, options)
                return completion
            candidates = self.model.complete_batch([chat] * self.num_responses, options=options)
        except ModelError as exc:
            raise self.failure(exc, structure=structure, label=label, cycle=cycle) from exc
        chosen = self.choose(candidates, label)
        self.record(chat, chosen.text, options, all_responses=[c.text for c in candidates])
        return chosen

    def choose(self, candidates: Sequence[Completion], label: str | None = None) -> Completion:
        """The reply to keep (see :meth:`pick`), up to its last whole sentence if the token cap cut it.

        Raises:
            ConfigError: the selector did not return a text (``label`` names the agent).
        """
        return whole(self.pick(candidates, label))[0]

    def pick(self, candidates: Sequence[Completion], label: str | None = None) -> Completion:
        """The reply ``response_selector`` keeps of ``num_responses`` candidates, as the model wrote it.

        Raises:
            ConfigError: the selector did not return a text (``label`` names the agent).
        """
        if len(candidates) == 1:
            return candidates[0]
        texts = [c.text for c in candidates]
        selector = self.response_selector
        assert selector is not None  # checked in __init__ whenever num_responses > 1
        chosen = selector(list(texts))
        if not isinstance(chosen, str):
            raise ConfigError(
                f"{label or self._label}: response_selector returned {type(chosen).__name__}; "
                "it must return one of the replies it was given (a str)"
            )
        return next((c for c in candidates if c.text == chosen), Completion(chosen))

    def record(
        self,
        chat: ChatPrompt,
        text: str,
        options: GenerationOptions,
        *,
        all_responses: Sequence[str] | None = None,
    ) -> None:
        """Add one exchange to ``history`` (structures call this after a batched call)."""
        user = "\n\n".join(m["content"] for m in chat.messages if m["role"] == "user")
        entry = HistoryEntry(
            prompts=Prompts(system=chat.system or None, user=user),
            response=text,
            model=self.model.name,
            options=options.as_dict(),
        )
        if all_responses is not None:
            entry["all_responses"] = list(all_responses)
        self._history.append(entry)
        self.current_task_description = user

    def failure(
        self, exc: ModelError, *, structure: str | None, label: str | None, cycle: int | None
    ) -> DeliberationError:
        """The error to raise when this agent's model failed."""
        label = label or self._label
        where = f"{structure}: " if structure else ""
        when = f" in cycle {cycle}" if cycle is not None else ""
        return DeliberationError(
            f"{where}{label} failed{when}: {exc}", structure=structure, agent=label, cycle=cycle
        )

    @property
    def _label(self) -> str:
        return f"agent {self.name!r}" if self.name else "agent"

    def __repr__(self) -> str:
        """The :attr:`info` dict, as Plurals shows an agent."""
        return repr(self.info)


def whole(completion: Completion) -> tuple[Completion, str | None]:
    """``completion`` up to its last whole sentence if the token cap cut it, and the raw text (or None)."""
    shown, raw = whole_reply(completion.text, completion.finish_reason)
    return (completion if raw is None else dataclasses.replace(completion, text=shown)), raw


_AGENT_PROCESS = Agent.process


def answers_itself(agent: Agent) -> bool:
    """True when ``agent.process`` is not :meth:`Agent.process`: a subclass's own, or one set on the object.

    Structures then ask ``agent.process(previous_responses=...)`` for its answer,
    as Plurals' structures do, instead of calling its model.
    """
    method = agent.process
    return getattr(method, "__func__", method) is not _AGENT_PROCESS
