"""DiscussionStudio: the whole app in one call — set up, run, steer, branch, compare, export.

The studio shell (:mod:`.shell`) with a discussion's set-up: model,
personas, turn-taking, topic and settings (a study file can fill it). On
the stage the topic, the branch bar, the transcript, the controls with what
the run used so far, and tabs for Branches, Table, Insights and Export
(exports under the participant's name, and the set-up saved as a study
file); a comparison of two branches gets the whole width below.
"""

from __future__ import annotations

import html
import logging
import re
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..engine import Actor, Discussion, Logs, Persona, TurnManager
from ..engine.study import Study, as_study
from ..engine.topic import DEFAULT_CONTEXT, DEFAULT_HISTORY_CONTEXT_LEN, DEFAULT_INSTRUCTIONS, DEFAULT_TOPIC
from ..engine.usage import usage_status
from ..errors import ConfigError, SyndiscoError
from ..models import BaseModel, is_tiny_model
from ..session import EntryAdded, Runner, RunnerEvent, RunnerState, SourceChange, TurnEnded
from ._style import classed
from .branches import BranchBar, BranchExplorer
from .controls import RunControls
from .export import export_branch
from .export_panel import ExportPanel
from .model_picker import ModelPicker
from .persona_editor import PersonaEditor
from .shell import StudioShell
from .study_panel import StudyOpener, StudySaver
from .table import LogTable
from .tabs import StudioTabs
from .transcript import TranscriptView
from .turn_selector import TurnManagerSelector
from .ui import button, note, set_note

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    import pandas as pd

    from ..engine.exports import ExportKind

__all__ = [
    "DEFAULT_CONTEXT",
    "DEFAULT_INSTRUCTIONS",
    "DEFAULT_MODERATOR_INSTRUCTIONS",
    "DEFAULT_TOPIC",
    "DiscussionStudio",
]

#: The boxes of 4. Topic and settings, also reachable on the studio (``studio.context``, ...).
_SETTINGS_FIELDS = ("topic", "context", "instructions", "moderator_name", "conv_len", "history_context_len")
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
    """Topic, context, instructions, moderator and lengths (section 4 of the set-up)."""

    def __init__(
        self,
        *,
        topic: str,
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

        self.topic = area(topic, "Topic")
        self.topic.placeholder = "the question discussed, e.g. Should our town ban cars downtown?"
        self.context = area(context, "Context")
        self.instructions = area(instructions, "Instructions")
        self.moderator_name = widgets.Text(
            value=moderator,
            description="Moderator",
            placeholder="a username; empty = no moderator",
            layout=widgets.Layout(width="100%"),
        )
        # "Its": the moderator's, named just above (a longer label was cut off at this width).
        self.moderator_instructions = area(moderator_instructions, "Its instructions")
        self.conv_len = widgets.BoundedIntText(value=conv_len, min=0, max=100_000, description="User turns")
        self.history_context_len = widgets.BoundedIntText(
            value=history_context_len, min=0, max=100_000, description="History seen"
        )
        boxes = self.inputs
        for box in boxes:
            box.style.description_width = "9em"
        hint = widgets.HTML(
            '<div class="sdw-hint"><b>Topic</b>: restated to every speaker at every turn and shown '
            "above the transcript. <b>User turns</b> (<code>conv_len</code>): how many replies the "
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
            self.topic,
            self.context,
            self.instructions,
            self.moderator_name,
            self.moderator_instructions,
            self.conv_len,
            self.history_context_len,
        )


class DiscussionStudio(StudioShell):
    """Set-up on the left; topic, branch bar, transcript, controls and tabs on the right.

    Every argument pre-fills the set-up; with a model and personas given the
    discussion is built at once (``start=False`` to wait for the button).
    Start builds the discussion through a :class:`Study` made from the
    set-up (:meth:`setup_study`), the one way a set-up becomes a discussion.

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
        topic: The question discussed: stated to every speaker at every turn and
            shown above the transcript.
        moderator_instructions: The moderator's instructions.
        seed_opinions: Opening posts, placed before any model speaks.
        seed_opinion_usernames: Who writes each opening post.
        study: A :class:`Study` or a study file path: its set-up replaces the
            set-up arguments above, and its model is loaded unless ``model`` is
            given. A bad file raises :class:`StudyError` naming the field; the
            Open study box shows the same error inline instead.
        export_dir: Default folder for exports.
        start: Build the discussion now (default: when model and personas are given).
        **kwargs: Passed on to the box.

    ``discussion`` is the live discussion (the active branch), ``logs`` its
    :class:`Logs`, ``runner`` the :class:`~syndisco_widgets.session.Runner`
    driving it, ``study`` the study the set-up came from (None without one).
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
        history_context_len: int = DEFAULT_HISTORY_CONTEXT_LEN,
        *,
        topic: str = DEFAULT_TOPIC,
        moderator_instructions: str = DEFAULT_MODERATOR_INSTRUCTIONS,
        seed_opinions: Sequence[str] = (),
        seed_opinion_usernames: Sequence[str] = (),
        study: Study | str | os.PathLike[str] | None = None,
        export_dir: str | os.PathLike[str] = "runs",
        start: bool | None = None,
        **kwargs: Any,
    ) -> None:
        given: dict[str, Any] = {
            "personas": personas,
            "turn_manager": turn_manager,
            "moderator": moderator,
            "topic": topic,
            "context": context,
            "instructions": instructions,
            "conv_len": conv_len,
            "history_context_len": history_context_len,
            "moderator_instructions": moderator_instructions,
            "seed_opinions": seed_opinions,
            "seed_opinion_usernames": seed_opinion_usernames,
        }
        model, given = self._take_study(study, model, given)
        self._build_setup(model, given)
        self._build_stage(export_dir)
        self._assemble(
            setup=[self.study_opener, self.setup, self.start_button, self.setup_status],
            stage_top=[self.branch_bar],
            transcript=self.transcript,
            controls=self.controls,
            notes=[self.usage_note],
            tabs=self.tabs,
            wide=[self.explorer.compare_box],  # a comparison gets the whole width
            name="sdw-studio",
            **kwargs,
        )
        self._watch()
        wanted = start if start is not None else model is not None and bool(self.persona_editor.value)
        if wanted and self.start():
            # Set up from the arguments and running: the discussion gets the room.
            self.setup.selected_index = None
            self.toggle_setup(show=False)

    # ---------------------------------------------------------------- building
    def _take_study(
        self, study: Study | str | os.PathLike[str] | None, model: BaseModel | None, given: dict[str, Any]
    ) -> tuple[BaseModel | None, dict[str, Any]]:
        """The model and set-up to show: a study's, when one is given, replaces the arguments."""
        self.study: Study | None = None
        self._study_model: BaseModel | None = None  # the model in use when the study was applied
        self._moderator_every: int | None = 1
        self._applied: tuple[object, ...] | None = None  # the set-up the live discussion was built from
        self._live_topic = ("", "")
        if study is not None:
            self.study = as_study(study)
            model = model or self.study.build_model()
            self._study_model = model
            self._moderator_every = self.study.moderator.every if self.study.moderator else 1
            given = self.study.studio_kwargs()
        self._seed = (list(given["seed_opinions"]), list(given["seed_opinion_usernames"]))
        self._moderator_given = given["moderator"]
        return model, given

    def _build_setup(self, model: BaseModel | None, given: dict[str, Any]) -> None:
        """The four sections of the set-up, the Start button and the study opener."""
        personas, turn_manager = given["personas"], given["turn_manager"]
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
        self.settings = Settings(
            topic=given.get("topic", ""),
            context=given["context"],
            instructions=given["instructions"],
            moderator=_name_of(given["moderator"]),
            moderator_instructions=given["moderator_instructions"],
            conv_len=given["conv_len"],
            history_context_len=given["history_context_len"],
        )
        # The set-up's boxes are reachable on the studio too (studio.context, studio.conv_len, ...).
        for name in _SETTINGS_FIELDS:
            setattr(self, name, getattr(self.settings, name))
        self.setup = widgets.Accordion(
            children=[self.model_picker, self.persona_editor, self.turn_selector, self.settings],
            titles=("1. Model", "2. Personas", "3. Turn-taking", "4. Topic and settings"),
            selected_index=0 if model is None else 1,
        )
        self.start_button = classed(
            button("Start discussion", "comments", "Build a new discussion from the set-up", style="success"),
            "sdw-start",
        )
        self.start_button.on_click(lambda _: self.start())
        self.setup_status = note("sdw-setup-status")
        self.study_opener = StudyOpener(self._apply_study)

    def _build_stage(self, export_dir: str | os.PathLike[str]) -> None:
        """Transcript, runner, controls, branch bar and the four tabs."""
        self.transcript = TranscriptView()
        self.runner = Runner(None)
        self.transcript.follow(self.runner)
        self.controls = RunControls(self.runner, self.transcript)
        self.export_panel = ExportPanel(self._write_export, folder=export_dir, what="the live branch")
        self.folder, self.participant = self.export_panel.folder, self.export_panel.participant
        self.json_button, self.csv_button = self.export_panel.json_button, self.export_panel.csv_button
        self.export_status = self.export_panel.status
        self.explorer = BranchExplorer(
            self.runner,
            folder=self.folder,
            participant=self.participant,
            study=self.study,
            compare_here=False,
        )
        self.branch_bar = BranchBar(self.explorer)
        self.model_note = classed(widgets.HTML(""), "sdw-demo")
        self.log_table = LogTable()
        self.usage_note = note("sdw-usage")
        self.study_saver = StudySaver(
            self.study_from_setup, self.folder, name=self.study.name if self.study else ""
        )
        self.export_panel.children = (
            *self.export_panel.children,
            widgets.HTML('<span class="sdw-section-title">Save set-up as a study</span>'),
            self.study_saver,
        )
        self.insights, insights_tab = _insights_tab()
        self.tabs = StudioTabs(
            [
                ("Branches", self.explorer),
                ("Table", self.log_table),
                ("Insights", insights_tab),
                ("Export", self.export_panel),
            ]
        )

    def _watch(self) -> None:
        """Follow the runner, and tell when the set-up no longer matches the live discussion."""
        self.runner.observe(self._on_state, names="state")
        self.runner.subscribe(self._on_event)
        self.model_picker.observe(self._on_model, names="value")
        self.persona_editor.observe(self._on_personas, names="value")
        self._on_model()
        selector = self.turn_selector
        watched = (
            *self.settings.inputs,
            selector.kind,
            selector.p_respond,
            selector.seed,
            selector.order,
            self.persona_editor,
            self.model_picker,
        )
        for widget in watched:
            widget.observe(self._check_setup, names="value")

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

    def table(self) -> pd.DataFrame:
        """The live logs as a pandas DataFrame (``Logs.to_pandas``)."""
        logs = self.logs
        return (logs if logs is not None else Logs()).to_pandas()

    # ------------------------------------------------------------------ actions
    def build_discussion(self) -> Discussion:
        """A new :class:`Discussion` from the set-up, built by :meth:`Study.build_discussion`.

        Raises:
            ConfigError: something is missing or invalid; the message names the section.
            StudyError: the set-up cannot be a study (e.g. a turn manager given as code).
        """
        model = self.model_picker.value
        if model is None:
            raise ConfigError("Load a model first (1. Model).")
        if not self.persona_editor.value and self.persona_editor.valid:
            raise ConfigError("Add at least one persona (2. Personas).")
        return self.setup_study(self.study.name if self.study else "studio").build_discussion(model)

    def setup_study(self, name: str, *, with_model: bool = False) -> Study:
        """The current set-up as a :class:`Study` named ``name``: what Start builds and Save writes.

        Args:
            name: The study's name (it names exports).
            with_model: Name the loaded model in the study (Save does; Start
                passes the loaded model itself, so any model works). While it
                is still the one the studio's study gave, the study's model
                and generation settings are kept as they were, as are its
                price, experiment plan and description.

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
        settings = self.settings
        return Study.from_setup(
            name=name,
            personas=personas,
            turn_manager=self.turn_selector.value,
            moderator=moderator,
            moderator_instructions=settings.moderator_instructions.value if moderator else None,
            moderator_every=self._moderator_every,
            topic=settings.topic.value,
            context=settings.context.value,
            instructions=settings.instructions.value,
            conv_len=settings.conv_len.value,
            history_context_len=settings.history_context_len.value,
            seed_opinions=self._seed[0],
            seed_opinion_usernames=self._seed[1],
            model=(base.model if base is not None and same_model else model) if with_model else None,
            generation=base.generation if base is not None and same_model and with_model else None,
            experiment=base.experiment if base is not None else None,
            price=base.price if base is not None else None,
            description=base.description if base is not None else "",
        )

    def study_from_setup(self, name: str) -> Study:
        """The current set-up as a :class:`Study` named ``name``, model included (what Save set-up writes)."""
        return self.setup_study(name, with_model=True)

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
        self._live_topic = (self.settings.topic.value, self._seed[0][0] if self._seed[0] else "")
        self.runner.stop()  # a running turn is discarded first
        self.runner.replace(discussion)
        self.runner.wait(timeout=60)
        self._applied = self._setup_key()
        names = ", ".join(a.name for a in discussion.participants)
        extra = " The previous discussion is kept under Branches." if kept else ""
        set_note(self.setup_status, f"Started: {names}. Press Step or Run.{extra}", "ok")
        self.start_button.description = "Start discussion"
        self.export_panel.clear()
        return True

    def export_json(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the live logs as JSON (``Logs.export``), named after the live branch."""
        return self.export_panel.export("json", folder)

    def export_csv(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the live logs table as CSV (formula-safe ``Logs.to_csv``), named after the live branch."""
        return self.export_panel.export("csv", folder)

    def refresh_table(self) -> None:
        """Redraw the table tab from the live logs (all text escaped)."""
        self.log_table.show(self.logs)

    def close(self) -> None:
        """Stop the worker thread and close the widget; the studio then says it is closed."""
        runner = getattr(self, "runner", None)
        if runner is not None and hasattr(self, "start_button"):
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

    def _write_export(self, folder: Path, kind: ExportKind, participant: str) -> tuple[Path, str] | None:
        discussion = self.discussion
        if discussion is None:
            return None
        live = self.explorer.live
        return export_branch(
            discussion,
            folder,
            kind,
            study=self.study,
            participant=participant,
            branch=live.label if live is not None else "discussion",
        )

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
        settings.topic.value = given.get("topic", "")
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
        """What the live discussion used so far: its turns (the one count), tokens, seconds, cost."""
        text = usage_status(self.logs, price=self.study.price if self.study else None)
        # The status counts user turns; say the same count here, not every entry.
        text = re.sub(r"^\d+ turns?( · )?", "", text)
        count = self.runner.progress()
        used = " · ".join(part for part in (count, text) if part)
        set_note(self.usage_note, f"Used so far: {used}" if count else "", "info")

    def _show_topic(self) -> None:
        topic, opening = self._live_topic
        if self.discussion is None:
            self.show_topic("", "")
        elif topic.strip():
            self.show_topic("Topic", topic)
        else:
            self.show_topic("Opening post", opening)

    def _on_personas(self, change: dict[str, Any]) -> None:
        self.turn_selector.names = [p.username for p in change["new"]]

    def _on_state(self, change: dict[str, Any]) -> None:
        if change["new"] == RunnerState.CLOSED:
            self.start_button.disabled = True
        elif change["new"] in SETTLED:
            self._show_usage()

    def _on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, (TurnEnded, EntryAdded)) and event.entry is not None:
            # One new entry: the table and Insights take just it.
            self.log_table.append(event.entry)
            if self.insights is not None:
                self.insights.append(event.entry)
        if isinstance(event, SourceChange):
            self.refresh_table()
            if self.insights is not None:
                self.insights.update(self.logs if self.logs is not None else None)
            self.export_panel.clear()  # a note about another branch's file would mislead
            self._show_usage()
            self._show_topic()

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
