"""DeliberationStudio: set up a Chain, Debate, Ensemble or Graph, run it, watch the answers arrive.

Layout: the set-up on the left (structure, task, agents, arrows for a Graph,
cycles, moderator, seed, Run and Stop); on the right the status and progress,
the answers as they are written, the final answer, and after the run the
structure drawn by the viewer (who read whom, each agent's answers a click away).

The run goes on a worker thread (:mod:`.deliberation_run`); buttons only set
events, and the worker only sets traits. Every input is checked as it is typed
(:mod:`.deliberation_form`), and problems show next to the field.
"""

from __future__ import annotations

import html
import logging
import threading
import time
import warnings
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..checks import instance_of, optional_seed, positive_whole_number, text
from ..errors import ConfigError
from ..models.base import BaseModel
from ..models.scripted import ScriptedModel
from ._style import classed, style_widget
from .controls import status_html
from .deliberation_form import (
    DEFAULT_AGENTS,
    DEFAULT_TASK,
    STRUCTURE_HINTS,
    STRUCTURE_KINDS,
    AgentDraft,
    AgentSpec,
    FormCheck,
    FormValues,
    StructureKind,
    build_structure,
    chain_edges,
    check_form,
    draft_of,
    rename_in_edges,
)
from .deliberation_run import (
    AnswerDone,
    AnswerStarted,
    AnswerText,
    DeliberationRun,
    RunEnded,
    RunEvent,
    RunStarted,
)
from .runner import RunnerState
from .traits import enum_trait
from .transcript import TranscriptView
from .ui import button, note, set_note
from .wording import elapsed, plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..deliberation import AbstractStructure, Agent

__all__ = ["AgentRow", "DeliberationStudio"]

log = logging.getLogger(__name__)
_LABEL_WIDTH = "7em"
MAX_CYCLES = 20


def _area(value: str, label: str, placeholder: str, rows: int = 2) -> widgets.Textarea:
    area = widgets.Textarea(
        value=value,
        description=label,
        placeholder=placeholder,
        rows=rows,
        layout=widgets.Layout(width="100%"),
    )
    area.style.description_width = _LABEL_WIDTH
    return classed(area, "sdw-field", "sdw-message-box")


class AgentRow(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """One agent's fields: name, persona, optional system instructions, and a Remove button."""

    def __init__(self, draft: AgentDraft) -> None:
        self.name = classed(
            widgets.Text(
                value=draft.name,
                description="Name",
                placeholder="shown on its answers",
                layout=widgets.Layout(flex="1 1 auto", width="auto"),
            ),
            "sdw-field",
        )
        self.name.style.description_width = _LABEL_WIDTH
        self.persona = _area(draft.persona, "Persona", "who this agent is, e.g. a retired teacher")
        self.instructions = _area(
            draft.instructions, "Instructions", "optional: extra system instructions, e.g. Be brief."
        )
        self.remove_button = button("Remove", "trash", "Remove this agent")
        self.remove_button.layout.flex = "0 0 auto"  # keeps its label; the name box gives way
        self.name.layout.min_width = "0"
        self.name_error = note("sdw-field-error", "sdw-name-error")
        self.persona_error = note("sdw-field-error", "sdw-persona-error")
        head = widgets.HBox([self.name, self.remove_button], layout=widgets.Layout(align_items="center"))
        super().__init__([head, self.name_error, self.persona, self.persona_error, self.instructions])
        classed(self, "sdw-panel", "sdw-agent-row")
        self.layout.margin = "0 0 6px 0"

    @property
    def draft(self) -> AgentDraft:
        """The agent as typed."""
        return AgentDraft(self.name.value, self.persona.value, self.instructions.value)

    @property
    def inputs(self) -> tuple[widgets.ValueWidget, ...]:
        """The editable fields."""
        return (self.name, self.persona, self.instructions)


class DeliberationStudio(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
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
        **kwargs: Passed on to the box.

    ``structure`` is the latest run's structure (with ``logs``,
    ``final_response``, ``to_dataframe()``), ``state`` a :class:`RunnerState`.
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
        **kwargs: Any,
    ) -> None:
        if model is not None and not isinstance(model, BaseModel):
            raise ConfigError(
                f"DeliberationStudio model must be a model (BaseModel) or None for the demo model, "
                f"got {type(model).__name__}"
            )
        if structure not in STRUCTURE_KINDS:
            raise ConfigError(
                f"DeliberationStudio structure must be one of {list(STRUCTURE_KINDS)}, got {structure!r}"
            )
        drafts = [draft_of(a) for a in (DEFAULT_AGENTS if agents is None else agents)]
        self._model = model
        self._run: DeliberationRun | None = None
        self._lock = threading.RLock()
        self._total = 0
        self._done_count = 0
        self._check = FormCheck()
        self.agent_rows: list[AgentRow] = []

        self._build_setup(
            structure,
            text("DeliberationStudio task", task),
            edges,
            positive_whole_number("DeliberationStudio cycles", cycles),
            instance_of("DeliberationStudio moderator", moderator, bool, "True or False"),
            optional_seed("DeliberationStudio seed", seed),
        )
        for draft in drafts:
            self._add_row(draft)
        if edges is None and structure == "graph":
            self.edges.value = chain_edges([d.name for d in drafts])
        self._build_stage()
        super().__init__(
            [style_widget(), classed(widgets.HBox([self.sidebar, self.stage]), "sdw-row", "sdw-studio-row")],
            **kwargs,
        )
        classed(self, "sdw-app", "sdw-deliberation-studio")
        self._on_structure()
        self._set_state(RunnerState.IDLE, "Set up the structure, then press Run.")

    # ---------------------------------------------------------------- building
    def _build_setup(
        self,
        structure: StructureKind,
        task: str,
        edges: str | None,
        cycles: int,
        moderator: bool,
        seed: int | None,
    ) -> None:
        self.structure_picker = classed(
            widgets.ToggleButtons(
                options=[(kind.capitalize(), kind) for kind in STRUCTURE_KINDS],
                value=structure,
                tooltips=[STRUCTURE_HINTS[kind] for kind in STRUCTURE_KINDS],
                style={"button_width": "auto"},
            ),
            "sdw-structure-picker",
        )
        self.structure_hint = classed(widgets.HTML(""), "sdw-hint", "sdw-wrap")
        self.task = _area(task, "Task", "the question every agent answers", rows=3)
        self.task_error = note("sdw-field-error")
        self.agents_box = widgets.VBox([])
        self.agents_error = note("sdw-field-error")
        self.add_agent_button = button("Add agent", "user-plus", "Add one more agent")
        self.add_agent_button.on_click(lambda _: self.add_agent())
        self.edges = _area(edges or "", "Arrows", "one per line: Nurse -> Farmer", rows=4)
        self.edges_error = note("sdw-field-error")
        self.edges_note = note("sdw-edges-order")
        self.edges_box = widgets.VBox(
            [
                widgets.HTML(
                    '<div class="sdw-hint sdw-wrap">One arrow per line, <code>A -&gt; B</code>: B reads '
                    "A's answer. <code>A -&gt; B -&gt; C</code> is two arrows; <code>#</code> starts a "
                    "comment.</div>"
                ),
                self.edges,
                self.edges_error,
                self.edges_note,
            ]
        )
        self.cycles = widgets.BoundedIntText(value=cycles, min=1, max=MAX_CYCLES, description="Cycles")
        self.cycles.style.description_width = _LABEL_WIDTH
        self.cycles.layout.width = "14em"
        self.moderator = widgets.Checkbox(
            value=moderator, description="A moderator writes the final answer", indent=False
        )
        self.seed = classed(
            widgets.Text(
                value="" if seed is None else str(seed),
                description="Seed",
                placeholder="empty: a new one each run",
                layout=widgets.Layout(width="24em", max_width="100%"),
            ),
            "sdw-field",
        )
        self.seed.style.description_width = _LABEL_WIDTH
        self.seed_error = note("sdw-field-error")
        self.run_button = button("Run", "play", "Run the structure from scratch", style="success")
        self.stop_button = button(
            "Stop", "stop", "Stop now; the unfinished answer is discarded", style="danger"
        )
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop())
        self.setup_note = note("sdw-setup-status")

        self.structure_picker.observe(self._on_structure, names="value")
        for widget in (self.task, self.edges, self.cycles, self.moderator, self.seed):
            widget.observe(self._validate, names="value")

        def title(label: str) -> widgets.HTML:
            return widgets.HTML(f'<span class="sdw-section-title">{label}</span>')

        self.sidebar = classed(
            widgets.VBox(
                [
                    title("Structure"),
                    self.structure_picker,
                    self.structure_hint,
                    self.task,
                    self.task_error,
                    title("Agents"),
                    self.agents_box,
                    self.agents_error,
                    self.add_agent_button,
                    self.edges_box,
                    title("Settings"),
                    self.cycles,
                    self.moderator,
                    self.seed,
                    self.seed_error,
                    classed(widgets.HBox([self.run_button, self.stop_button]), "sdw-buttons"),
                    self.setup_note,
                ],
                layout=widgets.Layout(flex="0 1 380px", min_width="300px"),
            ),
            "sdw-deliberation-setup",  # not sdw-setup: taller than a screen, so not sticky
        )

    def _build_stage(self) -> None:
        self.model_note = note("sdw-model-note")
        self.status = classed(widgets.HTML(), "sdw-status")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="200px"))
        self.progress_text = classed(widgets.HTML(""), "sdw-progress-text")
        self.progress_box = classed(
            widgets.HBox([self.progress, self.progress_text], layout=widgets.Layout(display="none")),
            "sdw-progress",
        )
        self.transcript = classed(TranscriptView(branchable=False), "sdw-live-answers")
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
        self.structure_view = _structure_view()
        shown: list[widgets.Widget] = [self.structure_view] if self.structure_view is not None else []
        self.structure_box = widgets.VBox(
            [widgets.HTML('<span class="sdw-section-title">Who read whom</span>'), *shown],
            layout=widgets.Layout(display="none"),
        )
        self.stage = classed(
            widgets.VBox(
                [
                    self.model_note,
                    self.status,
                    self.progress_box,
                    widgets.HTML('<span class="sdw-section-title">Answers</span>'),
                    self.transcript,
                    self.final_box,
                    self.structure_box,
                ],
                layout=widgets.Layout(flex="1 1 420px", min_width="0"),
            ),
            "sdw-stage",
        )
        self._show_model()

    # ------------------------------------------------------------------ agents
    def add_agent(self, name: str | None = None, persona: str = "", instructions: str = "") -> AgentRow:
        """Add an agent to the form (a free name like ``"Agent 4"`` when none is given)."""
        taken = {row.name.value.strip() for row in self.agent_rows}
        if name is None:
            number = len(self.agent_rows) + 1
            while f"Agent {number}" in taken:
                number += 1
            name = f"Agent {number}"
        row = self._add_row(AgentDraft(name, persona, instructions))
        self._validate()
        return row

    def remove_agent(self, index: int) -> None:
        """Remove agent ``index`` (0-based) from the form."""
        row = self.agent_rows.pop(index)
        self.agents_box.children = tuple(self.agent_rows)
        row.close()
        self._validate()

    def _add_row(self, draft: AgentDraft) -> AgentRow:
        row = AgentRow(draft)
        row.remove_button.on_click(lambda _: self._remove_row(row))
        row.name.observe(self._on_rename, names="value")
        for widget in row.inputs:
            widget.observe(self._validate, names="value")
        self.agent_rows.append(row)
        self.agents_box.children = tuple(self.agent_rows)
        return row

    def _remove_row(self, row: AgentRow) -> None:
        if row in self.agent_rows and not self.running:
            self.remove_agent(self.agent_rows.index(row))

    def _on_rename(self, change: dict[str, Any]) -> None:
        # Arrows follow a renamed agent, so renaming never breaks the graph.
        renamed = rename_in_edges(self.edges.value, str(change["old"]), str(change["new"]))
        if renamed != self.edges.value:
            self.edges.value = renamed

    # ----------------------------------------------------------------- reading
    @property
    def values(self) -> FormValues:
        """The set-up as typed."""
        return FormValues(
            structure=self.structure_picker.value,
            task=self.task.value,
            agents=tuple(row.draft for row in self.agent_rows),
            edges=self.edges.value,
            cycles=int(self.cycles.value),
            moderator=bool(self.moderator.value),
            seed=self.seed.value,
        )

    @property
    def errors(self) -> dict[str, str]:
        """The set-up's current problems, per field (empty when it can run)."""
        return dict(self._check.errors)

    @property
    def running(self) -> bool:
        """True while a run is going (or stopping)."""
        return self.state in (RunnerState.RUNNING, RunnerState.STOPPING)

    @property
    def structure(self) -> AbstractStructure | None:
        """The structure of the latest run (None before the first)."""
        run = self._run
        return run.structure if run is not None else None

    @property
    def final_response(self) -> str | None:
        """The final answer of the latest finished run."""
        found = self.structure
        return found.final_response if found is not None else None

    # ----------------------------------------------------------------- running
    def run(self) -> bool:
        """Start a fresh run; False (and an inline message) if the set-up has problems or a run is going."""
        if self.state == RunnerState.CLOSED:
            set_note(self.setup_note, "The studio is closed; make a new one to run again.", "error")
            return False
        if self.running:
            set_note(self.setup_note, "A run is going; press Stop first.", "warn")
            return False
        values = self._validate()
        if not self._check.ok:
            set_note(self.setup_note, "Fix the marked fields first.", "error")
            return False
        check = self._check
        problem = _dry_build(values, check)
        if problem:
            set_note(self.setup_note, problem, "error")
            return False
        set_note(self.setup_note, "")
        run = DeliberationRun(
            lambda model_for: build_structure(values, check, model_for), self._load_model, self._on_event
        )
        with self._lock:
            self._run = run
            self._total = 0
            self._done_count = 0
        self._clear_stage()
        loading = "Loading the model" if self._model is None else "Starting"
        self._set_state(RunnerState.RUNNING, f"{loading}…")
        run.start()
        threading.Thread(
            target=self._tick, args=(run,), name="syndisco-deliberation-clock", daemon=True
        ).start()
        return True

    def stop(self) -> None:
        """Stop the run; the answer being written is discarded."""
        run = self._run
        if run is not None and not run.done and self.state == RunnerState.RUNNING:
            run.stop()
            self._set_state(RunnerState.STOPPING, "Stopping…")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run is over (True) or ``timeout`` seconds passed (False).

        For "Run All" notebooks; Kernel ▸ Interrupt stops the run.
        """
        run = self._run
        return True if run is None else run.wait(timeout)

    def close(self) -> None:
        """Stop any run and close the studio; it then says it is closed."""
        if not hasattr(self, "stage"):  # the constructor refused its arguments
            super().close()
            return
        run = self._run
        if run is not None and not run.done:
            run.stop()
            run.wait(5.0)
        self._set_state(RunnerState.CLOSED, "Closed.")
        for widget in (self.transcript, self.final_view, self.structure_view):
            if widget is not None:
                widget.close()
        super().close()

    def _load_model(self) -> BaseModel:
        if self._model is None:
            from ..models import demo_model  # torch and transformers load only now

            self._model = demo_model()
            self._show_model()
        return self._model

    # ------------------------------------------------------- events (worker thread)
    def _on_event(self, event: RunEvent) -> None:
        if isinstance(event, AnswerText):
            self.transcript.stream_text(event.text)
        elif isinstance(event, AnswerStarted):
            self.transcript.stream_start(event.name, event.role)
        elif isinstance(event, AnswerDone):
            self.transcript.stream_end(event.entry)
            with self._lock:
                self._done_count = event.done
            self._show_progress()
        elif isinstance(event, RunStarted):
            with self._lock:
                self._total = event.total
            self._set_state(RunnerState.RUNNING, f"Running: {plural(event.total, 'answer')} to write.")
            self._show_progress()
        else:
            self._finish(event)

    def _finish(self, event: RunEnded) -> None:
        self.transcript.stream_end()
        structure = self.structure
        done, total = self._done_count, self._total
        took = elapsed(event.seconds)
        if event.outcome == "finished" and structure is not None:
            seed = f" Seed {structure.last_seed}: type it into Seed to repeat this run."
            self._set_state(RunnerState.FINISHED, f"Finished: {plural(done, 'answer')} in {took}.{seed}")
            self._show_final(structure)
        elif event.outcome == "stopped":
            self._set_state(
                RunnerState.IDLE,
                f"Stopped after {done} of {plural(total, 'answer')} ({took}); the unfinished answer was "
                "discarded. Press Run to start again.",
            )
        else:
            self._set_state(RunnerState.ERROR, f"The run failed: {event.message}")
        if structure is not None and len(structure.logs) and self.structure_view is not None:
            self.structure_view.update(structure)
            self.structure_box.layout.display = ""
        self.progress_box.layout.display = "none"

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
            f"Written by the moderator after reading all {plural(len(entries) - 1, 'answer')}."
            if structure.moderated
            else f"No moderator: the last answer of the run, by {final['name']}."
        )
        with self.final_box.hold_sync():
            self.final_title.value = f'<div class="sdw-hint">{_escape(who)}</div>'
            self.final_view.reset([final], start=entries.index(final))  # numbered as in the run
            self.final_box.layout.display = ""

    def _tick(self, run: DeliberationRun) -> None:
        # Elapsed time moves on even while one long answer is being written.
        while not run.wait(1.0):
            self._show_progress()

    def _show_progress(self) -> None:
        run = self._run
        if run is None:
            return
        with self._lock:
            done, total = self._done_count, self._total
        took = elapsed(time.monotonic() - run.started)
        text_ = (
            f"{done} of {plural(total, 'answer')} done · {took}" if total else f"Loading the model · {took}"
        )
        with self.progress.hold_sync():
            self.progress.max = max(1, total)
            self.progress.value = min(done, max(1, total))
        self.progress_text.value = _escape(text_)
        self.progress_box.layout.display = "" if not run.done else "none"

    # ------------------------------------------------------------------ state
    def _set_state(self, state: RunnerState, message: str) -> None:
        with self.hold_sync():
            self.state = state
            self.status.value = status_html(state, message)
            if state == RunnerState.ERROR:
                self.status.add_class("sdw-error")
            else:
                self.status.remove_class("sdw-error")
        self._refresh_controls()

    def _refresh_controls(self) -> None:
        closed = self.state == RunnerState.CLOSED
        locked = self.running or closed
        inputs: list[widgets.Widget] = [
            self.structure_picker,
            self.task,
            self.cycles,
            self.moderator,
            self.seed,
        ]
        inputs += [self.edges, self.add_agent_button]
        for row in self.agent_rows:
            inputs += [*row.inputs, row.remove_button]
        for widget in inputs:
            widget.disabled = locked
        reason = (
            "The studio is closed"
            if closed
            else "A run is going; press Stop first"
            if self.running
            else "Fix the marked fields first"
            if not self._check.ok
            else ""
        )
        self.run_button.disabled = bool(reason)
        self.run_button.tooltip = reason or "Run the structure from scratch"
        can_stop = self.state == RunnerState.RUNNING
        self.stop_button.disabled = not can_stop
        self.stop_button.tooltip = (
            "Stop now; the unfinished answer is discarded" if can_stop else "Nothing is running"
        )

    def _clear_stage(self) -> None:
        self.transcript.reset([])
        self.final_view.reset([])
        self.final_box.layout.display = "none"
        self.structure_box.layout.display = "none"
        with self.progress.hold_sync():
            self.progress.value = 0
            self.progress.max = 1
        self.progress_text.value = ""
        self.progress_box.layout.display = ""

    def _show_model(self) -> None:
        model = self._model
        if model is None:
            set_note(
                self.model_note, "Model: the offline demo model (SmolLM2-135M), loaded at the first Run."
            )
        else:
            set_note(self.model_note, f"Model: {model.name}")

    # ------------------------------------------------------------- validation
    def _on_structure(self, *_: Any) -> None:
        kind: StructureKind = self.structure_picker.value
        self.structure_hint.value = f'<div class="sdw-hint">{_escape(STRUCTURE_HINTS[kind])}</div>'
        graph = kind == "graph"
        if graph and not self.edges.value.strip():
            self.edges.value = chain_edges([row.name.value.strip() for row in self.agent_rows])
        self.edges_box.layout.display = "" if graph else "none"
        self.cycles.layout.display = "none" if graph else ""
        self._validate()

    def _validate(self, *_: Any) -> FormValues:
        values = self.values
        check = check_form(values)
        self._check = check
        errors = check.errors
        set_note(self.task_error, errors.get("task", ""), "error")
        set_note(self.agents_error, errors.get("agents", ""), "error")
        set_note(self.seed_error, errors.get("seed", "") or errors.get("cycles", ""), "error")
        for i, row in enumerate(self.agent_rows):
            set_note(row.name_error, errors.get(f"agent{i}.name", ""), "error")
            set_note(row.persona_error, errors.get(f"agent{i}.persona", ""), "error")
        set_note(self.edges_error, errors.get("edges", ""), "error")
        order = check.edges.order
        set_note(self.edges_note, f"Order: {', '.join(order)}" if order and not errors else "", "info")
        if check.ok and self.state != RunnerState.CLOSED and not self.running:
            set_note(self.setup_note, "")
        if hasattr(self, "status"):  # not while the set-up is being built
            self._refresh_controls()
        return values


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
