"""Helpers shared by the widget tests (plain module: import it from test files)."""

from __future__ import annotations

import json
import threading
from typing import Any

from comm.base_comm import BaseComm

from syndisco_widgets.engine import Actor, ActorType, Discussion, Persona, RoundRobin
from syndisco_widgets.models import ScriptedModel

LONG_REPLY = " ".join(f"w{i}" for i in range(60))


def make_discussion(
    model: ScriptedModel | None = None,
    *,
    names: tuple[str, ...] = ("Emma35", "Giannis"),
    moderator: str | None = None,
    conv_len: int = 4,
    **discussion_kwargs: Any,
) -> Discussion:
    """A small discussion between ``names`` on a ScriptedModel."""
    model = model or ScriptedModel()
    users = [Actor(model, Persona(username=n), ActorType.USER, "ctx", "instr") for n in names]
    mod = Actor(model, Persona(username=moderator), ActorType.MODERATOR, "ctx", "mod") if moderator else None
    return Discussion(RoundRobin(), users, mod, conv_len=conv_len, **discussion_kwargs)


class Gate:
    """A reply function that blocks the model until the test opens the gate.

    ``entered`` is set when a reply has been asked for, so a test knows a
    turn is in progress without sleeping.
    """

    def __init__(self, reply: str = "gated reply") -> None:
        self.reply = reply
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self, _prompt: Any) -> str:
        self.entered.set()
        assert self.opened.wait(10), "test never opened the gate"
        return self.reply


class RecordingComm(BaseComm):
    """A comm that keeps every message instead of sending it to a front end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        self.messages.append((msg_type, data or {}))

    def updates(self) -> list[dict[str, Any]]:
        """The state dicts of the 'update' messages sent so far."""
        return [d["state"] for t, d in self.messages if t == "comm_msg" and d.get("method") == "update"]

    def sent_bytes(self) -> int:
        return sum(len(json.dumps(d, separators=(",", ":"))) for t, d in self.messages if t == "comm_msg")

    def clear(self) -> None:
        self.messages.clear()
