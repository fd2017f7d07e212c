"""One run of a deliberation structure on a worker thread, with live answers and Stop.

The structures call ``model.complete`` without a stop control, so each
speaker talks through its own :class:`LiveModel`: a thin wrapper over the
real model that streams the answer out as it is written, says who is
speaking, and stops mid-answer when the run's stop event is set. One wrapper
per speaker also means every answer is its own call (no batching), so the
answers arrive one by one and each can be watched. No ipywidgets here.

What happens is published as :data:`RunEvent` objects to one callback, on the
worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError, GenerationStopped, SyndiscoError
from ..models.base import BaseModel, ChatPrompt, Completion, GenerationControl, GenerationOptions

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..deliberation import AbstractStructure
    from .deliberation_form import ModelFor, SpeakerRole

__all__ = [
    "AnswerDone",
    "AnswerStarted",
    "AnswerText",
    "DeliberationRun",
    "LiveModel",
    "RunEnded",
    "RunEvent",
    "RunStarted",
]

log = logging.getLogger(__name__)

Outcome = Literal["finished", "stopped", "failed"]


@dataclass(frozen=True)
class RunStarted:
    """The model is ready and the structure built: ``total`` answers are coming."""

    structure: AbstractStructure
    total: int


@dataclass(frozen=True)
class AnswerStarted:
    """``name`` started writing an answer."""

    name: str
    role: SpeakerRole


@dataclass(frozen=True)
class AnswerText:
    """A new piece of the answer being written."""

    text: str


@dataclass(frozen=True)
class AnswerDone:
    """An answer is finished; ``entry`` is what the transcript shows."""

    entry: dict[str, Any]
    done: int


@dataclass(frozen=True)
class RunEnded:
    """The run is over: finished, stopped, or failed with ``message``."""

    outcome: Outcome
    message: str
    seconds: float


RunEvent = RunStarted | AnswerStarted | AnswerText | AnswerDone | RunEnded


class LiveModel(BaseModel):
    """One speaker's view of a shared model: streams, names the speaker, stops on request.

    Args:
        inner: The real model.
        speaker: The speaker's name (shown on its answers).
        role: ``"user"`` for agents, ``"moderator"`` for the moderator.
        run: The run whose stop event and listener this speaker uses.
    """

    def __init__(self, inner: BaseModel, speaker: str, role: SpeakerRole, run: DeliberationRun) -> None:
        super().__init__(inner.name, inner.max_out_tokens)
        self.inner = inner
        self.speaker = speaker
        self.role: SpeakerRole = role
        self._run = run

    def generate(
        self,
        prompt: ChatPrompt,
        *,
        control: GenerationControl | None = None,  # noqa: ARG002  the run's own control is used
        options: GenerationOptions | None = None,
    ) -> Completion:
        """The inner model's answer, streamed to the run's listener; GenerationStopped on Stop."""
        return self._run.answer(self, prompt, options)

    def describe(self) -> dict[str, Any]:
        """The inner model's description."""
        return self.inner.describe()


class DeliberationRun:
    """Runs one structure on a worker thread; :meth:`stop` takes effect mid-answer.

    Args:
        build: Makes the structure, given how to make each speaker's model.
        load_model: Returns the model (called on the worker thread: loading may take seconds).
        listener: Receives every :data:`RunEvent`, on the worker thread.
    """

    def __init__(
        self,
        build: Callable[[ModelFor], AbstractStructure],
        load_model: Callable[[], BaseModel],
        listener: Callable[[RunEvent], None],
    ) -> None:
        self._build = build
        self._load_model = load_model
        self._listener = listener
        self._stop = threading.Event()
        self._done = threading.Event()
        self._inner: BaseModel | None = None
        self._answers = 0
        self.started = time.monotonic()
        #: The structure once built (None while the model loads or if building failed).
        self.structure: AbstractStructure | None = None
        self.outcome: Outcome | None = None
        self._thread = threading.Thread(target=self._work, name="syndisco-deliberation", daemon=True)

    def start(self) -> None:
        """Start the worker thread."""
        self.started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop; the answer being written is discarded."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once Stop was asked for."""
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        """True once the run is over (any outcome)."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run is over or ``timeout`` seconds passed; True when over.

        Joins in small steps, so Kernel ▸ Interrupt (KeyboardInterrupt) stops the run.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self._done.wait(0.1):
                if deadline is not None and time.monotonic() >= deadline:
                    return False
        except KeyboardInterrupt:
            self.stop()
            self._done.wait(5.0)
            raise
        return True

    # ------------------------------------------------------------- the worker
    def model_for(self, name: str, role: SpeakerRole) -> BaseModel:
        """The model speaker ``name`` talks through during this run."""
        if self._inner is None:  # pragma: no cover - build is only called after loading
            raise ConfigError("the model is not loaded yet")
        return LiveModel(self._inner, name, role, self)

    def answer(self, speaker: LiveModel, prompt: ChatPrompt, options: GenerationOptions | None) -> Completion:
        """Generate one answer for ``speaker``, streaming it out (called by :class:`LiveModel`)."""
        if self._stop.is_set():
            raise GenerationStopped("")
        self._emit(AnswerStarted(speaker.speaker, speaker.role))
        control = GenerationControl(on_text=lambda text: self._emit(AnswerText(text)), stop_event=self._stop)
        completion = speaker.inner.complete(prompt, control=control, options=options)
        self._answers += 1
        entry = {
            "name": speaker.speaker,
            "text": completion.text.strip(),
            "role": speaker.role,
            "source": "model",
            "model": speaker.inner.name,
        }
        self._emit(AnswerDone(entry, self._answers))
        return completion

    def _work(self) -> None:
        outcome: Outcome = "failed"
        message = ""
        try:
            self._inner = self._load_model()
            if self._stop.is_set():
                raise GenerationStopped("")  # noqa: TRY301  stopped while loading: the same ending
            self.structure = self._build(self.model_for)
            total = self.structure.expected_calls() + (1 if self.structure.moderated else 0)
            self._emit(RunStarted(self.structure, total))
            self.structure.process()
            outcome = "finished"
        except GenerationStopped:
            outcome = "stopped"
        except SyndiscoError as exc:
            message = str(exc)
        except Exception as exc:  # a bug or a backend crash: say so, keep the studio alive
            log.exception("deliberation run failed")
            message = f"{type(exc).__name__}: {exc}"
        finally:
            self.outcome = outcome
            try:
                self._emit(RunEnded(outcome, message, time.monotonic() - self.started))
            finally:
                self._done.set()

    def _emit(self, event: RunEvent) -> None:
        try:
            self._listener(event)
        except Exception:  # a broken view must not end the run
            log.exception("deliberation listener failed on %s", type(event).__name__)
