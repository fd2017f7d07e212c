"""What buttons and code ask a :class:`~.runner.Runner` to do (queued for its worker thread).

Commands with arguments are small named tuples; those without are empty dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Build", "Close", "Command", "Fork", "Inject", "Replace", "Reset", "Run", "Step"]


@dataclass(frozen=True)
class Step:
    """Generate one turn."""


@dataclass(frozen=True)
class Run:
    """Generate turns until the end, Stop, or a failed turn."""


class Fork(NamedTuple):
    """Fork the live source after ``at_turn`` entries (None: all) and go live on the fork."""

    at_turn: int | None = None


class Inject(NamedTuple):
    """Add a message a person wrote, as participant or moderator ``name``."""

    name: str
    text: str


@dataclass(frozen=True)
class Reset:
    """Start over from the opening messages, on a new branch (the old one is kept)."""


class Replace(NamedTuple):
    """Drive another source from now on: a brand-new one (``"start"``) or another branch (``"switch"``)."""

    source: Any
    reason: Literal["start", "switch"] = "start"


class Build(NamedTuple):
    """Make a new source on the worker thread (loading a model may take seconds), then drive it."""

    make: Callable[[], Any]
    status: str = "Getting ready…"


@dataclass(frozen=True)
class Close:
    """End the worker thread."""


Command = Step | Run | Fork | Inject | Reset | Replace | Build | Close
