"""Many discussions at once: each round's turns go to their models in batches.

Every round, :func:`run_discussions` asks each unfinished discussion for its
next :class:`~.discussion.TurnRequest`, groups the requests by model (and
decoding options), sends each group through ``model.complete_batch`` in
chunks of ``batch_size`` and records the replies. A discussion whose turn
fails is set aside with its entries kept; the others go on, and the
failures are reported together at the end.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..checks import positive_whole_number, sequence_of
from ..errors import ConfigError, DiscussionsFailedError, ModelError, TurnError
from .discussion import Discussion, TurnRequest

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..models.base import BaseModel, Completion, GenerationOptions


@dataclass
class RunReport:
    """What :func:`run_discussions` did.

    Attributes:
        finished: Positions (in the list given) of the discussions that ended.
        failures: Position -> the :class:`TurnError` that stopped that discussion.
        turns: Model turns recorded in this run.
        batches: Model calls made (each a batch of up to ``batch_size`` prompts).
    """

    finished: list[int] = field(default_factory=list)
    failures: dict[int, TurnError] = field(default_factory=dict)
    turns: int = 0
    batches: int = 0

    @property
    def ok(self) -> bool:
        """True when no discussion failed."""
        return not self.failures


def run_discussions(
    discussions: Sequence[Discussion],
    *,
    batch_size: int = 32,
    verbose: bool = True,
    raise_on_failure: bool = True,
) -> RunReport:
    """Drive every discussion to its end together, batching their model calls.

    Args:
        discussions: The discussions (new, part-run or resumed). Each keeps
            its own log, autosave file and turn manager; the texts equal
            those of running them one after the other whenever the model's
            batched replies equal its single ones (e.g. greedy decoding).
        batch_size: At most this many prompts per model call.
        verbose: Show one progress bar counting turns across all discussions.
        raise_on_failure: Raise :class:`DiscussionsFailedError` at the end if
            any discussion failed (default); ``False`` returns the report instead.

    Returns:
        A :class:`RunReport`.

    Raises:
        DiscussionsFailedError: some discussions failed (after all others
            finished); ``.failures`` maps positions to TurnErrors, ``.report``
            holds the report. Each failed discussion keeps its entries and can
            be run again to retry its turn.
    """
    items = sequence_of("run_discussions discussions", discussions, Discussion, what="Discussion objects")
    if len({id(d) for d in items}) != len(items):
        raise ConfigError("run_discussions discussions must not repeat the same Discussion object")
    batch_size = positive_whole_number("batch_size", batch_size)
    total = sum(max(d.conv_len - d.user_turns, 0) for d in items)
    with progress_bar(total, verbose) as bar:
        report = drive_discussions(items, batch_size, bar)
    if report.failures and raise_on_failure:
        raise DiscussionsFailedError(report.failures, report)
    return report


def drive_discussions(discussions: list[Discussion], batch_size: int, bar: Any = None) -> RunReport:
    """The loop of :func:`run_discussions` without checks or raising; ``bar`` counts user turns."""
    report = RunReport()
    active = dict(enumerate(discussions))
    while active:
        requests = _collect(active, report)
        for group in _groups(requests):
            for start in range(0, len(group), batch_size):
                _send(group[start : start + batch_size], requests, active, report, bar)
    report.finished.sort()
    return report


@contextmanager
def progress_bar(total: int, verbose: bool) -> Iterator[Any]:
    """One tqdm bar of ``total`` turns (``None`` when not verbose)."""
    if not verbose:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc="Turns", unit="turn") as bar:
        yield bar


def _collect(active: dict[int, Discussion], report: RunReport) -> dict[int, TurnRequest]:
    """Each unfinished discussion's next request; finished ones leave ``active``."""
    requests: dict[int, TurnRequest] = {}
    for index, conv in list(active.items()):
        request = conv.next_request()
        if request is None:
            report.finished.append(index)
            del active[index]
        else:
            requests[index] = request
    return requests


def _send(
    chunk: list[int],
    requests: dict[int, TurnRequest],
    active: dict[int, Discussion],
    report: RunReport,
    bar: Any,
) -> None:
    """One model call for ``chunk``; record each reply, or set its discussion aside on failure."""
    replies = _complete(chunk, requests)
    report.batches += 1
    for index in chunk:
        reply, conv = replies[index], active[index]
        if isinstance(reply, BaseException):
            report.failures[index] = conv.fail(requests[index], reply)
            del active[index]
            continue
        entry = conv.record(requests[index], reply)
        report.turns += 1
        if bar is not None and entry.get("role") == "user":
            bar.update(1)


def _groups(requests: dict[int, TurnRequest]) -> list[list[int]]:
    """Request positions grouped by model and options, in first-seen order."""
    groups: dict[tuple[int, GenerationOptions | None], list[int]] = {}
    for index, request in requests.items():
        groups.setdefault((id(request.model), request.options), []).append(index)
    return list(groups.values())


def _complete(chunk: list[int], requests: dict[int, TurnRequest]) -> dict[int, Completion | BaseException]:
    """Replies for one chunk; if the batch fails, each prompt is tried alone so one bad turn fails alone."""
    first = requests[chunk[0]]
    model: BaseModel = first.model
    try:
        completions = model.complete_batch([requests[i].prompt for i in chunk], options=first.options)
        return dict(zip(chunk, completions, strict=True))
    except ModelError as exc:
        if len(chunk) == 1:
            return {chunk[0]: exc}
    return {i: _one(model, requests[i]) for i in chunk}


def _one(model: BaseModel, request: TurnRequest) -> Completion | BaseException:
    try:
        return model.complete(request.prompt, options=request.options)
    except ModelError as exc:
        return exc
