"""SynDisco 2.2's ``Actor``: a persona dict spoken by a model, as a participant or an annotator.

The prompts are ours (the wording in :mod:`syndisco_widgets.engine.prompts`),
so SynDisco code gets the same prompts our engine sends. What logs record as
an entry's ``prompt`` is :meth:`Actor.describe`: the JSON of context,
instructions, type and persona that SynDisco records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...checks import text
from ...engine import prompts
from ...engine.persona import Persona
from ...errors import ConfigError
from ...models.base import BaseModel


class Actor:
    """A participant (or, with ``is_annotator=True``, an annotator) driven by ``model``.

    Args:
        model: Any model of ours, or ``None`` for an actor that never speaks
            (a seed opinion's author).
        persona: Attributes as ``{"age": "24", ...}`` (a :class:`Persona` works too).
        context: The situation, e.g. "An online forum about the city budget".
        instructions: How to behave, e.g. "Act like a human would".
        is_annotator: True for an actor that labels comments instead of writing them.
        name: The actor's username in the discussion.
    """

    def __init__(
        self,
        model: BaseModel | None = None,
        persona: Mapping[str, Any] | Persona | None = None,
        context: str = "",
        instructions: str = "",
        is_annotator: bool = False,
        name: str = "<Unnamed>",
    ) -> None:
        if model is not None and not isinstance(model, BaseModel):
            raise ConfigError(
                f"Actor model must be a model such as TransformersModel (or None), got {type(model).__name__}"
            )
        if not isinstance(is_annotator, bool):
            raise ConfigError(f"Actor is_annotator must be True or False, got {is_annotator!r}")
        self._model = model
        self.persona = _persona_dict(persona)
        self.context = text("Actor context", context)
        self.instructions = text("Actor instructions", instructions)
        self.is_annotator = is_annotator
        self.name = text("Actor name", name, allow_empty=False)

    @property
    def role(self) -> str:
        """``"annotator"`` or ``"user"``."""
        return "annotator" if self.is_annotator else "user"

    def get_system_prompt(self) -> str:
        """Context, who the actor is, its persona and its instructions."""
        parts = [
            self.context.strip(),
            prompts.ROLE_LINES[self.role].format(name=prompts.safe_name(self.name)),
        ]
        profile = prompts.persona_lines(self.persona)
        if profile:
            parts.append(prompts.PROFILE.format(lines="\n".join(profile)))
        parts.append(self.instructions.strip())
        return "\n\n".join(p for p in parts if p)

    def get_user_prompt(self, history: list[str] | None = None) -> str:
        """The visible history (one formatted comment per item) and the request for a reply."""
        shown = prompts.HISTORY.format(entries="\n\n".join(history)) if history else prompts.EMPTY_HISTORY
        return shown + "\n\n" + prompts.ASK[self.role].format(name=prompts.safe_name(self.name))

    def speak(self, history: list[str] | None = None) -> str:
        """The model's reply to :meth:`get_system_prompt` and :meth:`get_user_prompt`."""
        if self._model is None:
            raise ConfigError(f"Actor {self.name!r} has no model, so it cannot speak; pass model=...")
        return self._model.prompt(self.get_system_prompt(), self.get_user_prompt(history))

    def describe(self) -> str:
        """JSON of context, instructions, type and persona: what logs keep as an entry's ``prompt``."""
        return json.dumps(
            {
                "context": self.context,
                "instructions": self.instructions,
                "type": self.role,
                "persona": dict(self.persona),
            }
        )

    def get_actor_name(self) -> str:
        """The actor's username."""
        return self.name

    def get_model_name(self) -> str:
        """The label of the actor's model."""
        if self._model is None:
            raise ConfigError(f"Actor {self.name!r} has no model")
        return self._model.name

    def __repr__(self) -> str:
        return f"Actor({self.name!r}, {self.role})"


def _persona_dict(persona: object) -> dict[str, Any]:
    if persona is None:
        return {}
    if isinstance(persona, Persona):
        return persona.to_dict()
    if not isinstance(persona, Mapping):
        raise ConfigError(
            "Actor persona must be a dict of attributes such as {'age': '24'}, "
            f"got {type(persona).__name__}"
        )
    for key in persona:
        if not isinstance(key, str):
            raise ConfigError(f"Actor persona keys must be strings, got {key!r}")
    return dict(persona)
