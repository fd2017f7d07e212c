"""Helpers shared by the widget tests (plain module: import it from test files)."""

from __future__ import annotations

import threading
from typing import Any

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
