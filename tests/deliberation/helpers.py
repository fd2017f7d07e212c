"""Small helpers for reading what scripted models were sent."""

from __future__ import annotations

import json

from syndisco_widgets.models.base import ChatPrompt


def user_text(call: ChatPrompt) -> str:
    """The user message of a one-message prompt."""
    assert len(call.messages) == 1 and call.messages[0]["role"] == "user"
    return call.messages[0]["content"]


def sent(entry: dict) -> dict:
    """The decoded ``prompt`` field of a log entry."""
    return json.loads(entry["prompt"])
