"""RunControls: Step, Run, Stop, Branch, Start over, a message box, a status line, a progress bar.

One set of controls for any runner: Branch, Start over and the message box
show only where the runner's source can do them (a discussion, not a
structure). A studio may hand in its own Run and Step (e.g. to build a fresh
structure from its set-up first).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..session import RunnerEvent, RunnerState, RunProgress, SourceChange, as_runner
from ._style import classed, style_widget
from .message_box import MessageBox
from .transcript import TranscriptView
from .ui import badge_html, button, note, set_note

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine import Discussion

__all__ = ["DiscussionControls", "RunControls", "names_and_roles", "status_html"]

#: What the state badge says, for people.
STATE_LABELS = {
    RunnerState.IDLE: "Ready",
    RunnerState.RUNNING: "Running",
    RunnerState.STOPPING: "Stopping",
    RunnerState.FINISHED: "Finished",
    RunnerState.ERROR: "Needs attention",
    RunnerState.CLOSED: "Closed",
}


def status_html(state: RunnerState, text: str) -> str:
    """Status-line markup: a state badge plus the (escaped) message."""
    return badge_html(STATE_LABELS[state], state.value) + (
        f'<span class="sdw-status-text">{html.escape(text, quote=False)}</span>'
    )


def names_and_roles(discussion: Discussion | None) -> list[tuple[str, str]]:
    """``(label, name)`` pairs for everyone who can speak, moderator marked."""
    if discussion is None:
        return []
    pairs = [(u.name, u.name) for u in discussion.users]
    if discussion.moderator is not None:
        pairs.append((f"{discussion.moderator.name} (moderator)", discussion.moderator.name))
    return pairs


class RunControls(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Buttons that drive a runner's source on its worker thread, plus a message box.

    Args:
        source: A :class:`Discussion` or structure, or a :class:`~syndisco_widgets.session.Runner` to share.
        transcript: The :class:`TranscriptView` the "branch from here" actions
            come from. Without one, controls made for a plain source show
            their own transcript above the buttons, so they work alone.
        run: What Run does (default: ``runner.run``); a studio may build a fresh source first.
        step: What Step does (default: ``runner.step``).
        blocked: Why Step and Run cannot be used now, in the studio's words ("" when they can).
        **kwargs: Passed on to the box (e.g. ``layout``).

    "Branch" forks after the last entry; "branch from here" in the transcript
    forks after that message. "Start over" begins again from the opening
    messages on a new branch, so nothing is lost.
    """

    def __init__(
        self,
        source: Any,
        transcript: TranscriptView | None = None,
        *,
        run: Callable[[], object] | None = None,
        step: Callable[[], object] | None = None,
        blocked: Callable[[], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.runner, self._owns_runner = as_runner(source)
        own_view = TranscriptView() if transcript is None and self._owns_runner else None
        self.transcript: TranscriptView | None = transcript or own_view
        if own_view is not None:
            own_view.follow(self.runner)
        # A studio's own Run and Step build a fresh source when needed, so they work before and after one.
        self._builds = run is not None
        self._blocked = blocked or (lambda: "")
        self._make_buttons(run or self.runner.run, step or self.runner.step)
        self._make_message_box()
        self._make_status()
        if self.transcript is not None:
            self.transcript.on_branch(self._branch_from_transcript)
        self.runner.observe(self.refresh, names=["state", "status"])
        self.runner.subscribe(self._on_event)
        self._fill_speakers()
        self.refresh()
        children: list[widgets.Widget] = [style_widget()]
        if own_view is not None:
            children.append(own_view)
        children += [self.buttons, self.inject_box, self.message_error, self.status, self.progress_box]
        super().__init__(children, **kwargs)
        classed(self, "sdw-controls")

    # ---------------------------------------------------------------- building
    def _make_buttons(self, run: Callable[[], object], step: Callable[[], object]) -> None:
        self.step_button = button("Step", "step-forward", _TIPS["Step"], style="primary")
        self.run_button = button("Run", "play", _TIPS["Run"])
        self.stop_button = button("Stop", "stop", _TIPS["Stop"], style="danger")
        self.tips = dict(_TIPS)  # a studio may say what its buttons do in its own words
        self.branch_button = button("Branch", "code-fork", _TIPS["Branch"])
        self.reset_button = button("Start over", "undo", _TIPS["Start over"])
        self.step_button.on_click(lambda _: step())
        self.run_button.on_click(lambda _: run())
        self.stop_button.on_click(lambda _: self.runner.stop())
        self.branch_button.on_click(lambda _: self.runner.branch())
        self.reset_button.on_click(lambda _: self.runner.reset())
        self.buttons = classed(
            widgets.HBox(
                [self.step_button, self.run_button, self.stop_button, self.branch_button, self.reset_button]
            ),
            "sdw-buttons",
        )

    def _make_message_box(self) -> None:
        self.speaker = widgets.Dropdown(description="As", layout=widgets.Layout(width="220px"))
        self.speaker.style.description_width = "28px"
        self.message = classed(
            MessageBox(
                placeholder="Type a message… (Ctrl+Enter or ⌘+Enter sends)",
                rows=2,
                layout=widgets.Layout(flex="1 1 280px", width="auto"),
            ),
            "sdw-message-box",
        )
        self.message.on_send(lambda _text: self.send_message())
        self.send_button = button("Send", "paper-plane", _TIPS["Send"])
        self.send_button.on_click(lambda _: self.send_message())
        self.message_error = note("sdw-field-error")
        self.inject_box = classed(
            widgets.HBox(
                [self.speaker, self.message, self.send_button], layout=widgets.Layout(align_items="center")
            ),
            "sdw-inject",
        )

    def _make_status(self) -> None:
        self.status = classed(widgets.HTML(), "sdw-status")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="160px"))
        self.progress_text = classed(widgets.HTML(""), "sdw-progress-text")
        self.progress_box = classed(
            widgets.HBox([self.progress, self.progress_text], layout=widgets.Layout(display="none")),
            "sdw-progress",
        )

    # ------------------------------------------------------------------ actions
    @property
    def discussion(self) -> Discussion | None:
        """The live discussion (None when the source is not a discussion)."""
        return self.runner.discussion

    def send_message(self) -> bool:
        """Send the typed message as the chosen speaker; False (and an inline note) if it cannot."""
        text = self.message.value
        if self.runner.closed:
            set_note(self.message_error, "Message: the discussion is closed.", "error")
            return False
        if not self.speaker.value:
            set_note(self.message_error, "Message: start a discussion first, nobody can speak yet.", "error")
            return False
        if not text.strip():
            set_note(self.message_error, "Message: type something first.", "error")
            return False
        set_note(self.message_error, "")
        self.runner.inject(self.speaker.value, text)
        self.message.value = ""
        return True

    def _branch_from_transcript(self, index: int) -> None:
        # Keep the clicked message and continue after it on the new branch.
        if not self.runner.closed:
            self.runner.branch(index + 1)

    # ------------------------------------------------------------- refreshing
    def _on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, SourceChange):
            self._fill_speakers()
            self.refresh()
        elif isinstance(event, RunProgress):
            self._show_progress(event)

    def _show_progress(self, event: RunProgress) -> None:
        with self.progress.hold_sync():
            self.progress.max = max(1, event.total)
            self.progress.value = min(event.done, event.total)
        speed = f" · {event.tokens_per_second:.1f} tokens/s" if event.tokens_per_second else ""
        self.progress_text.value = html.escape(f"{self.runner.progress()} done{speed}")
        self.progress_box.layout.display = "" if event.running else "none"

    def _fill_speakers(self) -> None:
        options = names_and_roles(self.runner.discussion)
        current = self.speaker.value
        self.speaker.options = options
        values = [value for _label, value in options]
        if current in values:
            self.speaker.value = current
        elif values:
            self.speaker.value = values[0]

    def refresh(self, *_: Any) -> None:
        """Enable each button by the runner's state and say why in its tooltip when it is off."""
        runner = self.runner
        state = runner.state
        busy = state in (RunnerState.RUNNING, RunnerState.STOPPING)
        empty = runner.source is None
        closed = state == RunnerState.CLOSED
        done = state == RunnerState.FINISHED
        builds = self._builds
        needs_source = empty and not builds
        ended = done and not builds
        blocked = self._blocked()
        reasons = {
            self.step_button: blocked or _why_not(closed=closed, empty=needs_source, busy=busy, done=ended),
            self.run_button: blocked or _why_not(closed=closed, empty=needs_source, busy=busy, done=ended),
            self.stop_button: "" if state == RunnerState.RUNNING else "Nothing is running",
            self.branch_button: _why_not(closed=closed, empty=empty, busy=busy),
            self.reset_button: _why_not(closed=closed, empty=empty, busy=busy),
            self.send_button: _why_not(closed=closed, empty=empty, busy=state == RunnerState.STOPPING),
        }
        for widget, reason in reasons.items():
            widget.disabled = bool(reason)
            widget.tooltip = reason or self.tips.get(widget.description, "")
        self.message.disabled = closed or empty
        self.speaker.disabled = closed or empty
        steerable = empty or runner.can_branch
        self.branch_button.layout.display = "" if steerable else "none"
        self.reset_button.layout.display = "" if steerable else "none"
        self.inject_box.layout.display = "" if empty or runner.can_inject else "none"
        self.status.value = status_html(state, runner.status)

    def close(self) -> None:
        """Close the widget (and the worker thread if this widget started it)."""
        if getattr(self, "_owns_runner", False):
            self.runner.close()
        super().close()


#: The name the notebooks use for the controls of a discussion.
DiscussionControls = RunControls


_TIPS = {
    "Step": "Generate one turn",
    "Run": "Generate turns until the end",
    "Stop": "Stop now; the unfinished turn is not recorded",
    "Branch": "Fork here and continue on the new branch",
    "Start over": "Begin again from the opening messages on a new branch (this one is kept)",
    "Send": "Add this message to the discussion (Ctrl+Enter or ⌘+Enter in the box)",
}


def _why_not(*, closed: bool, empty: bool, busy: bool, done: bool = False) -> str:
    """Why a control is disabled, for its tooltip ('' when it is live)."""
    if closed:
        return "Closed: this discussion can no longer be changed"
    if empty:
        return "Start a discussion first"
    if busy:
        return "Wait for the current turn, or press Stop"
    if done:
        return "The discussion is complete: Branch or Start over to continue"
    return ""
