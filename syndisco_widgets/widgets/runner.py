"""DiscussionRunner: one worker thread per discussion, driven by typed commands.

Only the worker thread ever calls ``Discussion.step``, ``fork`` or
``inject``. Buttons and code put :data:`Command` objects on a queue, so the
notebook stays responsive while a model generates. ``stop()`` is the one
exception: it sets a ``threading.Event`` that the model checks between
tokens, so it takes effect mid-turn.

What happens is published as :data:`RunnerEvent` objects to subscribers
(the transcript, the branch tree, the studio). ``state`` (a
:class:`RunnerState`) and a human-readable ``status`` are traitlets, so
widgets can ``observe`` them. Subscribers and observers run on the thread
that made the change (usually the worker); they must not block on the runner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal, TypeVar

import traitlets

from ..engine import Discussion
from ..errors import ConfigError, GenerationStopped, SyndiscoError, TurnError
from ..models.base import GenerationControl
from .traits import enum_trait
from .wording import plural

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine.entries import Entry

__all__ = [
    "Close",
    "Command",
    "DiscussionChange",
    "DiscussionRunner",
    "EntryAdded",
    "Fork",
    "Inject",
    "Replace",
    "Reset",
    "Run",
    "RunProgress",
    "RunnerEvent",
    "RunnerState",
    "Step",
    "Switch",
    "TextAdded",
    "TurnEnded",
    "TurnStarted",
    "as_runner",
]

log = logging.getLogger(__name__)


class RunnerState(str, Enum):
    """What the runner is doing."""

    IDLE = "idle"
    RUNNING = "running"
    STOPPING = "stopping"
    FINISHED = "finished"
    ERROR = "error"
    CLOSED = "closed"


# -- commands (what buttons and code ask for) ---------------------------------
@dataclass(frozen=True)
class Step:
    """Generate one turn."""


@dataclass(frozen=True)
class Run:
    """Generate turns until the end, Stop, or a failed turn."""


@dataclass(frozen=True)
class Fork:
    """Fork the live discussion after ``at_turn`` entries (None: all) and go live on the fork."""

    at_turn: int | None = None


@dataclass(frozen=True)
class Inject:
    """Add a message a person wrote, as participant or moderator ``name``."""

    name: str
    text: str


@dataclass(frozen=True)
class Reset:
    """Start over from the opening messages, on a new branch (the old one is kept)."""


@dataclass(frozen=True)
class Switch:
    """Make another existing discussion (another branch) the live one."""

    discussion: Discussion


@dataclass(frozen=True)
class Replace:
    """Drive a brand-new discussion from now on."""

    discussion: Discussion | None


@dataclass(frozen=True)
class Close:
    """End the worker thread."""


Command = Step | Run | Fork | Inject | Reset | Switch | Replace | Close


# -- events (what subscribers hear) -------------------------------------------
ChangeReason = Literal["start", "branch", "reset", "switch"]


@dataclass(frozen=True)
class DiscussionChange:
    """The live discussion changed.

    ``reason`` is ``"start"`` (a new discussion), ``"branch"`` (a fork of
    ``parent`` after ``at_turn`` entries), ``"reset"`` (a fresh fork of
    ``parent`` after its opening messages) or ``"switch"`` (another existing
    branch is now live).
    """

    discussion: Discussion | None
    reason: ChangeReason
    parent: Discussion | None = None
    at_turn: int | None = None


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
    """The turn being written ended: ``entry`` is the finished turn, None if it was discarded."""

    entry: Entry | None


@dataclass(frozen=True)
class EntryAdded:
    """An entry was added without streaming (a person's message)."""

    entry: Entry


@dataclass(frozen=True)
class RunProgress:
    """How far a Run is: ``done`` of ``total`` user turns; ``tokens_per_second`` once known."""

    done: int
    total: int
    tokens_per_second: float | None = None
    running: bool = True


RunnerEvent = DiscussionChange | TurnStarted | TextAdded | TurnEnded | EntryAdded | RunProgress
EventT = TypeVar("EventT", bound=RunnerEvent)


@dataclass
class _Speed:
    """Tokens per second over the turns of one Run."""

    tokens: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def add(self, entry: Entry) -> None:
        tokens = entry.get("completion_tokens")
        seconds = entry.get("seconds")
        if isinstance(tokens, int) and isinstance(seconds, (int, float)) and seconds > 0:
            self.tokens += tokens
            self.seconds += float(seconds)

    @property
    def rate(self) -> float | None:
        return self.tokens / self.seconds if self.seconds > 0 else None


class DiscussionRunner(traitlets.HasTraits):
    """Runs a :class:`~syndisco_widgets.engine.Discussion` on a daemon worker thread.

    Args:
        discussion: The discussion to drive (``None``: set one later with ``replace``).
    """

    state = enum_trait(RunnerState, RunnerState.IDLE, "what the runner is doing")
    status = traitlets.Unicode("", help="One line for people: what happened last")
    speaker = traitlets.Unicode("", help="Who is generating right now ('' when nobody)")

    def __init__(self, discussion: Discussion | None = None) -> None:
        super().__init__()
        if discussion is not None and not isinstance(discussion, Discussion):
            raise ConfigError(
                f"discussion must be a Discussion or None, got {type(discussion).__name__}; "
                "build one with Discussion(...)"
            )
        self._discussion = discussion
        self.last_error: BaseException | None = None
        self._commands: deque[tuple[Command, int]] = deque()
        self._cond = threading.Condition()
        self._idle = threading.Event()
        self._idle.set()
        self._closed = False
        self._lock = threading.RLock()  # guards state changes and the stop generation
        self._stop = threading.Event()
        self._stop_gen = 0  # bumped by stop(); older generating commands are dropped
        self._subscribers: list[Callable[[RunnerEvent], None]] = []
        self._settle("Ready." if discussion is not None else "No discussion yet.")
        self._thread = threading.Thread(target=self._loop, name="syndisco-runner", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ reading
    @property
    def discussion(self) -> Discussion | None:
        """The live discussion (the active branch)."""
        return self._discussion

    @property
    def finished(self) -> bool:
        """True when the live discussion has produced all its turns."""
        return self._discussion is not None and self._discussion.finished

    @property
    def busy(self) -> bool:
        """True while a command runs or waits in the queue."""
        return not self._idle.is_set()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`: commands are refused."""
        return self._closed

    # ------------------------------------------------------------- subscribers
    def subscribe(self, callback: Callable[[RunnerEvent], None]) -> Callable[[RunnerEvent], None]:
        """Call ``callback(event)`` for every :data:`RunnerEvent`, in order."""
        self._subscribers.append(callback)
        return callback

    def unsubscribe(self, callback: Callable[[RunnerEvent], None]) -> None:
        """Stop calling ``callback``."""
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def on_entry(self, callback: Callable[[Entry], None]) -> Callable[[Entry], None]:
        """Call ``callback(entry)`` after each new entry (model or person)."""

        def pick(event: RunnerEvent) -> None:
            if isinstance(event, (TurnEnded, EntryAdded)) and event.entry is not None:
                callback(event.entry)

        self.subscribe(pick)
        return callback

    def on_text(self, callback: Callable[[str], None]) -> Callable[[str], None]:
        """Call ``callback(piece)`` for every piece of streamed text."""
        self.subscribe(lambda event: callback(event.text) if isinstance(event, TextAdded) else None)
        return callback

    def on_discussion(
        self, callback: Callable[[DiscussionChange], None]
    ) -> Callable[[DiscussionChange], None]:
        """Call ``callback(change)`` when the live discussion is replaced (branch, reset, switch, start)."""
        self.subscribe(lambda event: callback(event) if isinstance(event, DiscussionChange) else None)
        return callback

    def _emit(self, event: RunnerEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # noqa: PERF203  a broken subscriber must never kill the worker
                log.exception("syndisco runner: subscriber failed on %s", type(event).__name__)

    # ---------------------------------------------------------------- commands
    def send(self, command: Command) -> None:
        """Queue one :data:`Command` for the worker thread.

        Raises:
            RuntimeError: the runner is closed.
        """
        with self._cond:
            if self._closed:
                raise RuntimeError("this DiscussionRunner is closed; create a new one")
            self._commands.append((command, self._stop_gen))
            self._idle.clear()
            self._cond.notify()

    def step(self) -> None:
        """Generate one turn."""
        self.send(Step())

    def run(self) -> None:
        """Generate turns until the discussion ends, Stop is pressed or a turn fails."""
        self.send(Run())

    def stop(self) -> None:
        """Stop now: the turn being generated is discarded and queued Step/Run are dropped."""
        with self._lock:
            self._stop_gen += 1
            self._stop.set()
            if self.state == RunnerState.RUNNING:
                self._set_state(RunnerState.STOPPING, "Stopping…")

    def branch(self, at_turn: int | None = None) -> None:
        """Fork the live discussion after ``at_turn`` entries (default: all) and make the fork live."""
        self.send(Fork(at_turn))

    def inject(self, name: str, text: str) -> None:
        """Add a message written by a person as participant or moderator ``name``.

        During a Run it is added between two turns.
        """
        self.send(Inject(name, text))

    def reset(self) -> None:
        """Start over from the opening messages on a new branch; the old branch is kept."""
        self.send(Reset())

    def switch(self, discussion: Discussion) -> None:
        """Make another existing discussion (e.g. another branch) the live one."""
        self.send(Switch(discussion))

    def replace(self, discussion: Discussion | None) -> None:
        """Drive a brand-new discussion from now on (subscribers get reason ``"start"``)."""
        self.send(Replace(discussion))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued command is done; True if it finished in time.

        Joins in small steps, so Kernel ▸ Interrupt (KeyboardInterrupt) is
        turned into :meth:`stop`: the current turn is discarded, the runner
        settles, and ``False`` is returned instead of raising.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self._idle.wait(0.05):
                if deadline is not None and time.monotonic() >= deadline:
                    return False
        except KeyboardInterrupt:
            self.stop()
            self._idle.wait(10)
            return False
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop, finish the worker thread and refuse further commands."""
        if self._closed:
            return
        self.stop()
        self.send(Close())
        with self._cond:
            self._closed = True
        if threading.current_thread() is not self._thread:  # e.g. closed by a subscriber
            self._thread.join(timeout)
        self.speaker = ""
        self._set_state(RunnerState.CLOSED, "Closed: this discussion can no longer be changed.")

    def __enter__(self) -> DiscussionRunner:  # noqa: PYI034  the class is not meant to be subclassed
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ worker loop
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._commands:
                    self._idle.set()
                    self._cond.wait()
                command, gen = self._commands.popleft()
            if isinstance(command, Close):
                with self._cond:
                    self._commands.clear()
                    self._idle.set()
                return
            try:
                self._do(command, gen)
            except SyndiscoError as exc:  # e.g. a fork point out of range: say so, carry on
                self._fail(exc, f"{_verb(command)} failed: {exc}")
            except Exception as exc:  # unexpected: report with a traceback, keep the worker alive
                log.exception("syndisco runner: command %s failed", type(command).__name__)
                self._fail(exc, f"{_verb(command)} failed: {type(exc).__name__}: {exc}")

    def _do(self, command: Command, gen: int) -> None:
        if isinstance(command, Step):
            if self._begin(gen):
                self._one_turn_and_settle()
        elif isinstance(command, Run):
            if self._begin(gen):
                self._run()
        elif isinstance(command, Inject):
            if self._inject(command):
                self._settle(f"{command.name}'s message was added. {self._progress()}")
        else:
            self._change(command)

    def _change(self, command: Fork | Reset | Switch | Replace | Close) -> None:
        """Make another discussion live (a fork, a fresh start, another branch, a new one)."""
        if isinstance(command, Fork):
            parent = self._require()
            child = parent.fork(command.at_turn)
            where = len(child.logs)
            change = DiscussionChange(child, "branch", parent, where)
            self._make_live(change, f"Branched after {plural(where, 'entry', 'entries')}.")
        elif isinstance(command, Reset):
            parent = self._require()
            seeds = parent.logs.count_where(source="seed")
            self._make_live(
                DiscussionChange(parent.fork(seeds), "reset", parent, seeds),
                "Started over on a new branch (the previous one is kept under Branches).",
            )
        elif isinstance(command, Switch):
            self._make_live(
                DiscussionChange(command.discussion, "switch", self._discussion), "Switched branch."
            )
        elif isinstance(command, Replace):
            self._make_live(
                DiscussionChange(command.discussion, "start", self._discussion), "New discussion."
            )

    # ------------------------------------------------------ state bookkeeping
    def _set_state(self, state: RunnerState, status: str) -> None:
        with self._lock, self.hold_trait_notifications():
            self.state = state
            self.status = status

    def _settle(self, status: str) -> None:
        """Idle or finished, depending on the live discussion (never after close)."""
        if self._closed:
            return
        if self.finished:
            self._set_state(
                RunnerState.FINISHED, f"{status} The discussion is complete." if status else "Complete."
            )
        else:
            self._set_state(RunnerState.IDLE, status)

    def _fail(self, exc: BaseException, message: str) -> None:
        self.last_error = exc
        self.speaker = ""
        self._set_state(RunnerState.ERROR, message)

    def _progress(self) -> str:
        d = self._discussion
        if d is None:
            return ""
        return f"{plural(len(d.logs), 'entry', 'entries')}, {d.user_turns} of {d.conv_len} user turns."

    def _begin(self, gen: int) -> bool:
        """Start a generating command unless Stop came after it was queued."""
        with self._lock:
            if gen != self._stop_gen:
                return False
            if self._discussion is None:
                self._set_state(RunnerState.IDLE, "No discussion yet: set one up first.")
                return False
            if self._discussion.finished:
                self._settle("Nothing to do.")
                return False
            self._stop.clear()
            self.last_error = None
            self._set_state(RunnerState.RUNNING, "Generating…")
            return True

    def _run(self) -> None:
        discussion = self._require()
        speed = _Speed()
        self._emit(RunProgress(discussion.user_turns, discussion.conv_len))
        while True:
            if self._stop.is_set():
                self._settle_stopped()
                break
            entry = self._one_turn_and_settle(final=False)
            if entry is None:
                break
            speed.add(entry)
            self._run_queued_injects()
            self._emit(RunProgress(discussion.user_turns, discussion.conv_len, speed.rate))
            if discussion.finished:
                self._settle(f"Done. {self._progress()}")
                break
            with self._lock:
                if self.state == RunnerState.RUNNING:
                    self.status = f"Running… {self._progress()}"
        self._emit(RunProgress(discussion.user_turns, discussion.conv_len, speed.rate, running=False))

    def _one_turn_and_settle(self, *, final: bool = True) -> Entry | None:
        """Generate one turn; settle the state on any outcome but success-with-more-to-do."""
        try:
            entry = self._generate_turn()
        except StopIteration:
            self._settle("Done.")
            return None
        except GenerationStopped:
            self._settle_stopped()
            return None
        except TurnError as exc:
            self._fail(exc, f"{exc} Press Step to retry.")
            return None
        if final:
            self._settle(f"Turn done. {self._progress()}")
        return entry

    def _settle_stopped(self) -> None:
        self.speaker = ""
        self._settle("Stopped: the unfinished turn was discarded. Step or Run continues.")

    def _generate_turn(self) -> Entry:
        d = self._require()
        speaker = d.next_speaker()  # None when finished: step() then raises StopIteration
        if speaker is not None:
            self.speaker = speaker.name
            self._emit(TurnStarted(speaker.name, speaker.role))  # "writing…" before the first token

        def on_text(piece: str) -> None:
            self._emit(TextAdded(piece))

        try:
            entry = d.step(control=GenerationControl(on_text, self._stop))
        except BaseException:
            if speaker is not None:
                self._emit(TurnEnded(None))
            raise
        finally:
            self.speaker = ""
        self._emit(TurnEnded(entry))  # swaps the writing bubble for the turn in one message
        return entry

    def _run_queued_injects(self) -> None:
        """During a Run, add messages people sent since the last turn."""
        with self._cond:
            injects = [c for c, _gen in self._commands if isinstance(c, Inject)]
            if not injects:
                return
            self._commands = deque(item for item in self._commands if not isinstance(item[0], Inject))
        for command in injects:
            self._inject(command)

    def _inject(self, command: Inject) -> bool:
        try:
            entry = self._require().inject(command.name, command.text)
        except SyndiscoError as exc:
            # Bad input is not a broken discussion: report it and carry on.
            self.last_error = exc
            with self._lock:
                self.status = f"Could not send: {exc}"
            return False
        self._emit(EntryAdded(entry))
        return True

    def _require(self) -> Discussion:
        if self._discussion is None:
            raise SyndiscoError("no discussion yet: set one up first")
        return self._discussion

    def _make_live(self, change: DiscussionChange, status: str) -> None:
        self._discussion = change.discussion
        self._emit(change)
        self._settle(f"{status} {self._progress()}".strip())


def _verb(command: Command) -> str:
    return type(command).__name__


def as_runner(source: Discussion | DiscussionRunner | None) -> tuple[DiscussionRunner, bool]:
    """``source`` if it is a runner, else a new runner for the discussion; and whether it is new.

    Raises:
        ConfigError: ``source`` is neither.
    """
    if isinstance(source, DiscussionRunner):
        return source, False
    return DiscussionRunner(source), True
