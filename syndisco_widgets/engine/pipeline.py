"""The pipelined loop of :func:`~.drive.drive`, for models that serve many requests at once.

A server that batches continuously (vLLM, SGLang, ``transformers serve``)
stays busy when it always has requests waiting, not when it gets rounds. So
here a source's next request goes out as soon as its previous reply is
recorded, with at most ``model.max_concurrency`` requests of a model in
flight; no source waits for another. Sources are asked for requests only
when there is room to send them, so 10,000 sources hold no 10,000 prompts.
Requests to models that cannot take concurrent requests (local models) are
batched as in the round loop, whenever nothing else can be sent.
"""

from __future__ import annotations

import queue
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future

    from ..models.base import ChatPrompt, Completion, GenerationOptions
    from .requests import TurnRequest, TurnSource

#: A request with the position of its source in the list given to :func:`~.drive.drive`.
Pending = tuple[int, "TurnRequest[Any]"]


@runtime_checkable
class ConcurrentModel(Protocol):
    """A model that takes requests without waiting for earlier ones (e.g. :class:`OpenAIModel`)."""

    max_concurrency: int

    def submit(self, prompt: ChatPrompt, *, options: GenerationOptions | None = None) -> Future[Completion]:
        """Send ``prompt`` now; the future holds the cleaned completion or a ModelError."""
        ...


def is_concurrent(request: TurnRequest[Any]) -> bool:
    """True when ``request``'s model takes concurrent requests."""
    return isinstance(request.model, ConcurrentModel)


class Pipeline:
    """Keeps every concurrent model's slots full until no source has work left.

    Args:
        sources: Position -> source, for the sources still running.
        started: Requests already taken from their sources (the round loop's first collection).
        send_local: Sends a list of requests to local models (batched) and records them.
        take: Records one reply, or fails its source.
        announce: Called as each request is sent.
        leave: Takes a source that has no requests now (finished or waiting) out of ``sources``.
        budget: At most this many more entries (``None``: no limit).
    """

    def __init__(
        self,
        sources: dict[int, TurnSource],
        started: list[Pending],
        *,
        send_local: Callable[[list[Pending]], None],
        take: Callable[[int, TurnRequest[Any], Completion | ModelError], None],
        announce: Callable[[int, TurnRequest[Any]], None],
        leave: Callable[[int], None],
        budget: Callable[[], int | None],
    ) -> None:
        self.sources = sources
        self.send_local = send_local
        self.take = take
        self.announce = announce
        self.leave = leave
        self.budget = budget
        self.ready: deque[int] = deque(i for i in sources if i not in {p[0] for p in started})
        self.taken: deque[list[Pending]] = deque()  # sources' requests waiting for a slot
        self.local: list[Pending] = []
        self.in_flight: dict[int, int] = {}  # model id -> requests in flight
        self.outstanding: dict[int, int] = {}  # source position -> requests not yet answered
        for group in by_source(started):
            if concurrent := self._admit(group):
                self.taken.append(concurrent)
        self.done: queue.SimpleQueue[tuple[Pending, Future[Completion]]] = queue.SimpleQueue()
        self.futures: set[Future[Completion]] = set()

    def run(self) -> None:
        """Send, wait and record until every source is finished, failed or waiting."""
        try:
            while True:
                self._fill()
                if self.local:  # server requests go on meanwhile
                    batch, self.local = self.local, []
                    self.send_local(batch)
                    self._settled(batch)
                elif self.futures:
                    self._collect_replies()
                else:
                    return
        finally:
            for future in self.futures:  # interrupted: nothing keeps running
                future.cancel()

    # -- sending ------------------------------------------------------------------
    def _fill(self) -> None:
        """Send requests while a model has room and a source has work."""
        while self._room_for_more():
            if self.taken:
                group = self.taken.popleft()
            else:
                fresh = self._next_group()
                if fresh is None:
                    return
                group = self._admit(fresh)
                if not group:
                    continue
            model = group[0][1].model
            if self.in_flight.get(id(model), 0) >= _cap(model):
                self.taken.appendleft(group)  # waits for a free slot of its model
                return
            for item in group:
                self._send(item)

    def _admit(self, fresh: list[Pending]) -> list[Pending]:
        """Count a source's new requests as outstanding; keep local ones for a batch, return the rest."""
        for index, _ in fresh:
            self.outstanding[index] = self.outstanding.get(index, 0) + 1
        self.local += [p for p in fresh if not is_concurrent(p[1])]
        return [p for p in fresh if is_concurrent(p[1])]

    def _room_for_more(self) -> bool:
        left = self.budget()
        return left is None or left > sum(self.outstanding.values())

    def _next_group(self) -> list[Pending] | None:
        """The ready requests of the next source that has any (sources with none leave)."""
        while self.ready:
            index = self.ready.popleft()
            source = self.sources.get(index)
            if source is None:
                continue
            requests = source.next_requests()
            if requests:
                return [(index, r) for r in requests]
            self.leave(index)
        return None

    def join(self, index: int) -> None:
        """Source ``index`` was added to ``sources``: ask it for requests in turn."""
        self.ready.append(index)

    def _send(self, item: Pending) -> None:
        index, request = item
        model: Any = request.model
        self.announce(index, request)
        future: Future[Completion] = model.submit(request.prompt, options=request.options)
        self.in_flight[id(model)] = self.in_flight.get(id(model), 0) + 1
        self.futures.add(future)

        def arrived(done: Future[Completion]) -> None:
            self.done.put((item, done))

        future.add_done_callback(arrived)

    # -- receiving ----------------------------------------------------------------
    def _collect_replies(self) -> None:
        """Wait for at least one reply, then record every reply that is in."""
        replies = [self.done.get()]
        while not self.done.empty():
            replies.append(self.done.get())
        for (index, request), future in replies:
            self.futures.discard(future)
            self.in_flight[id(request.model)] -= 1
            if index in self.sources:
                self.take(index, request, _result(future))
        self._settled([item for item, _ in replies])

    def _settled(self, items: list[Pending]) -> None:
        """``items`` are answered: a source with nothing left outstanding may have its next requests ready."""
        for index, _ in items:
            self.outstanding[index] -= 1
        for index in sorted({index for index, _ in items}):
            if not self.outstanding.get(index):
                self.outstanding.pop(index, None)
                if index in self.sources:
                    self.ready.append(index)  # behind the others: all sources move on together


def _cap(model: Any) -> int:
    return max(1, int(getattr(model, "max_concurrency", 1)))


def _result(future: Future[Completion]) -> Completion | ModelError:
    try:
        return future.result()
    except ModelError as exc:
        return exc


def by_source(items: list[Pending]) -> list[list[Pending]]:
    """``items`` split by source, in first-seen order."""
    parts: dict[int, list[Pending]] = {}
    for item in items:
        parts.setdefault(item[0], []).append(item)
    return list(parts.values())
