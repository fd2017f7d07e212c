"""How agents' messages are put together: previous responses, task, instructions.

An agent's user message is the task alone when it has seen nothing, or the
task followed by its combination instructions with ``${previous_responses}``
filled in. Its system message is its system text, or absent when it has none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..models.base import ChatPrompt
from .templates import fill


def format_responses(texts: Sequence[str], labels: Sequence[str] | None = None) -> str:
    """One ``[label]: text`` block per response; labels default to ``Response 1, 2, ...``."""
    if labels is None:
        labels = [f"Response {i}" for i in range(1, len(texts) + 1)]
    if len(labels) != len(texts):
        raise ValueError(f"got {len(labels)} labels for {len(texts)} responses")
    return "\n\n".join(f"[{label}]: {text}" for label, text in zip(labels, texts))


def user_message(task: str, combination_text: str, previous: str) -> str:
    """The task, then (only if there is anything to show) the filled-in combination instructions."""
    if not previous:
        return task
    return task + "\n\n" + fill(combination_text, previous_responses=previous, task=task)


def chat_prompt(system: str | None, user: str) -> ChatPrompt:
    """A one-message prompt; ``None`` or ``""`` system text means no system message at all."""
    return ChatPrompt(system or "", ({"role": "user", "content": user},))


def prompt_json(chat: ChatPrompt) -> str:
    """Exactly what a model was sent, as JSON: ``{"system": str | null, "messages": [...]}``."""
    return json.dumps(
        {"system": chat.system or None, "messages": [dict(m) for m in chat.messages]}, ensure_ascii=False
    )
