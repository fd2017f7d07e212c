"""Checking a study's file form: every wrong value raises a located error.

:func:`parse_study` takes the parsed file (a dict, as ``Study.to_dict`` gives)
and returns the typed parts a :class:`~.study.Study` holds. A
:class:`FieldReader` raises :class:`~syndisco_widgets.errors.StudyError`
messages that name the file, the field (e.g. ``personas[1].age``) and the
fix; unknown fields come with the closest known names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..checks import did_you_mean
from ..errors import ConfigError, PersonaError, StudyError, StudyVersionError
from ..models.base import GenerationOptions
from .persona import Persona
from .study_schema import (
    MODEL_KINDS,
    PERSONA_FIELDS,
    STUDY_FORMAT,
    STUDY_VERSION,
    TURN_KINDS,
    ExperimentPlan,
    ModelSpec,
    ModeratorSpec,
    SeedOpinion,
    TurnManagerSpec,
)
from .usage import Price

#: The top-level fields of a study file, in the order files are written.
TOP_FIELDS = (
    "format",
    "version",
    "name",
    "description",
    "personas",
    "topic",
    "context",
    "instructions",
    "turn_manager",
    "conv_len",
    "history_context_len",
    "moderator",
    "seed_opinions",
    "model",
    "generation",
    "experiment",
    "price",
)
GENERATION_FIELDS = ("temperature", "top_p", "max_new_tokens", "seed")
_SHOWN_CHARS = 40  # how much of a wrong value a message quotes
_SHOWN_PATH = 80  # how much of a field path a message quotes


class FieldReader:
    """Checks values of one study, raising errors that name its source and the field.

    ``where`` is a field's path in the file, e.g. ``personas[1].age`` (``""``: the whole study).
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, where: str, problem: str) -> StudyError:
        """The error to raise: ``<source>, field '<where>': <problem>``."""
        shown = where if len(where) <= _SHOWN_PATH else where[: _SHOWN_PATH - 3] + "..."
        prefix = f"{self.source}, field {shown!r}" if where else self.source
        return StudyError(f"{prefix}: {problem}", source=self.source, field=where)

    @contextmanager
    def located(self, where: str) -> Iterator[None]:
        """Turn a ConfigError raised inside into a located StudyError."""
        try:
            yield
        except StudyError:
            raise
        except ConfigError as exc:
            raise self.error(where, str(exc)) from None

    def object(
        self, where: str, value: Any, known: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Any]:
        """``value`` as a dict once it is an object with only ``known`` and every ``required`` field."""
        if not isinstance(value, Mapping):
            what = "the study" if not where else "this field"
            raise self.error(where, f"{what} must be an object {{...}}, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.error(where, f"has a key {key!r} that is not text")
            if key not in known:
                close = did_you_mean(key, known, n=2)
                hint = f"{close} " if close else ""
                raise self.error(
                    join_field(where, key), f"unknown field; {hint}Known fields here: {', '.join(known)}"
                )
        for key in required:
            if key not in value:
                raise self.error(join_field(where, key), "is missing; it is required")
        return dict(value)

    def text(self, where: str, value: Any, *, required: bool = False) -> str:
        """``value`` if it is text (not blank when ``required``)."""
        if not isinstance(value, str):
            raise self.error(where, f"must be text (a string in quotes), got {_kind(value)}")
        if required and not value.strip():
            raise self.error(where, "must not be empty")
        return value

    def whole(self, where: str, value: Any, low: int = 0) -> int:
        """``value`` if it is a whole number of at least ``low`` (true/false is not a number)."""
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.error(where, f"must be a whole number >= {low}, got {_kind(value)}")
        return value

    def seed(self, where: str, value: Any) -> int | None:
        """``value`` if it is a whole number or null."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(where, f"must be a whole number or null, got {_kind(value)}")
        return value

    def items(self, where: str, value: Any) -> list[Any]:
        """``value`` if it is a list."""
        if not isinstance(value, list):
            raise self.error(where, f"must be a list [...], got {_kind(value)}")
        return value


def parse_study(data: Any, source: str) -> dict[str, Any]:
    """Check a study's file form; return the constructor arguments (typed values)."""
    r = FieldReader(source)
    if not isinstance(data, Mapping):
        raise r.error("", f"a study file holds one object {{...}}, got {_kind(data)}")
    _check_version(r, data)
    top = r.object("", data, TOP_FIELDS, required=("version", "name", "personas"))
    if top.get("format", STUDY_FORMAT) != STUDY_FORMAT:
        raise r.error("format", f"must be {STUDY_FORMAT!r} (or left out), got {top['format']!r}")
    personas = _personas(r, top["personas"])
    moderator = _moderator(r, top.get("moderator"))
    names = [p.username for p in personas] + ([moderator.persona.username] if moderator else [])
    if moderator and moderator.persona.username in names[:-1]:
        raise r.error("moderator.persona.username", "is also a user's username; give the moderator its own")
    checked: dict[str, Any] = {
        "name": r.text("name", top["name"], required=True),
        "description": r.text("description", top.get("description", "")),
        "personas": personas,
        "topic": r.text("topic", top.get("topic", "")),
        "context": r.text("context", top.get("context", "")),
        "instructions": r.text("instructions", top.get("instructions", "")),
        "turn_manager": _turn_manager(r, top.get("turn_manager", {"kind": "round_robin"}), names),
        "conv_len": r.whole("conv_len", top.get("conv_len", 5)),
        "history_context_len": r.whole("history_context_len", top.get("history_context_len", 5)),
        "moderator": moderator,
        "seed_opinions": _seed_opinions(r, top.get("seed_opinions", []), names),
        "model": _model(r, top.get("model", {"kind": "demo"})),
        "generation": _generation(r, top.get("generation", {})),
        "experiment": _experiment(r, top.get("experiment"), len(personas)),
        "price": _price(r, top.get("price")),
    }
    plan, manager = checked["experiment"], checked["turn_manager"]
    if plan is not None and manager.kind == "custom_order":
        raise r.error(
            "turn_manager.kind",
            "custom_order cannot be used with an experiment (each discussion draws its own users); "
            "use round_robin or random_weighted",
        )
    return checked


def _check_version(r: FieldReader, data: Mapping[str, Any]) -> None:
    if "version" not in data:
        raise r.error("version", f'is missing; add "version": {STUDY_VERSION} (the schema this file follows)')
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise r.error("version", f"must be a whole number such as {STUDY_VERSION}, got {_kind(version)}")
    if version > STUDY_VERSION:
        raise StudyVersionError(
            f"{r.source}: field 'version': this study file uses schema version {version}, but this "
            f"syndisco-widgets reads versions up to {STUDY_VERSION}; upgrade it "
            "(pip install -U syndisco-widgets) or ask for a file saved with this version",
            source=r.source,
            field="version",
        )


def _personas(r: FieldReader, value: Any) -> tuple[Persona, ...]:
    items = r.items("personas", value)
    if not items:
        raise r.error("personas", 'needs at least one persona, e.g. [{"username": "Ann"}]')
    personas = tuple(_persona(r, f"personas[{i}]", item) for i, item in enumerate(items))
    seen: dict[str, int] = {}
    for i, persona in enumerate(personas):
        if persona.username in seen:
            raise r.error(
                f"personas[{i}].username",
                f"{persona.username!r} is already personas[{seen[persona.username]}]'s; usernames are unique",
            )
        seen[persona.username] = i
    return personas


def _persona(r: FieldReader, where: str, value: Any) -> Persona:
    fields = r.object(where, value, PERSONA_FIELDS, required=("username",))
    try:
        return Persona.from_dict(fields)
    except PersonaError as exc:
        message = str(exc)
        named = re.search(r"field '(\w+)'", message)
        field_where = join_field(where, named.group(1)) if named else where
        problem = re.sub(r"^persona '[^']*': (field '\w+' )?", "", message)
        raise r.error(field_where, problem) from None


def _turn_manager(r: FieldReader, value: Any, names: Sequence[str]) -> TurnManagerSpec:
    fields = r.object("turn_manager", value, ("kind", "seed", "p_respond", "order"), required=("kind",))
    kind = fields["kind"]
    if kind not in TURN_KINDS:
        close = did_you_mean(kind, TURN_KINDS, n=1)
        hint = f"{close} " if close else ""
        raise r.error("turn_manager.kind", f"unknown kind {kind!r}; {hint}use one of {', '.join(TURN_KINDS)}")
    seed = r.seed("turn_manager.seed", fields.get("seed"))
    for key, needs in (("p_respond", "random_weighted"), ("order", "custom_order")):
        if key in fields and kind != needs:
            raise r.error(f"turn_manager.{key}", f"applies only to kind {needs!r}; remove it")
    p_respond = 0.5
    if "p_respond" in fields:
        p = fields["p_respond"]
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise r.error("turn_manager.p_respond", f"must be a probability from 0 to 1, got {_kind(p)}")
        p_respond = float(p)
    order = _speaking_order(r, fields, names) if kind == "custom_order" else ()
    return TurnManagerSpec(kind, seed, p_respond, order)


def _speaking_order(r: FieldReader, fields: Mapping[str, Any], names: Sequence[str]) -> tuple[str, ...]:
    if "order" not in fields:
        raise r.error("turn_manager.order", 'is missing; give the speaking order, e.g. ["Ann", "Bob"]')
    order = tuple(
        r.text(f"turn_manager.order[{i}]", n, required=True)
        for i, n in enumerate(r.items("turn_manager.order", fields["order"]))
    )
    if not order:
        raise r.error("turn_manager.order", "must name at least one speaker")
    for i, name in enumerate(order):
        if name not in names:
            raise r.error(f"turn_manager.order[{i}]", f"{name!r} is not a participant; use one of {names}")
    return order


def _moderator(r: FieldReader, value: Any) -> ModeratorSpec | None:
    if value is None:
        return None
    fields = r.object("moderator", value, ("persona", "instructions", "every"), required=("persona",))
    every = fields.get("every", 1)
    if every is not None:
        every = r.whole("moderator.every", every, low=1)
    return ModeratorSpec(
        _persona(r, "moderator.persona", fields["persona"]),
        r.text("moderator.instructions", fields.get("instructions", "")),
        every,
    )


def _seed_opinions(r: FieldReader, value: Any, names: Sequence[str]) -> tuple[SeedOpinion, ...]:
    opinions = []
    for i, item in enumerate(r.items("seed_opinions", value)):
        where = f"seed_opinions[{i}]"
        fields = r.object(where, item, ("user", "text"), required=("user", "text"))
        user = r.text(f"{where}.user", fields["user"], required=True)
        if user not in names:
            raise r.error(f"{where}.user", f"{user!r} is not a participant; use one of {list(names)}")
        opinions.append(SeedOpinion(user, r.text(f"{where}.text", fields["text"], required=True)))
    return tuple(opinions)


def _model(r: FieldReader, value: Any) -> ModelSpec:
    fields = r.object("model", value, ("kind", "path", "name", "base_url"), required=("kind",))
    kind = fields["kind"]
    if kind not in MODEL_KINDS:
        raise r.error("model.kind", f"unknown kind {kind!r}; use one of {', '.join(MODEL_KINDS)}")
    path = r.text("model.path", fields.get("path", ""))
    name = r.text("model.name", fields.get("name", ""))
    base_url = r.text("model.base_url", fields.get("base_url", ""))
    if kind == "demo" and (path or base_url):
        raise r.error("model.kind", "'demo' takes no path or base_url; use kind 'transformers' or 'openai'")
    if kind != "demo" and not path.strip():
        what = "the model's name on the server" if kind == "openai" else "a model folder or Hugging Face id"
        raise r.error("model.path", f"is missing; give {what}")
    if base_url and kind != "openai":
        raise r.error("model.base_url", "applies only to kind 'openai'; remove it")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise r.error("model.base_url", f"must start with http:// or https://, got {base_url!r}")
    return ModelSpec(kind, path, name, base_url)


def _generation(r: FieldReader, value: Any) -> GenerationOptions:
    fields = r.object("generation", value, GENERATION_FIELDS)
    for key, item in fields.items():
        with r.located(f"generation.{key}"):
            GenerationOptions(**{key: item})
    return GenerationOptions(**fields)


def _experiment(r: FieldReader, value: Any, user_count: int) -> ExperimentPlan | None:
    if value is None:
        return None
    fields = r.object("experiment", value, ("num_discussions", "num_active_users", "seed"))
    plan = ExperimentPlan(
        r.whole("experiment.num_discussions", fields.get("num_discussions", 5), low=1),
        r.whole("experiment.num_active_users", fields.get("num_active_users", 2), low=1),
        r.whole("experiment.seed", fields.get("seed", 0)),
    )
    if plan.num_active_users > user_count:
        raise r.error(
            "experiment.num_active_users",
            f"is {plan.num_active_users}, but the study has only {user_count} personas; "
            "lower it or add personas",
        )
    return plan


def _price(r: FieldReader, value: Any) -> Price | None:
    if value is None:
        return None
    fields = r.object(
        "price",
        value,
        ("input_per_million", "output_per_million", "currency"),
        required=("input_per_million", "output_per_million"),
    )
    for key in ("input_per_million", "output_per_million"):
        with r.located(f"price.{key}"):
            Price(**{"input_per_million": 0, "output_per_million": 0, key: fields[key]})
    with r.located("price.currency"):
        return Price(**fields)


# -- how fields and values are shown --------------------------------------------------


def join_field(where: str, key: str) -> str:
    """The path of ``key`` inside the field ``where``: ``personas[0]`` + ``age`` gives ``personas[0].age``."""
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    """How a wrong value is shown: its JSON type and (short) value."""
    names = {
        type(None): "null",
        bool: "true/false",
        str: "text",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }
    shown = repr(value)
    shown = shown if len(shown) <= _SHOWN_CHARS else shown[: _SHOWN_CHARS - 3] + "..."
    return f"{names.get(type(value), type(value).__name__)} {shown}"
