"""Personas: the attributes that define who an actor plays.

Add attributes either through ``extra={...}`` or by subclassing
:class:`Persona` as a dataclass with more fields.
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PersonaError
from .storage import atomic_write_text, read_json

# The order fields are written in (``str(persona)``, files); ``extra`` comes last.
_OUTPUT_ORDER = (
    "username",
    "age",
    "sex",
    "sexual_orientation",
    "demographic_group",
    "current_employment",
    "education_level",
    "special_instructions",
    "personality_characteristics",
)


@dataclass
class Persona:
    """Who an actor is. Only ``username`` is required.

    ``str(persona)`` is its JSON. Wrong types and unknown fields raise
    :class:`~syndisco_widgets.errors.PersonaError` naming the field.
    """

    username: str
    age: int | None = None
    sex: str = ""
    education_level: str = ""
    sexual_orientation: str = ""
    demographic_group: str = ""
    current_employment: str = ""
    special_instructions: str = ""
    personality_characteristics: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        who = f"persona {self.username!r}" if isinstance(self.username, str) else "persona"
        if not isinstance(self.username, str) or not self.username.strip():
            raise PersonaError(f"{who}: field 'username' must be a non-empty string, e.g. 'Emma35'")
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            setattr(self, f.name, _checked(who, f.name, hints[f.name], value))
        clashes = set(self.extra) & {f.name for f in dataclasses.fields(self)}
        if clashes:
            raise PersonaError(f"{who}: field 'extra' repeats {sorted(clashes)}; set those fields directly")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "") -> Persona:
        """Build a persona from a mapping; ``where`` prefixes error messages."""
        prefix = f"{where}: " if where else ""
        if not isinstance(data, Mapping):
            raise PersonaError(f"{prefix}expected a JSON object of persona fields, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PersonaError(
                f"{prefix}unknown field(s) {unknown}; known fields are {sorted(known)}. "
                "Put other attributes under 'extra' or subclass Persona."
            )
        if "username" not in data:
            raise PersonaError(f"{prefix}missing required field 'username'")
        try:
            return cls(**data)
        except PersonaError as exc:
            raise PersonaError(f"{prefix}{exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """Fields in output order; ``extra`` only when it is not empty."""
        names = [f.name for f in dataclasses.fields(self)]
        ordered = [n for n in _OUTPUT_ORDER if n in names] + [
            n for n in names if n not in _OUTPUT_ORDER and n != "extra"
        ]
        data = {n: _copy(getattr(self, n)) for n in ordered}
        if self.extra:
            data["extra"] = _copy(self.extra)
        return data

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        return self.to_json()

    @classmethod
    def from_json_file(cls, path: str | os.PathLike) -> Persona:
        """Load the single persona stored in a JSON file."""
        personas = load_personas(path, persona_class=cls)
        if len(personas) != 1:
            raise PersonaError(f"{path}: holds {len(personas)} personas; use load_personas() for a list")
        return personas[0]

    def to_json_file(self, path: str | os.PathLike) -> Path:
        """Save this persona as a JSON object."""
        return atomic_write_text(Path(path), self.to_json(indent=2) + "\n")


def load_personas(path: str | os.PathLike, persona_class: type[Persona] = Persona) -> list[Persona]:
    """Load a JSON file holding one persona object or a list of them.

    Errors name the file, the item and the field, so a long file is easy to fix.
    """
    path = Path(path)
    data = read_json(path, PersonaError, "persona file")
    items = data if isinstance(data, list) else [data]
    return [
        persona_class.from_dict(item, where=f"{path}, item {i}" if isinstance(data, list) else str(path))
        for i, item in enumerate(items)
    ]


def save_personas(personas: Iterable[Persona], path: str | os.PathLike) -> Path:
    """Save personas as a JSON list that :func:`load_personas` reads back."""
    data = [p.to_dict() for p in personas]
    return atomic_write_text(Path(path), json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _checked(who: str, name: str, hint: Any, value: Any) -> Any:
    """Check ``value`` against a simple type hint and return a clean copy."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is str:
        if not isinstance(value, str):
            raise PersonaError(f"{who}: field {name!r} must be a string, got {value!r}")
        return value
    if hint is int or (args and set(args) == {int, type(None)}):
        if value is None and type(None) in args:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PersonaError(f"{who}: field {name!r} must be a whole number such as 38, got {value!r}")
        return value
    if origin is list and args == (str,):
        if (
            isinstance(value, str)
            or not isinstance(value, (list, tuple))
            or not all(isinstance(v, str) for v in value)
        ):
            raise PersonaError(f"{who}: field {name!r} must be a list of strings, got {value!r}")
        return list(value)
    if origin is dict:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise PersonaError(f"{who}: field {name!r} must be an object with string keys, got {value!r}")
        try:
            json.dumps(dict(value))
        except TypeError as exc:
            raise PersonaError(f"{who}: field {name!r} must hold JSON values only ({exc})") from None
        return dict(value)
    return value  # fields added by subclasses with other types are not checked


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value)) if isinstance(value, (list, dict)) else value
