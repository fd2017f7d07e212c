"""Personas built by interviewing a model (Plurals 0.7's ``Interview``).

The model plays ``seed`` (say "a retired teacher from rural Georgia") and
answers every question in one call, answers separated by :data:`SEPARATOR`.
The answers, paired with their questions, become a persona for an
:class:`~.agent.Agent`::

    interview = Interview(seed="a utah voter", model=model)
    interview.run_interview()
    Agent(persona=interview.combined_response, model=model)

:func:`run_interviews` runs many interviews at once: one batched call per
model and setting, so ten personas cost about one call's time on a local model.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..checks import non_empty_text, text_sequence
from ..errors import ConfigError, SyndiscoWarning
from ..models.base import BaseModel, ChatPrompt, GenerationOptions
from .resolve import resolve_model
from .sampling import fresh_seed, options_from_kwargs
from .templates import fill

if TYPE_CHECKING:
    import os

#: Written between two answers; the reply is split on it.
SEPARATOR = "=== NEXT ANSWER ==="

#: The questions of a default interview, each with a word budget.
DEFAULT_QUESTIONS: tuple[str, ...] = (
    (
        "Tell me the story of your life, from your childhood and schooling to family, relationships "
        "and the big events along the way. Answer in about 250 words."
    ),
    (
        "Was there a moment when your life could have gone more than one way, and the choice you made "
        "shaped who you are? Tell me that story from beginning to end. Answer in about 250 words."
    ),
    (
        "Who in your family matters most to you today? Do you have a partner or children? "
        "Answer in about 250 words."
    ),
    (
        "Who outside your family is important to you, such as friends or someone you are seeing? "
        "Answer in about 250 words."
    ),
    "Describe the neighbourhood and the area where you live now. Answer in about 250 words.",
    "How do your days differ across a usual week? Answer in about 250 words.",
    "What work do you do, and when do you do it? Answer in about 250 words.",
    "Some people vote in every election and some never vote. What about you? Answer in about 250 words.",
    "How would you describe your political views? Answer in about 250 words.",
)

#: Named voices for the interviewee; ``${seed}`` is who it plays.
INTERVIEWEE_INSTRUCTIONS: Mapping[str, str] = {
    "default": (
        "You are ${seed}. Think, speak and write as this person would.\n"
        "Talk the way people talk out loud: plainly, not formally, and without putting on an accent.\n"
        "You need not be polite or politically careful. Your thoughts may wander, change course, "
        "repeat or trail off, and you may contradict yourself or leave a question half answered.\n"
        "Do not sum up at the end of an answer; just stop when you are done."
    ),
}

#: The request that carries every question; ``${seed}``, ``${separator}`` and ``${questions}`` are filled in.
INTERVIEW_REQUEST = (
    "You are being interviewed as ${seed}. Answer every question below as that person.\n\n"
    "How to answer:\n"
    "- Be concrete: name the town, the job, the people and the years instead of describing them in general.\n"
    "- Real people are unsure, inconsistent and incomplete at times; so may you be.\n"
    "- Give only the answers, without repeating the question or its number.\n"
    "- Answer in the order asked and put a line holding only ${separator} between two answers.\n\n"
    "${questions}"
)

#: Reply length for a model named by a string: room for nine long answers.
INTERVIEW_TOKENS = 4096


class InterviewWarning(SyndiscoWarning):
    """The reply held another number of answers than there were questions."""


class Interview:
    """Build a persona's life story by interviewing a model that plays ``seed``.

    Args:
        seed: Who the model plays, e.g. ``"a utah voter"``.
        model: A model object, a local folder, a Hugging Face id or a hosted
            name (see :func:`~.resolve.alias_model`); ``None`` uses ``SYNDISCO_MODEL``.
        questions: ``"default"`` (:data:`DEFAULT_QUESTIONS`) or your own list.
        interviewee_instructions: A name from :data:`INTERVIEWEE_INSTRUCTIONS`
            or your own text; ``${seed}`` is filled in.
        **kwargs: Generation settings as Plurals passes them (``temperature``,
            ``max_tokens``, ``top_p``, ``seed``, ``stop``); a ``kwargs={...}``
            dict is read the same way.
    """

    def __init__(
        self,
        seed: str,
        model: BaseModel | str | os.PathLike[str] | None = None,
        questions: str | Sequence[str] = "default",
        interviewee_instructions: str = "default",
        **kwargs: Any,
    ) -> None:
        self.seed = non_empty_text("Interview seed", seed)
        self.model = model
        nested = kwargs.pop("kwargs", None)
        if nested is not None and not isinstance(nested, Mapping):
            raise ConfigError(
                f"Interview kwargs= must be a dict such as {{'temperature': 0.7}}, got {nested!r:.60}"
            )
        self.kwargs: dict[str, Any] = {**(nested or {}), **kwargs}
        self.options: GenerationOptions = options_from_kwargs(self.kwargs, "Interview")
        self.questions: list[str] = _questions(questions)
        self.interviewee_instructions: str = fill(_instructions(interviewee_instructions), seed=self.seed)
        self.last_seed: int | None = None
        self._responses: list[str] | None = None

    @property
    def prompt(self) -> ChatPrompt:
        """The one prompt that asks every question."""
        numbered = "\n".join(f"Question {i}: {q}" for i, q in enumerate(self.questions, start=1))
        request = fill(INTERVIEW_REQUEST, seed=self.seed, separator=SEPARATOR, questions=numbered)
        return ChatPrompt.single(self.interviewee_instructions, request)

    def run_interview(self) -> list[str]:
        """Ask every question in one call; return the answers (also in :attr:`responses`)."""
        run_interviews([self])
        return list(self._responses or [])

    def record_reply(self, reply: str) -> list[str]:
        """Split a reply into answers and keep them; warns when their count is not the questions' count."""
        answers = [part.strip() for part in reply.split(SEPARATOR)]
        if answers and not answers[-1]:
            answers.pop()  # a separator after the last answer
        if len(answers) != len(self.questions):
            warnings.warn(
                f"Interview of {self.seed!r}: {len(self.questions)} questions but {len(answers)} answers "
                "in the reply; some may be missing or run together (see .responses)",
                InterviewWarning,
                stacklevel=3,
            )
        self._responses = answers
        return list(answers)

    @property
    def responses(self) -> list[str] | None:
        """One answer per question after :meth:`run_interview`; ``None`` before."""
        return None if self._responses is None else list(self._responses)

    @property
    def combined_response(self) -> str | None:
        """Every question with its answer (``Q: ...`` / ``A: ...``), ready to be an agent's persona."""
        if self._responses is None:
            return None
        pairs = zip(self.questions, self._responses, strict=False)
        return "\n\n".join(f"Q: {question}\nA: {answer}" for question, answer in pairs)

    @property
    def info(self) -> dict[str, Any]:
        """Everything about the interview; warns when it has not run yet."""
        if self._responses is None:
            warnings.warn(
                "this Interview has not run yet; call run_interview() first", InterviewWarning, stacklevel=2
            )
        return {
            "seed": self.seed,
            "model": self.model.name if isinstance(self.model, BaseModel) else self.model,
            "interviewee_instructions": self.interviewee_instructions,
            "questions": list(self.questions),
            "responses": self.responses,
            "combined_response": self.combined_response,
            "kwargs": dict(self.kwargs),
            "last_seed": self.last_seed,
        }

    def __repr__(self) -> str:
        state = "done" if self._responses is not None else "not run"
        return f"Interview(seed={self.seed!r}, {len(self.questions)} questions, {state})"


def run_interviews(interviews: Sequence[Interview], *, batch_size: int = 16) -> None:
    """Run many interviews: those sharing a model and settings go to the model as one batched call.

    A batch samples from one seed (its members' ``last_seed``) unless their
    kwargs fix one; the same interviews with ``seed=last_seed`` repeat it.
    """
    groups: dict[tuple[int, GenerationOptions], list[Interview]] = {}
    models: dict[int, BaseModel] = {}
    for interview in interviews:
        if not isinstance(interview, Interview):
            raise ConfigError(f"run_interviews takes Interview objects, got {type(interview).__name__}")
        model = resolve_model(interview.model, owner="Interview", max_out_tokens=INTERVIEW_TOKENS)
        models[id(model)] = model
        groups.setdefault((id(model), interview.options), []).append(interview)
    for (model_id, options), members in groups.items():
        for start in range(0, len(members), batch_size):
            chunk = members[start : start + batch_size]
            seed = options.seed if options.seed is not None else fresh_seed()
            replies = models[model_id].prompt_batch(
                [i.prompt for i in chunk], options=dataclasses.replace(options, seed=seed)
            )
            for interview, reply in zip(chunk, replies, strict=True):
                interview.last_seed = seed
                interview.record_reply(reply)


def _questions(questions: object) -> list[str]:
    if questions == "default":
        return list(DEFAULT_QUESTIONS)
    listed = text_sequence("Interview questions", questions)
    if not listed:
        raise ConfigError("Interview questions must be 'default' or a non-empty list of questions")
    return listed


def _instructions(value: object) -> str:
    chosen = non_empty_text("Interview interviewee_instructions", value)
    return INTERVIEWEE_INSTRUCTIONS.get(chosen, chosen)
