"""PersonaEditor: edit a list of personas in a form, load and save them as JSON.

What the user types is kept as raw text in a *draft* per persona, so invalid
input is never lost: it stays in the form with a message next to the field,
and ``value`` keeps the last valid version of that persona until it is fixed.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from ..engine import Persona, load_personas, save_personas
from ..errors import PersonaError
from ..wording import plural
from ._style import classed, style_widget
from .persona_form import (
    SHORT_LABELS,
    Draft,
    FieldSpec,
    check_drafts,
    draft_of,
    free_name,
    personas_from_upload,
    specs_of,
)
from .ui import button, note, set_note, text_box

__all__ = ["PersonaEditor"]

_LABEL_WIDTH = "11em"
_LONG_TEXT = {"special_instructions"}
_LIST_ROWS = 5  # one line per item: the usual four traits and room for one more


class PersonaEditor(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """A list of personas with a form for the selected one.

    Args:
        personas: Initial personas (Persona objects or dicts of fields).
        persona_class: A :class:`Persona` subclass whose extra dataclass fields
            should get form fields too.

    ``value`` (a traitlet) is the list of :class:`Persona` objects; set it from
    code and the form follows, edit the form and it follows. While a field is
    invalid the message shows next to it and ``value`` keeps that persona's
    last valid version; ``valid`` and ``errors`` tell whether that is the case.
    """

    value = traitlets.List(trait=traitlets.Instance(Persona))

    def __init__(self, personas: Any = (), *, persona_class: type[Persona] = Persona, **kwargs: Any) -> None:
        self.persona_class = persona_class
        self._specs = specs_of(persona_class)
        self._drafts: list[Draft] = []
        self._current = -1
        self._quiet = False  # True while the form is filled from code

        side = self._make_list()
        self.form = self._make_form()
        files = self._make_files()
        super().__init__(
            [
                style_widget(),
                widgets.HBox([side, self.form], layout=widgets.Layout(flex_flow="row wrap")),
                files,
                self.file_status,
                self.summary,
            ],
            **kwargs,
        )
        classed(self, "sdw-persona-editor", "sdw-panel")
        self.observe(self._on_value, names="value")
        self.value = [self._as_persona(p, i) for i, p in enumerate(personas)]
        if not self._drafts:  # value == [] fires no change: show an empty editor
            self._rebuild_from(self.value)

    # ---------------------------------------------------------------- building
    def _make_list(self) -> widgets.VBox:
        """The list of personas and the buttons that change it."""
        # width auto, not 100%: the select's own margin would push it past the column's edge.
        self.list = widgets.Select(options=[], rows=8, layout=widgets.Layout(width="auto"))
        self.list.observe(self._on_select, names="index")
        self.add_button = button("Add", "plus", "Add a new persona")
        self.duplicate_button = button("Duplicate", "copy", "Copy the selected persona")
        self.delete_button = button("Delete", "trash", "Delete the selected persona")
        self.up_button = button("Up", "arrow-up", "Move the selected persona up")
        self.down_button = button("Down", "arrow-down", "Move the selected persona down")
        self.add_button.on_click(lambda _: self.add())
        self.duplicate_button.on_click(lambda _: self.duplicate())
        self.delete_button.on_click(lambda _: self.delete())
        self.up_button.on_click(lambda _: self.move(-1))
        self.down_button.on_click(lambda _: self.move(+1))
        return widgets.VBox(
            [
                self.list,
                widgets.HBox(
                    [self.add_button, self.duplicate_button, self.delete_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox([self.up_button, self.down_button]),
            ],
            layout=widgets.Layout(width="260px", min_width="200px"),
        )

    def _make_form(self) -> widgets.VBox:
        """One widget and one error note per persona field."""
        self.fields: dict[str, widgets.ValueWidget] = {}
        self.field_errors: dict[str, widgets.Label] = {}
        rows = []
        for spec in self._specs:
            error = note("sdw-field-error")
            self.field_errors[spec.name] = error
            if spec.kind == "dict":
                rows.append(self._build_extra(error))
                continue
            self.fields[spec.name] = box = self._field_widget(spec)
            box.observe(lambda change, name=spec.name: self._on_edit(name, change["new"]), names="value")
            rows.append(
                classed(
                    widgets.HBox(
                        [box, error], layout=widgets.Layout(flex_flow="row wrap", align_items="center")
                    ),
                    "sdw-field",
                )
            )
        return classed(widgets.VBox(rows, layout=widgets.Layout(flex="1 1 auto")), "sdw-persona-form")

    def _make_files(self) -> widgets.HBox:
        """Load, save and upload a personas file."""
        self.path = text_box("JSON file", "", "personas.json", width="320px", label_width="6em")
        self.load_button = button("Load", "folder-open", "Replace the list with the personas in this file")
        self.save_button = button("Save", "save", "Save all personas to this file")
        self.upload = widgets.FileUpload(accept=".json", multiple=False, description="Upload")
        self.load_button.on_click(lambda _: self.load())
        self.save_button.on_click(lambda _: self.save())
        self.upload.observe(self._on_upload, names="value")
        self.file_status = note("sdw-file-status")
        self.summary = classed(widgets.HTML(""), "sdw-hint")
        return widgets.HBox(
            [self.path, self.load_button, self.save_button, self.upload],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )

    # ------------------------------------------------------------------ public
    @property
    def valid(self) -> bool:
        """True when no persona in the list has an error."""
        return not any(d.errors for d in self._drafts)

    @property
    def errors(self) -> dict[int, dict[str, str]]:
        """``{persona index: {field: message}}`` for every persona with errors."""
        return {i: dict(d.errors) for i, d in enumerate(self._drafts) if d.errors}

    @property
    def selected(self) -> int:
        """Index of the persona shown in the form (-1 when the list is empty)."""
        return self._current

    def select(self, index: int) -> None:
        """Show persona ``index`` in the form."""
        if 0 <= index < len(self._drafts):
            self.list.index = index

    def add(self, persona: Persona | None = None) -> None:
        """Append a persona (a blank one with a fresh username by default) and select it."""
        persona = persona or self.persona_class(username=free_name(self._drafts, "user"))
        self._drafts.append(draft_of(persona, self._specs))
        self._changed(select=len(self._drafts) - 1)

    def duplicate(self) -> None:
        """Copy the selected persona, exactly as typed, under a new username."""
        if self._current < 0:
            return
        source = self._drafts[self._current]
        copy = source.copy()
        copy.raw["username"] = free_name(self._drafts, source.username or "user", "_copy")
        self._drafts.insert(self._current + 1, copy)
        self._changed(select=self._current + 1)

    def delete(self) -> None:
        """Remove the selected persona."""
        if self._current < 0:
            return
        del self._drafts[self._current]
        self._changed(select=min(self._current, len(self._drafts) - 1))

    def move(self, offset: int) -> None:
        """Move the selected persona up (-1) or down (+1)."""
        i, j = self._current, self._current + offset
        if i < 0 or not 0 <= j < len(self._drafts):
            return
        self._drafts[i], self._drafts[j] = self._drafts[j], self._drafts[i]
        self._changed(select=j)

    def load(self, path: str | Path | None = None) -> bool:
        """Replace the list with the personas in a JSON file; False (message shown) on error."""
        text = str(path) if path is not None else self.path.value.strip()
        if not text:
            set_note(self.file_status, "JSON file: type the path of a persona file first.", "error")
            return False
        try:
            personas = load_personas(Path(text), persona_class=self.persona_class)
        except PersonaError as exc:
            set_note(self.file_status, f"JSON file: {exc}", "error")
            return False
        self.value = personas
        set_note(self.file_status, f"Loaded {plural(len(personas), 'persona')} from {text}.", "ok")
        return True

    def save(self, path: str | Path | None = None) -> Path | None:
        """Save all personas as JSON; refuses (message shown) while any field is invalid."""
        if not self.valid:
            set_note(self.file_status, "Not saved: fix the fields marked in red first.", "error")
            return None
        text = str(path) if path is not None else self.path.value.strip()
        if not text:
            set_note(self.file_status, "JSON file: type where to save the personas first.", "error")
            return None
        try:
            written = save_personas(self.value, Path(text))
        except (OSError, PersonaError) as exc:
            set_note(self.file_status, f"JSON file: could not save to {text}: {exc}", "error")
            return None
        set_note(self.file_status, f"Saved {plural(len(self.value), 'persona')} to {written}.", "ok")
        return written

    # ------------------------------------------------------------ form set-up
    def _field_widget(self, spec: FieldSpec) -> widgets.ValueWidget:
        layout = widgets.Layout(width="100%", max_width="460px", flex="1 1 260px")
        if spec.kind == "list":
            box = widgets.Textarea(
                description=spec.label, placeholder="one per line", rows=_LIST_ROWS, layout=layout
            )
        elif spec.name in _LONG_TEXT:
            box = widgets.Textarea(description=spec.label, rows=2, layout=layout)
        elif spec.kind == "int":
            box = widgets.Text(
                description=spec.label,
                placeholder="a whole number, e.g. 38" + (" (or empty)" if spec.optional else ""),
                layout=layout,
            )
        elif spec.kind == "json":
            box = widgets.Text(description=spec.label, placeholder="JSON value", layout=layout)
        else:
            box = widgets.Text(description=spec.label, layout=layout)
        box.style.description_width = _LABEL_WIDTH
        if spec.name in SHORT_LABELS:
            box.tooltip = spec.name
        return box

    def _build_extra(self, error: widgets.HTML) -> widgets.Widget:
        self.extra_rows = widgets.VBox([])
        self.add_attribute_button = widgets.Button(
            description="Add attribute", icon="plus", layout=widgets.Layout(width="auto")
        )
        self.add_attribute_button.on_click(lambda _: self._add_extra_row())
        title = widgets.HTML(
            '<span class="sdw-section-title">Extra attributes</span> '
            '<span class="sdw-hint">(key and value; values like 42 or true are typed)</span>'
        )
        return classed(
            widgets.VBox([widgets.HBox([title, error]), self.extra_rows, self.add_attribute_button]),
            "sdw-extra",
        )

    # ------------------------------------------------------ drafts and values
    def _as_persona(self, item: Any, index: int) -> Persona:
        if isinstance(item, Persona):
            return item
        return self.persona_class.from_dict(item, where=f"persona {index}")

    def _validate_all(self) -> None:
        check_drafts(self._drafts, self._specs, self.persona_class)

    # -------------------------------------------------------------- refreshing
    def _changed(self, select: int | None = None) -> None:
        """After any edit: validate, refresh the list and form, publish ``value``."""
        self._validate_all()
        if select is not None:
            self._current = select
        self._refresh_list()
        if select is not None:
            self._fill_form()
        self._show_errors()
        self._publish()

    def _publish(self) -> None:
        personas = [d.persona for d in self._drafts if d.persona is not None]
        self._quiet = True
        try:
            self.value = personas
        finally:
            self._quiet = False
        bad = [d.username or f"#{i + 1}" for i, d in enumerate(self._drafts) if d.errors]
        count = plural(len(self._drafts), "persona")
        self.summary.value = html.escape(f"{count}; fix: {', '.join(bad)}" if bad else count)

    def _refresh_list(self) -> None:
        options = [
            (f"{i + 1}. {d.raw.get('username', '').strip() or '(no username)'}{'  ⚠' if d.errors else ''}", i)
            for i, d in enumerate(self._drafts)
        ]
        self._quiet = True
        try:
            self.list.options = options
            self.list.index = self._current if self._drafts else None
        finally:
            self._quiet = False
        has = self._current >= 0
        self.duplicate_button.disabled = self.delete_button.disabled = not has
        self.up_button.disabled = not has or self._current == 0
        self.down_button.disabled = not has or self._current == len(self._drafts) - 1

    def _fill_form(self) -> None:
        """Show the selected draft's raw text (no validation is triggered)."""
        draft = self._drafts[self._current] if self._current >= 0 else None
        self._quiet = True
        try:
            for name, box in self.fields.items():
                box.value = draft.raw.get(name, "") if draft else ""
                box.disabled = draft is None
            self._render_extra_rows()
        finally:
            self._quiet = False

    def _show_errors(self) -> None:
        errors = self._drafts[self._current].errors if self._current >= 0 else {}
        for name, label in self.field_errors.items():
            message = errors.get(name, "")
            set_note(label, f"{_label_of(self._specs, name)}: {message}" if message else "", "error")

    def _render_extra_rows(self) -> None:
        if not hasattr(self, "extra_rows"):
            return
        draft = self._drafts[self._current] if self._current >= 0 else None
        rows = []
        for i, (key, text) in enumerate(draft.extra if draft else []):
            key_box = widgets.Text(value=key, placeholder="key", layout=widgets.Layout(width="150px"))
            value_box = widgets.Text(value=text, placeholder="value", layout=widgets.Layout(flex="1 1 auto"))
            remove = widgets.Button(
                icon="times", tooltip="Remove this attribute", layout=widgets.Layout(width="36px")
            )
            key_box.observe(lambda c, i=i: self._on_extra_edit(i, 0, c["new"]), names="value")
            value_box.observe(lambda c, i=i: self._on_extra_edit(i, 1, c["new"]), names="value")
            remove.on_click(lambda _, i=i: self._remove_extra_row(i))
            rows.append(classed(widgets.HBox([key_box, value_box, remove]), "sdw-extra-row"))
        self.extra_rows.children = rows
        self.add_attribute_button.disabled = draft is None

    # ------------------------------------------------------------------ events
    def _on_value(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._rebuild_from(change["new"])

    def _rebuild_from(self, personas: list[Persona]) -> None:
        keep = self._current
        self._drafts = [draft_of(p, self._specs) for p in personas]
        self._changed(select=min(max(keep, 0), len(self._drafts) - 1))

    def _on_select(self, change: dict[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        self._current = change["new"]
        self._fill_form()
        self._show_errors()

    def _on_edit(self, name: str, text: str) -> None:
        if self._quiet or self._current < 0:
            return
        self._drafts[self._current].raw[name] = text
        self._changed()

    def _on_extra_edit(self, row: int, column: int, text: str) -> None:
        if self._quiet or self._current < 0:
            return
        self._drafts[self._current].extra[row][column] = text
        self._changed()

    def _add_extra_row(self) -> None:
        if self._current >= 0:
            self._drafts[self._current].extra.append(["", ""])
            self._render_extra_rows()

    def _remove_extra_row(self, row: int) -> None:
        if self._current >= 0:
            del self._drafts[self._current].extra[row]
            self._render_extra_rows()
            self._changed()

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        name = str(upload.get("name", "upload"))
        try:
            personas = personas_from_upload(name, bytes(upload["content"]), self.persona_class)
        except PersonaError as exc:
            set_note(self.file_status, f"Upload: {exc}", "error")
        else:
            self.value = personas
            set_note(self.file_status, f"Loaded {plural(len(personas), 'persona')} from {name}.", "ok")
        finally:
            self.upload.value = ()


def _label_of(specs: list[FieldSpec], name: str) -> str:
    return next((s.label for s in specs if s.name == name), name)
