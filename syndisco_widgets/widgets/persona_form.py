"""The persona form's logic, apart from any widget: field kinds, drafts, parsing and checks.

What a person types is kept as raw text in a :class:`Draft` per persona, so
invalid input is never lost; :func:`check_drafts` turns drafts into
personas and per-field messages. Tested without ipywidgets.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from ..engine.persona import FieldKind, field_kind
from ..engine.storage import parse_json
from ..errors import PersonaError

if typing.TYPE_CHECKING:
    from ..engine import Persona

__all__ = [
    "Draft",
    "FieldKind",
    "FieldSpec",
    "check_drafts",
    "draft_of",
    "free_name",
    "personas_from_upload",
    "specs_of",
]

# How each FieldKind is edited: text, a whole number, one item per line, key/value rows, or JSON.
#: Labels that would not fit the form's label column (the field name is the tooltip).
SHORT_LABELS = {"personality_characteristics": "Personality traits"}
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class FieldSpec:
    """How one persona field is edited."""

    name: str
    kind: FieldKind
    optional: bool = False

    @property
    def label(self) -> str:
        """The label people see."""
        return SHORT_LABELS.get(self.name) or self.name.replace("_", " ").capitalize()


@dataclass
class Draft:
    """The raw form text of one persona, plus its last valid build and current errors."""

    raw: dict[str, str]
    extra: list[list[str]]
    persona: Persona | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Draft:
        """An independent copy (same text, same last valid persona)."""
        return Draft(dict(self.raw), [list(row) for row in self.extra], self.persona)

    @property
    def username(self) -> str:
        """The typed username, stripped."""
        return self.raw.get("username", "").strip()


def specs_of(persona_class: type[Persona]) -> list[FieldSpec]:
    """One :class:`FieldSpec` per dataclass field of ``persona_class``, by the engine's :func:`field_kind`."""
    hints = typing.get_type_hints(persona_class)
    return [FieldSpec(f.name, *field_kind(hints[f.name])) for f in dataclasses.fields(persona_class)]


def show_value(value: object) -> str:
    """An extra attribute's value as typed text: plain strings stay plain."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value  # e.g. "nurse": cannot be mistaken for another JSON value
    return json.dumps(value, ensure_ascii=False)


def parse_value(text: str) -> Any:
    """Typed extra-attribute text: JSON if it parses (42, true, [..]), else the string."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def draft_of(persona: Persona, specs: list[FieldSpec]) -> Draft:
    """The form text that shows ``persona``."""
    raw: dict[str, str] = {}
    extra: list[list[str]] = []
    for spec in specs:
        value = getattr(persona, spec.name)
        if spec.kind == "dict":
            extra = [[k, show_value(v)] for k, v in value.items()]
        elif spec.kind == "int":
            raw[spec.name] = "" if value is None else str(value)
        elif spec.kind == "list":
            raw[spec.name] = "\n".join(value)
        elif spec.kind == "json":
            raw[spec.name] = json.dumps(value, ensure_ascii=False)
        else:
            raw[spec.name] = value
    return Draft(raw, extra, persona)


def free_name(drafts: list[Draft], base: str, suffix: str = "") -> str:
    """A username no draft uses yet: ``user3``, or ``Ann_copy``, ``Ann_copy2``..."""
    taken = {d.username for d in drafts}
    n = 1
    name = f"{base}{suffix}" if suffix else f"{base}{len(drafts) + 1}"
    while name in taken:
        n += 1
        name = f"{base}{suffix}{n}"
    return name


def _parse_int(spec: FieldSpec, text: str) -> tuple[int | None, str]:
    stripped = text.strip()
    if not stripped:
        return None, "" if spec.optional else "required: a whole number such as 38"
    if _WHOLE.fullmatch(stripped):
        try:
            return int(stripped), ""  # the persona then checks the range (an age from 0 to 150)
        except ValueError:  # more digits than Python turns into a number
            return None, f"must be a whole number such as 38, not {len(stripped)} digits long"
    return None, "must be a whole number such as 38" + (" or empty" if spec.optional else "")


def _parse_extra(rows: list[list[str]], known: set[str]) -> tuple[dict[str, Any], str]:
    out: dict[str, Any] = {}
    for key_text, text in rows:
        key = key_text.strip()
        if not key and not text.strip():
            continue  # an empty row is just not filled in yet
        if not key:
            return out, f"the value {text!r} needs a key"
        if key in out:
            return out, f"key {key!r} is used twice"
        if key in known:
            return out, f"{key!r} is a regular field; fill it in above"
        out[key] = parse_value(text)
    return out, ""


def parse_draft(draft: Draft, specs: list[FieldSpec]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed field values and per-field error messages of one draft."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = {s.name for s in specs}
    for spec in specs:
        text = draft.raw.get(spec.name, "")
        message = ""
        if spec.kind == "str":
            values[spec.name] = text
        elif spec.kind == "int":
            values[spec.name], message = _parse_int(spec, text)
        elif spec.kind == "list":
            values[spec.name] = [line.strip() for line in text.splitlines() if line.strip()]
        elif spec.kind == "json":
            try:
                values[spec.name] = parse_json(text, PersonaError, spec.label)
            except PersonaError as exc:
                message = str(exc).split(": ", 1)[-1]
        else:
            values[spec.name], message = _parse_extra(draft.extra, known)
        if message:
            errors[spec.name] = message
    return values, errors


def check_drafts(drafts: list[Draft], specs: list[FieldSpec], persona_class: type[Persona]) -> None:
    """Re-check every draft: set its ``errors`` and, when valid, its ``persona``.

    Usernames must be unique across the list.
    """
    names = [d.username for d in drafts]
    fields = {s.name for s in specs}
    for i, draft in enumerate(drafts):
        values, errors = parse_draft(draft, specs)
        name = names[i]
        if name and names.count(name) > 1:
            errors.setdefault("username", f"another persona is already called {name!r}")
        if not errors:
            try:
                draft.persona = persona_class(**values)
            except PersonaError as exc:
                found = re.search(r"field '(\w+)'", str(exc))
                where = found.group(1) if found and found.group(1) in fields else "username"
                errors[where] = str(exc).split(": ", 1)[-1]
        draft.errors = errors


def personas_from_upload(name: str, content: bytes, persona_class: type[Persona]) -> list[Persona]:
    """Personas from an uploaded file's bytes.

    Raises:
        PersonaError: not UTF-8, not JSON, too deeply nested, or not personas;
            the message names the file (and the item).
    """
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PersonaError(
            f"{name}: not UTF-8 text (byte {exc.start} is {content[exc.start : exc.start + 1]!r}); "
            "save the persona file as UTF-8"
        ) from None
    data = parse_json(text, PersonaError, name)
    items = data if isinstance(data, list) else [data]
    return [persona_class.from_dict(item, where=f"{name}, item {i}") for i, item in enumerate(items)]
