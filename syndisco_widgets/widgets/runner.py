"""DiscussionRunner: one worker thread per discussion, driven by commands.

Only the worker thread ever calls ``Discussion.step``, ``fork`` or
``inject``. Buttons and code just put commands on a queue (``step``, ``run``,
``branch``, ``inject``, ``reset``, ``switch``, ``replace``), so the notebook
stays responsive while a model generates. ``stop()`` is the one exception: it
sets a ``threading.Event`` that the model checks between tokens, so it takes
effect mid-turn.

State (``idle``, ``running``, ``stopping``, ``finished``, ``error``) and a
human-readable ``status`` are traitlets, so widgets can ``observe`` them.
Observers and listeners run on the thread that made the change (usually the
worker); they must not block on the runner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import traitlets

from ..engine import Discussion
from ..errors import GenerationStopped, SyndiscoError, TurnError
from ..models.base import GenerationControl

__all__ = [
    "ERROR",
    "FINISHED",
    "IDLE",
    "RUNNING",
    "STOPPING",
    "DiscussionChange",
    "DiscussionRunner",
    "ensure_runner",
]

log = logging.getLogger(__name__)

IDLE, RUNNING, STOPPING, FINISHED, ERROR = "idle", "running", "stopping", "finished", "error"
STATES = (IDLE, RUNNING, STOPPING, FINISHED, ERROR)

#: Commands that generate text; they are dropped when Stop comes first.
_GENERATING = ("step", "run")


@dataclass(frozen=True)
class DiscussionChange:
    """Why the runner's live discussion changed.

    ``reason`` is ``"start"`` (a new discussion), ``"branch"`` (a fork of
    ``parent`` after ``at_turn`` entries), ``"reset"`` (``parent`` restarted)
    or ``"switch"`` (another existing branch is now live).
    """

    discussion: Discussion | None
    reason: str
    parent: Discussion | None = None
    at_turn: int | None = None


class DiscussionRunner(traitlets.HasTraits):
    """Runs a :class:`~syndisco_widgets.engine.Discussion` on a daemon worker thread.

    Args:
        discussion: The discussion to drive (``None``: set one later with ``replace``).
        transcript: Optional :class:`TranscriptView` kept in step with the
            live discussion: turns stream into it and finished turns are appended.
    """

    state = traitlets.Unicode(IDLE, help="idle, running, stopping, finished or error")
    status = traitlets.Unicode("", help="One line for people: what happened last")
    speaker = traitlets.Unicode("", help="Who is generating right now ('' when nobody)")

    def __init__(self, discussion: Discussion | None = None, transcript: Any = None) -> None:
        super().__init__()
        self.transcript = transcript
        self._discussion = discussion
        self.last_error: BaseException | None = None
        self._commands: deque[tuple[str, int, tuple[Any, ...]]] = deque()
        self._cond = threading.Condition()
        self._idle = threading.Event()
        self._idle.set()
        self._closed = False
        self._lock = threading.RLock()  # guards state changes and the stop generation
        self._stop = threading.Event()
        self._stop_gen = 0  # bumped by stop(); older generating commands are dropped
        self._listeners: dict[str, list[Callable[..., Any]]] = {
            "entry": [],
            "text": [],
            "discussion": [],
        }
        if transcript is not None:
            _show(transcript, discussion)
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

    # --------------------------------------------------------------- listeners
    def on_entry(self, callback: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        """Call ``callback(entry)`` after each new entry (model or human)."""
        self._listeners["entry"].append(callback)
        return callback

    def on_text(self, callback: Callable[[str], None]) -> Callable[[str], None]:
        """Call ``callback(delta)`` for every piece of streamed text."""
        self._listeners["text"].append(callback)
        return callback

    def on_discussion(
        self, callback: Callable[[DiscussionChange], None]
    ) -> Callable[[DiscussionChange], None]:
        """Call ``callback(change)`` when the live discussion is replaced (branch, reset, switch, start)."""
        self._listeners["discussion"].append(callback)
        return callback

    def _emit(self, kind: str, *args: Any) -> None:
        for callback in list(self._listeners[kind]):
            try:
                callback(*args)
            except Exception:  # a broken listener must never kill the worker
                log.exception("syndisco runner: %s listener failed", kind)

    # ---------------------------------------------------------------- commands
    def step(self) -> None:
        """Generate one turn."""
        self._post("step")

    def run(self) -> None:
        """Generate turns until the discussion ends, Stop is pressed or a turn fails."""
        self._post("run")

    def stop(self) -> None:
        """Stop now: the turn being generated is discarded and queued Step/Run are dropped."""
        with self._lock:
            self._stop_gen += 1
            self._stop.set()
            if self.state == RUNNING:
                self._set_state(STOPPING, "Stopping…")

    def branch(self, at_turn: int | None = None) -> None:
        """Fork the live discussion after ``at_turn`` entries (default: all) and make the fork live."""
        self._post("branch", at_turn)

    def inject(self, name: str, text: str) -> None:
        """Add a message written by a person as participant or moderator ``name``.

        During a Run it is added between two turns.
        """
        self._post("inject", name, text)

    def reset(self) -> None:
        """Start the live discussion over (seed opinions kept) as a fresh discussion."""
        self._post("reset")

    def switch(self, discussion: Discussion) -> None:
        """Make another existing discussion (e.g. another branch) the live one."""
        self._post("switch", discussion)

    def replace(self, discussion: Discussion | None) -> None:
        """Drive a brand-new discussion from now on (listeners get reason ``"start"``)."""
        self._post("replace", discussion)

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
            return True
        except KeyboardInterrupt:
            self.stop()
            self._idle.wait(10)
            return False

    def close(self, timeout: float = 5.0) -> None:
        """Stop, finish the worker thread and refuse further commands."""
        if self._closed:
            return
        self.stop()
        self._post("close")
        with self._cond:
            self._closed = True
        if threading.current_thread() is not self._thread:  # e.g. closed by a listener
            self._thread.join(timeout)

    def __enter__(self) -> DiscussionRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ worker loop
    def _post(self, kind: str, *args: Any) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("this DiscussionRunner is closed; create a new one")
            self._commands.append((kind, self._stop_gen, args))
            self._idle.clear()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._commands:
                    self._idle.set()
                    self._cond.wait()
                kind, gen, args = self._commands.popleft()
            if kind == "close":
                with self._cond:
                    self._commands.clear()
                    self._idle.set()
                return
            try:
                if kind in _GENERATING:
                    getattr(self, f"_do_{kind}")(gen)
                else:
                    getattr(self, f"_do_{kind}")(*args)
            except SyndiscoError as exc:  # e.g. a fork point out of range: say so, carry on
                self._fail(exc, f"{kind} failed: {exc}")
            except Exception as exc:  # unexpected: report with a traceback, keep the worker alive
                log.exception("syndisco runner: command %s failed", kind)
                self._fail(exc, f"{kind} failed: {type(exc).__name__}: {exc}")

    # ------------------------------------------------------ state bookkeeping
    def _set_state(self, state: str, status: str) -> None:
        with self._lock, self.hold_trait_notifications():
            self.state = state
            self.status = status

    def _settle(self, status: str) -> None:
        """Idle or finished, depending on the live discussion."""
        if self.finished:
            self._set_state(FINISHED, f"{status} The discussion is complete." if status else "Complete.")
        else:
            self._set_state(IDLE, status)

    def _fail(self, exc: BaseException, message: str) -> None:
        self.last_error = exc
        self.speaker = ""
        self._set_state(ERROR, message)

    def _progress(self) -> str:
        d = self._discussion
        if d is None:
            return ""
        return f"{len(d.logs)} entries, {d.user_turns}/{d.conv_len} user turns."

    def _begin(self, gen: int) -> bool:
        """Start a generating command unless Stop came after it was queued."""
        with self._lock:
            if gen != self._stop_gen:
                return False
            if self._discussion is None:
                self._set_state(IDLE, "No discussion yet: set one up first.")
                return False
            if self._discussion.finished:
                self._settle("Nothing to do.")
                return False
            self._stop.clear()
            self.last_error = None
            self._set_state(RUNNING, "Generating…")
            return True

    # ------------------------------------------------------------- commands
    def _do_step(self, gen: int) -> None:
        if not self._begin(gen):
            return
        self._one_turn_and_settle()

    def _do_run(self, gen: int) -> None:
        if not self._begin(gen):
            return
        while True:
            if self._stop.is_set():
                self._settle_stopped()
                return
            if not self._one_turn_and_settle(final=False):
                return
            self._run_queued_injects()
            if self._discussion.finished:
                self._settle(f"Done. {self._progress()}")
                return
            with self._lock:
                if self.state == RUNNING:
                    self.status = f"Running… {self._progress()}"

    def _one_turn_and_settle(self, final: bool = True) -> bool:
        """Generate one turn; settle the state on any outcome but success-with-more-to-do."""
        try:
            self._generate_turn()
        except StopIteration:
            self._settle("Done.")
            return False
        except GenerationStopped:
            self._settle_stopped()
            return False
        except TurnError as exc:
            self._fail(exc, f"{exc} Press Step to retry.")
            return False
        if final:
            self._settle(f"Turn done. {self._progress()}")
        return True

    def _settle_stopped(self) -> None:
        self.speaker = ""
        self._settle("Stopped: the unfinished turn was discarded. Step or Run continues.")

    def _generate_turn(self) -> dict[str, Any]:
        d = self._discussion
        transcript = self.transcript
        speaker = d.next_speaker()  # None when finished: step() then raises StopIteration
        if speaker is not None:
            self.speaker = speaker.name
            if transcript is not None:
                transcript.stream_start(speaker.name, speaker.role)  # "writing…" before the first token

        def on_text(delta: str) -> None:
            if transcript is not None:
                transcript.stream_text(delta)
            self._emit("text", delta)

        try:
            entry = d.step(control=GenerationControl(on_text, self._stop))
        except BaseException:
            if speaker is not None and transcript is not None:
                transcript.stream_end()
            raise
        finally:
            self.speaker = ""
        if transcript is not None:
            transcript.stream_end(entry)  # swaps the writing bubble for the turn in one message
        self._emit("entry", entry)
        return entry

    def _run_queued_injects(self) -> None:
        """During a Run, add messages people sent since the last turn."""
        with self._cond:
            injects = [c for c in self._commands if c[0] == "inject"]
            if not injects:
                return
            self._commands = deque(c for c in self._commands if c[0] != "inject")
        for _kind, _gen, args in injects:
            self._inject(*args)

    def _do_inject(self, name: str, text: str) -> None:
        if self._inject(name, text):
            self._settle(f"{name}'s message was added. {self._progress()}")

    def _inject(self, name: str, text: str) -> bool:
        try:
            entry = self._require().inject(name, text)
        except SyndiscoError as exc:
            # Bad input is not a broken discussion: report it and carry on.
            self.last_error = exc
            with self._lock:
                self.status = f"Could not send: {exc}"
            return False
        if self.transcript is not None:
            self.transcript.append(entry)
        self._emit("entry", entry)
        return True

    def _do_branch(self, at_turn: int | None) -> None:
        parent = self._require()
        child = parent.fork(at_turn)
        where = len(child.logs)
        self._make_live(DiscussionChange(child, "branch", parent, where), f"Branched after entry {where}.")

    def _do_reset(self) -> None:
        parent = self._require()
        seeds = 0
        for entry in parent.logs:
            if entry.get("source") != "seed":
                break
            seeds += 1
        child = parent.fork(seeds)
        self._make_live(DiscussionChange(child, "reset", parent, seeds), "Reset: a fresh start.")

    def _do_switch(self, discussion: Discussion) -> None:
        self._make_live(DiscussionChange(discussion, "switch", self._discussion), "Switched branch.")

    def _do_replace(self, discussion: Discussion | None) -> None:
        self._make_live(DiscussionChange(discussion, "start", self._discussion), "New discussion.")

    def _require(self) -> Discussion:
        if self._discussion is None:
            raise SyndiscoError("no discussion yet: set one up first")
        return self._discussion

    def _make_live(self, change: DiscussionChange, status: str) -> None:
        self._discussion = change.discussion
        if self.transcript is not None:
            _show(self.transcript, change.discussion)
        self._settle(f"{status} {self._progress()}".strip())
        self._emit("discussion", change)


def ensure_runner(source: Discussion | DiscussionRunner | None, transcript: Any = None) -> DiscussionRunner:
    """Use ``source`` if it is a runner, else start one for the discussion."""
    if isinstance(source, DiscussionRunner):
        if transcript is not None and source.transcript is None:
            source.transcript = transcript
            _show(transcript, source.discussion)
        return source
    if source is not None and not isinstance(source, Discussion):
        raise TypeError(f"expected a Discussion or DiscussionRunner, got {type(source).__name__}")
    return DiscussionRunner(source, transcript)


def _show(transcript: Any, discussion: Discussion | None) -> None:
    """Replace ``transcript``'s entries with ``discussion``'s logs (none without one)."""
    transcript.reset(discussion.logs if discussion is not None else [])
