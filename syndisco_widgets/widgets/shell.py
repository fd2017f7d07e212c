"""StudioShell: the one layout both studios share.

Named regions, as in ipywidgets' ``AppLayout``: a set-up column on the left
(folds away), and a stage on the right with the topic, the transcript, the
run controls with progress, notes, and the tabs. Wide content (a comparison
of two branches) goes under both, across the whole width. Each studio hands
in its own set-up panel and the pieces only it has.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ._style import classed, style_widget
from .ui import button, note

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .controls import RunControls
    from .tabs import StudioTabs
    from .transcript import TranscriptView

__all__ = ["StudioShell", "topic_html"]


def topic_html(label: str, text: str) -> str:
    """The line above a transcript saying what it is about ('' when there is nothing to say)."""
    text = " ".join(text.split())
    if not text:
        return ""
    return (
        f'<div class="sdw-topic"><span class="sdw-topic-label">{html.escape(label)}</span>'
        f"{html.escape(text, quote=False)}</div>"
    )


class StudioShell(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Set-up column, stage (topic, transcript, controls, notes, tabs) and a full-width area.

    Subclasses build their pieces, then call :meth:`_assemble` once.
    """

    def _assemble(
        self,
        *,
        setup: Sequence[widgets.Widget],
        stage_top: Sequence[widgets.Widget],
        transcript: TranscriptView,
        controls: RunControls,
        notes: Sequence[widgets.Widget],
        tabs: StudioTabs,
        wide: Sequence[widgets.Widget] = (),
        name: str,
        **kwargs: Any,
    ) -> None:
        self.topic_note = classed(widgets.HTML(""), "sdw-topic-box")
        self.model_note = getattr(self, "model_note", None) or note("sdw-model-note")
        self.hide_setup_button = button("Hide set-up", "angle-double-left", "Give the stage the full width")
        self.show_setup_button = button("Show set-up", "angle-double-right", "Edit the set-up")
        self.hide_setup_button.on_click(lambda _: self.toggle_setup(show=False))
        self.show_setup_button.on_click(lambda _: self.toggle_setup(show=True))
        header = widgets.HBox(
            [widgets.HTML('<span class="sdw-section-title">Set-up</span>'), self.hide_setup_button],
            layout=widgets.Layout(justify_content="space-between", align_items="center"),
        )
        self.sidebar = classed(
            widgets.VBox([header, *setup], layout=widgets.Layout(flex="0 1 380px", min_width="300px")),
            "sdw-setup",
        )
        head = widgets.HBox(
            [self.show_setup_button, self.model_note], layout=widgets.Layout(align_items="center")
        )
        self.stage = classed(
            widgets.VBox(
                [head, self.topic_note, *stage_top, transcript, controls, *notes, tabs],
                layout=widgets.Layout(flex="1 1 420px", min_width="0"),
            ),
            "sdw-stage",
        )
        row = classed(widgets.HBox([self.sidebar, self.stage]), "sdw-row", "sdw-studio-row")
        super().__init__([style_widget(), row, *wide], **kwargs)
        classed(self, "sdw-app", name)
        self.toggle_setup(show=True)

    def toggle_setup(self, *, show: bool) -> None:
        """Show or fold away the set-up column."""
        self.sidebar.layout.display = "" if show else "none"
        self.show_setup_button.layout.display = "none" if show else ""
        self.hide_setup_button.layout.display = "" if show else "none"

    def show_topic(self, label: str, text: str) -> None:
        """Say above the transcript what it is about (empty text hides the line)."""
        self.topic_note.value = topic_html(label, text)
