"""DeliberationSetup: the deliberation studio's set-up panel (structure, task, agents, arrows, settings).

Every input is checked as it is typed (:mod:`.deliberation_form`), and
problems show next to the field. The panel knows nothing of running: the
studio reads :attr:`DeliberationSetup.values` and :attr:`DeliberationSetup.check`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ._style import classed
from .deliberation_form import (
    STRUCTURE_HINTS,
    STRUCTURE_KINDS,
    AgentDraft,
    FormCheck,
    FormValues,
    StructureKind,
    chain_edges,
    check_form,
    rename_in_edges,
)
from .ui import button, note, set_note

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["AgentRow", "DeliberationSetup"]

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


def _title(label: str) -> widgets.HTML:
    return widgets.HTML(f'<span class="sdw-section-title">{html.escape(label)}</span>')


class AgentRow(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """One agent's fields: name, persona, optional system instructions, and a Remove button."""

    def __init__(self, draft: AgentDraft) -> None:
        self.name = classed(
            widgets.Text(
                value=draft.name,
                description="Name",
                placeholder="shown on its answers",
                layout=widgets.Layout(flex="1 1 auto", width="auto", min_width="0"),
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


class DeliberationSetup(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Structure, task, agents (with arrows for a Graph), cycles, moderator and seed, checked as typed.

    Args:
        structure: The structure picked first.
        task: The task every agent answers.
        drafts: The agents to start with.
        edges: A Graph's arrows (None: the agents in a row).
        cycles: Rounds through the agents.
        moderator: Whether a moderator writes the final answer.
        seed: The seed, or None for a new one each run.
        on_change: Called after every check (the studio refreshes its buttons).
    """

    def __init__(
        self,
        *,
        structure: StructureKind,
        task: str,
        drafts: Sequence[AgentDraft],
        edges: str | None,
        cycles: int,
        moderator: bool,
        seed: int | None,
        on_change: Callable[[], None],
    ) -> None:
        self._on_change = on_change
        self._ready = False
        self.check = FormCheck()
        self.agent_rows: list[AgentRow] = []
        self._make_structure_and_task(structure, task)
        self._make_agents(edges)
        self._make_settings(cycles, moderator, seed)
        super().__init__(
            [
                _title("Structure"),
                self.structure_picker,
                self.structure_hint,
                self.task,
                self.task_error,
                _title("Agents"),
                self.agents_box,
                self.agents_error,
                self.add_agent_button,
                self.edges_box,
                _title("Settings"),
                self.cycles,
                self.moderator,
                self.seed,
                self.seed_error,
            ]
        )
        for draft in drafts:
            self._add_row(draft)
        if edges is None and structure == "graph":
            self.edges.value = chain_edges([d.name for d in drafts])
        self._ready = True
        self._on_structure()

    # ---------------------------------------------------------------- building
    def _make_structure_and_task(self, structure: StructureKind, task: str) -> None:
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
        self.structure_picker.observe(self._on_structure, names="value")
        self.task.observe(self.validate, names="value")

    def _make_agents(self, edges: str | None) -> None:
        self.agents_box = widgets.VBox([])
        self.agents_error = note("sdw-field-error")
        self.add_agent_button = button("Add agent", "user-plus", "Add one more agent")
        self.add_agent_button.on_click(lambda _: self.add_agent())
        self.edges = _area(edges or "", "Arrows", "one per line: Nurse -> Farmer", rows=4)
        self.edges_error = note("sdw-field-error")
        self.edges_note = note("sdw-edges-order")
        hint = widgets.HTML(
            '<div class="sdw-hint sdw-wrap">One arrow per line, <code>A -&gt; B</code>: B reads '
            "A's answer. <code>A -&gt; B -&gt; C</code> is two arrows; <code>#</code> starts a comment.</div>"
        )
        self.edges_box = widgets.VBox([hint, self.edges, self.edges_error, self.edges_note])
        self.edges.observe(self.validate, names="value")

    def _make_settings(self, cycles: int, moderator: bool, seed: int | None) -> None:
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
        for widget in (self.cycles, self.moderator, self.seed):
            widget.observe(self.validate, names="value")

    # ------------------------------------------------------------------ agents
    def add_agent(self, name: str | None = None, persona: str = "", instructions: str = "") -> AgentRow:
        """Add an agent (a free name like ``"Agent 4"`` when none is given)."""
        taken = {row.name.value.strip() for row in self.agent_rows}
        if name is None:
            number = len(self.agent_rows) + 1
            while f"Agent {number}" in taken:
                number += 1
            name = f"Agent {number}"
        row = self._add_row(AgentDraft(name, persona, instructions))
        self.validate()
        return row

    def remove_agent(self, index: int) -> None:
        """Remove agent ``index`` (0-based)."""
        row = self.agent_rows.pop(index)
        self.agents_box.children = tuple(self.agent_rows)
        row.close()
        self.validate()

    def _add_row(self, draft: AgentDraft) -> AgentRow:
        row = AgentRow(draft)
        row.remove_button.on_click(lambda _: self._remove_row(row))
        row.name.observe(self._on_rename, names="value")
        for widget in row.inputs:
            widget.observe(self.validate, names="value")
        self.agent_rows.append(row)
        self.agents_box.children = tuple(self.agent_rows)
        return row

    def _remove_row(self, row: AgentRow) -> None:
        if row in self.agent_rows and not row.remove_button.disabled:
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

    def lock(self, *, locked: bool) -> None:
        """Make every field read-only while a run goes (or after close)."""
        inputs: list[widgets.Widget] = [
            self.structure_picker,
            self.task,
            self.cycles,
            self.moderator,
            self.seed,
            self.edges,
            self.add_agent_button,
        ]
        for row in self.agent_rows:
            inputs += [*row.inputs, row.remove_button]
        for widget in inputs:
            widget.disabled = locked

    # ------------------------------------------------------------- validation
    def _on_structure(self, *_: Any) -> None:
        kind: StructureKind = self.structure_picker.value
        self.structure_hint.value = f'<div class="sdw-hint">{html.escape(STRUCTURE_HINTS[kind])}</div>'
        graph = kind == "graph"
        if graph and not self.edges.value.strip():
            self.edges.value = chain_edges([row.name.value.strip() for row in self.agent_rows])
        self.edges_box.layout.display = "" if graph else "none"
        self.cycles.layout.display = "none" if graph else ""
        self.validate()

    def validate(self, *_: Any) -> FormValues:
        """Check the set-up and show each problem next to its field; returns the values checked."""
        values = self.values
        check = check_form(values)
        self.check = check
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
        if self._ready:
            self._on_change()
        return values
