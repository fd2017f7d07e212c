"""DeliberationStudio: set up a Chain, Debate, Ensemble or Graph, run it, watch the answers arrive.

The studio shell (:mod:`.shell`) with a deliberation set-up
(:mod:`.deliberation_setup`). On the stage: the task, the answers as they
are written with Step, Run and Stop right under them, the final answer, the
earlier runs of this session, and tabs for the Table, Insights (who read
whom, each agent's answers a click away) and Export.

The structure is a turn source: the one :class:`~syndisco_widgets.session.Runner`
drives it through the engine's ``drive`` on a worker thread, so streaming and
Stop work as for discussions. Buttons only queue commands; the worker only
sets traits.
"""

from __future__ import annotations

import html
import logging
import time
import warnings
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..checks import instance_of, optional_seed, positive_whole_number, text
from ..engine import unique_run_path
from ..engine.exports import ExportKind, slug
from ..errors import ConfigError
from ..models.base import BaseModel
from ..models.scripted import ScriptedModel
from ..session import EntryAdded, Runner, RunnerEvent, RunnerState, SourceChange, TurnEnded
from ..wording import elapsed, plural
from ._style import classed
from .controls import RunControls
from .deliberation_form import (
    DEFAULT_AGENTS,
    DEFAULT_TASK,
    STRUCTURE_KINDS,
    AgentSpec,
    FormCheck,
    FormValues,
    SpeakerRole,
    StructureKind,
    build_structure,
    draft_of,
)
from .deliberation_setup import AgentRow, DeliberationSetup
from .export import written_html
from .export_panel import ExportPanel
from .shell import StudioShell
from .table import LogTable
from .tabs import StudioTabs
from .traits import enum_trait
from .transcript import TranscriptView
from .ui import note, set_note

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from pathlib import Path

    from ..deliberation import AbstractStructure, Agent

__all__ = ["AgentRow", "DeliberationStudio"]

log = logging.getLogger(__name__)

#: The set-up's fields, reachable on the studio itself (``studio.task``, ``studio.seed``, …).
_SETUP_FIELDS = (
    "structure_picker",
    "structure_hint",
    "task",
    "task_error",
    "agents_box",
    "agents_error",
    "add_agent_button",
    "edges",
    "edges_error",
    "edges_note",
    "edges_box",
    "cycles",
    "moderator",
    "seed",
    "seed_error",
    "agent_rows",
)


class DeliberationStudio(StudioShell):
    """Set up and run a deliberation structure, watching every answer arrive.

    Args:
        model: The model every agent uses. None: the offline demo model
            (:func:`~syndisco_widgets.models.demo_model`), loaded at the first Run.
        structure: ``"chain"``, ``"debate"``, ``"ensemble"`` or ``"graph"``.
        task: The task every agent answers.
        agents: Dicts ``{"name", "persona", "instructions"}`` or :class:`Agent`
            objects (their name, persona and system text pre-fill the form).
            Default: three example agents.
        edges: For a Graph: lines like ``"Nurse -> Farmer"``. Default: the agents in a row.
        cycles: Rounds through the agents (not for a Graph).
        moderator: A moderator reads every answer and writes the final one.
        seed: Repeat a run exactly; None draws a new seed each run (shown after it).
        export_dir: Default folder for exports.
        **kwargs: Passed on to the box.

    ``structure`` is the latest run's structure (with ``logs``,
    ``final_response``, ``to_dataframe()``), ``history`` the earlier ones,
    ``state`` a :class:`RunnerState`, ``runner`` the runner driving it.
    """

    state = enum_trait(RunnerState, RunnerState.IDLE, "what the studio is doing")

    def __init__(
        self,
        model: BaseModel | None = None,
        *,
        structure: StructureKind = "chain",
        task: str = DEFAULT_TASK,
        agents: Sequence[AgentSpec | Agent] | None = None,
        edges: str | None = None,
        cycles: int = 1,
        moderator: bool = True,
        seed: int | None = None,
        export_dir: str | os.PathLike[str] = "runs",
        **kwargs: Any,
    ) -> None:
        self._check_arguments(model, structure)
        self._model = model
        self.history: list[AbstractStructure] = []
        self._started = time.monotonic()
        self.runner = Runner(None)
        self.setup = DeliberationSetup(
            structure=structure,
            task=text("DeliberationStudio task", task),
            drafts=[draft_of(a) for a in (DEFAULT_AGENTS if agents is None else agents)],
            edges=edges,
            cycles=positive_whole_number("DeliberationStudio cycles", cycles),
            moderator=instance_of("DeliberationStudio moderator", moderator, bool, "True or False"),
            seed=optional_seed("DeliberationStudio seed", seed),
            on_change=self._refresh_controls,
        )
        for name in _SETUP_FIELDS:
            setattr(self, name, getattr(self.setup, name))
        self._build_stage(export_dir)
        self._assemble(
            setup=[self.setup, self.setup_note],
            stage_top=[],
            transcript=self.transcript,
            controls=self.controls,
            notes=[self.final_box, self.history_box],
            tabs=self.tabs,
            name="sdw-deliberation-studio",
            **kwargs,
        )
        classed(self.sidebar, "sdw-deliberation-setup")  # taller than a screen, so not sticky
        self.runner.observe(self._on_state, names="state")
        self.runner.subscribe(self._on_event)
        self._show_model()
        self._say(RunnerState.IDLE, "Set up the structure, then press Run.")

    # ---------------------------------------------------------------- building
    @staticmethod
    def _check_arguments(model: object, structure: object) -> None:
        if model is not None and not isinstance(model, BaseModel):
            raise ConfigError(
                f"DeliberationStudio model must be a model (BaseModel) or None for the demo model, "
                f"got {type(model).__name__}"
            )
        if structure not in STRUCTURE_KINDS:
            raise ConfigError(
                f"DeliberationStudio structure must be one of {list(STRUCTURE_KINDS)}, got {structure!r}"
            )

    def _build_stage(self, export_dir: str | os.PathLike[str]) -> None:
        """The answers with their controls, the final answer, the history and the three tabs."""
        self.setup_note = note("sdw-setup-status")
        self.transcript = classed(TranscriptView(branchable=False), "sdw-live-answers")
        self.transcript.keeps_stopped = True  # Stop keeps what was written, marked
        self.transcript.follow(self.runner)
        self.controls = RunControls(
            self.runner, self.transcript, run=self.run, step=self.step, blocked=self._blocked
        )
        self.controls.tips.update(
            Run="Run the structure from scratch (earlier runs stay below)",
            Step="Write the next answer (a new run when none is going)",
            Stop="Stop now; the text written so far stays, marked as not recorded",
        )
        self.run_button, self.stop_button = self.controls.run_button, self.controls.stop_button
        self.status, self.progress = self.controls.status, self.controls.progress
        self.progress_text, self.progress_box = self.controls.progress_text, self.controls.progress_box
        self.final_title = classed(widgets.HTML(""), "sdw-hint", "sdw-wrap")
        self.final_view = TranscriptView(branchable=False)
        self.final_box = classed(
            widgets.VBox(
                [
                    widgets.HTML('<span class="sdw-section-title">★ Final answer</span>'),
                    self.final_title,
                    self.final_view,
                ],
                layout=widgets.Layout(display="none"),
            ),
            "sdw-final-answer",
        )
        self.history_list = classed(widgets.HTML(""), "sdw-history")
        self.history_box = widgets.VBox(
            [widgets.HTML('<span class="sdw-section-title">Earlier runs</span>'), self.history_list],
            layout=widgets.Layout(display="none"),
        )
        self.log_table = LogTable()
        self.structure_view = _structure_view()
        waiting = widgets.HTML('<span class="sdw-hint">Run the structure to see who read whom.</span>')
        shown: list[widgets.Widget] = [self.structure_view] if self.structure_view is not None else []
        self.structure_box = widgets.VBox(shown, layout=widgets.Layout(display="none"))
        self.export_panel = ExportPanel(self._write_export, folder=export_dir, what="the latest run")
        self.tabs = StudioTabs(
            [
                ("Table", self.log_table),
                ("Insights", widgets.VBox([waiting, self.structure_box])),
                ("Export", self.export_panel),
            ]
        )
        self._waiting_note = waiting

    # ----------------------------------------------------------------- reading
    @property
    def values(self) -> FormValues:
        """The set-up as typed."""
        return self.setup.values

    @property
    def errors(self) -> dict[str, str]:
        """The set-up's current problems, per field (empty when it can run)."""
        return dict(self.setup.check.errors)

    @property
    def running(self) -> bool:
        """True while a run is going (or stopping)."""
        return self.state in (RunnerState.RUNNING, RunnerState.STOPPING)

    @property
    def structure(self) -> AbstractStructure | None:
        """The structure of the latest run (None before the first)."""
        source: AbstractStructure | None = self.runner.source
        return source

    @property
    def final_response(self) -> str | None:
        """The final answer of the latest finished run."""
        found = self.structure
        return found.final_response if found is not None else None

    def add_agent(self, name: str | None = None, persona: str = "", instructions: str = "") -> AgentRow:
        """Add an agent to the form (a free name like ``"Agent 4"`` when none is given)."""
        return self.setup.add_agent(name, persona, instructions)

    def remove_agent(self, index: int) -> None:
        """Remove agent ``index`` (0-based) from the form."""
        self.setup.remove_agent(index)

    # ----------------------------------------------------------------- running
    def run(self) -> bool:
        """Start a fresh run; False (and an inline message) if the set-up has problems or a run is going."""
        if not self._fresh():
            return False
        self.runner.run()
        return True

    def step(self) -> bool:
        """Write the next answer of the run going on (or of a fresh run); False, with a note, if it cannot."""
        structure = self.structure
        going = structure is not None and not structure.finished and structure.error is None
        if not going and not self._fresh():
            return False
        self.runner.step()
        return True

    def stop(self) -> None:
        """Stop the run; the text written so far stays in view, marked as not recorded."""
        if self.state == RunnerState.RUNNING:
            self.runner.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run is over (True) or ``timeout`` seconds passed (False).

        For "Run All" notebooks; Kernel ▸ Interrupt stops the run.
        """
        return self.runner.wait(timeout)

    def close(self) -> None:
        """Stop any run and close the studio; it then says it is closed."""
        if not hasattr(self, "controls"):  # the constructor refused its arguments
            super().close()
            return
        self.runner.close()
        for widget in (self.transcript, self.final_view, self.structure_view):
            if widget is not None:
                widget.close()
        super().close()

    def _fresh(self) -> bool:
        """Queue building a new structure from the set-up; False (message shown) if it cannot."""
        problem = self._blocked() or ("A run is going; press Stop first." if self.running else "")
        if not problem:
            values = self.setup.validate()
            problem = (
                "Fix the marked fields first."
                if not self.setup.check.ok
                else _dry_build(values, self.setup.check)
            )
        if problem:
            set_note(self.setup_note, problem.rstrip(".") + ".", "warn" if self.running else "error")
            return False
        set_note(self.setup_note, "")
        values, check = self.setup.values, self.setup.check
        self._started = time.monotonic()
        loading = "Loading the model…" if self._model is None else "Starting…"
        self.runner.build(lambda: self._new_structure(values, check), loading)
        return True

    def _new_structure(self, values: FormValues, check: FormCheck) -> AbstractStructure:
        """Runs on the worker thread: load the model if needed, then build the structure."""
        model = self._load_model()

        def model_for(_name: str, _role: SpeakerRole) -> BaseModel:
            return model

        structure = build_structure(values, check, model_for)
        structure.start()
        return structure

    def _load_model(self) -> BaseModel:
        if self._model is None:
            from ..models import demo_model  # torch and transformers load only now

            self._model = demo_model()
            self._show_model()
        return self._model

    def _write_export(self, folder: Path, kind: ExportKind, participant: str) -> tuple[Path, str] | None:
        structure = self.structure
        if structure is None or not len(structure.logs):
            return None
        name = slug(participant.strip() or "anonymous")
        stem = f"{name}--{slug(type(structure).__name__)}-run-{len(self.history) + 1}"
        path = unique_run_path(folder, stem=stem, suffix=f".{kind}")
        if kind == "json":
            structure.to_json(path)  # settings and every answer; Logs.from_file reads it back
        else:
            structure.logs.to_csv(path)
        return path, written_html(path, kind)

    # --------------------------------------------------- events (worker thread)
    def _on_event(self, event: RunnerEvent) -> None:
        if isinstance(event, SourceChange):
            self._new_run(event.source, event.parent)
        elif isinstance(event, (TurnEnded, EntryAdded)) and event.entry is not None:
            self.log_table.append(event.entry)
            if self.structure_view is not None:
                self.structure_view.append(event.entry)

    def _new_run(self, structure: AbstractStructure, previous: AbstractStructure | None) -> None:
        if previous is not None and len(previous.logs):
            self.history.append(previous)
            self._show_history()
        self.show_topic("Task", str(getattr(structure, "task", "") or self.setup.task.value))
        self.log_table.show(structure.logs)
        self.final_view.reset([])
        self.final_box.layout.display = "none"
        self.export_panel.clear()
        if self.structure_view is not None:
            self.structure_view.update(structure)

    def _on_state(self, change: dict[str, Any]) -> None:
        state: RunnerState = change["new"]
        structure = self.structure
        with self.hold_sync():
            self.state = state
        if state == RunnerState.FINISHED and structure is not None:
            seed = f" Seed {structure.last_seed}: type it into Seed to repeat this run."
            took = elapsed(time.monotonic() - self._started)
            self._say(state, f"Finished: {plural(len(structure.logs), 'answer')} in {took}.{seed}")
            self._show_final(structure)
        elif state == RunnerState.IDLE and self.runner.status.startswith("Stopped") and structure is not None:
            done, total = len(structure.logs), _expected(structure)
            kept = (
                " The text written so far is shown, marked; it was not recorded."
                if self.runner.status.find("shown") >= 0
                else ""
            )
            self._say(
                state,
                f"Stopped after {done} of {plural(total, 'answer')}.{kept} "
                "Step continues this run; Run starts a new one.",
            )
        elif state == RunnerState.ERROR:
            error = self.runner.last_error
            self._say(state, f"The run failed: {error}" if error is not None else "The run failed.")
        elif state == RunnerState.CLOSED:
            self._say(state, "Closed.")
        if (
            state not in (RunnerState.RUNNING, RunnerState.STOPPING)
            and structure is not None
            and len(structure.logs)
        ):
            if self.structure_view is not None:
                self.structure_view.update(structure)
            self.structure_box.layout.display = ""
            self._waiting_note.layout.display = "none"
        self._refresh_controls()

    def _show_final(self, structure: AbstractStructure) -> None:
        entries = list(structure.logs)
        if not entries or structure.final_response is None:
            return
        final = (
            entries[-1]
            if structure.moderated
            else next(e for e in reversed(entries) if e["text"] == structure.final_response)
        )
        who = (
            f"Written by the moderator after reading {_all_answers(len(entries) - 1)}."
            if structure.moderated
            else f"No moderator: the last answer of the run, by {final['name']}."
        )
        with self.final_box.hold_sync():
            self.final_title.value = f'<div class="sdw-hint">{_escape(who)}</div>'
            self.final_view.reset([final], start=entries.index(final))  # numbered as in the run
            self.final_box.layout.display = ""

    def _show_history(self) -> None:
        """The earlier runs, newest first: structure, seed, answers and the final answer."""
        items = []
        for number, run in reversed(list(enumerate(self.history, start=1))):
            final = run.final_response or "(no final answer: the run did not finish)"
            items.append(
                f"<li><b>Run {number}</b> · {_escape(type(run).__name__)} · seed {run.last_seed} · "
                f"{plural(len(run.logs), 'answer')}<div class='sdw-history-final'>{_escape(final)}</div></li>"
            )
        self.history_list.value = f"<ol class='sdw-history-list'>{''.join(items)}</ol>"
        self.history_box.layout.display = ""

    # ------------------------------------------------------------------ state
    def _say(self, state: RunnerState, message: str) -> None:
        """The status line in the studio's words (the controls draw it with the state badge)."""
        with self.runner.hold_trait_notifications():
            self.runner.status = message
        if state == RunnerState.ERROR:
            self.status.add_class("sdw-error")
        else:
            self.status.remove_class("sdw-error")

    def _blocked(self) -> str:
        if self.runner.closed or self.state == RunnerState.CLOSED:
            return "The studio is closed"
        if not self.setup.check.ok:
            return "Fix the marked fields first"
        return ""

    def _refresh_controls(self) -> None:
        if not hasattr(self, "controls"):  # the set-up checks itself while the studio is being built
            return
        closed = self.runner.closed
        self.setup.lock(locked=self.running or closed)
        self.controls.refresh()
        if self.setup.check.ok and not closed and not self.running:
            set_note(self.setup_note, "")

    def _show_model(self) -> None:
        model = self._model
        if model is None:
            set_note(
                self.model_note, "Model: the offline demo model (SmolLM2-135M), loaded at the first Run."
            )
        else:
            set_note(self.model_note, f"Model: {model.name}")


def _all_answers(count: int) -> str:
    """Say how many answers the moderator read: the one answer, both answers, all 3 answers."""
    return {1: "the one answer", 2: "both answers"}.get(count, f"all {count} answers")


def _expected(structure: AbstractStructure) -> int:
    return structure.expected_calls() + (1 if structure.moderated else 0)


def _escape(value: str) -> str:
    return html.escape(value, quote=False)


def _dry_build(values: FormValues, check: FormCheck) -> str:
    """Build the structure on a stand-in model to catch what only the structures check; "" when fine."""
    stand_in = ScriptedModel(name="check")
    try:
        with warnings.catch_warnings(record=True):
            build_structure(values, check, lambda _name, _role: stand_in)
    except ConfigError as exc:
        return f"Set-up: {exc}"
    return ""


def _structure_view() -> Any:
    """The viewer's deliberation view (``widgets/insights.py``); None if it cannot be built."""
    try:
        from .insights import InsightsView

        return InsightsView()
    except Exception:  # an optional view must not take the studio down with it
        log.exception("syndisco deliberation studio: the structure view is unavailable")
        return None
