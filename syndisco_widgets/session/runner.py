"""Runner: one worker thread drives any turn source (a discussion or a deliberation structure).

Only the worker thread ever advances, forks or injects into the source.
Buttons and code put commands (:mod:`.commands`) on a queue, so the
notebook stays responsive while a model generates. ``stop()`` is the one
exception: it sets a ``threading.Event`` that the model checks between
tokens, so it takes effect mid-turn.

Step, Run and Stop work for every source. Branch, Start over and a person's
messages work where the source can do them (:attr:`Runner.can_branch`,
:attr:`Runner.can_inject`); elsewhere they are refused with a clear status.

What happens is published as :data:`~.events.RunnerEvent` objects to
subscribers (transcript, table, insights, branch bar, controls). ``state`` and
a human-readable ``status`` are traitlets, so widgets can ``observe`` them.
Subscribers and observers run on the thread that made the change (usually
the worker); they must not block on the runner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import traitlets

from ..engine import Discussion
from ..errors import ConfigError, GenerationStopped, SyndiscoError, TurnError
from ..models.base import GenerationControl
from ..wording import plural
from . import events as ev
from .commands import Build, Close, Command, Fork, Inject, Replace, Reset, Run, Step
from .events import RunnerEvent, RunnerState
from .sources import Forkable, Injectable, count_of, progress_of
from .turns import advance_one

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine.entries import Entry

__all__ = ["Runner", "as_runner"]

log = logging.getLogger(__name__)


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


class Runner(traitlets.HasTraits):
    """Drives a turn source (a :class:`~syndisco_widgets.engine.Discussion` or a structure) on a thread.

    Args:
        source: What to drive (``None``: set one later with ``replace`` or ``build``).
    """

    state = traitlets.UseEnum(RunnerState, default_value=RunnerState.IDLE, help="what the runner is doing")
    status = traitlets.Unicode("", help="One line for people: what happened last")
    speaker = traitlets.Unicode("", help="Who is generating right now ('' when nobody)")

    def __init__(self, source: Any = None) -> None:
        super().__init__()
        if source is not None and not hasattr(source, "logs"):
            raise ConfigError(
                "source must be a Discussion, a deliberation structure or None, got "
                f"{type(source).__name__}; with Discussion(...) or Chain(...)"
            )
        self._source: Any = source
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
        self._settle("Ready." if source is not None else "Nothing to run yet.")
        self._thread = threading.Thread(target=self._loop, name="syndisco-runner", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ reading
    @property
    def source(self) -> Any:
        """The live source (for a discussion: the active branch)."""
        return self._source

    @property
    def discussion(self) -> Discussion | None:
        """The live source when it is a discussion, else None."""
        return self._source if isinstance(self._source, Discussion) else None

    @property
    def can_branch(self) -> bool:
        """True when the live source can fork (Branch, Start over)."""
        return isinstance(self._source, Forkable)

    @property
    def can_inject(self) -> bool:
        """True when the live source takes messages people write."""
        return isinstance(self._source, Injectable)

    @property
    def finished(self) -> bool:
        """True when the live source has produced all its turns."""
        return self._source is not None and bool(self._source.finished)

    @property
    def busy(self) -> bool:
        """True while a turn is being generated or stopped.

        It follows ``state``, so a view that refreshes when the state turns
        Ready sees the runner free (use :meth:`wait` to wait for the queue).
        """
        return self.state in (RunnerState.RUNNING, RunnerState.STOPPING)

    @property
    def closed(self) -> bool:
        """True after :meth:`close`: commands are refused."""
        return self._closed

    def progress(self) -> str:
        """The one count every view shows, e.g. ``"4 of 12 user turns"`` ("" with no source)."""
        return count_of(self._source) if self._source is not None else ""

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
            if isinstance(event, (ev.TurnEnded, ev.EntryAdded)) and event.entry is not None:
                callback(event.entry)

        self.subscribe(pick)
        return callback

    def on_text(self, callback: Callable[[str], None]) -> Callable[[str], None]:
        """Call ``callback(piece)`` for every piece of streamed text."""
        self.subscribe(lambda event: callback(event.text) if isinstance(event, ev.TextAdded) else None)
        return callback

    def on_change(self, callback: Callable[[ev.SourceChange], None]) -> Callable[[ev.SourceChange], None]:
        """Call ``callback(change)`` when the live source is replaced (start, branch, reset, switch)."""
        self.subscribe(lambda event: callback(event) if isinstance(event, ev.SourceChange) else None)
        return callback

    on_discussion = on_change

    def _emit(self, event: RunnerEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # noqa: PERF203  a broken subscriber must never kill the worker
                log.exception("syndisco runner: subscriber failed on %s", type(event).__name__)

    # ---------------------------------------------------------------- commands
    def send(self, command: Command) -> None:
        """Queue one command for the worker thread.

        Raises:
            RuntimeError: the runner is closed.
        """
        with self._cond:
            if self._closed:
                raise RuntimeError("this runner is closed; create a new one")
            self._commands.append((command, self._stop_gen))
            self._idle.clear()
            self._cond.notify()

    def step(self) -> None:
        """Generate one turn."""
        self.send(Step())

    def run(self) -> None:
        """Generate turns until the source is done, Stop is pressed or a turn fails."""
        self.send(Run())

    def stop(self) -> None:
        """Stop now: the turn being generated is not recorded and queued Step/Run are dropped."""
        with self._lock:
            self._stop_gen += 1
            self._stop.set()
            if self.state == RunnerState.RUNNING:
                self._set_state(RunnerState.STOPPING, "Stopping…")

    def branch(self, at_turn: int | None = None) -> None:
        """Fork the live source after ``at_turn`` entries (default: all) and make the fork live."""
        self.send(Fork(at_turn))

    def inject(self, name: str, text: str) -> None:
        """Add a message written by a person as participant or moderator ``name``.

        During a Run it is added between two turns.
        """
        self.send(Inject(name, text))

    def reset(self) -> None:
        """Start over from the opening messages on a new branch; the old branch is kept."""
        self.send(Reset())

    def switch(self, source: Any) -> None:
        """Make another existing source (e.g. another branch) the live one."""
        self.send(Replace(source, "switch"))

    def replace(self, source: Any) -> None:
        """Drive a brand-new source from now on (subscribers get reason ``"start"``)."""
        self.send(Replace(source))

    def build(self, make: Callable[[], Any], status: str = "Getting ready…") -> None:
        """Call ``make()`` on the worker thread (it may load a model) and make what it returns live.

        The runner says ``status`` and counts as running from this call on,
        so buttons follow at once; Stop before the source is made cancels it.
        """
        with self._lock:
            self.send(Build(make, status))
            self._set_state(RunnerState.RUNNING, status)

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
        self._set_state(RunnerState.CLOSED, "Closed: this can no longer be changed.")

    def __enter__(self) -> Runner:  # noqa: PYI034  the class is not meant to be subclassed
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
                self._fail(exc, f"{type(command).__name__} failed: {exc}")
            except Exception as exc:  # unexpected: report with a traceback, keep the worker alive
                log.exception("syndisco runner: command %s failed", type(command).__name__)
                self._fail(exc, f"{type(command).__name__} failed: {type(exc).__name__}: {exc}")

    def _do(self, command: Command, gen: int) -> None:
        if isinstance(command, Step):
            if self._begin(gen):
                self._one_turn_and_settle()
        elif isinstance(command, Run):
            if self._begin(gen):
                self._run()
        elif isinstance(command, Inject):
            if self._inject(command):
                self._settle(f"{command.name}'s message was added. {self._count()}")
        elif isinstance(command, Build):
            self._build(command, gen)
        else:
            self._change(command)

    def _build(self, command: Build, gen: int) -> None:
        with self._lock:
            if gen != self._stop_gen:
                self._settle("Stopped before the first turn.")
                return
            self._stop.clear()
        try:
            source = command.make()
        except BaseException:
            self._settle("")  # the loop reports the error
            raise
        if self._stop.is_set():
            self._settle("Stopped before the first turn.")
            return
        self._make_live(ev.SourceChange(source, "start", self._source), "Ready.")

    def _change(self, command: Fork | Reset | Replace | Close) -> None:
        """Make another source live (a fork, a fresh start, another branch, a new one)."""
        if isinstance(command, Fork):
            parent = self._forkable()
            child = parent.fork(command.at_turn)
            where = len(child.logs)
            change = ev.SourceChange(child, "branch", parent, where)
            self._make_live(change, f"Branched after {plural(where, 'entry', 'entries')}.")
        elif isinstance(command, Reset):
            parent = self._forkable()
            seeds = sum(1 for e in parent.logs if e.get("source") == "seed")
            self._make_live(
                ev.SourceChange(parent.fork(seeds), "reset", parent, seeds),
                "Started over on a new branch (the previous one is kept under Branches).",
            )
        elif isinstance(command, Replace):
            said = "Switched branch." if command.reason == "switch" else "New start."
            self._make_live(ev.SourceChange(command.source, command.reason, self._source), said)

    # ------------------------------------------------------ state bookkeeping
    def _set_state(self, state: RunnerState, status: str) -> None:
        with self._lock, self.hold_trait_notifications():
            self.state = state
            self.status = status

    def _settle(self, status: str) -> None:
        """Idle or finished, depending on the live source (never after close)."""
        if self._closed:
            return
        if self.finished:
            self._set_state(RunnerState.FINISHED, f"{status} Complete." if status else "Complete.")
        else:
            self._set_state(RunnerState.IDLE, status)

    def _fail(self, exc: BaseException, message: str) -> None:
        self.last_error = exc
        self.speaker = ""
        self._set_state(RunnerState.ERROR, message)

    def _count(self) -> str:
        source = self._source
        if source is None:
            return ""
        return f"{plural(len(source.logs), 'entry', 'entries')}, {count_of(source)}."

    def _begin(self, gen: int) -> bool:
        """Start a generating command unless Stop came after it was queued."""
        with self._lock:
            if gen != self._stop_gen:
                return False
            if self._source is None:
                self._set_state(RunnerState.IDLE, "Nothing to run yet: set it up first.")
                return False
            if self._source.finished:
                self._settle("Nothing to do.")
                return False
            self._stop.clear()
            self.last_error = None
            self._set_state(RunnerState.RUNNING, "Generating…")
            return True

    def _progress_event(self, speed: _Speed | None, *, running: bool = True) -> ev.RunProgress:
        done, total = progress_of(self._source)
        return ev.RunProgress(done, total, speed.rate if speed else None, running)

    def _run(self) -> None:
        speed = _Speed()
        self._emit(self._progress_event(speed))
        while True:
            if self._stop.is_set():
                self._settle_stopped("")
                break
            entry = self._one_turn_and_settle(final=False)
            if entry is None:
                break
            speed.add(entry)
            self._run_queued_injects()
            self._emit(self._progress_event(speed))
            if self.finished:
                self._settle(f"Done. {self._count()}")
                break
            with self._lock:
                if self.state == RunnerState.RUNNING:
                    self.status = f"Running… {self._count()}"
        self._emit(self._progress_event(speed, running=False))

    def _one_turn_and_settle(self, *, final: bool = True) -> Entry | None:
        """Generate one turn; settle the state on any outcome but success-with-more-to-do."""
        try:
            entry = self._generate_turn()
        except StopIteration:
            self._settle("Done.")
            return None
        except GenerationStopped as stopped:
            self._settle_stopped(str(stopped))
            return None
        except TurnError as exc:
            self._fail(exc, f"{exc} Press Step to retry.")
            return None
        if final:
            self._settle(f"Turn done. {self._count()}")
        if self._source is not None:
            self._emit(self._progress_event(None, running=not final))
        return entry

    def _settle_stopped(self, partial: str) -> None:
        self.speaker = ""
        kept = " (the text written so far is shown, not recorded)" if partial.strip() else ""
        self._settle(f"Stopped: the unfinished turn was not recorded{kept}. Step or Run continues.")

    def _generate_turn(self) -> Entry:
        source = self._require()
        written: list[str] = []

        def started(name: str, role: str) -> None:
            self.speaker = name
            self._emit(ev.TurnStarted(name, role))  # "writing…" before the first token

        def on_text(piece: str) -> None:
            written.append(piece)
            self._emit(ev.TextAdded(piece))

        try:
            entry = advance_one(source, GenerationControl(on_text, self._stop), started)
        except GenerationStopped:
            self._emit(ev.TurnEnded(None, "".join(written)))
            raise
        except BaseException:
            if self.speaker:
                self._emit(ev.TurnEnded(None))
            raise
        finally:
            self.speaker = ""
        self._emit(ev.TurnEnded(entry))  # swaps the writing bubble for the turn in one message
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
        source = self._require()
        if not isinstance(source, Injectable):
            self.last_error = ConfigError(f"a {type(source).__name__} takes no messages from people")
            with self._lock:
                self.status = f"Could not send: {self.last_error}."
            return False
        try:
            entry = source.inject(command.name, command.text)
        except SyndiscoError as exc:
            # Bad input is not a broken source: report it and carry on.
            self.last_error = exc
            with self._lock:
                self.status = f"Could not send: {exc}"
            return False
        self._emit(ev.EntryAdded(entry))
        return True

    def _require(self) -> Any:
        if self._source is None:
            raise SyndiscoError("nothing to run yet: set it up first")
        return self._source

    def _forkable(self) -> Any:
        source = self._require()
        if not isinstance(source, Forkable):
            raise SyndiscoError(f"a {type(source).__name__} cannot branch; run it again instead")
        return source

    def _make_live(self, change: ev.SourceChange, status: str) -> None:
        if isinstance(change.source, Discussion):
            iter(change.source)  # its opening posts are in its logs before any view draws them
        self._source = change.source
        self._emit(change)
        self._settle(f"{status} {self._count()}".strip())


def as_runner(source: Any) -> tuple[Runner, bool]:
    """``source`` if it is a runner, else a new runner for it; and whether it is new.

    Raises:
        ConfigError: ``source`` is neither a runner nor a turn source.
    """
    if isinstance(source, Runner):
        return source, False
    return Runner(source), True
