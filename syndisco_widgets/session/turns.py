"""One turn of any source, streamed and stoppable, through the engine's one driver.

A watched studio calls the same :func:`~syndisco_widgets.engine.drive` as an
experiment does, with one request at a time, a
:class:`~syndisco_widgets.models.base.GenerationControl` (streaming and Stop)
and ``max_entries=1`` (a Step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine import drive

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine import TurnRequest, TurnSource
    from ..engine.entries import Entry
    from ..models.base import GenerationControl

__all__ = ["advance_one"]


class _Turn:
    """The drive listener of one Step: says who starts writing, keeps the entry made."""

    def __init__(self, started: Callable[[str, str], None]) -> None:
        self._started = started
        self.entry: Entry | None = None

    def request_started(self, source: TurnSource, request: TurnRequest[Any]) -> None:  # noqa: ARG002
        role = getattr(request.payload, "role", None)
        self._started(request.name, str(getattr(role, "value", role) or "user"))

    def entry_recorded(self, source: TurnSource, request: TurnRequest[Any], entry: Entry) -> None:  # noqa: ARG002
        self.entry = entry


def advance_one(source: Any, control: GenerationControl, started: Callable[[str, str], None]) -> Entry:
    """Drive ``source`` until it records one entry, streaming through ``control``.

    Raises:
        StopIteration: the source has nothing left to do.
        GenerationStopped: Stop was pressed; nothing was recorded.
        TurnError: the model failed; the entries so far are kept.
    """
    turn = _Turn(started)
    report = drive(
        [source],
        batch_size=1,
        verbose=False,
        raise_on_failure=False,
        control=control,
        listener=turn,
        max_entries=1,
    )
    if report.failures:
        raise next(iter(report.failures.values()))
    if turn.entry is None:
        raise StopIteration
    return turn.entry
