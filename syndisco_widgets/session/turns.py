"""One turn of any source, streamed and stoppable: the runner's single path to the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine.entries import Entry
    from ..models.base import GenerationControl

__all__ = ["advance_one"]


def _ready(source: Any) -> list[Any]:
    many = getattr(source, "next_requests", None)
    if callable(many):
        return list(many())
    one = source.next_request()
    return [one] if one is not None else []


def advance_one(source: Any, control: GenerationControl, started: Callable[[str, str], None]) -> Entry:
    """Ask for the source's next request, stream its answer through ``control`` and record it.

    Raises:
        StopIteration: the source has nothing left to do.
        GenerationStopped: Stop was pressed; nothing was recorded.
        TurnError: the model failed; the source keeps the turn for a retry.
    """
    requests = _ready(source)
    if not requests:
        raise StopIteration
    request = requests[0]
    speaker = getattr(request, "speaker", None)
    started(request.name, str(getattr(request, "role", None) or getattr(speaker, "role", "user")))
    try:
        completion = request.model.complete(request.prompt, control=control, options=request.options)
    except ModelError as exc:
        raise source.fail(request, exc) from exc
    entry: Entry = source.record(request, completion)
    return entry
