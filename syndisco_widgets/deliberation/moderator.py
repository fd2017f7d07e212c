"""The moderator: reads every participant's answer and writes the final one.

Its system text comes from ``persona=`` (a named moderator persona or your own
text) or ``system_instructions=`` (your text, or ``'auto'`` to let the model
write it for the task). Both may use ``${task}``. Its user message always
starts with the task, so the moderator knows what the participants were asked.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any

from ..checks import close_names, positive_whole_number
from ..errors import ConfigError, DeliberationError, ModelError, SyndiscoWarning
from . import templates
from .agent import Agent, ResponseSelector, optional_text
from .prompts import chat_prompt, user_message
from .sampling import derive_seed, fresh_seed

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..models.base import BaseModel, ChatPrompt

#: Longest accepted auto-generated instructions, in characters.
MAX_AUTO_INSTRUCTIONS_CHARS = 1500

_PLACEHOLDER_JUNK = re.compile(r"\$\{|\$[A-Za-z_]|<<<|>>>|<\||\|>")
# A heading a model may put before the instructions it writes, such as
# "System Instructions:", "**Moderator instructions:**" or "Instructions -".
_LEADING_LABEL = re.compile(
    r"^[\s*#_\"']*(?:the\s+)?(?:moderator(?:'s)?\s+)?(?:system\s+)?(?:instructions?|prompt)"
    r"[\s*_\"']*[:\-][\s*_\"']*",
    re.IGNORECASE,
)


def strip_leading_label(text: str) -> str:
    """``text`` without a leading "System Instructions:"-style heading."""
    return _LEADING_LABEL.sub("", text, count=1).strip()


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

    Unlike the reference, the moderator's user message always starts with the
    task, so it knows what the participants were asked even when its persona
    has no ``${task}`` (a custom persona or system text without it gets a
    warning, as in the reference).

    Args:
        persona: A moderator persona name (``'default'``, ``'voting'``,
            ``'first_wave'``, ``'second_wave'``, ``'divergent'``) or your own
            text, which may contain ``${task}``. Used when neither argument is
            given: ``'default'``.
        system_instructions: Your complete system text (may contain ``${task}``),
            or ``'auto'`` to have the model write it from the task, once per
            structure run. Cannot be combined with ``persona``.
        combination_instructions: A moderator combination name (``'default'``,
            ``'voting'``, ``'synthesis'``, ``'critique_revise'``, ``'first_wave'``,
            ``'second_wave'``, ``'divergent'``) or text containing ``${previous_responses}``.
        model: A BaseModel, a local folder or a Hugging Face id (see :class:`Agent`).
        task: Only needed to fill ``${task}`` or generate instructions outside
            a structure; otherwise the structure's task is used.
        kwargs: Generation settings for every call (see :class:`Agent`).
        num_responses: Replies per call; ``response_selector`` picks one.
        response_selector: Picks the reply to keep (see :class:`Agent`).
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
        num_responses: int = 1,
        response_selector: ResponseSelector | None = None,
        name: str = "Moderator",
        max_out_tokens: int = 256,
    ) -> None:
        owner = "Moderator"
        for label, value in (
            ("persona", persona),
            ("system_instructions", system_instructions),
            ("combination_instructions", combination_instructions),
        ):
            optional_text(owner, label, value)
        if persona is not None and system_instructions is not None:
            raise ConfigError(
                "Moderator: persona and system_instructions are two ways of setting the same system "
                "text; pass only one of them"
            )
        templates.resolve("moderator combination_instructions", combination_instructions, owner)
        super().__init__(
            task,
            model=model,
            kwargs=kwargs,
            num_responses=num_responses,
            response_selector=response_selector,
            name=name,
            max_out_tokens=max_out_tokens,
        )
        self.combination_instructions = combination_instructions
        self._auto = False
        self._generated: str | None = None  # the latest auto-generated instructions
        if system_instructions is not None:
            self.system_instructions = system_instructions  # the setter handles 'auto'
        else:
            chosen = persona or "default"
            known, self._system_template = _persona_template(chosen, owner)
            self.persona = chosen
            self.persona_template = PERSONA_AS_TEXT
            if known is None:
                _warn_without_task("persona", chosen)

    # -- system text ----------------------------------------------------------------
    @property
    def auto(self) -> bool:
        """True when the system text is generated by the model for each run."""
        return self._auto

    @property
    def system_instructions(self) -> str | None:
        """The system text, with ``${task}`` filled when the task is known.

        For ``'auto'`` moderators: the latest generated instructions (None before the first run).
        """
        if self._auto:
            return self._generated
        return super().system_text(self.task)

    @system_instructions.setter
    def system_instructions(self, value: str | None) -> None:
        if value is None:
            raise ConfigError(
                "Moderator system_instructions cannot be None; use persona='default' for the default"
            )
        self._set_instructions(value)
        if not self._auto:
            _warn_without_task("system_instructions", value)

    def _set_instructions(self, value: str) -> None:
        optional_text("Moderator", "system_instructions", value)
        self._auto = value == "auto"
        self._system_template = None if self._auto else value
        self._generated = None
        self.persona = None
        self.persona_template = None

    def join(self, task: str | None, combination_instructions: str) -> None:  # noqa: ARG002  its own kind
        """Take a structure's task when the moderator has none of its own, as Plurals does when it is built.

        A moderator's own task stays (with a warning when the structure's differs);
        its combination instructions are always its own.
        """
        if task is None:
            return
        if self.own_task not in (None, task):
            warnings.warn(
                f"Moderator keeps its own task {self.own_task!r} rather than the structure's {task!r}",
                SyndiscoWarning,
                stacklevel=4,
            )
            return
        self._task = task

    def system_text(self, task: str | None) -> str | None:
        """The system text for a run about ``task`` (the moderator's own task wins if set)."""
        task = self.own_task or task
        if self._auto:
            if self._generated is None:
                if task is None:
                    raise ConfigError("an auto Moderator needs a task to write its instructions for")
                self._generated = self.generate_system_instructions(task)
            return self._generated
        return super().system_text(task)

    def generate_system_instructions(self, task: str, max_tries: int = 10, *, seed: int | None = None) -> str:
        """Ask the model to write moderator instructions for ``task``; return them without setting them.

        Each try is one model call. A leading heading such as "System
        Instructions:" is removed, and the answer is accepted when
        :func:`instructions_problem` finds nothing wrong with it.

        Raises:
            ValueError: no valid answer after ``max_tries`` tries (the message
                says what was wrong with the last one).
            DeliberationError: the model failed.
        """
        non_empty = optional_text("Moderator.generate_system_instructions", "task", task)
        if non_empty is None:
            raise ConfigError("Moderator.generate_system_instructions needs a task")
        positive_whole_number("max_tries", max_tries)
        request = templates.fill(templates.AUTO_MODERATOR_REQUEST, task=task)
        base_seed = fresh_seed() if seed is None else seed
        problem: str | None = ""
        for attempt in range(1, max_tries + 1):
            # One plain Agent answers each try, as in Plurals (a subclass or patched process() is used).
            kwargs = {"seed": derive_seed(base_seed, "auto", attempt), **self.kwargs}
            writer = Agent(
                request, model=self.model, kwargs=kwargs, system_instructions=templates.AUTO_MODERATOR_SYSTEM
            )
            try:
                text = writer.process()
            except ModelError as exc:
                raise DeliberationError(
                    f"Moderator failed while generating its system instructions (try {attempt}): {exc}",
                    structure=None,
                    agent=self.name or "Moderator",
                    cycle=None,
                ) from exc
            text = strip_leading_label(text)
            problem = instructions_problem(text)
            if problem is None:
                return text
        msg = (
            f"Moderator could not generate valid system instructions in {max_tries} tries; "
            f"in the last one {problem}. Try a larger max_tries, another model, or set "
            "system_instructions yourself."
        )
        raise ValueError(msg)

    def generate_and_set_system_instructions(self, task: str, max_tries: int = 10) -> str:
        """Generate instructions for ``task`` and make them this moderator's fixed system text."""
        text = self.generate_system_instructions(task, max_tries)
        self._set_instructions(text)  # written for this task: no ${task} needed
        return text

    # -- running ----------------------------------------------------------------------
    def start_run(self, task: str, seed: int) -> None:
        """Forget the previous run; an auto moderator writes fresh instructions (one call)."""
        self.reset()
        if self._auto:
            self._generated = self.generate_system_instructions(
                self.own_task or task, seed=derive_seed(seed, "auto")
            )

    def build_prompt(
        self, task: str, previous_responses: str = "", combination_instructions: str | None = None
    ) -> ChatPrompt:
        """The task, then the moderator's combination instructions filled with ``previous_responses``."""
        _, combination_text = templates.resolve(
            "moderator combination_instructions",
            combination_instructions or self.combination_instructions or "default",
            "Moderator",
        )
        user = user_message(task, combination_text, previous_responses or "(no responses)")
        return chat_prompt(self.system_text(task), user)

    @property
    def info(self) -> dict[str, Any]:
        """The moderator's settings and history."""
        data = super().info
        for key in ("survey", "ideology", "query_str"):
            data.pop(key)
        data.update({"auto": self._auto, "system_template": self._system_template})
        return data

    @property
    def _label(self) -> str:
        return f"moderator {self.name!r}"


def _warn_without_task(label: str, text: str) -> None:
    if text != "auto" and "task" not in templates.placeholders(text):
        warnings.warn(
            f"Moderator {label} has no ${{task}} placeholder, so its system text does not name the "
            "task. (The moderator is still shown the task at the start of its user message.) "
            "Add ${task} where the task should go.",
            SyndiscoWarning,
            stacklevel=4,
        )


#: A moderator's persona is its whole system text (Plurals' ``persona_template`` for moderators).
PERSONA_AS_TEXT = "${persona}"


def _persona_template(persona: str, owner: str) -> tuple[str | None, str]:
    """A moderator persona name's template, or ``persona`` itself as the text.

    As in Plurals, a word that names no template is taken as the persona's
    text (a warning lists the names), unless it is close to a name: then it
    is most likely a typo, and the error says which name was meant.
    """
    names = templates.MODERATOR_PERSONAS
    if persona not in names and len(persona.split()) == 1 and not close_names(persona, names):
        warnings.warn(
            f"{owner}: persona {persona!r} is not a moderator persona name "
            f"({', '.join(sorted(templates.MODERATOR_PERSONAS))}); it is used as the persona text",
            SyndiscoWarning,
            stacklevel=4,
        )
        return None, persona
    return templates.resolve("moderator persona", persona, owner)
