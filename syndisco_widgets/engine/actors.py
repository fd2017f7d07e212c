"""Actors: a model speaking as a persona, in a role."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any

from ..errors import ConfigError
from ..models.base import BaseModel, ChatPrompt, Completion, GenerationControl
from . import prompts
from .persona import Persona


class ActorType(Enum):
    """The part an actor plays. The value is what logs record as ``type``."""

    USER = "1"
    MODERATOR = "2"
    ANNOTATOR = "3"

    @property
    def role(self) -> str:
        """Lower-case name used in log entries: ``"user"``, ``"moderator"``, ``"annotator"``."""
        return self.name.lower()


class Actor:
    """A model that speaks as ``persona``.

    Args:
        model: Any :class:`~syndisco_widgets.models.BaseModel`.
        persona: Who the actor is; ``persona.username`` is its name.
        actor_type: USER, MODERATOR or ANNOTATOR.
        context: Shared situation, e.g. "You are taking part in an online conversation".
        instructions: Shared behaviour rules, e.g. "Act like a human would".
    """

    def __init__(
        self,
        model: BaseModel,
        persona: Persona,
        actor_type: ActorType = ActorType.USER,
        context: str = "",
        instructions: str = "",
    ) -> None:
        if not isinstance(model, BaseModel):
            raise ConfigError(
                f"Actor model must be a BaseModel such as TransformersModel, got {type(model).__name__}"
            )
        if not isinstance(persona, Persona):
            raise ConfigError(
                f"Actor persona must be a Persona, got {type(persona).__name__}; use Persona(**fields)"
            )
        if not isinstance(actor_type, ActorType):
            raise ConfigError(
                f"Actor actor_type must be an ActorType such as ActorType.USER, got {actor_type!r}"
            )
        for label, text in (("context", context), ("instructions", instructions)):
            if not isinstance(text, str):
                raise ConfigError(f"Actor {label} must be a string, got {type(text).__name__}")
        self.model = model
        self.persona = persona
        self.actor_type = actor_type
        self.context = context
        self.instructions = instructions

    @property
    def name(self) -> str:
        return self.persona.username

    @property
    def role(self) -> str:
        return self.actor_type.role

    def get_name(self) -> str:
        """The actor's username."""
        return self.name

    def describe(self) -> str:
        """JSON of context, instructions, type and persona: the ``prompt`` kept in logs."""
        return json.dumps(
            {
                "context": self.context,
                "instructions": self.instructions,
                "type": self.actor_type.value,
                "persona": self.persona.to_dict(),
            },
            ensure_ascii=False,
        )

    def turn_prompt(self, window: Sequence[dict[str, Any]]) -> ChatPrompt:
        """What the model is sent when this actor speaks after ``window``."""
        return prompts.turn_prompt(self, window)

    def speak(
        self, window: Sequence[dict[str, Any]], *, control: GenerationControl | None = None
    ) -> Completion:
        """Generate this actor's next message given the history it may see."""
        return self.model.complete(self.turn_prompt(window), control=control)

    def __repr__(self) -> str:
        return f"Actor({self.name!r}, {self.actor_type.name}, model={self.model.name!r})"
