"""The one driver: any mix of turn sources, their model calls batched.

Every round, :func:`drive` asks each source for its ready requests, groups
them by model and decoding options, sends each group through
``model.complete_batch`` in chunks of ``batch_size`` and hands every reply
back to its source. Models that take concurrent requests (servers, e.g.
:class:`~syndisco_widgets.models.OpenAIModel`) get no rounds: each source's
next request goes out as soon as its previous reply is recorded, up to the
model's ``max_concurrency`` in flight (:mod:`.pipeline`). A source whose
call fails is set aside with its entries kept; the others go on, and the
failures are reported together at the end. With a
:class:`~syndisco_widgets.models.base.GenerationControl` (someone is
watching) the requests go one at a time, streamed, and Stop ends the run
with :class:`~syndisco_widgets.errors.GenerationStopped`, the stopped turn
unrecorded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..checks import positive_whole_number, sequence_of
from ..errors import ConfigError, DiscussionsFailedError, ModelError, TurnError
from .discussion import Discussion
from .pipeline import Pending, Pipeline, by_source, is_concurrent
from .requests import CountedSource, SyncedSource, TurnSource

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from ..models.base import Completion, GenerationControl, GenerationOptions
    from .entries import Entry
    from .requests import TurnRequest


class DriveListener(Protocol):
    """Told what :func:`drive` does, on the thread that drives."""

    def request_started(self, source: TurnSource, request: TurnRequest[Any]) -> None:
        """``request`` is about to be sent to its model."""

    def entry_recorded(self, source: TurnSource, request: TurnRequest[Any], entry: Entry) -> None:
        """``source`` recorded ``entry`` from the reply to ``request``."""


class SourceFeed(Protocol):
    """Hands :func:`drive_feed` its sources one at a time, so only a window of them is open at once."""

    def next_source(self) -> TurnSource | None:
        """The next source to run (opened now), or None when every one has been given."""
        ...

    def source_ended(self, position: int, failure: TurnError | None) -> None:
        """The source given ``position``-th (from 0) left the run: finished, failed or waiting."""
        ...


@dataclass
class RunReport:
    """What :func:`drive` did.

    Attributes:
        finished: Positions (in the list given) of the sources that ended.
        failures: Position -> the :class:`TurnError` that stopped that source.
        turns: Entries recorded in this run.
        batches: Model calls made (each up to ``batch_size`` prompts).
    """

    finished: list[int] = field(default_factory=list)
    failures: dict[int, TurnError] = field(default_factory=dict)
    turns: int = 0
    batches: int = 0

    @property
    def ok(self) -> bool:
        """True when no source failed."""
        return not self.failures


def drive(
    sources: Sequence[TurnSource],
    *,
    batch_size: int = 32,
    verbose: bool = True,
    raise_on_failure: bool = True,
    control: GenerationControl | None = None,
    listener: DriveListener | None = None,
    max_entries: int | None = None,
) -> RunReport:
    """Run every source until it is finished, failed or waiting, batching their model calls.

    Args:
        sources: Discussions, deliberation structures or any other
            :class:`~.requests.TurnSource`, each at most once. Texts equal
            those of running them one after the other whenever the model's
            batched replies equal its single ones (e.g. greedy decoding).
        batch_size: At most this many prompts per model call (local models).
        verbose: Show one progress bar of participant answers.
        raise_on_failure: Raise :class:`DiscussionsFailedError` at the end if a
            source failed (default); ``False`` returns the report instead.
        control: Send requests one at a time, streaming into ``control`` and
            stopping when it is stopped (:class:`GenerationStopped` is raised,
            the stopped turn is not recorded and is asked again next time).
        listener: Told of every request sent and every entry recorded.
        max_entries: Stop after recording this many entries (``None``: no limit).

    Raises:
        DiscussionsFailedError: some sources failed (after all others
            finished); ``.failures`` maps positions to TurnErrors, ``.report``
            holds the report. Each failed source keeps its entries.
    """
    items = _checked_sources(sources)
    batch_size = positive_whole_number("batch_size", batch_size)
    if max_entries is not None:
        max_entries = positive_whole_number("max_entries (or None)", max_entries)
    total = sum(s.answers_left for s in items if isinstance(s, CountedSource))
    with progress_bar(total, verbose) as bar:
        listeners = [x for x in (listener, BarListener(bar) if bar is not None else None) if x is not None]
        report = _Drive(items, batch_size, control, listeners, max_entries).run()
    if report.failures and raise_on_failure:
        raise DiscussionsFailedError(
            report.failures, report, kinds={i: source_kind(items[i]) for i in report.failures}
        )
    return report


def drive_feed(
    feed: SourceFeed, *, window: int, batch_size: int = 32, listener: DriveListener | None = None
) -> RunReport:
    """Like :func:`drive` over every source ``feed`` gives, with at most ``window`` of them running.

    As one source ends another joins, so a server's slots never wait for a
    whole group to end. Positions in the report count the sources in the
    order given; failures are reported, not raised.
    """
    window = positive_whole_number("window", window)
    batch_size = positive_whole_number("batch_size", batch_size)
    listeners = [] if listener is None else [listener]
    return _Drive([], batch_size, None, listeners, None, feed=feed, window=window).run()


def source_kind(source: TurnSource) -> str:
    """What ``source`` is, as error messages name it: ``"discussion"``, or its class (``"Ensemble"``)."""
    return "discussion" if isinstance(source, Discussion) else type(source).__name__


def run_discussions(
    discussions: Sequence[Discussion],
    *,
    batch_size: int = 32,
    verbose: bool = True,
    raise_on_failure: bool = True,
) -> RunReport:
    """Drive every discussion to its end together, batching their model calls (see :func:`drive`)."""
    items = sequence_of("run_discussions discussions", discussions, Discussion, what="Discussion objects")
    return drive(items, batch_size=batch_size, verbose=verbose, raise_on_failure=raise_on_failure)


@contextmanager
def progress_bar(total: int, verbose: bool, desc: str = "Turns") -> Iterator[Any]:
    """One tqdm bar of ``total`` answers (``None`` when not verbose)."""
    if not verbose:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit="turn") as bar:
        yield bar


class BarListener:
    """Moves a progress bar one step per entry of the given roles (participants' answers by default)."""

    def __init__(self, bar: Any, roles: tuple[str, ...] = ("user",)) -> None:
        self.bar = bar
        self.roles = roles

    def request_started(self, source: TurnSource, request: TurnRequest[Any]) -> None:
        """Nothing to show yet."""

    def entry_recorded(self, source: TurnSource, request: TurnRequest[Any], entry: Entry) -> None:  # noqa: ARG002
        """One step for an answer of a counted role."""
        if entry.get("role") in self.roles:
            self.bar.update(1)


def _checked_sources(sources: object) -> list[TurnSource]:
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
        raise ConfigError(
            f"drive sources must be a list of discussions or structures, got {type(sources).__name__}"
        )
    for i, source in enumerate(sources):
        if not isinstance(source, TurnSource):
            raise ConfigError(
                f"drive sources[{i}] must be a Discussion, a deliberation structure or another "
                f"TurnSource, got {type(source).__name__} {source!r:.60}"
            )
    if len({id(s) for s in sources}) != len(sources):
        raise ConfigError("drive sources must not repeat the same object; each source runs once")
    return list(sources)


def _group_key(request: TurnRequest[Any]) -> tuple[int, GenerationOptions | None]:
    """Requests with equal keys share a model call.

    A seed does not change a greedy (temperature 0) reply, so greedy requests
    that differ only in their seed share a call too.
    """
    options = request.options
    if options is not None and options.temperature == 0 and options.seed is not None:
        options = dataclasses.replace(options, seed=None)
    return id(request.model), options


class _Drive:
    """One :func:`drive` call's loop and its bookkeeping."""

    def __init__(
        self,
        sources: list[TurnSource],
        batch_size: int,
        control: GenerationControl | None,
        listeners: list[DriveListener],
        max_entries: int | None,
        *,
        feed: SourceFeed | None = None,
        window: int = 0,
    ) -> None:
        self.active = dict(enumerate(sources))
        self.given = len(sources)
        self.feed = feed
        self.more = feed is not None  # the feed may give more sources
        self.window = window
        self.joined: Callable[[int], None] = lambda _index: None
        self.batch_size = 1 if control is not None else batch_size
        self.control = control
        self.listeners = listeners
        self.left = max_entries
        self.report = RunReport()

    def run(self) -> RunReport:
        self._top_up()
        while self.active and self.left != 0:
            pending = self._collect()
            if self.control is None and any(is_concurrent(r) for _, r in pending):
                self._pipeline(pending)  # servers: no rounds from here on
                break
            self._send_rounds(pending)
        self.report.finished.sort()
        return self.report

    def _send_rounds(self, pending: list[Pending]) -> None:
        """One round: ``pending`` grouped by model and options, in chunks of ``batch_size``."""
        for group in _groups(pending):
            for start in range(0, len(group), self.batch_size):
                chunk = [p for p in group[start : start + self.batch_size] if p[0] in self.active]
                if self.left is not None:
                    chunk = chunk[: self.left]
                if chunk:
                    self._send(chunk)

    def _pipeline(self, started: list[Pending]) -> None:
        """Run on through :class:`~.pipeline.Pipeline`: each source's next request as soon as it is ready."""

        def announce(index: int, request: TurnRequest[Any]) -> None:
            self.report.batches += 1
            for listener in self.listeners:
                listener.request_started(self.active[index], request)

        pipeline = Pipeline(
            self.active,
            started,
            send_local=self._send_rounds,
            take=self._take_and_sync,
            announce=announce,
            leave=self._leave,
            budget=lambda: self.left,
        )
        self.joined = pipeline.join
        pipeline.run()

    def _top_up(self) -> None:
        """Let the feed's next sources join while fewer than ``window`` run."""
        while self.feed is not None and self.more and len(self.active) < self.window:
            source = self.feed.next_source()
            if source is None:
                self.more = False
                return
            self.active[self.given] = source
            self.joined(self.given)
            self.given += 1

    def _leave(self, index: int, failure: TurnError | None = None) -> None:
        """Source ``index`` is done in this run (finished, failed or waiting); another may join."""
        source = self.active.pop(index)
        if failure is not None:
            self.report.failures[index] = failure
        elif source.finished:
            self.report.finished.append(index)
        if self.feed is not None:
            self.feed.source_ended(index, failure)
            self._top_up()

    def _collect(self) -> list[Pending]:
        """Every active source's ready requests; sources with none leave the run."""
        pending: list[Pending] = []
        for index, source in list(self.active.items()):
            requests = source.next_requests()
            if not requests:
                self._leave(index)
            pending += [(index, r) for r in requests]
        return pending

    def _send(self, chunk: list[Pending]) -> None:
        """One model call for ``chunk``; record each reply, or fail its source."""
        chunk = [p for part in by_source(chunk) for p in part]  # each source's requests together
        sources = {index: self.active[index] for index, _ in chunk}
        for index, request in chunk:
            for listener in self.listeners:
                listener.request_started(sources[index], request)
        replies = self._replies(chunk, split=True)
        for (index, request), reply in zip(chunk, replies, strict=True):
            if index in self.active:
                self._take(index, request, reply)
        _sync(sources.values())

    def _replies(self, chunk: list[Pending], *, split: bool) -> list[Completion | ModelError]:
        """The replies to ``chunk``, or its call's error for each request.

        With ``split``, a failed call of several sources is made again source
        by source, so a bad request fails its own source alone.
        """
        try:
            return list(self._complete(chunk))
        except ModelError as exc:
            parts = by_source(chunk)
            if not split or len(parts) == 1:
                return [exc] * len(chunk)
        return [reply for part in parts for reply in self._replies(part, split=False)]

    def _complete(self, chunk: list[Pending]) -> list[Completion]:
        first = chunk[0][1]
        self.report.batches += 1
        if len(chunk) == 1 and (first.single or self.control is not None):
            return [first.model.complete(first.prompt, control=self.control, options=first.options)]
        return first.model.complete_batch([r.prompt for _, r in chunk], options=first.options)

    def _take_and_sync(self, index: int, request: TurnRequest[Any], reply: Completion | ModelError) -> None:
        source = self.active[index]
        self._take(index, request, reply)
        _sync([source])

    def _take(self, index: int, request: TurnRequest[Any], reply: Completion | ModelError) -> None:
        source = self.active[index]
        if isinstance(reply, ModelError):
            self._leave(index, source.fail(request, reply))
            return
        entry = source.record(request, reply)
        if entry is None:
            return
        self.report.turns += 1
        if self.left is not None:
            self.left -= 1
        for listener in self.listeners:
            listener.entry_recorded(source, request, entry)


def _sync(sources: Iterable[TurnSource]) -> None:
    """Sync the run files of ``sources`` that write in steps (see :class:`~.requests.SyncedSource`)."""
    for source in sources:
        if isinstance(source, SyncedSource):
            source.sync()


def _groups(pending: list[Pending]) -> list[list[Pending]]:
    """Requests grouped by :func:`_group_key`, in first-seen order."""
    groups: dict[tuple[int, GenerationOptions | None], list[Pending]] = {}
    for item in pending:
        groups.setdefault(_group_key(item[1]), []).append(item)
    return list(groups.values())
