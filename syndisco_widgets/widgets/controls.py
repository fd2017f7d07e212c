"""DiscussionControls: Step, Run, Stop, Branch, Reset, a message box and a status line."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..engine import Discussion
from ._style import classed, style_widget
from .runner import (
    ERROR,
    FINISHED,
    IDLE,
    RUNNING,
    STOPPING,
    DiscussionChange,
    DiscussionRunner,
    ensure_runner,
)
from .transcript import TranscriptView

__all__ = ["DiscussionControls", "status_html"]

_STATE_LABELS = {
    IDLE: "Ready",
    RUNNING: "Running",
    STOPPING: "Stopping",
    FINISHED: "Finished",
    ERROR: "Error",
}


def status_html(state: str, text: str) -> str:
    """Status-line markup: a state badge plus the (escaped) message."""
    label = _STATE_LABELS.get(state, state)
    return (
        f'<span class="sdw-state-badge sdw-state-{html.escape(state)}">{html.escape(label)}</span>'
        f'<span class="sdw-status-text">{html.escape(text)}</span>'
    )


def names_and_roles(discussion: Discussion | None) -> list[tuple[str, str]]:
    """``(label, name)`` pairs for everyone who can speak, moderator marked."""
    if discussion is None:
        return []
    pairs = [(u.name, u.name) for u in discussion.users]
    if discussion.moderator is not None:
        pairs.append((f"{discussion.moderator.name} (moderator)", discussion.moderator.name))
    return pairs


class DiscussionControls(widgets.VBox):
    """Buttons that drive a discussion on its worker thread, plus a message box.

    Args:
        discussion: A :class:`Discussion`, or a :class:`DiscussionRunner` to share.
        transcript: The :class:`TranscriptView` to stream into. Without one
            (and without a runner that has one), the controls make their own
            transcript and show it above the buttons, so they work alone.

    "Branch" forks after the last entry; a "branch from here" click in the
    transcript forks after that message.
    """

    def __init__(
        self,
        discussion: Discussion | DiscussionRunner | None,
        transcript: TranscriptView | None = None,
        **kwargs: Any,
    ) -> None:
        has_view = transcript is not None or (
            isinstance(discussion, DiscussionRunner) and discussion.transcript is not None
        )
        own_view = None if has_view else TranscriptView()
        self.runner = ensure_runner(discussion, transcript or own_view)
        self._owns_runner = self.runner is not discussion
        self.transcript: TranscriptView | None = self.runner.transcript

        def button(label: str, icon: str, tip: str, style: str = "") -> widgets.Button:
            b = widgets.Button(
                description=label,
                icon=icon,
                tooltip=tip,
                button_style=style,
                layout=widgets.Layout(width="auto"),
            )
            return classed(b, "sdw-button", f"sdw-btn-{label.lower()}")

        self.step_button = button("Step", "step-forward", "Generate one turn", "primary")
        self.run_button = button("Run", "play", "Generate turns until the end")
        self.stop_button = button("Stop", "stop", "Stop now; the unfinished turn is discarded", "danger")
        self.branch_button = button("Branch", "code-fork", "Fork here and continue on the new branch")
        self.reset_button = button("Reset", "undo", "Start over as a fresh discussion")
        self.step_button.on_click(lambda _: self.runner.step())
        self.run_button.on_click(lambda _: self.runner.run())
        self.stop_button.on_click(lambda _: self.runner.stop())
        self.branch_button.on_click(lambda _: self.runner.branch())
        self.reset_button.on_click(lambda _: self.runner.reset())

        self.speaker = widgets.Dropdown(description="As", layout=widgets.Layout(width="220px"))
        self.speaker.style.description_width = "28px"
        self.message = widgets.Textarea(
            placeholder="Type a message to add as this participant or the moderator…",
            rows=2,
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.send_button = button("Send", "paper-plane", "Add this message to the discussion")
        self.send_button.on_click(lambda _: self.send_message())

        self.status = classed(widgets.HTML(), "sdw-status")

        if self.transcript is not None:
            self.transcript.on_branch(self._branch_from_transcript)
        self.runner.observe(self._refresh, names=["state", "status"])
        self.runner.on_discussion(self._on_discussion)
        self._fill_speakers()
        self._refresh()

        buttons = classed(
            widgets.HBox(
                [
                    self.step_button,
                    self.run_button,
                    self.stop_button,
                    self.branch_button,
                    self.reset_button,
                ]
            ),
            "sdw-buttons",
        )
        inject = classed(
            widgets.HBox(
                [self.speaker, self.message, self.send_button], layout=widgets.Layout(align_items="center")
            ),
            "sdw-inject",
        )
        children = [style_widget()]
        if own_view is not None:
            children.append(own_view)
        children += [buttons, inject, self.status]
        super().__init__(children, **kwargs)
        classed(self, "sdw-controls")

    # ------------------------------------------------------------------ actions
    @property
    def discussion(self) -> Discussion | None:
        """The live discussion."""
        return self.runner.discussion

    def send_message(self) -> bool:
        """Send the typed message as the chosen speaker; False (and a note) if it cannot."""
        text = self.message.value
        if not text.strip():
            self._render_status(ERROR, "Type a message first.")  # the next runner change replaces it
            return False
        if not self.speaker.value:
            self._render_status(ERROR, "Start a discussion first: nobody can speak yet.")
            return False
        self.runner.inject(self.speaker.value, text)
        self.message.value = ""
        return True

    def _branch_from_transcript(self, index: int) -> None:
        # Keep the clicked message and continue after it on the new branch.
        self.runner.branch(index + 1)

    # ------------------------------------------------------------- refreshing
    def _render_status(self, state: str, text: str) -> None:
        with self.status.hold_sync():
            self.status.value = status_html(state, text)
            if state == ERROR:
                self.status.add_class("sdw-error")
            else:
                self.status.remove_class("sdw-error")

    def _on_discussion(self, _change: DiscussionChange) -> None:
        self._fill_speakers()

    def _fill_speakers(self) -> None:
        options = names_and_roles(self.runner.discussion)
        current = self.speaker.value
        self.speaker.options = options
        values = [value for _label, value in options]
        if current in values:
            self.speaker.value = current
        elif values:
            self.speaker.value = values[0]

    def _refresh(self, *_: Any) -> None:
        runner = self.runner
        state = runner.state
        busy = state in (RUNNING, STOPPING)
        empty = runner.discussion is None
        done = state == FINISHED
        self.step_button.disabled = busy or done or empty
        self.run_button.disabled = busy or done or empty
        self.stop_button.disabled = state != RUNNING
        self.branch_button.disabled = busy or empty
        self.reset_button.disabled = busy or empty
        self.send_button.disabled = state == STOPPING or empty
        self._render_status(state, runner.status)

    def close(self) -> None:
        """Close the widget (and the worker thread if this widget started it)."""
        if getattr(self, "_owns_runner", False):
            self.runner.close()
        super().close()
