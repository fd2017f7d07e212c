"""TranscriptView: a chat-style live transcript of a discussion.

All public methods may be called from a worker thread while a discussion is
being generated. They only set traits (never ``with output:``), under one lock.

Cost per appended turn is constant: ``append`` sends just that turn (the
``_tail`` trait). The whole transcript is sent only on ``reset``, when the
comm opens, and when a view asks for it (a new view, or a view that missed
turns). See :mod:`.wire` for the wire format.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import traitlets
from ipywidgets import CallbackDispatcher

from ..checks import whole_number
from ..session import EntryAdded, SourceChange, TextAdded, TurnEnded, TurnStarted
from .live_list import LiveList
from .traits import optional_dict_trait
from .wire import ViewMessage, WireEntry, WireSnapshot, WireStream, role_of, wire_entry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from ..session import Runner, RunnerEvent

__all__ = ["TranscriptView"]

log = logging.getLogger(__name__)


class TranscriptView(LiveList):
    """Live transcript: finished turns as chat bubbles plus one message being written.

    Args:
        entries: Initial log entries (dicts with ``name``, ``text``, ``role``,
            ``source``, ``model``, ``context``; other keys are kept but not shown).
        start: The log index of the first entry (a comparison shows a
            branch from its fork point, numbered as in the whole log).
        **kwargs: Passed on to the widget (e.g. ``layout``, ``branchable``).
    """

    _stream = optional_dict_trait("the turn being written (a WireStream)")
    markdown = traitlets.Bool(
        default_value=True, help="render **bold**, *italic* and `code` (always as DOM nodes)"
    ).tag(sync=True)
    branchable = traitlets.Bool(
        default_value=True, help='show a "branch from here" action on each message'
    ).tag(sync=True)

    #: Minimum seconds between two streamed-text syncs (20 per second).
    stream_interval: float = 0.05
    #: Keep the text written before a Stop as a marked, unrecorded message (set for
    #: views without "branch from here", whose numbers need not match a log).
    keeps_stopped: bool = False

    def __init__(self, entries: Iterable[Mapping[str, Any]] = (), *, start: int = 0, **kwargs: Any) -> None:
        # Set before super().__init__(): opening the comm serialises _snapshot.
        self._lock = threading.RLock()
        self._entries: list[dict[str, Any]] = []
        self._wire: list[WireEntry] = []
        self._start = 0
        self._branch_handlers = CallbackDispatcher()
        self._stream_meta: WireStream | None = None
        self._stream_parts: list[str] = []
        self._stream_gen = 0
        self._last_flush = 0.0
        self._timer: threading.Timer | None = None
        self._load(entries, start)
        super().__init__(**kwargs)

    # ----------------------------------------------------------------- entries
    @property
    def entries(self) -> list[dict[str, Any]]:
        """A copy of the entries shown (read-only; use append/reset to change)."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def append(self, entry: Mapping[str, Any]) -> None:
        """Add one finished turn. Sends only this turn to the front end."""
        wire = wire_entry(entry)
        with self._lock:
            self._entries.append(dict(entry))
            self._push(wire)

    def reset(self, entries: Iterable[Mapping[str, Any]], *, start: int = 0) -> None:
        """Replace the whole transcript (e.g. after a branch switch).

        ``start`` is the log index of the first entry (numbers shown start at ``start + 1``).
        """
        with self._lock:
            self._load(entries, start)
            self._replace(self._wire, self._start)

    @property
    def start(self) -> int:
        """The log index of the first entry shown."""
        return self._start

    def _load(self, entries: Iterable[Mapping[str, Any]], start: int) -> None:
        items = list(entries)
        wire = [wire_entry(e) for e in items]  # validate before changing anything
        self._entries = [dict(e) for e in items]
        self._wire = wire
        self._start = whole_number("start", start)

    def wire_snapshot(self) -> WireSnapshot:
        """The live transcript as sent on a full-state sync (see :mod:`.wire`)."""
        snapshot: WireSnapshot = super().wire_snapshot()
        return snapshot

    # --------------------------------------------------------------- streaming
    def stream_start(self, name: str, role: str = "user") -> None:
        """Show an empty message by ``name`` in a "writing…" state."""
        with self._lock:
            self._cancel_timer()
            self._stream_gen += 1
            self._stream_meta = {"name": str(name), "role": role_of(role), "text": ""}
            self._stream_parts = []
            self._last_flush = time.monotonic()
            self._stream = dict(self._stream_meta)

    def stream_text(self, delta: str) -> None:
        """Add text to the message being written (synced at most ~20 times a second).

        Ignored when no stream is active (e.g. a late token after ``stream_end``).
        """
        with self._lock:
            if self._stream_meta is None or not delta:
                return
            self._stream_parts.append(str(delta))
            wait = self.stream_interval - (time.monotonic() - self._last_flush)
            if wait <= 0:
                self._flush()
            elif self._timer is None:
                # Trailing flush, so the last tokens show even if no more arrive.
                gen = self._stream_gen
                self._timer = threading.Timer(wait, self._timer_flush, args=(gen,))
                self._timer.daemon = True
                self._timer.start()

    def stream_end(self, entry: Mapping[str, Any] | None = None) -> None:
        """Remove the in-progress message.

        With ``entry``, also ``append`` it in the same comm message, so the
        finished turn replaces the writing one without a flicker.
        """
        with self._lock:
            self._cancel_timer()
            self._stream_gen += 1
            self._stream_meta = None
            self._stream_parts = []
            with self.hold_sync():
                self._stream = None
                if entry is not None:
                    self.append(entry)

    @property
    def streaming_text(self) -> str | None:
        """The full in-progress text (including not yet synced tokens), or None."""
        with self._lock:
            return None if self._stream_meta is None else "".join(self._stream_parts)

    def _flush(self) -> None:
        self._cancel_timer()
        if self._stream_meta is None:
            return
        text = "".join(self._stream_parts)
        self._stream_parts = [text]
        self._last_flush = time.monotonic()
        self._stream = {**self._stream_meta, "text": text}

    def _timer_flush(self, gen: int) -> None:
        with self._lock:
            if gen == self._stream_gen:
                self._timer = None
                self._flush()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ------------------------------------------------------------- following
    def follow(self, runner: Runner) -> None:
        """Show ``runner``'s live source and keep in step with its events from now on."""
        source = runner.source
        self.reset(source.logs if source is not None else [])
        runner.subscribe(self._on_runner_event)

    def unfollow(self, runner: Runner) -> None:
        """Stop following ``runner``."""
        runner.unsubscribe(self._on_runner_event)

    def _on_runner_event(self, event: RunnerEvent) -> None:
        if isinstance(event, TurnStarted):
            self.stream_start(event.name, event.role)
        elif isinstance(event, TextAdded):
            self.stream_text(event.text)
        elif isinstance(event, TurnEnded):
            self.stream_end(event.entry if event.entry is not None else self._stopped(event.partial))
        elif isinstance(event, EntryAdded):
            self.append(event.entry)
        elif isinstance(event, SourceChange):
            self.reset(event.source.logs if event.source is not None else [])

    def _stopped(self, partial: str) -> dict[str, Any] | None:
        """The message a Stop cut short, when this view keeps it."""
        meta = self._stream_meta
        if not self.keeps_stopped or meta is None or not partial.strip():
            return None
        return {"name": meta["name"], "role": meta["role"], "text": partial.strip(), "stopped": True}

    # ---------------------------------------------------------------- branching
    def on_branch(self, callback: Callable[[int], None], *, remove: bool = False) -> None:
        """Call ``callback(index)`` when "branch from here" is clicked on log entry ``index``."""
        self._branch_handlers.register_callback(callback, remove=remove)

    def _on_view_message(self, message: ViewMessage | None, content: object) -> None:
        if message is None or message["type"] != "branch":  # "send" belongs to the message box
            log.warning("ignoring malformed transcript message %r", content)
            return
        index = message["index"]
        with self._lock:
            valid = self._start <= index < self._start + len(self._entries)
        if valid:
            self._branch_handlers(index)
        else:
            log.warning("ignoring branch request for entry index %r outside the transcript", index)
