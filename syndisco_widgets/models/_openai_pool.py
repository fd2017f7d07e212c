"""Plumbing for :mod:`syndisco_widgets.models.openai_model`: one private event loop and replica choice.

Every request of every :class:`~syndisco_widgets.models.openai_model.OpenAIModel`
runs on one asyncio loop on a daemon thread, so synchronous callers (a
script, a widget's worker thread, or a notebook cell whose own loop is
already running) can send many requests at once without touching their
own event loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Coroutine, Sequence
    from concurrent.futures import Future

T = TypeVar("T")

#: How long a replica that refused a connection is passed over.
DOWN_SECONDS = 10.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid = 0


def _background_loop() -> asyncio.AbstractEventLoop:
    """The shared loop, started on first use (and again in a forked child)."""
    global _loop, _loop_pid  # one loop per process, made on first use
    with _lock:
        if _loop is None or _loop_pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="syndisco-openai-loop", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def submit(coro: Coroutine[Any, Any, T]) -> Future[T]:
    """Run ``coro`` on the shared loop; cancel the returned future to cancel it."""
    return asyncio.run_coroutine_threadsafe(coro, _background_loop())


def wait(future: Future[T]) -> T:
    """The future's result; an interrupt (Ctrl-C, a notebook's stop button) cancels the request."""
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


class Replicas:
    """Picks the server for each request among replicas of one model.

    The least busy replica wins (ties go round the list); one that refused a
    connection is passed over for :data:`DOWN_SECONDS` while others remain.
    Only the shared loop's thread calls it, so it needs no lock.
    """

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = tuple(urls)
        self._busy = dict.fromkeys(self.urls, 0)
        self._down_until = dict.fromkeys(self.urls, 0.0)
        self._turn = 0

    def pick(self, exclude: Sequence[str] = ()) -> str:
        """The replica for the next attempt, avoiding ``exclude`` when possible."""
        now = time.monotonic()
        candidates = [u for u in self.urls if u not in exclude] or list(self.urls)
        up = [u for u in candidates if self._down_until[u] <= now] or candidates
        self._turn += 1
        order = {u: (i - self._turn) % len(self.urls) for i, u in enumerate(self.urls)}
        return min(up, key=lambda u: (self._busy[u], order[u]))

    def started(self, url: str) -> None:
        """A request to ``url`` began."""
        self._busy[url] += 1

    def finished(self, url: str) -> None:
        """A request to ``url`` ended, however it ended."""
        self._busy[url] -= 1

    def mark_down(self, url: str) -> None:
        """``url`` refused a connection: prefer the others for a while."""
        self._down_until[url] = time.monotonic() + DOWN_SECONDS
