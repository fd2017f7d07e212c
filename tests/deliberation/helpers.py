"""Small helpers for reading what scripted models were sent."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from syndisco_widgets.models.base import ChatPrompt


def user_text(call: ChatPrompt) -> str:
    """The user message of a one-message prompt."""
    assert len(call.messages) == 1
    assert call.messages[0]["role"] == "user"
    return call.messages[0]["content"]


def sent(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The decoded ``prompt`` field of a log entry."""
    decoded = json.loads(entry["prompt"])
    assert isinstance(decoded, dict)
    return decoded


def entries(logs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Log entries as plain dicts, for reading the deliberation keys (``seen``, ``cycle``, ``options``)."""
    return [dict(e) for e in logs]
