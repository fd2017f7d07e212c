"""Every prompt an actor sends is written here, in one readable place.

An actor's system prompt says who it is (context, persona, instructions); the
turn message shows the window of history it may see and asks for one reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..models.base import ChatPrompt

if TYPE_CHECKING:
    from .actors import Actor

_ROLE_LINES = {
    "user": "You are {name}, a participant in this conversation.",
    "moderator": "You are {name}, the moderator of this conversation. Keep it civil and on topic.",
    "annotator": "You are {name}, an annotator who reads conversations and labels them.",
}
_EMPTY_HISTORY = "The conversation has not started yet. Write the first comment."
_ASK = {
    "user": "Write your next comment as {name}. Reply with the comment text only.",
    "moderator": "Write your next message as the moderator {name}. Reply with the message text only.",
    "annotator": "Annotate the comment above as instructed. Reply with the annotation only.",
}


def persona_lines(persona_fields: dict[str, Any]) -> list[str]:
    """``- field: value`` lines for every filled-in persona attribute."""
    lines = []
    for key, value in persona_fields.items():
        if key in ("username", "special_instructions", "extra") or value in (None, "", [], {}):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"- {key.replace('_', ' ')}: {shown}")
    for key, value in persona_fields.get("extra", {}).items():
        lines.append(f"- {key.replace('_', ' ')}: {value}")
    return lines


def system_prompt(actor: Actor) -> str:
    """Context, who the actor is, its persona and the shared instructions."""
    fields = actor.persona.to_dict()
    parts = [actor.context.strip(), _ROLE_LINES[actor.role].format(name=actor.name)]
    profile = persona_lines(fields)
    if profile:
        parts.append("Your profile:\n" + "\n".join(profile))
    if fields.get("special_instructions"):
        parts.append(f"Special instructions: {fields['special_instructions']}")
    parts.append(actor.instructions.strip())
    return "\n\n".join(p for p in parts if p)


def history_text(window: Sequence[dict[str, Any]]) -> str:
    """The visible history, one ``[name]: text`` block per entry."""
    if not window:
        return _EMPTY_HISTORY
    return "Conversation so far:\n" + "\n\n".join(f"[{e['name']}]: {e['text']}" for e in window)


def turn_prompt(actor: Actor, window: Sequence[dict[str, Any]]) -> ChatPrompt:
    """The full prompt for one turn of ``actor`` given the history it may see."""
    message = history_text(window) + "\n\n" + _ASK[actor.role].format(name=actor.name)
    return ChatPrompt(system_prompt(actor), ({"role": "user", "content": message},))


def annotation_prompt(actor: Actor, window: Sequence[dict[str, Any]], target: dict[str, Any]) -> ChatPrompt:
    """The prompt asking an annotator to label ``target`` given the history before it."""
    message = (
        history_text(window)
        + f"\n\nComment to annotate, by {target['name']}:\n{target['text']}\n\n"
        + _ASK["annotator"]
    )
    return ChatPrompt(system_prompt(actor), ({"role": "user", "content": message},))
