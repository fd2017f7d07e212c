"""The moderator: reads every participant's answer and writes the final one.

Its system text comes from ``persona=`` (a named moderator persona or your own
text) or ``system_instructions=`` (your text, or ``'auto'`` to let the model
write it for the task). Both may use ``${task}``. Its user message always
starts with the task, so the moderator knows what the participants were asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..checks import whole_number
from ..errors import ConfigError, ModelError
from ..models.base import BaseModel, ChatPrompt
from . import templates
from .agent import Agent, _check_text
from .errors import DeliberationError
from .prompts import chat_prompt, user_message
from .resolve import resolve_model

#: Longest accepted auto-generated instructions, in characters.
MAX_AUTO_INSTRUCTIONS_CHARS = 1500

_PLACEHOLDER_JUNK = re.compile(r"\$\{|\$[A-Za-z_]|<<<|>>>|<\||\|>")


def instructions_problem(text: str) -> str | None:
    """Why ``text`` is not usable as generated moderator instructions, or None if it is.

    Valid instructions are non-empty, contain letters, are at most
    :data:`MAX_AUTO_INSTRUCTIONS_CHARS` long, and hold no template
    placeholders (``${...}``, ``$name``), prompt markers (``<<<``) or chat
    control tokens (``<|...|>``).
    """
    if not isinstance(text, str) or not text.strip():
        return "the answer was empty"
    if not re.search(r"[^\W\d_]", text):
        return "the answer has no words"
    if len(text) > MAX_AUTO_INSTRUCTIONS_CHARS:
        return f"the answer is {len(text)} characters long (at most {MAX_AUTO_INSTRUCTIONS_CHARS})"
    junk = _PLACEHOLDER_JUNK.search(text)
    if junk:
        return f"the answer contains template or control text ({junk.group(0)!r})"
    return None


class Moderator(Agent):
    """An agent that combines the other agents' responses at the end of a run.

    Args:
        persona: A moderator persona name (``'default'``, ``'voting'``,
            ``'first_wave'``, ``'second_wave'``) or your own text, which may
            contain ``${task}``. Used when neither argument is given: ``'default'``.
        system_instructions: Your complete system text (may contain ``${task}``),
            or ``'auto'`` to have the model write it from the task, once per
            structure run. Cannot be combined with ``persona``.
        combination_instructions: A moderator combination name or text
            containing ``${previous_responses}``.
        model: A BaseModel, a local folder or a Hugging Face id (see :class:`Agent`).
        task: Only needed to fill ``${task}`` or generate instructions outside
            a structure; otherwise the structure's task is used.
        kwargs: Generation settings when ``model`` is a string.
        name: Name shown in logs.
        max_out_tokens: Reply length when ``model`` is a string.
    """

    def __init__(
        self,
        persona: str | None = None,
        system_instructions: str | None = None,
        combination_instructions: str = "default",
        model: BaseModel | str | None = None,
        task: str | None = None,
        kwargs: Mapping[str, Any] | None = None,
        *,
        name: str = "Moderator",
        max_out_tokens: int = 256,
    ) -> None:
        owner = "Moderator"
        for label, value in (
            ("persona", persona),
            ("system_instructions", system_instructions),
            ("combination_instructions", combination_instructions),
            ("task", task),
            ("name", name),
        ):
            _check_text(owner, label, value)
        if persona is not None and system_instructions is not None:
            raise ConfigError(
                "Moderator: persona and system_instructions are two ways of setting the same system "
                "text; pass only one of them"
            )
        if kwargs is not None and not isinstance(kwargs, Mapping):
            raise ConfigError(f"Moderator: kwargs must be a dict or None, got {type(kwargs).__name__}")
        if persona is None and system_instructions is None:
            persona = "default"
        templates.resolve("moderator combination_instructions", combination_instructions, owner)

        self.name = name
        self.task = task
        self.combination_instructions = combination_instructions
        self.kwargs = dict(kwargs or {})
        self.model = resolve_model(
            model, owner=owner, max_out_tokens=max_out_tokens, generation_kwargs=self.kwargs
        )
        self.survey_draw = None
        self.persona_template = None
        self.persona: str | None = None
        self._auto = False
        self._template: str | None = None  # system text, possibly with ${task}
        self._generated: str | None = None  # the latest auto-generated instructions
        if persona is not None:
            _, self._template = templates.resolve("moderator persona", persona, owner)
            self.persona = persona
        else:
            self.system_instructions = system_instructions  # the setter handles 'auto'
        self._history = []

    # -- system text ----------------------------------------------------------------
    @property
    def auto(self) -> bool:
        """True when the system text is generated by the model for each run."""
        return self._auto

    @property
    def system_instructions(self) -> str | None:  # type: ignore[override]
        """The system text, with ``${task}`` filled when the task is known.

        For ``'auto'`` moderators: the latest generated instructions (None before the first run).
        """
        if self._auto:
            return self._generated
        if self.task is not None and self._template is not None:
            return templates.fill(self._template, task=self.task)
        return self._template

    @system_instructions.setter
    def system_instructions(self, value: str | None) -> None:
        _check_text("Moderator", "system_instructions", value)
        if value is None:
            raise ConfigError(
                "Moderator system_instructions cannot be None; use persona='default' for the default"
            )
        self._auto = value == "auto"
        self._template = None if self._auto else value
        self._generated = None
        self.persona = None

    def system_text(self, task: str) -> str:
        """The system text for a run about ``task`` (the moderator's own task wins if set)."""
        if self._auto:
            if self._generated is None:
                self._generated = self.generate_system_instructions(self.task or task)
            return self._generated
        return templates.fill(self._template or "", task=self.task or task)

    def generate_system_instructions(self, task: str, max_tries: int = 10) -> str:
        """Ask the model to write moderator instructions for ``task``; return them without setting them.

        Each try is one model call. An answer is accepted when
        :func:`instructions_problem` finds nothing wrong with it.

        Raises:
            ValueError: no valid answer after ``max_tries`` tries (the message
                says what was wrong with the last one).
            DeliberationError: the model failed.
        """
        _check_text("Moderator", "task", task)
        if task is None:
            raise ConfigError("Moderator.generate_system_instructions needs a task")
        whole_number("max_tries", max_tries, low=1)
        request = chat_prompt(
            templates.AUTO_MODERATOR_SYSTEM, templates.fill(templates.AUTO_MODERATOR_REQUEST, task=task)
        )
        problem = ""
        for attempt in range(1, max_tries + 1):
            try:
                text = self.model.prompt(request)
            except ModelError as exc:
                raise DeliberationError(
                    f"Moderator failed while generating its system instructions (try {attempt}): {exc}",
                    structure=None,
                    agent=self.name,
                    cycle=None,
                ) from exc
            problem = instructions_problem(text)
            if problem is None:
                return text
        raise ValueError(
            f"Moderator could not generate valid system instructions in {max_tries} tries; "
            f"in the last one {problem}. Try a larger max_tries, another model, or set "
            "system_instructions yourself."
        )

    def generate_and_set_system_instructions(self, task: str, max_tries: int = 10) -> str:
        """Generate instructions for ``task`` and make them this moderator's fixed system text."""
        text = self.generate_system_instructions(task, max_tries)
        self.system_instructions = text
        return text

    # -- running ----------------------------------------------------------------------
    def _start_run(self, task: str) -> None:
        """Forget the previous run; an auto moderator writes fresh instructions (one call)."""
        self.reset()
        if self._auto:
            self._generated = None
            self.system_text(task)

    def build_prompt(
        self, task: str, previous_responses: str = "", combination_instructions: str | None = None
    ) -> ChatPrompt:
        """The task, then the moderator's combination instructions filled with ``previous_responses``."""
        _, combination_text = templates.resolve(
            "moderator combination_instructions",
            combination_instructions or self.combination_instructions,
            "Moderator",
        )
        user = user_message(task, combination_text, previous_responses or "(no responses)")
        return chat_prompt(self.system_text(task), user)

    @property
    def info(self) -> dict[str, Any]:
        data = super().info
        data.pop("survey")
        data.update({"auto": self._auto, "system_template": self._template})
        return data

    @property
    def _label(self) -> str:
        return f"moderator {self.name!r}"
