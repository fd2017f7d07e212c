"""DiscussionStudio: the whole app in one call — set up, run, steer, branch, export."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..engine import Actor, ActorType, Discussion, Logs, Persona, TurnManager, unique_run_path
from ..errors import ConfigError, SyndiscoError
from ..models import BaseModel, is_demo_model
from ._style import classed, style_widget
from .branches import BranchExplorer
from .controls import DiscussionControls
from .model_picker import ModelPicker
from .persona_editor import PersonaEditor
from .runner import ERROR, FINISHED, IDLE, DiscussionRunner
from .transcript import TranscriptView
from .turn_selector import TurnManagerSelector

__all__ = ["DEFAULT_CONTEXT", "DEFAULT_INSTRUCTIONS", "DEFAULT_MODERATOR_INSTRUCTIONS", "DiscussionStudio"]

DEFAULT_CONTEXT = "You are taking part in an online conversation"
DEFAULT_INSTRUCTIONS = "Act like a human would"
DEFAULT_MODERATOR_INSTRUCTIONS = "Keep the conversation civil and on topic. Be brief."

# Columns left out of the on-screen table (still in table() and the exports).
_HIDDEN_COLUMNS = ["prompt"]


def _name_of(moderator: Persona | Actor | str | None) -> str:
    if isinstance(moderator, Persona):
        return moderator.username
    if isinstance(moderator, Actor):
        return moderator.name
    return moderator if isinstance(moderator, str) else ""


class DiscussionStudio(widgets.VBox):
    """Set-up on the left; transcript, controls, branches, table and export on the right.

    Every argument pre-fills the set-up; with a model and personas given the
    discussion is built at once (``start=False`` to wait for the button).

    Args:
        model: A ready :class:`BaseModel` (else load one in the Model section).
        personas: :class:`Persona` objects or dicts of fields.
        turn_manager: A turn manager whose kind and settings pre-fill the selector.
        moderator: A :class:`Persona`, an :class:`Actor` or a username; None for no moderator.
        context, instructions: Shared by all users (as in the reference guide).
        conv_len: Model-written user turns in the discussion.
        history_context_len: How many latest entries each speaker sees.
        moderator_instructions: The moderator's instructions.
        seed_opinions, seed_opinion_usernames: Passed on to :class:`Discussion`.
        export_dir: Default folder for exports.
        start: Build the discussion now (default: when model and personas are given).

    ``discussion`` is the live discussion (the active branch), ``logs`` its
    :class:`Logs`, ``runner`` the :class:`DiscussionRunner` driving it.
    """

    def __init__(
        self,
        model: BaseModel | None = None,
        personas: Iterable[Persona | dict[str, Any]] | None = None,
        turn_manager: TurnManager | None = None,
        moderator: Persona | Actor | str | None = None,
        context: str = DEFAULT_CONTEXT,
        instructions: str = DEFAULT_INSTRUCTIONS,
        conv_len: int = 5,
        history_context_len: int = 5,
        *,
        moderator_instructions: str = DEFAULT_MODERATOR_INSTRUCTIONS,
        seed_opinions: Sequence[str] = (),
        seed_opinion_usernames: Sequence[str] = (),
        export_dir: str | os.PathLike = "runs",
        start: bool | None = None,
        **kwargs: Any,
    ) -> None:
        personas = list(personas or [])
        self._seed = (list(seed_opinions), list(seed_opinion_usernames))
        self._moderator_given = moderator

        # -- set-up side ---------------------------------------------------------
        self.model_picker = ModelPicker(model)
        self.persona_editor = PersonaEditor(personas)
        self.turn_selector = TurnManagerSelector(
            [p.username for p in self.persona_editor.value],
            value=turn_manager,
        )
        self.persona_editor.observe(self._on_personas, names="value")
        self.context = widgets.Textarea(
            value=context, description="Context", rows=2, layout=widgets.Layout(width="100%")
        )
        self.instructions = widgets.Textarea(
            value=instructions, description="Instructions", rows=2, layout=widgets.Layout(width="100%")
        )
        self.moderator_name = widgets.Text(
            value=_name_of(moderator), description="Moderator", placeholder="username; empty = no moderator"
        )
        self.moderator_instructions = widgets.Textarea(
            value=moderator_instructions,
            rows=2,
            description="Mod. instructions",
            layout=widgets.Layout(width="100%"),
        )
        self.conv_len = widgets.BoundedIntText(value=conv_len, min=0, max=100_000, description="User turns")
        self.history_context_len = widgets.BoundedIntText(
            value=history_context_len, min=0, max=100_000, description="History seen"
        )
        for box in (
            self.context,
            self.instructions,
            self.moderator_name,
            self.moderator_instructions,
            self.conv_len,
            self.history_context_len,
        ):
            box.style.description_width = "9em"
        settings = classed(
            widgets.VBox(
                [
                    self.context,
                    self.instructions,
                    self.moderator_name,
                    self.moderator_instructions,
                    self.conv_len,
                    self.history_context_len,
                ]
            ),
            "sdw-settings",
            "sdw-panel",
        )
        self.setup = widgets.Accordion(
            children=[self.model_picker, self.persona_editor, self.turn_selector, settings],
            titles=("1. Model", "2. Personas", "3. Turn-taking", "4. Settings"),
            selected_index=0 if model is None else 1,
        )
        self.start_button = classed(
            widgets.Button(
                description="Start discussion",
                icon="comments",
                button_style="success",
                tooltip="Build a new discussion from the set-up",
            ),
            "sdw-button",
            "sdw-start",
        )
        self.start_button.on_click(lambda _: self.start())
        self.setup_status = classed(widgets.Label(""), "sdw-setup-status", "sdw-wrap")

        # -- discussion side -----------------------------------------------------
        self.transcript = TranscriptView()
        self.runner = DiscussionRunner(None, self.transcript)
        self.controls = DiscussionControls(self.runner)
        self.folder = widgets.Text(
            value=str(export_dir), description="Folder", layout=widgets.Layout(width="320px")
        )
        self.explorer = BranchExplorer(self.runner, folder=self.folder)
        self.model_note = classed(widgets.HTML(""), "sdw-demo")

        self.table_html = classed(widgets.HTML(""), "sdw-table-wrap")
        self.refresh_button = classed(widgets.Button(description="Refresh", icon="refresh"), "sdw-button")
        self.refresh_button.on_click(lambda _: self.refresh_table())
        table = widgets.VBox([self.refresh_button, self.table_html])

        self.json_button = classed(
            widgets.Button(description="Export JSON", icon="download", tooltip="Logs.export into the folder"),
            "sdw-button",
        )
        self.csv_button = classed(
            widgets.Button(
                description="Export CSV", icon="table", tooltip="The logs table as CSV into the folder"
            ),
            "sdw-button",
        )
        self.json_button.on_click(lambda _: self.export_json())
        self.csv_button.on_click(lambda _: self.export_csv())
        self.export_status = classed(widgets.Label(""), "sdw-export-status", "sdw-wrap")
        export = widgets.VBox(
            [
                widgets.HBox(
                    [self.folder, self.json_button, self.csv_button],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.export_status,
            ]
        )
        self.tabs = widgets.Tab(
            children=[self.explorer, table, export], titles=("Branches", "Table", "Export")
        )

        self._table_of: tuple[Logs | None, int] = (None, -1)  # what table_html shows
        self.runner.observe(self._on_runner, names=["state", "status"])
        self.runner.on_discussion(lambda _change: self._update_table())
        self.model_picker.observe(self._on_model, names="value")
        self._on_model()

        # Side by side from ~770px (a notebook beside JupyterLab's file browser is ~850px);
        # narrower than that the discussion wraps below the set-up.
        left = classed(
            widgets.VBox(
                [
                    widgets.HTML('<span class="sdw-section-title">Set-up</span>'),
                    self.setup,
                    self.start_button,
                    self.setup_status,
                ],
                layout=widgets.Layout(flex="1 1 320px", min_width="0"),
            ),
            "sdw-setup",
        )
        right = classed(
            widgets.VBox(
                [
                    widgets.HTML('<span class="sdw-section-title">Discussion</span>'),
                    self.model_note,
                    self.transcript,
                    self.controls,
                    self.tabs,
                ],
                layout=widgets.Layout(flex="2 1 440px", min_width="0"),
            ),
            "sdw-stage",
        )
        super().__init__(
            [
                style_widget(),
                classed(
                    widgets.HBox(
                        [left, right], layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start")
                    ),
                    "sdw-row",
                ),
            ],
            **kwargs,
        )
        classed(self, "sdw-app", "sdw-studio")

        if start if start is not None else (model is not None and bool(personas)):
            if self.start():
                # Set up from the arguments and running: the discussion gets the room.
                self.setup.selected_index = None

    # ------------------------------------------------------------------ reading
    @property
    def discussion(self) -> Discussion | None:
        """The live discussion (the active branch), or None before the start."""
        return self.runner.discussion

    @property
    def logs(self) -> Logs | None:
        """The live discussion's :class:`Logs`."""
        return self.discussion.logs if self.discussion is not None else None

    def table(self):  # -> pandas.DataFrame
        """The live logs as a pandas DataFrame (``Logs.to_pandas``)."""
        logs = self.logs
        return (logs if logs is not None else Logs()).to_pandas()

    # ------------------------------------------------------------------ actions
    def build_discussion(self) -> Discussion:
        """A new :class:`Discussion` from the set-up (raises ConfigError naming what is missing)."""
        model = self.model_picker.value
        if model is None:
            raise ConfigError("Load a model first (1. Model).")
        if not self.persona_editor.valid:
            raise ConfigError("Fix the persona fields marked in red first (2. Personas).")
        personas = list(self.persona_editor.value)
        if not personas:
            raise ConfigError("Add at least one persona (2. Personas).")
        context, instructions = self.context.value, self.instructions.value
        users = [Actor(model, p, ActorType.USER, context, instructions) for p in personas]
        self.turn_selector.names = [p.username for p in personas]
        return Discussion(
            self.turn_selector.value,
            users,
            self._moderator(model),
            history_context_len=self.history_context_len.value,
            conv_len=self.conv_len.value,
            seed_opinions=self._seed[0],
            seed_opinion_usernames=self._seed[1],
        )

    def start(self) -> bool:
        """Build a new discussion and make it live; False (message shown) if the set-up is incomplete."""
        try:
            discussion = self.build_discussion()
        except (SyndiscoError, ValueError, TypeError) as exc:
            self._note(self.setup_status, str(exc), ok=False)
            return False
        self.runner.stop()  # a running turn is discarded first
        self.runner.replace(discussion)
        self.runner.wait(timeout=60)
        names = ", ".join(a.name for a in discussion.participants)
        self._note(self.setup_status, f"Started: {names}. Press Step or Run.", ok=True)
        return True

    def export_json(self, folder: str | os.PathLike | None = None) -> Path | None:
        """Write the live logs as JSON (``Logs.export``) under a collision-free name."""
        return self._export(folder, ".json", lambda logs, path: logs.export(path))

    def export_csv(self, folder: str | os.PathLike | None = None) -> Path | None:
        """Write the live logs table as CSV under a collision-free name."""

        def write(logs: Logs, path: Path) -> Path:
            logs.to_pandas().to_csv(path, index=False)
            return path

        return self._export(folder, ".csv", write)

    def refresh_table(self) -> None:
        """Redraw the table tab from the live logs (all text escaped)."""
        logs = self.logs
        self._table_of = (logs, len(logs) if logs is not None else 0)
        frame = self.table().drop(columns=_HIDDEN_COLUMNS, errors="ignore")
        if frame.empty:
            self.table_html.value = '<span class="sdw-hint">No entries yet.</span>'
        else:
            self.table_html.value = frame.to_html(escape=True, index=False, na_rep="", border=0)

    def close(self) -> None:
        """Stop the worker thread and close the widget."""
        runner = getattr(self, "runner", None)
        if runner is not None:
            runner.close()
        super().close()

    # ----------------------------------------------------------------- internals
    def _moderator(self, model: BaseModel) -> Actor | None:
        name = self.moderator_name.value.strip()
        if not name:
            return None
        given = self._moderator_given
        if isinstance(given, Actor) and given.name == name:
            return given
        persona = given if isinstance(given, Persona) and given.username == name else Persona(username=name)
        return Actor(
            model, persona, ActorType.MODERATOR, self.context.value, self.moderator_instructions.value
        )

    def _export(self, folder: str | os.PathLike | None, suffix: str, write: Any) -> Path | None:
        logs = self.logs
        if logs is None:
            self._note(self.export_status, "Nothing to export yet: start a discussion.", ok=False)
            return None
        target = Path(folder if folder is not None else (self.folder.value.strip() or "."))
        try:
            path = write(logs, unique_run_path(target, stem="discussion", suffix=suffix))
        except OSError as exc:
            self._note(self.export_status, f"Could not export to {target}: {exc}", ok=False)
            return None
        self._note(self.export_status, f"Wrote {path}", ok=True)
        return Path(path)

    @staticmethod
    def _note(label: widgets.Label, text: str, ok: bool) -> None:
        label.value = text
        label.remove_class("sdw-error" if ok else "sdw-ok")
        label.add_class("sdw-ok" if ok else "sdw-error")

    def _on_personas(self, change: dict[str, Any]) -> None:
        self.turn_selector.names = [p.username for p in change["new"]]

    def _on_runner(self, _change: dict[str, Any]) -> None:
        # Once the runner settles (a turn, a sent message, a stop), not per streamed turn.
        if self.runner.state in (IDLE, FINISHED, ERROR):
            self._update_table()

    def _update_table(self) -> None:
        """Redraw the table only if the live logs changed since it was drawn."""
        logs = self.logs
        shown, size = self._table_of
        if shown is not logs or size != (len(logs) if logs is not None else 0):
            self.refresh_table()

    def _on_model(self, *_: Any) -> None:
        model = self.model_picker.value
        demo = model is not None and is_demo_model(model)
        self.model_note.value = (
            '<span class="sdw-demo-note">Demo model with random weights: the text is meaningless. '
            "Load a real model in 1. Model for real discussions.</span>"
            if demo
            else ""
        )
