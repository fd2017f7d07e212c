"""The one request protocol: anything that talks through models is a turn source.

A :class:`TurnSource` (a discussion, a deliberation structure) says which
model calls are ready with :meth:`~TurnSource.next_requests`, takes each
reply back with :meth:`~TurnSource.record` and turns a failed call into a
:class:`~syndisco_widgets.errors.TurnError` with :meth:`~TurnSource.fail`.
:func:`~syndisco_widgets.engine.drive.drive` runs any mix of sources through
these alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from ..errors import TurnError
    from ..models.base import BaseModel, ChatPrompt, Completion, GenerationOptions
    from .entries import Entry

PayloadT = TypeVar("PayloadT")


@dataclass(frozen=True, eq=False, kw_only=True)
class TurnRequest(Generic[PayloadT]):
    """One model call a source asks for.

    Attributes:
        name: Who speaks.
        model: The model that answers.
        prompt: Exactly what the model is sent.
        options: Decoding settings for this call (``None``: the model's own).
        turn: The index the new entry will get in the source's log.
        window: The ``[start, end)`` entries of the log the speaker saw.
        drawn: Whether choosing the speaker used a turn-manager draw.
        single: Sent with ``model.complete`` when it is alone in its batch
            (otherwise a batch of one goes through ``model.complete_batch``).
        payload: The source's own data about the call (for a discussion, the
            speaking :class:`~syndisco_widgets.engine.actors.Actor`).
    """

    name: str
    model: BaseModel
    prompt: ChatPrompt
    payload: PayloadT
    options: GenerationOptions | None = None
    turn: int = 0
    window: tuple[int, int] = (0, 0)
    drawn: bool = False
    single: bool = False


@runtime_checkable
class TurnSource(Protocol):
    """Something :func:`~syndisco_widgets.engine.drive.drive` can run."""

    @property
    def finished(self) -> bool:
        """True once the source has made every entry it will make."""
        ...

    def next_requests(self) -> list[TurnRequest[Any]]:
        """The calls that are ready now (empty while waiting for replies, or when done).

        Asking again before recording returns the same requests.
        """
        ...

    def record(self, request: TurnRequest[Any], completion: Completion) -> Entry | None:
        """Store the reply to ``request``; the entry it made (None if it completes no entry yet)."""
        ...

    def fail(self, request: TurnRequest[Any], error: BaseException) -> TurnError:
        """The error that ``request`` failed with, said in the source's words; the source stops."""
        ...


@runtime_checkable
class SyncedSource(TurnSource, Protocol):
    """A source whose run file is synced to disk in steps rather than entry by entry."""

    def sync(self) -> None:
        """Push the entries written so far to disk; ``drive`` calls it after each model call's replies."""
        ...


@runtime_checkable
class CountedSource(TurnSource, Protocol):
    """A source that knows how many participant answers are still to come (for progress bars)."""

    @property
    def answers_left(self) -> int:
        """Participant (``role == "user"``) entries still to be written by a model."""
        ...
