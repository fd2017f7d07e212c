"""Agents: one model answering a task, optionally as a persona.

An agent's system text comes from exactly one source, or none:

* ``system_instructions=`` (the whole system text, used as written), or
* ``persona=`` (optionally with ``persona_template=``), or
* ``persona='random'`` / ``ideology=`` / ``filters=`` (a survey respondent).

Without any of them the model gets no system message at all.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError, ModelError
from ..models.base import BaseModel, ChatPrompt
from . import templates
from .errors import DeliberationError
from .prompts import chat_prompt, format_responses, user_message
from .resolve import resolve_model
from .survey import SurveyDraw, SurveyPersonas, SyntheticDataWarning, load_demo_survey


def _check_text(owner: str, label: str, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{owner} {label} must be a non-empty string or None, got {value!r}")


class Agent:
    """A participant that answers a task with a model.

    Args:
        persona: Who the agent is, in free text (e.g. ``"a nurse from Ohio"``),
            or ``'random'`` to draw a survey respondent.
        system_instructions: The complete system text. Cannot be combined with
            ``persona``, ``persona_template``, ``ideology`` or ``filters``.
        persona_template: Name of a persona template (see
            :data:`~syndisco_widgets.deliberation.templates.PERSONA_TEMPLATES`)
            or your own text containing ``${persona}``. Defaults to
            ``'default'``, or ``'survey'`` for survey personas.
        model: A BaseModel, a local checkpoint folder or a Hugging Face id.
            When left out, the ``SYNDISCO_MODEL`` environment variable is used.
            Hosted API names such as ``'gpt-4o'`` are not supported.
        task: The agent's task. A structure's own task replaces it.
        combination_instructions: How to use earlier answers: a name from
            :data:`~syndisco_widgets.deliberation.templates.COMBINATION_INSTRUCTIONS`
            or text containing ``${previous_responses}``. When None, the
            structure's (or ``'default'``) is used.
        ideology: Draw a survey respondent with this ideology (implies
            ``persona='random'``), e.g. ``'liberal'``.
        filters: Draw a respondent matching ``{column: allowed value(s)}``.
        survey: The :class:`SurveyPersonas` to draw from. Default: the bundled
            SYNTHETIC demo table (a :class:`SyntheticDataWarning` says so).
        seed: Seed for the survey draw. ``None`` picks one and records it in ``info``.
        name: Name shown in logs; structures number unnamed agents.
        max_out_tokens: Reply length when ``model`` is a string.
        kwargs: Generation settings when ``model`` is a string
            (``GenerationConfig`` fields, e.g. ``{"repetition_penalty": 1.1}``).
    """

    def __init__(
        self,
        persona: str | None = None,
        system_instructions: str | None = None,
        persona_template: str | None = None,
        model: BaseModel | str | None = None,
        task: str | None = None,
        combination_instructions: str | None = None,
        ideology: str | None = None,
        *,
        filters: Mapping[str, Any] | None = None,
        survey: SurveyPersonas | None = None,
        seed: int | None = None,
        name: str | None = None,
        max_out_tokens: int = 256,
        kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        owner = f"Agent {name!r}" if name else "Agent"
        for label, value in (
            ("persona", persona),
            ("system_instructions", system_instructions),
            ("persona_template", persona_template),
            ("task", task),
            ("combination_instructions", combination_instructions),
            ("ideology", ideology),
            ("name", name),
        ):
            _check_text(owner, label, value)
        from_survey = persona == "random" or ideology is not None or filters is not None

        # -- exactly one way of setting the system text --------------------------
        if system_instructions is not None:
            clashes = [
                label
                for label, value in (
                    ("persona", persona),
                    ("persona_template", persona_template),
                    ("ideology", ideology),
                    ("filters", filters),
                )
                if value is not None
            ]
            if clashes:
                raise ConfigError(
                    f"{owner}: system_instructions sets the whole system text, so it cannot be combined "
                    f"with {', '.join(clashes)}. Use either system_instructions=..., or persona=... "
                    "(optionally with persona_template=...)."
                )
        if persona not in (None, "random") and (ideology is not None or filters is not None):
            raise ConfigError(
                f"{owner}: ideology= and filters= draw a persona from survey data, so they cannot be "
                f"combined with the written persona {persona!r}; use persona='random' or leave persona out"
            )
        if persona_template is not None and persona is None and not from_survey:
            raise ConfigError(
                f"{owner}: persona_template={persona_template!r} needs a persona to fill in; pass persona=..."
            )
        if survey is not None and not from_survey:
            raise ConfigError(f"{owner}: survey= is only used with persona='random', ideology= or filters=")
        if survey is not None and not isinstance(survey, SurveyPersonas):
            raise ConfigError(f"{owner}: survey must be a SurveyPersonas, got {type(survey).__name__}")
        if seed is not None and not from_survey:
            raise ConfigError(f"{owner}: seed= is only used for survey personas (persona='random')")
        if kwargs is not None and not isinstance(kwargs, Mapping):
            raise ConfigError(f"{owner}: kwargs must be a dict or None, got {type(kwargs).__name__}")

        self.name = name
        self.task = task
        self.combination_instructions = combination_instructions
        if combination_instructions is not None:
            templates.resolve("combination_instructions", combination_instructions, owner)
        self.kwargs = dict(kwargs or {})
        self.model: BaseModel = resolve_model(
            model, owner=owner, max_out_tokens=max_out_tokens, generation_kwargs=self.kwargs
        )

        #: The survey respondent behind a random persona (None otherwise).
        self.survey_draw: SurveyDraw | None = None
        self.persona: str | None = persona
        self.persona_template: str | None = None
        if from_survey:
            if survey is None:
                survey = load_demo_survey()
                warnings.warn(
                    f"{owner}: persona drawn from the bundled demo table. {survey.notice} "
                    "Pass survey=SurveyPersonas(your_dataframe, ...) to use real data.",
                    SyntheticDataWarning,
                    stacklevel=2,
                )
            self.survey_draw = survey.sample(seed=seed, ideology=ideology, filters=filters)
            self.persona = self.survey_draw.persona
            self.persona_template = persona_template or "survey"
        elif persona is not None:
            self.persona_template = persona_template or "default"

        #: The full system text sent to the model, or None for no system message.
        self.system_instructions: str | None = system_instructions
        if self.persona is not None:
            _, template_text = templates.resolve("persona_template", self.persona_template, owner)
            self.system_instructions = templates.fill(template_text, persona=self.persona)
        self._history: list[dict[str, Any]] = []

    # -- state ------------------------------------------------------------------
    @property
    def history(self) -> list[dict[str, Any]]:
        """Every exchange of the current run: ``{"system", "prompt", "response", "model"}`` dicts."""
        return [dict(h) for h in self._history]

    @property
    def responses(self) -> list[str]:
        """The agent's replies in the current run, oldest first."""
        return [h["response"] for h in self._history]

    @property
    def info(self) -> dict[str, Any]:
        """The agent's settings and history."""
        draw = self.survey_draw
        return {
            "name": self.name,
            "persona": self.persona,
            "persona_template": self.persona_template,
            "system_instructions": self.system_instructions,
            "task": self.task,
            "combination_instructions": self.combination_instructions,
            "model": self.model.name,
            "kwargs": dict(self.kwargs),
            "survey": None
            if draw is None
            else {
                "seed": draw.seed,
                "row_index": draw.index,
                "filters": draw.filters,
                "synthetic": draw.synthetic,
                "source": draw.source,
            },
            "history": self.history,
        }

    def reset(self) -> None:
        """Forget the history; structures call this at the start of every run."""
        self._history = []

    # -- answering ----------------------------------------------------------------
    def build_prompt(
        self, task: str, previous_responses: str = "", combination_instructions: str | None = None
    ) -> ChatPrompt:
        """The exact prompt this agent sends for ``task`` after ``previous_responses``.

        ``combination_instructions`` (a name or text) is used when the agent has none of its own.
        """
        chosen = self.combination_instructions or combination_instructions or "default"
        _, combination_text = templates.resolve("combination_instructions", chosen, self._label)
        return chat_prompt(self.system_instructions, user_message(task, combination_text, previous_responses))

    def process(self, task: str | None = None, previous_responses: str | Sequence[str] = "") -> str:
        """Answer a task, optionally after seeing earlier responses, and record it in ``history``.

        Args:
            task: The task; defaults to the agent's own ``task``.
            previous_responses: Earlier answers, as formatted text or a list of texts.

        Raises:
            ConfigError: there is no task.
            DeliberationError: the model failed (the original error is the cause).
        """
        task = task if task is not None else self.task
        if task is None:
            raise ConfigError(
                f"{self._label} has no task: pass process(task=...) or {type(self).__name__}(task=...)"
            )
        if not isinstance(previous_responses, str):
            previous_responses = format_responses(list(previous_responses))
        return self._answer(self.build_prompt(task, previous_responses))

    def _answer(
        self,
        chat: ChatPrompt,
        *,
        structure: str | None = None,
        label: str | None = None,
        cycle: int | None = None,
    ) -> str:
        """Send ``chat`` to the model, record the exchange and return the reply."""
        label = label or self._label
        try:
            text = self.model.prompt(chat)
        except ModelError as exc:
            where = f"{structure}: " if structure else ""
            when = f" in cycle {cycle}" if cycle is not None else ""
            raise DeliberationError(
                f"{where}{label} failed{when}: {exc}", structure=structure, agent=label, cycle=cycle
            ) from exc
        self._record(chat, text)
        return text

    def _record(self, chat: ChatPrompt, text: str) -> None:
        user = "\n\n".join(m["content"] for m in chat.messages if m["role"] == "user")
        self._history.append(
            {"system": chat.system or None, "prompt": user, "response": text, "model": self.model.name}
        )

    @property
    def _label(self) -> str:
        return f"agent {self.name!r}" if self.name else "agent"

    def __repr__(self) -> str:
        who = (
            f"persona={self.persona!r}"
            if self.persona
            else ("system_instructions=..." if self.system_instructions else "no system text")
        )
        name = f"{self.name!r}, " if self.name else ""
        return f"{type(self).__name__}({name}{who}, model={self.model.name!r})"
