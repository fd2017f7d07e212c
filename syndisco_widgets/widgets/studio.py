"""DiscussionStudio: the whole app in one call — set up, run, steer, branch, compare, export.

Layout: a collapsible set-up sidebar on the left (a study file can fill it);
on the right the branch bar, the transcript, the controls with what the run
used so far, a full-width comparison when asked for, and tabs beneath for
Branches, Table, Insights and Export (exports under the participant's name,
and the set-up saved as a study file).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..engine import Actor, ActorType, Discussion, Logs, Persona, TurnManager
from ..engine.study import Study, as_study
from ..engine.usage import usage_status
from ..errors import ConfigError, SyndiscoError
from ..models import BaseModel, is_tiny_model
from ._style import classed, style_widget
from .branches import BranchBar, BranchExplorer
from .controls import DiscussionControls
from .export import ExportFormat, export_branch
from .model_picker import ModelPicker
from .persona_editor import PersonaEditor
from .runner import DiscussionChange, DiscussionRunner, EntryAdded, RunnerEvent, RunnerState, TurnEnded
from .study_panel import StudyOpener, StudySaver
from .table import LogTable
from .transcript import TranscriptView
from .turn_selector import TurnManagerSelector
from .ui import button, note, set_note, set_note_html

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    import pandas as pd

__all__ = ["DEFAULT_CONTEXT", "DEFAULT_INSTRUCTIONS", "DEFAULT_MODERATOR_INSTRUCTIONS", "DiscussionStudio"]

DEFAULT_CONTEXT = "You are taking part in an online conversation"
DEFAULT_INSTRUCTIONS = "Act like a human would"
DEFAULT_MODERATOR_INSTRUCTIONS = "Keep the conversation civil and on topic. Be brief."
log = logging.getLogger(__name__)
SETUP_CHANGED = "Set-up changed: press Start to apply it (the current discussion is kept under Branches)."
SETTLED = (RunnerState.IDLE, RunnerState.FINISHED, RunnerState.ERROR)  # the run's counts are final


def _name_of(moderator: Persona | Actor | str | None) -> str:
    if isinstance(moderator, Persona):
        return moderator.username
    if isinstance(moderator, Actor):
        return moderator.name
    return moderator if isinstance(moderator, str) else ""


class Settings(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Context, instructions, moderator and lengths (section 4 of the set-up)."""

    def __init__(
        self,
        *,
        context: str,
        instructions: str,
        moderator: str,
        moderator_instructions: str,
        conv_len: int,
        history_context_len: int,
    ) -> None:
        def area(value: str, label: str) -> widgets.Textarea:
            return widgets.Textarea(
                value=value, description=label, rows=2, layout=widgets.Layout(width="100%")
            )

        self.context = area(context, "Context")
        self.instructions = area(instructions, "Instructions")
        self.moderator_name = widgets.Text(
            value=moderator,
            description="Moderator",
            placeholder="a username; empty = no moderator",
            layout=widgets.Layout(width="100%"),
        )
        self.moderator_instructions = area(moderator_instructions, "Moderator's instructions")
        self.conv_len = widgets.BoundedIntText(value=conv_len, min=0, max=100_000, description="User turns")
        self.history_context_len = widgets.BoundedIntText(
            value=history_context_len, min=0, max=100_000, description="History seen"
        )
        boxes = (
            self.context,
            self.instructions,
            self.moderator_name,
            self.moderator_instructions,
            self.conv_len,
            self.history_context_len,
        )
        for box in boxes:
            box.style.description_width = "9em"
        hint = widgets.HTML(
            '<div class="sdw-hint"><b>User turns</b> (<code>conv_len</code>): how many replies the '
            "participants write; the moderator's replies come on top. <b>History seen</b> "
            "(<code>history_context_len</code>): how many of the latest messages each speaker reads "
            "before replying.</div>"
        )
        super().__init__([*boxes, hint])
        classed(self, "sdw-settings", "sdw-panel")

    @property
    def inputs(self) -> tuple[widgets.ValueWidget, ...]:
        """Every input, for change tracking."""
        return (
            self.context,
            self.instructions,
            self.moderator_name,
            self.moderator_instructions,
            self.conv_len,
            self.history_context_len,
        )


class DiscussionStudio(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Set-up on the left; branch bar, transcript, controls and tabs on the right.

    Every argument pre-fills the set-up; with a model and personas given the
    discussion is built at once (``start=False`` to wait for the button).

    Args:
        model: A ready :class:`BaseModel` (else load one in the Model section).
        personas: :class:`Persona` objects or dicts of fields, or a
            :class:`PersonaEditor` shown elsewhere in the notebook (the studio
            then uses that very editor, so edits there show here).
        turn_manager: A turn manager whose kind and settings pre-fill the
            selector, or a :class:`TurnManagerSelector` to share.
        moderator: A :class:`Persona`, an :class:`Actor` or a username; None for no moderator.
        context: Shared by all users (as in the reference guide).
        instructions: Shared by all users.
        conv_len: Model-written user turns in the discussion.
        history_context_len: How many latest entries each speaker sees.
        moderator_instructions: The moderator's instructions.
        seed_opinions: Passed on to :class:`Discussion`.
        seed_opinion_usernames: Passed on to :class:`Discussion`.
        study: A :class:`Study` or a study file path: its set-up replaces the
            set-up arguments above, and its model is loaded unless ``model`` is
            given. A bad file raises :class:`StudyError` naming the field; the
            Open study box shows the same error inline instead.
        export_dir: Default folder for exports.
        start: Build the discussion now (default: when model and personas are given).
        **kwargs: Passed on to the box.

    ``discussion`` is the live discussion (the active branch), ``logs`` its
    :class:`Logs`, ``runner`` the :class:`DiscussionRunner` driving it,
    ``study`` the study the set-up came from (None without one).
    """

    def __init__(
        self,
        model: BaseModel | None = None,
        personas: Iterable[Persona | dict[str, Any]] | PersonaEditor | None = None,
        turn_manager: TurnManager | TurnManagerSelector | None = None,
        moderator: Persona | Actor | str | None = None,
        context: str = DEFAULT_CONTEXT,
        instructions: str = DEFAULT_INSTRUCTIONS,
        conv_len: int = 5,
        history_context_len: int = 5,
        *,
        moderator_instructions: str = DEFAULT_MODERATOR_INSTRUCTIONS,
        seed_opinions: Sequence[str] = (),
        seed_opinion_usernames: Sequence[str] = (),
        study: Study | str | os.PathLike[str] | None = None,
        export_dir: str | os.PathLike[str] = "runs",
        start: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self.study: Study | None = None
        self._study_model: BaseModel | None = None  # the model in use when the study was applied
        self._moderator_every: int | None = 1
        if study is not None:
            self.study = as_study(study)
            model = model or self.study.build_model()
            self._study_model = model
            self._moderator_every = self.study.moderator.every if self.study.moderator else 1
            preset = self.study.studio_kwargs()
            personas, turn_manager, moderator = (
                preset["personas"],
                preset["turn_manager"],
                preset["moderator"],
            )
            context, instructions = preset["context"], preset["instructions"]
            conv_len, history_context_len = preset["conv_len"], preset["history_context_len"]
            moderator_instructions = preset["moderator_instructions"]
            seed_opinions, seed_opinion_usernames = preset["seed_opinions"], preset["seed_opinion_usernames"]
        self._seed = (list(seed_opinions), list(seed_opinion_usernames))
        self._moderator_given = moderator
        self._applied: tuple[object, ...] | None = None  # the set-up the live discussion was built from

        self._build_setup(model, personas, turn_manager, moderator, context, instructions)
        self.settings = Settings(
            context=context,
            instructions=instructions,
            moderator=_name_of(moderator),
            moderator_instructions=moderator_instructions,
            conv_len=conv_len,
            history_context_len=history_context_len,
        )
        self.setup = widgets.Accordion(
            children=[self.model_picker, self.persona_editor, self.turn_selector, self.settings],
            titles=("1. Model", "2. Personas", "3. Turn-taking", "4. Settings"),
            selected_index=0 if model is None else 1,
        )
        self.start_button = classed(
            button("Start discussion", "comments", "Build a new discussion from the set-up", style="success"),
            "sdw-start",
        )
        self.start_button.on_click(lambda _: self.start())
        self.setup_status = note("sdw-setup-status")
        self.study_opener = StudyOpener(self._apply_study)
        self._build_stage(export_dir)
        self._watch_setup()

        self.hide_setup_button = button(
            "Hide set-up", "angle-double-left", "Give the discussion the full width"
        )
        self.show_setup_button = button(
            "Show set-up", "angle-double-right", "Edit the model, personas and settings"
        )
        self.hide_setup_button.on_click(lambda _: self.toggle_setup(show=False))
        self.show_setup_button.on_click(lambda _: self.toggle_setup(show=True))
        self.sidebar = classed(
            widgets.VBox(
                [
                    widgets.HBox(
                        [
                            widgets.HTML('<span class="sdw-section-title">Set-up</span>'),
                            self.hide_setup_button,
                        ],
                        layout=widgets.Layout(justify_content="space-between", align_items="center"),
                    ),
                    self.study_opener,
                    self.setup,
                    self.start_button,
                    self.setup_status,
                ],
                layout=widgets.Layout(flex="0 1 380px", min_width="300px"),
            ),
            "sdw-setup",
        )
        self.stage = classed(
            widgets.VBox(
                [
                    widgets.HBox(
                        [self.show_setup_button, self.model_note], layout=widgets.Layout(align_items="center")
                    ),
                    self.branch_bar,
                    self.transcript,
                    self.controls,
                    self.usage_note,
                    self.explorer.compare_box,
                    self.tabs,
                ],
                layout=widgets.Layout(flex="1 1 420px"),
            ),
            "sdw-stage",
        )
        super().__init__(
            [style_widget(), classed(widgets.HBox([self.sidebar, self.stage]), "sdw-row", "sdw-studio-row")],
            **kwargs,
        )
        classed(self, "sdw-app", "sdw-studio")
        self.toggle_setup(show=True)

        given = model is not None and bool(self.persona_editor.value)
        if (start if start is not None else given) and self.start():
            # Set up from the arguments and running: the discussion gets the room.
            self.setup.selected_index = None
            self.toggle_setup(show=False)

    # ---------------------------------------------------------------- building
    def _build_setup(
        self,
        model: BaseModel | None,
        personas: Iterable[Persona | dict[str, Any]] | PersonaEditor | None,
        turn_manager: TurnManager | TurnManagerSelector | None,
        moderator: Persona | Actor | str | None,
        context: str,
        instructions: str,
    ) -> None:
        del moderator, context, instructions  # the Settings section holds them
        self.model_picker = ModelPicker(model)
        self.persona_editor = (
            personas if isinstance(personas, PersonaEditor) else PersonaEditor(list(personas or []))
        )
        names = [p.username for p in self.persona_editor.value]
        if isinstance(turn_manager, TurnManagerSelector):
            self.turn_selector = turn_manager
            self.turn_selector.names = names
        else:
            self.turn_selector = TurnManagerSelector(names, value=turn_manager)
        self.persona_editor.observe(self._on_personas, names="value")

    def _build_stage(self, export_dir: str | os.PathLike[str]) -> None:
        self.transcript = TranscriptView()
        self.runner = DiscussionRunner(None)
        self.transcript.follow(self.runner)
        self.controls = DiscussionControls(self.runner, self.transcript)
        self.folder = widgets.Text(
            value=str(export_dir), description="Folder", layout=widgets.Layout(width="320px")
        )
        self.participant = widgets.Text(
            description="Your name",
            placeholder="names your exports",
            layout=widgets.Layout(width="260px"),
        )
        self.explorer = BranchExplorer(
            self.runner, folder=self.folder, participant=self.participant, study=self.study
        )
        self.branch_bar = BranchBar(self.explorer)
        self.model_note = classed(widgets.HTML(""), "sdw-demo")
        self.log_table = LogTable()

        self.json_button = button(
            "Export JSON",
            "download",
            "The live branch as a study export in the folder, plus a download link",
        )
        self.csv_button = button(
            "Export CSV", "table", "The logs table as CSV into the folder, plus a download link"
        )
        self.usage_note = note("sdw-usage")
        self.study_saver = StudySaver(
            self.study_from_setup, self.folder, name=self.study.name if self.study else ""
        )
        self.json_button.on_click(lambda _: self.export_json())
        self.csv_button.on_click(lambda _: self.export_csv())
        self.export_status = note("sdw-export-status")
        export = widgets.VBox(
            [
                classed(
                    widgets.HBox([self.participant, self.folder, self.json_button, self.csv_button]),
                    "sdw-toolbar",
                ),
                widgets.HTML(
                    '<span class="sdw-hint">Files are named after the study, your name and the live branch, '
                    "and never overwrite each other; the link downloads the same file through the "
                    "browser.</span>"
                ),
                self.export_status,
                widgets.HTML('<span class="sdw-section-title">Save set-up as a study</span>'),
                self.study_saver,
            ]
        )
        self.insights, insights_tab = _insights_tab()
        children: list[widgets.Widget] = [self.explorer, self.log_table, insights_tab, export]
        titles = ["Branches", "Table", "Insights", "Export"]
        self.tabs = classed(widgets.Tab(children=children, titles=tuple(titles)), "sdw-tabs")
        self.runner.observe(self._on_state, names="state")
        self.runner.subscribe(self._on_event)
        self.model_picker.observe(self._on_model, names="value")
        self._on_model()

    def _watch_setup(self) -> None:
        for widget in (*self.settings.inputs, self.turn_selector.kind, self.turn_selector.p_respond):
            widget.observe(self._check_setup, names="value")
        self.turn_selector.seed.observe(self._check_setup, names="value")
        self.turn_selector.order.observe(self._check_setup, names="value")
        self.persona_editor.observe(self._check_setup, names="value")
        self.model_picker.observe(self._check_setup, names="value")

    # ------------------------------------------------------------------ reading
    @property
    def discussion(self) -> Discussion | None:
        """The live discussion (the active branch), or None before the start."""
        return self.runner.discussion

    @property
    def logs(self) -> Logs | None:
        """The live discussion's :class:`Logs`."""
        return self.discussion.logs if self.discussion is not None else None

    @property
    def setup_changed(self) -> bool:
        """True when the set-up differs from the one the live discussion was built from."""
        return self._applied is not None and self._applied != self._setup_key()

    @property
    def context(self) -> widgets.Textarea:
        """The shared context box (in 4. Settings)."""
        return self.settings.context

    @property
    def instructions(self) -> widgets.Textarea:
        """The shared instructions box (in 4. Settings)."""
        return self.settings.instructions

    @property
    def moderator_name(self) -> widgets.Text:
        """The moderator's username box (in 4. Settings)."""
        return self.settings.moderator_name

    @property
    def conv_len(self) -> widgets.BoundedIntText:
        """The user-turns box (in 4. Settings)."""
        return self.settings.conv_len

    @property
    def history_context_len(self) -> widgets.BoundedIntText:
        """The history-seen box (in 4. Settings)."""
        return self.settings.history_context_len

    def table(self) -> pd.DataFrame:
        """The live logs as a pandas DataFrame (``Logs.to_pandas``)."""
        logs = self.logs
        return (logs if logs is not None else Logs()).to_pandas()

    # ------------------------------------------------------------------ actions
    def build_discussion(self) -> Discussion:
        """A new :class:`Discussion` from the set-up.

        Raises:
            ConfigError: something is missing or invalid; the message names the section.
        """
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
            moderator_every=self._moderator_every,
        )

    def study_from_setup(self, name: str) -> Study:
        """The current set-up as a :class:`Study` named ``name`` (what Save set-up writes).

        The model is the loaded one; while it is still the one the studio's
        study gave, the study's model and generation settings are kept as they
        were, as are its price, experiment plan and description.

        Raises:
            StudyError: the set-up cannot be stored in a study file (e.g. a
                scripted model or a given turn manager); the message says why.
            ConfigError: a persona field or the turn-taking is invalid.
        """
        if not self.persona_editor.valid:
            raise ConfigError("Fix the persona fields marked in red first (2. Personas).")
        personas = list(self.persona_editor.value)
        self.turn_selector.names = [p.username for p in personas]
        base, model = self.study, self.model_picker.value
        same_model = base is not None and model is not None and model is self._study_model
        moderator = self._moderator_persona()
        return Study.from_setup(
            name=name,
            personas=personas,
            turn_manager=self.turn_selector.value,
            moderator=moderator,
            moderator_instructions=self.settings.moderator_instructions.value if moderator else None,
            moderator_every=self._moderator_every,
            context=self.context.value,
            instructions=self.instructions.value,
            conv_len=self.conv_len.value,
            history_context_len=self.history_context_len.value,
            seed_opinions=self._seed[0],
            seed_opinion_usernames=self._seed[1],
            model=base.model if base is not None and same_model else model,
            generation=base.generation if base is not None and same_model else None,
            experiment=base.experiment if base is not None else None,
            price=base.price if base is not None else None,
            description=base.description if base is not None else "",
        )

    def save_study(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Save the set-up as a study file under the Study name box's name (what the Save button does)."""
        return self.study_saver.save(folder)

    def open_study(self, study: Study | str | os.PathLike[str]) -> Study | None:
        """Fill the set-up from a study (or its file); None, with the error shown inline, if it is bad.

        The live discussion keeps its set-up until Start (the studio says so).
        """
        return self.study_opener.load(study)

    def start(self) -> bool:
        """Build a new discussion from the set-up and make it live; False (message shown) if it cannot.

        The previous discussion stays under Branches, so nothing is lost.
        """
        if self.runner.closed:
            set_note(self.setup_status, "Closed: create a new studio to start another discussion.", "error")
            return False
        try:
            discussion = self.build_discussion()
        except (SyndiscoError, ValueError, TypeError) as exc:
            set_note(self.setup_status, str(exc), "error")
            return False
        kept = self.discussion is not None
        self.runner.stop()  # a running turn is discarded first
        self.runner.replace(discussion)
        self.runner.wait(timeout=60)
        self._applied = self._setup_key()
        names = ", ".join(a.name for a in discussion.participants)
        extra = " The previous discussion is kept under Branches." if kept else ""
        set_note(self.setup_status, f"Started: {names}. Press Step or Run.{extra}", "ok")
        self.start_button.description = "Start discussion"
        set_note(self.export_status, "")
        return True

    def toggle_setup(self, *, show: bool) -> None:
        """Show or fold away the set-up sidebar."""
        self.sidebar.layout.display = "" if show else "none"
        self.show_setup_button.layout.display = "none" if show else ""
        self.hide_setup_button.layout.display = "" if show else "none"

    def export_json(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the live logs as JSON (``Logs.export``), named after the live branch."""
        return self._export(folder, "json")

    def export_csv(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the live logs table as CSV (formula-safe ``Logs.to_csv``), named after the live branch."""
        return self._export(folder, "csv")

    def refresh_table(self) -> None:
        """Redraw the table tab from the live logs (all text escaped)."""
        self.log_table.show(self.logs)

    def close(self) -> None:
        """Stop the worker thread and close the widget; the studio then says it is closed."""
        runner = getattr(self, "runner", None)
        if runner is not None:
            runner.close()
            self.start_button.disabled = True
            self.start_button.tooltip = "Closed: create a new studio to start another discussion"
            set_note(self.setup_status, "Closed: this studio no longer runs discussions.", "warn")
        super().close()

    # ----------------------------------------------------------------- internals
    def _moderator_persona(self) -> Persona | None:
        """The moderator's persona: the one given when the name still matches, else one made from the name."""
        name = self.moderator_name.value.strip()
        if not name:
            return None
        given = self._moderator_given
        if isinstance(given, Actor) and given.name == name:
            return given.persona
        try:
            return given if isinstance(given, Persona) and given.username == name else Persona(username=name)
        except ConfigError as exc:
            raise ConfigError(f"Moderator (4. Settings): {exc}") from None

    def _moderator(self, model: BaseModel) -> Actor | None:
        given = self._moderator_given
        if isinstance(given, Actor) and given.name == self.moderator_name.value.strip():
            return given
        persona = self._moderator_persona()
        if persona is None:
            return None
        return Actor(
            model,
            persona,
            ActorType.MODERATOR,
            self.context.value,
            self.settings.moderator_instructions.value,
        )

    def _setup_key(self) -> tuple[object, ...]:
        """Everything a discussion is built from, to tell when the set-up changed."""
        selector = self.turn_selector
        return (
            id(self.model_picker.value),
            tuple(repr(p) for p in self.persona_editor.value),
            selector.kind.value,
            selector.p_respond.value,
            selector.seed.value,
            selector.order.value,
            *(box.value for box in self.settings.inputs),
            repr(self._seed),
            self._moderator_every,
        )

    def _check_setup(self, *_: Any) -> None:
        if self.runner.closed:
            return
        if self.setup_changed:
            set_note(self.setup_status, SETUP_CHANGED, "warn")
            self.start_button.description = "Start with the new set-up"
        elif self._applied is not None:
            set_note(self.setup_status, "The discussion uses this set-up.", "ok")
            self.start_button.description = "Start discussion"

    def _export(self, folder: str | os.PathLike[str] | None, kind: ExportFormat) -> Path | None:
        discussion = self.discussion
        if discussion is None:
            set_note(self.export_status, "Export: nothing to export yet, start a discussion.", "error")
            return None
        target = Path(folder if folder is not None else (self.folder.value.strip() or "."))
        live = self.explorer.live
        try:
            path, written = export_branch(
                discussion,
                target,
                kind,
                study=self.study,
                participant=self.participant.value,
                branch=live.label if live is not None else "discussion",
            )
        except (OSError, ConfigError) as exc:  # export_run names the folder it could not write
            set_note(self.export_status, f"Export: {exc}", "error")
            return None
        set_note_html(self.export_status, written, "ok")
        return path

    def _apply_study(self, study: Study) -> str:
        """Fill the set-up from ``study`` (the Open study box); returns what to tell the person."""
        loaded = ""
        if self.model_picker.value is None:
            model = study.build_model()  # a load error shows in the opener
            self.model_picker.use(model)
            loaded = f" Loaded its model ({model.name})."
        given = study.studio_kwargs()
        self.study = self.explorer.study = study
        self._study_model = self.model_picker.value
        self._moderator_every = study.moderator.every if study.moderator else 1
        self._moderator_given = given["moderator"]
        self._seed = (list(given["seed_opinions"]), list(given["seed_opinion_usernames"]))
        self.persona_editor.value = list(given["personas"])
        self.turn_selector.set_value(given["turn_manager"])
        settings = self.settings
        settings.context.value = given["context"]
        settings.instructions.value = given["instructions"]
        settings.moderator_name.value = _name_of(given["moderator"])
        settings.moderator_instructions.value = given["moderator_instructions"]
        settings.conv_len.value = given["conv_len"]
        settings.history_context_len.value = given["history_context_len"]
        self.study_saver.name.value = study.name
        self._check_setup()
        self._show_usage()
        follow = " Press Start to apply it." if self.discussion is not None else " Press Start discussion."
        return f"Opened study {study.name!r}.{loaded}{follow}"

    def _show_usage(self) -> None:
        """What the live discussion used so far: tokens in and out, seconds and, with a price, the cost."""
        text = usage_status(self.logs, price=self.study.price if self.study else None)
        set_note(self.usage_note, f"Used so far: {text}" if text else "", "info")

    def _on_personas(self, change: dict[str, Any]) -> None:
        self.turn_selector.names = [p.username for p in change["new"]]

    def _on_state(self, change: dict[str, Any]) -> None:
        if change["new"] == RunnerState.CLOSED:
            self.start_button.disabled = True
        elif change["new"] in SETTLED:
            self._show_usage()

    def _on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, (TurnEnded, EntryAdded)) and event.entry is None:
            return
        if isinstance(event, (TurnEnded, EntryAdded, DiscussionChange)):
            self.refresh_table()
            if self.insights is not None:
                self.insights.update(self.logs if self.logs is not None else None)
        if isinstance(event, DiscussionChange):
            set_note(self.export_status, "")  # a note about another branch's file would mislead
            self._show_usage()

    def _on_model(self, *_: Any) -> None:
        model = self.model_picker.value
        demo = model is not None and is_tiny_model(model)
        self.model_note.value = (
            '<span class="sdw-demo-note">Test model with random weights: its text is meaningless. '
            "Load the demo model or your own in 1. Model for real discussions.</span>"
            if demo
            else ""
        )


def _insights_tab() -> tuple[Any, widgets.Widget]:
    """The viewer's Insights view (``widgets/insights.py``) and the tab showing it.

    If it cannot be built, the view is None and the tab says why, inline: the
    rest of the studio keeps working, and the failure is not hidden.
    """
    try:
        from .insights import InsightsView

        view = InsightsView()
    except Exception as exc:  # any failure of the optional tab is shown inline, never raised
        log.exception("syndisco studio: the Insights tab is unavailable")
        reason = html.escape(f"{type(exc).__name__}: {exc}", quote=False)
        message = (
            '<div class="sdw-note sdw-error"><span class="sdw-note-text">Insights could not be drawn '
            f"({reason}). The discussion, the table and the exports still work; the full error is in "
            "the log.</span></div>"
        )
        return None, classed(widgets.HTML(message), "sdw-insights-error")
    return view, view
