"""Actors: a model speaking as a persona, in a role."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, cast

from ..checks import instance_of, text
from ..errors import ConfigError
from ..models.base import BaseModel, ChatPrompt, Completion, GenerationControl
from . import prompts
from .logs import make_entry
from .persona import Persona

if TYPE_CHECKING:
    from ..models.labels import LabelChoice
    from .entries import Entry, Role


class ActorType(Enum):
    """The part an actor plays. The value is what logs record as ``type``."""

    USER = "1"
    MODERATOR = "2"
    ANNOTATOR = "3"

    @property
    def role(self) -> Role:
        """Lower-case name used in log entries: ``"user"``, ``"moderator"``, ``"annotator"``."""
        return cast("Role", self.name.lower())


class Actor:
    """A model that speaks as ``persona``.

    Args:
        model: Any :class:`~syndisco_widgets.models.BaseModel`.
        persona: Who the actor is; ``persona.username`` is its name. A plain
            dict of attributes with ``name=`` is also accepted (SynDisco 2.2's form).
        actor_type: USER, MODERATOR or ANNOTATOR.
        context: Shared situation, e.g. "You are taking part in an online conversation".
        instructions: Shared behaviour rules, e.g. "Act like a human would".
        name: Only with a dict persona: the actor's username.
        is_annotator: SynDisco 2.2's flag; ``True`` means ``ActorType.ANNOTATOR``.
    """

    def __init__(
        self,
        model: BaseModel,
        persona: Persona | Mapping[str, Any],
        actor_type: ActorType | str = ActorType.USER,
        context: str = "",
        instructions: str | bool = "",
        *,
        name: str | None = None,
        is_annotator: bool | None = None,
    ) -> None:
        if isinstance(
            actor_type, str
        ):  # SynDisco 2.2 order: (model, persona, context, instructions, is_annotator)
            actor_type, context, instructions, is_annotator = _syndisco_order(
                actor_type, context, instructions, is_annotator
            )
        if not isinstance(model, BaseModel):
            raise ConfigError(
                f"Actor model must be a BaseModel such as TransformersModel, got {type(model).__name__} "
                f"{model!r:.60}"
            )
        self.model = model
        self.persona = _as_persona(persona, name)
        self.actor_type = instance_of(
            "Actor actor_type", actor_type, ActorType, "an ActorType such as ActorType.USER"
        )
        if is_annotator is not None:
            if not isinstance(is_annotator, bool):
                raise ConfigError(f"Actor is_annotator must be True or False, got {is_annotator!r}")
            if is_annotator:
                self.actor_type = ActorType.ANNOTATOR
        self.context = text("Actor context", context)
        self.instructions = text("Actor instructions", instructions)

    @property
    def name(self) -> str:
        """The actor's username."""
        return self.persona.username

    def get_name(self) -> str:
        """The actor's username (SynDisco's spelling of :attr:`name`)."""
        return self.name

    @property
    def role(self) -> Role:
        """The actor's role as logs record it."""
        return self.actor_type.role

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

    def reply_entry(
        self, shown: str, reply: Completion | LabelChoice, window: tuple[int, int], **fields: Any
    ) -> Entry:
        """The log entry of a reply this actor's model wrote, after seeing the ``window`` of the log.

        ``shown`` is the text kept; the reply gives the call's token counts
        and seconds; ``fields`` are added (e.g. ``truncated``, ``label``).
        """
        return make_entry(
            self.name,
            shown,
            self.model.name,
            self.describe(),
            role=self.role,
            source="model",
            context=list(window),
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            seconds=round(reply.seconds, 6),
            **fields,
        )

    def turn_prompt(self, window: Sequence[Entry], topic: str = "") -> ChatPrompt:
        """What the model is sent when this actor speaks after ``window`` (``topic`` restated)."""
        return prompts.turn_prompt(self, window, topic)

    def speak(
        self, window: Sequence[Entry], *, control: GenerationControl | None = None, topic: str = ""
    ) -> Completion:
        """Generate this actor's next message given the history it may see."""
        return self.model.complete(self.turn_prompt(window, topic), control=control)

    def __repr__(self) -> str:
        return f"Actor({self.name!r}, {self.actor_type.name}, model={self.model.name!r})"


def _syndisco_order(
    context: str, instructions: object, flag: object, is_annotator: bool | None
) -> tuple[ActorType, str, str, bool | None]:
    """Read SynDisco 2.2's positional order: the third argument is ``context``, not an actor type."""
    if not isinstance(instructions, str):
        raise ConfigError(
            f"Actor: with a string third argument (SynDisco's context), the fourth must be the "
            f"instructions string, got {type(instructions).__name__}; or pass actor_type=ActorType.USER"
        )
    if isinstance(flag, bool):
        is_annotator = flag if is_annotator is None else is_annotator
    elif flag != "":
        raise ConfigError(
            f"Actor: the fifth argument (SynDisco's is_annotator) must be True or False, got {flag!r}"
        )
    return ActorType.USER, context, instructions, is_annotator


def _as_persona(persona: object, name: str | None) -> Persona:
    if isinstance(persona, Persona):
        if name is not None and name != persona.username:
            raise ConfigError(
                f"Actor name={name!r} differs from persona.username {persona.username!r}; give only one"
            )
        return persona
    if isinstance(persona, Mapping):
        data = dict(persona)
        if name is not None:
            data.setdefault("username", name)
        known = {f.name for f in dataclasses.fields(Persona)}
        extra = {k: v for k, v in data.items() if k not in known}
        fields = {k: v for k, v in data.items() if k in known}
        if extra:
            fields["extra"] = {**fields.get("extra", {}), **extra}
        return Persona.from_dict(fields, where="Actor persona")
    raise ConfigError(
        f"Actor persona must be a Persona (or a dict of attributes with name=...), "
        f"got {type(persona).__name__}; use Persona(**fields)"
    )
