"""How agents' messages are put together: previous responses, task, instructions.

An agent's user message is the task alone when it has seen nothing, or the
task followed by its combination instructions with ``${previous_responses}``
filled in. Its system message is its system text, or absent when it has none.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..models.base import ChatPrompt
from .templates import fill

if TYPE_CHECKING:
    from collections.abc import Sequence

# A speaker label at the start of a line, as a model may echo it: "[You]:", "[Other]:",
# "[Debater 2]:", "[Response 3]:" or "[some name]:" (possibly in bold).
_ECHOED_LABEL = re.compile(r"^[ \t]*(?:\*\*)?\[[^\[\]\n]{1,60}\](?:\*\*)?[ \t]*:[ \t]*", re.MULTILINE)


def strip_speaker_labels(text: str) -> str:
    """``text`` without speaker labels (``[You]:``, ``[Other]:``, ...) at the start of its lines.

    Models often echo the labels they were shown; left in, the next reader
    would see doubled or forged speaker lines.
    """
    return _ECHOED_LABEL.sub("", text).strip()


def format_responses(texts: Sequence[str], labels: Sequence[str] | None = None) -> str:
    """One ``[label]: text`` block per response; labels default to ``Response 1, 2, ...``.

    Speaker labels a model echoed at the start of a line are removed first, so
    no response can pose as another speaker's line.
    """
    if labels is None:
        labels = [f"Response {i}" for i in range(1, len(texts) + 1)]
    if len(labels) != len(texts):
        raise ConfigError(f"format_responses: got {len(labels)} labels for {len(texts)} texts")
    return "\n\n".join(
        f"[{label}]: {strip_speaker_labels(text)}" for label, text in zip(labels, texts, strict=True)
    )


def user_message(task: str, combination_text: str, previous: str) -> str:
    """The task, then (only if there is anything to show) the filled-in combination instructions."""
    if not previous:
        return task
    return task + "\n\n" + fill(combination_text, previous_responses=previous, task=task)


def chat_prompt(system: str | None, user: str) -> ChatPrompt:
    """A one-message prompt; ``None`` or ``""`` system text means no system message at all."""
    return ChatPrompt.single(system or "", user)


def prompt_json(chat: ChatPrompt) -> str:
    """Exactly what a model was sent, as JSON: ``{"system": str | null, "messages": [...]}``."""
    return json.dumps(
        {"system": chat.system or None, "messages": [dict(m) for m in chat.messages]}, ensure_ascii=False
    )
