"""What a :class:`~.runner.Runner` reports: its state, and one event vocabulary for every source.

A streamed turn is ``TurnStarted`` → ``TextAdded``… → ``TurnEnded``; a
message a person wrote is one ``EntryAdded``; a new live source (a start, a
branch, a fresh start, a switch) is a ``SourceChange``; a Run reports how
far it is with ``RunProgress``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..engine import Discussion
    from ..engine.entries import Entry

__all__ = [
    "ChangeReason",
    "EntryAdded",
    "RunProgress",
    "RunnerEvent",
    "RunnerState",
    "SourceChange",
    "TextAdded",
    "TurnEnded",
    "TurnStarted",
]


class RunnerState(str, Enum):
    """What the runner is doing."""

    IDLE = "idle"
    RUNNING = "running"
    STOPPING = "stopping"
    FINISHED = "finished"
    ERROR = "error"
    CLOSED = "closed"


ChangeReason = Literal["start", "branch", "reset", "switch"]


@dataclass(frozen=True)
class SourceChange:
    """The live source changed.

    ``reason`` is ``"start"`` (a new source), ``"branch"`` (a fork of
    ``parent`` after ``at_turn`` entries), ``"reset"`` (a fresh fork of
    ``parent`` after its opening messages) or ``"switch"`` (another existing
    branch is now live).
    """

    source: Any
    reason: ChangeReason
    parent: Any = None
    at_turn: int | None = None

    @property
    def discussion(self) -> Discussion | None:
        """The new live source when it is a discussion (branches exist only for discussions)."""
        from ..engine import Discussion

        return self.source if isinstance(self.source, Discussion) else None


@dataclass(frozen=True)
class TurnStarted:
    """A model turn began: ``name`` (playing ``role``) is writing."""

    name: str
    role: str


@dataclass(frozen=True)
class TextAdded:
    """A piece of the turn being written."""

    text: str


@dataclass(frozen=True)
class TurnEnded:
    """The turn being written ended.

    ``entry`` is the finished turn (the very entry the log holds), None if
    it was stopped or failed; ``partial`` is the text written before a Stop.
    """

    entry: Entry | None
    partial: str = ""


@dataclass(frozen=True)
class EntryAdded:
    """An entry was added without streaming (a person's message)."""

    entry: Entry


@dataclass(frozen=True)
class RunProgress:
    """How far the source is: ``done`` of ``total`` turns; ``tokens_per_second`` once known."""

    done: int
    total: int
    tokens_per_second: float | None = None
    running: bool = True


RunnerEvent = SourceChange | TurnStarted | TextAdded | TurnEnded | EntryAdded | RunProgress
