"""Personas: the attributes that define who an actor plays.

Add attributes either through ``extra={...}`` or by subclassing
:class:`Persona` as a dataclass with more fields.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..checks import did_you_mean, path_like, shown
from ..errors import ConfigError, PersonaError
from .storage import atomic_write_text, read_json, strict_json

if typing.TYPE_CHECKING:
    import os
    from pathlib import Path

#: How a persona field holds its value, read from its type hint: text, a whole
#: number, a list of strings, an object of extra attributes, or any other value
#: (kept as it is; the persona form edits it as JSON).
FieldKind = Literal["str", "int", "list", "dict", "json"]

_P = typing.TypeVar("_P", bound="Persona")

#: The highest value of a whole-number field, by field name ("": any other such field).
WHOLE_NUMBER_LIMITS = {"age": 150, "": 10**15}

# Characters that could make a name start a fake history line such as "\n[Bob]: ...".
_FORGING = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\[\]]")

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

    def __new__(cls: type[_P], *args: Any, **kwargs: Any) -> _P:  # noqa: PYI019  typing.Self is 3.11+
        """Refuse unknown fields with a hint, before the generated ``__init__`` raises a bare TypeError."""
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in kwargs if k not in known]
        if unknown:
            close = did_you_mean(unknown[0], known)
            raise PersonaError(
                f"{cls.__name__} has no field {unknown[0]!r}{'; ' + close if close else '.'} "
                f"Put other attributes in extra, e.g. extra={{{unknown[0]!r}: ...}}, or subclass "
                f"{cls.__name__}; its fields are {known}"
            )
        if len(args) > len(known):
            raise PersonaError(
                f"{cls.__name__} takes at most {len(known)} values; pass fields by name, e.g. username='Ann'"
            )
        return super().__new__(cls)

    def __post_init__(self) -> None:
        who = f"persona {self.username!r}" if isinstance(self.username, str) else "persona"
        if not isinstance(self.username, str) or not self.username.strip():
            raise PersonaError(f"{who}: field 'username' must be a non-empty string, e.g. 'Emma35'")
        check_speaker_name(f"{who}: field 'username'", self.username, PersonaError)
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
        """The persona as JSON text (``str(persona)``)."""
        return strict_json(self.to_dict(), PersonaError, f"persona {self.username!r}", indent=indent)

    def __str__(self) -> str:
        return self.to_json()

    @classmethod
    def from_json_file(cls, path: str | os.PathLike[str]) -> Persona:
        """Load the single persona stored in a JSON file."""
        personas = load_personas(path, persona_class=cls)
        if len(personas) != 1:
            raise PersonaError(f"{path}: holds {len(personas)} personas; use load_personas() for a list")
        return personas[0]

    def to_json_file(self, path: str | os.PathLike[str]) -> Path:
        """Save this persona as a JSON object."""
        return atomic_write_text(path_like("to_json_file path", path), self.to_json(indent=2) + "\n")


def load_personas(path: str | os.PathLike[str], persona_class: type[Persona] = Persona) -> list[Persona]:
    """Load a JSON file holding one persona object or a list of them.

    Errors name the file, the item and the field, so a long file is easy to fix.
    """
    path = path_like("load_personas path", path)
    data = read_json(path, PersonaError, "persona file")
    items = data if isinstance(data, list) else [data]
    return [
        persona_class.from_dict(item, where=f"{path}, item {i}" if isinstance(data, list) else str(path))
        for i, item in enumerate(items)
    ]


def save_personas(personas: Iterable[Persona], path: str | os.PathLike[str]) -> Path:
    """Save personas as a JSON list that :func:`load_personas` reads back."""
    target = path_like("save_personas path", path)
    if isinstance(personas, (Persona, str, bytes, Mapping)) or not isinstance(personas, Iterable):
        raise PersonaError(
            f"save_personas personas must be a list of Persona objects, got {type(personas).__name__}; "
            "wrap a single persona: [persona]"
        )
    items = list(personas)
    for i, persona in enumerate(items):
        if not isinstance(persona, Persona):
            raise PersonaError(f"save_personas personas[{i}] must be a Persona, got {type(persona).__name__}")
    data = [p.to_dict() for p in items]
    return atomic_write_text(target, strict_json(data, PersonaError, str(target), indent=2) + "\n")


def check_speaker_name(label: str, name: str, error: type[ConfigError] = ConfigError) -> str:
    r"""Return ``name`` if it cannot forge a history line; else raise ``error`` naming ``label``.

    Line breaks, other control characters and square brackets are refused:
    a name like ``"Ann\\n[Bob]: I agree"`` would put words in Bob's mouth.
    """
    forging = _FORGING.search(name)
    if forging:
        raise error(
            f"{label} may not contain {forging.group()!r} (line breaks, control characters and square "
            "brackets could forge another speaker's line in the history); use letters, digits, spaces, "
            "'-' or '_'"
        )
    return name


def field_kind(hint: Any) -> tuple[FieldKind, bool]:
    """The :data:`FieldKind` of a persona field with type ``hint``, and whether it may be None.

    The one rule both :class:`Persona`'s checks and the widgets' persona form
    follow: ``str``; ``int`` or ``int | None`` (a whole number); ``list[str]``;
    ``dict[...]``; anything else (a subclass's own types) is ``"json"``.
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is str:
        return "str", False
    if hint is int:
        return "int", False
    if args and set(args) == {int, type(None)}:
        return "int", True
    if origin is list and args == (str,):
        return "list", False
    if origin is dict:
        return "dict", False
    return "json", False


def _checked(who: str, name: str, hint: Any, value: Any) -> Any:
    """Check ``value`` against its field's :func:`field_kind` and return a clean copy."""
    kind, optional = field_kind(hint)
    if kind == "str":
        if not isinstance(value, str):
            raise PersonaError(f"{who}: field {name!r} must be a string, got {shown(value)}")
        return value
    if kind == "int":
        if value is None and optional:
            return None
        highest = WHOLE_NUMBER_LIMITS.get(name, WHOLE_NUMBER_LIMITS[""])
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
            raise PersonaError(
                f"{who}: field {name!r} must be a whole number from 0 to {highest}, such as 38, "
                f"got {shown(value)}"
            )
        return value
    if kind == "list":
        if (
            isinstance(value, str)
            or not isinstance(value, (list, tuple))
            or not all(isinstance(v, str) for v in value)
        ):
            raise PersonaError(f"{who}: field {name!r} must be a list of strings, got {shown(value)}")
        return list(value)
    if kind == "dict":
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise PersonaError(
                f"{who}: field {name!r} must be an object with string keys, got {shown(value)}"
            )
        strict_json(dict(value), PersonaError, f"{who}: field {name!r}")
        return dict(value)
    return value  # fields added by subclasses with other types are not checked


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value)) if isinstance(value, (list, dict)) else value
