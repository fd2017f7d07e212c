"""Study files: one shareable set-up for a discussion or an experiment.

A teacher (or a research team) writes one study file; everyone who opens it
gets the same discussion: the same personas, turn-taking and seed, model and
generation settings, context, instructions, length and moderator rule::

    study = Study.load("budget.study.json")
    discussion = study.build_discussion()  # or Discussion.from_study(study)
    study.save("copy.study.yaml")  # YAML needs PyYAML; JSON always works

The file format (version 1) is one JSON (or YAML) object. Only ``version``,
``name`` and ``personas`` are required; every other field has the default
shown::

    {
      "format": "syndisco-widgets/study",    // optional marker
      "version": 1,                          // schema version; newer files are refused
      "name": "town-budget",                 // names every export made from it
      "description": "",
      "personas": [                          // one or more, unique usernames;
        {"username": "Ann", "age": 34,       // fields as in Persona (extra: {...})
         "personality_characteristics": ["curious"]}
      ],
      "context": "",                         // shared by every speaker
      "instructions": "",                    // shared by the users
      "turn_manager": {"kind": "round_robin", "seed": null},
          // or {"kind": "random_weighted", "p_respond": 0.5, "seed": 7}
          // or {"kind": "custom_order", "order": ["Ann", "Bob", "Ann"]}
      "conv_len": 5,                         // model-written user turns
      "history_context_len": 5,              // latest entries each speaker sees
      "moderator": null,                     // or {"persona": {...}, "instructions": "",
                                             //     "every": 1}  (null: only when chosen)
      "seed_opinions": [],                   // [{"user": "Ann", "text": "..."}]
      "model": {"kind": "demo"},             // or {"kind": "transformers", "path": "...", "name": "..."}
                                             // or {"kind": "openai", "path": "model-name",
                                             //     "base_url": "http://...", "name": "..."}
      "generation": {},                      // temperature, top_p, max_new_tokens, seed
      "experiment": null,                    // or {"num_discussions": 5, "num_active_users": 2, "seed": 0}
      "price": null                          // or {"input_per_million": 0.15,
                                             //     "output_per_million": 0.6, "currency": "USD"}
    }

A bad file raises :class:`~syndisco_widgets.errors.StudyError` naming the
file, the field (e.g. ``personas[1].age``) and the fix; unknown fields come
with the closest known names; a file from a newer schema raises
:class:`~syndisco_widgets.errors.StudyVersionError`. API keys never go into a
study: an ``openai`` model reads ``OPENAI_API_KEY`` when it is built.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError, PersonaError, StudyError, StudyVersionError
from ..models.base import BaseModel, GenerationOptions
from .actors import Actor, ActorType
from .persona import Persona
from .storage import atomic_write_text
from .turns import CustomOrder, RandomWeighted, RoundRobin, TurnManager
from .usage import Price

if TYPE_CHECKING:
    from .discussion import Discussion
    from .experiment import DiscussionExperiment

#: The schema version this package writes and the newest it reads.
STUDY_VERSION = 1
#: The optional ``format`` marker of a study file.
STUDY_FORMAT = "syndisco-widgets/study"
#: Reply length when the study's generation settings give none.
DEFAULT_MAX_NEW_TOKENS = 100

TurnManagerKind = Literal["round_robin", "random_weighted", "custom_order"]
ModelKind = Literal["demo", "transformers", "openai"]
_TURN_KINDS: tuple[TurnManagerKind, ...] = ("round_robin", "random_weighted", "custom_order")
_MODEL_KINDS: tuple[ModelKind, ...] = ("demo", "transformers", "openai")
_YAML_SUFFIXES = (".yaml", ".yml")
_MAX_FILE_BYTES = 5_000_000  # a study is a few kilobytes; anything this big is the wrong file
_MAX_DEPTH = 40  # nesting allowed in a study file
_SHOWN_CHARS = 40  # how much of a wrong value a message quotes
_SHOWN_PATH = 80  # how much of a field path a message quotes
_MAX_NODES = 200_000  # values allowed in a study file (guards against YAML alias bombs)

_TOP_FIELDS = (
    "format",
    "version",
    "name",
    "description",
    "personas",
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
_EMPTY: tuple[Any, ...] = (None, "", [], {})
_GENERATION_FIELDS = ("temperature", "top_p", "max_new_tokens", "seed")
_PERSONA_FIELDS = tuple(f.name for f in dataclasses.fields(Persona))


# -- parts of a study -----------------------------------------------------------


@dataclass(frozen=True)
class TurnManagerSpec:
    """Who speaks next, as a study stores it.

    Args:
        kind: ``"round_robin"``, ``"random_weighted"`` or ``"custom_order"``.
        seed: Seeds the manager's random choices.
        p_respond: ``random_weighted`` only: chance the previous speaker answers back.
        order: ``custom_order`` only: the speaking order (names may repeat).
    """

    kind: TurnManagerKind = "round_robin"
    seed: int | None = None
    p_respond: float = 0.5
    order: tuple[str, ...] = ()

    def build(self, names: Sequence[str] | None = None) -> TurnManager:
        """A fresh turn manager (given ``names``, or left for the discussion to fill in)."""
        manager: TurnManager
        if self.kind == "random_weighted":
            manager = RandomWeighted(None, p_respond=self.p_respond, seed=self.seed)
        elif self.kind == "custom_order":
            manager = CustomOrder(list(self.order))
        else:
            manager = RoundRobin()
        return manager.fresh(list(names) if names else None, self.seed)

    @classmethod
    def from_manager(cls, manager: TurnManager) -> TurnManagerSpec:
        """The spec of ``manager`` (its settings, not its history).

        Raises:
            StudyError: the manager's kind cannot be written to a file (e.g. a
                FunctionTurnManager holds code).
        """
        if type(manager) is RandomWeighted:
            return cls("random_weighted", manager.seed, manager.p_respond)
        if type(manager) is CustomOrder:
            return cls("custom_order", manager.seed, order=tuple(manager.order))
        if type(manager) is RoundRobin:
            return cls("round_robin", manager.seed)
        raise StudyError(
            f"turn_manager: a {type(manager).__name__} cannot be saved in a study file (only its kind "
            "and settings are stored, and it has no stored kind); use RoundRobin, RandomWeighted "
            "or CustomOrder",
            field="turn_manager",
        )

    def to_dict(self) -> dict[str, Any]:
        """The file form: only the fields that apply to ``kind``."""
        data: dict[str, Any] = {"kind": self.kind, "seed": self.seed}
        if self.kind == "random_weighted":
            data["p_respond"] = self.p_respond
        if self.kind == "custom_order":
            data["order"] = list(self.order)
        return data


@dataclass(frozen=True)
class ModelSpec:
    """Which model a study runs on.

    Args:
        kind: ``"demo"`` (the package's offline demo model), ``"transformers"``
            (a local folder or a Hugging Face id) or ``"openai"`` (an
            OpenAI-compatible server).
        path: The folder or Hub id; for ``openai`` the model's name on the server.
        name: The label logs record (default: ``path``).
        base_url: ``openai`` only: the server URL (default: ``OPENAI_BASE_URL`` or OpenAI's).
    """

    kind: ModelKind = "demo"
    path: str = ""
    name: str = ""
    base_url: str = ""

    def build(self, generation: GenerationOptions | None = None) -> BaseModel:
        """Load the model with ``generation``'s settings as its defaults."""
        options = generation or GenerationOptions()
        settings = {
            k: v for k, v in (("temperature", options.temperature), ("top_p", options.top_p)) if v is not None
        }
        if options.seed is not None:
            settings["seed"] = options.seed
        max_out = options.max_new_tokens or DEFAULT_MAX_NEW_TOKENS
        models = import_module("syndisco_widgets.models")
        if self.kind == "demo":
            factory: Callable[..., BaseModel] | None = getattr(models, "demo_model", None)
            if factory is not None:
                return factory(max_out_tokens=max_out, **settings)
            return models.model_from_env(max_out, **settings)  # type: ignore[no-any-return]
        if self.kind == "transformers":
            return models.TransformersModel(  # type: ignore[no-any-return]
                self.path, self.name or self.path, max_out, **settings
            )
        server_model: Callable[..., BaseModel] | None = getattr(models, "OpenAIModel", None)
        if server_model is None:
            raise StudyError(
                "model: kind 'openai' needs OpenAIModel, which this installation lacks; "
                "pip install 'syndisco-widgets[openai]'",
                field="model.kind",
            )
        return server_model(
            model_name=self.path,
            api_key=None,  # read from OPENAI_API_KEY by the model; never stored in a study
            base_url=self.base_url or None,  # None: OPENAI_BASE_URL, else OpenAI's own
            name=self.name or self.path,
            max_out_tokens=max_out,
            **settings,
        )

    @classmethod
    def from_model(cls, model: BaseModel) -> ModelSpec:
        """The spec that loads ``model`` again, read from ``model.describe()``.

        Raises:
            StudyError: the backend cannot be named in a file (e.g. a scripted test model).
        """
        described = model.describe()
        backend = described.get("backend")
        if backend == "TransformersModel":
            if _is_demo(model):
                return cls("demo")
            return cls("transformers", str(described.get("model_path", "")), model.name)
        if backend == "OpenAIModel":
            server_name = described.get("model_name") or described.get("model") or model.name
            urls = described.get("base_urls") or [""]
            return cls("openai", str(server_name), model.name, str(urls[0]))
        raise StudyError(
            f"model: a {backend or type(model).__name__} cannot be named in a study file; "
            "leave the model out (model=None) and pass it to build_discussion(model) instead",
            field="model",
        )

    def to_dict(self) -> dict[str, Any]:
        """The file form: only the fields that apply to ``kind``."""
        if self.kind == "demo":
            return {"kind": "demo"}
        data: dict[str, Any] = {"kind": self.kind, "path": self.path, "name": self.name or self.path}
        if self.kind == "openai" and self.base_url:
            data["base_url"] = self.base_url
        return data


@dataclass(frozen=True)
class ModeratorSpec:
    """The moderator: who it is, its instructions, and how often it speaks.

    ``every``: the moderator speaks after every this many user turns;
    ``None`` gives it turns only when the turn manager chooses it.
    """

    persona: Persona
    instructions: str = ""
    every: int | None = 1

    def to_dict(self) -> dict[str, Any]:
        """The file form."""
        return {
            "persona": _persona_dict(self.persona),
            "instructions": self.instructions,
            "every": self.every,
        }


@dataclass(frozen=True)
class SeedOpinion:
    """An opening text placed before any model speaks, posted as ``user``."""

    user: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """The file form."""
        return {"user": self.user, "text": self.text}


@dataclass(frozen=True)
class ExperimentPlan:
    """How a :class:`DiscussionExperiment` built from the study draws its discussions."""

    num_discussions: int = 5
    num_active_users: int = 2
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The file form."""
        return dataclasses.asdict(self)


# -- the study ------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    """One shareable set-up; see the module docs for the file format.

    Build one with :meth:`load`, :meth:`from_dict` or :meth:`from_setup`
    (or directly; the same checks run). ``source`` says where it came from
    and is not part of the study.

    Raises:
        StudyError: a field is wrong; the message names it and the fix.
    """

    name: str
    personas: tuple[Persona, ...]
    context: str = ""
    instructions: str = ""
    turn_manager: TurnManagerSpec = field(default_factory=TurnManagerSpec)
    conv_len: int = 5
    history_context_len: int = 5
    moderator: ModeratorSpec | None = None
    seed_opinions: tuple[SeedOpinion, ...] = ()
    model: ModelSpec = field(default_factory=ModelSpec)
    generation: GenerationOptions = field(default_factory=GenerationOptions)
    experiment: ExperimentPlan | None = None
    price: Price | None = None
    description: str = ""
    source: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        checked = _parse_study(self.to_dict(), self.source or "Study")
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    # -- files ----------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Study:
        """Read a study file (``.json``, or ``.yaml``/``.yml`` with PyYAML installed).

        Raises:
            StudyError: the file is missing, unreadable, not JSON/YAML, or a field
                is wrong; the message names the file, the field and the fix.
            StudyVersionError: the file was written for a newer schema version.
        """
        if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise StudyError(f"Study.load: path must be a file path, got {type(path).__name__} {path!r:.60}")
        file = Path(os.fspath(path))
        data = _read_study_file(file)
        return cls.from_dict(data, source=str(file))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the study (atomically): YAML for ``.yaml``/``.yml``, JSON otherwise.

        ``Study.load`` reads it back to an equal study.
        """
        if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise StudyError(f"Study.save: path must be a file path, got {type(path).__name__} {path!r:.60}")
        file = Path(os.fspath(path))
        if file.suffix.lower() in _YAML_SUFFIXES:
            yaml = _yaml_module(file, "save")
            text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)
        else:
            text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        try:
            return atomic_write_text(file, text)
        except OSError as exc:
            raise StudyError(f"{file}: cannot write the study file: {exc.strerror or exc}") from None

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "") -> Study:
        """Build a study from its file form (a dict as :meth:`to_dict` gives).

        ``source`` names where the data came from in error messages.
        """
        checked = _parse_study(data, source or "study")
        return cls(**checked, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The file form, every field present, in a readable order."""
        return {
            "format": STUDY_FORMAT,
            "version": STUDY_VERSION,
            "name": self.name,
            "description": self.description,
            "personas": [_persona_dict(p) for p in _as_list(self.personas)],
            "context": self.context,
            "instructions": self.instructions,
            "turn_manager": _dumped(self.turn_manager),
            "conv_len": self.conv_len,
            "history_context_len": self.history_context_len,
            "moderator": _dumped(self.moderator),
            "seed_opinions": [_dumped(s) for s in _as_list(self.seed_opinions)],
            "model": _dumped(self.model),
            "generation": (
                self.generation.as_dict()
                if isinstance(self.generation, GenerationOptions)
                else self.generation
            ),
            "experiment": _dumped(self.experiment),
            "price": self.price.as_dict() if isinstance(self.price, Price) else self.price,
        }

    @property
    def sha256(self) -> str:
        """A hash of the study's content: equal studies, equal hash (whatever the file format)."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def usernames(self) -> list[str]:
        """The users' names, in order."""
        return [p.username for p in self.personas]

    # -- from a set-up ----------------------------------------------------------
    @classmethod
    def from_setup(
        cls,
        *,
        name: str,
        personas: Iterable[Persona | Mapping[str, Any]],
        turn_manager: TurnManager | TurnManagerSpec | None = None,
        moderator: Persona | Actor | str | None = None,
        moderator_instructions: str | None = None,
        moderator_every: int | None = 1,
        context: str = "",
        instructions: str = "",
        conv_len: int = 5,
        history_context_len: int = 5,
        seed_opinions: Sequence[str] = (),
        seed_opinion_usernames: Sequence[str] = (),
        model: BaseModel | ModelSpec | None = None,
        generation: GenerationOptions | Mapping[str, Any] | None = None,
        experiment: ExperimentPlan | Mapping[str, Any] | None = None,
        price: Price | Mapping[str, Any] | None = None,
        description: str = "",
    ) -> Study:
        """A study from the same arguments a studio or a :class:`Discussion` takes.

        Args:
            name: The study's name (it names exports).
            personas: The users' personas (objects or dicts of fields).
            turn_manager: A RoundRobin, RandomWeighted or CustomOrder (its
                settings and seed are kept, not its history), or a spec.
            moderator: A persona, an actor (its persona and instructions) or a username.
            moderator_instructions: The moderator's instructions (default:
                the actor's own, else ``""``).
            moderator_every: The moderator speaks after every this many user turns.
            context: Shared by every speaker.
            instructions: Shared by the users.
            conv_len: Model-written user turns, as for :class:`Discussion`.
            history_context_len: Latest entries each speaker sees.
            seed_opinions: Opening texts, placed before any model speaks.
            seed_opinion_usernames: Who posts each opening text.
            model: A loaded model (recorded as kind, path and name, plus its
                sampling settings unless ``generation`` is given) or a spec.
            generation: Generation settings (a GenerationOptions or a dict of
                temperature, top_p, max_new_tokens, seed).
            experiment: Plan settings for experiments built from the study.
            price: Price per million tokens, for cost estimates.
            description: Free text shown to whoever opens the study.

        Raises:
            StudyError: something cannot be stored in a study file, or is wrong.
        """
        moderator_spec = _moderator_spec(moderator, moderator_instructions, moderator_every)
        if len(seed_opinions) != len(seed_opinion_usernames):
            raise StudyError(
                f"seed_opinions ({len(seed_opinions)}) and seed_opinion_usernames "
                f"({len(seed_opinion_usernames)}) must have the same length",
                field="seed_opinions",
            )
        model_spec = model if isinstance(model, ModelSpec) else ModelSpec()
        options = _options(generation)
        if isinstance(model, BaseModel):
            model_spec = ModelSpec.from_model(model)
            if generation is None:
                options = _model_generation(model)
        manager = turn_manager if turn_manager is not None else RoundRobin()
        data: dict[str, Any] = {
            "version": STUDY_VERSION,
            "name": name,
            "description": description,
            "personas": [_persona_dict(p) for p in personas],
            "context": context,
            "instructions": instructions,
            "turn_manager": (
                manager.to_dict()
                if isinstance(manager, TurnManagerSpec)
                else TurnManagerSpec.from_manager(manager).to_dict()
            ),
            "conv_len": conv_len,
            "history_context_len": history_context_len,
            "moderator": moderator_spec.to_dict() if moderator_spec else None,
            "seed_opinions": [
                {"user": u, "text": t} for u, t in zip(seed_opinion_usernames, seed_opinions, strict=True)
            ],
            "model": model_spec.to_dict(),
            "generation": options.as_dict(),
            "experiment": experiment.to_dict() if isinstance(experiment, ExperimentPlan) else experiment,
            "price": price.as_dict() if isinstance(price, Price) else price,
        }
        return cls.from_dict(data, source="Study.from_setup")

    def studio_kwargs(self) -> dict[str, Any]:
        """Keyword arguments that pre-fill a ``DiscussionStudio`` with this study's set-up.

        The model is not included: build it with :meth:`build_model`.
        """
        moderator = self.moderator
        return {
            "personas": list(self.personas),
            "turn_manager": self.build_turn_manager(),
            "moderator": moderator.persona if moderator else None,
            "context": self.context,
            "instructions": self.instructions,
            "conv_len": self.conv_len,
            "history_context_len": self.history_context_len,
            "moderator_instructions": moderator.instructions if moderator else "",
            "seed_opinions": [s.text for s in self.seed_opinions],
            "seed_opinion_usernames": [s.user for s in self.seed_opinions],
        }

    # -- building ---------------------------------------------------------------
    def build_model(self) -> BaseModel:
        """Load the study's model with its generation settings (temperature, top_p, seed, length)."""
        return self.model.build(self.generation)

    def build_turn_manager(self, names: Sequence[str] | None = None) -> TurnManager:
        """A fresh turn manager with the study's kind, settings and seed."""
        return self.turn_manager.build(names)

    def build_actors(self, model: BaseModel) -> tuple[list[Actor], Actor | None]:
        """The users and the moderator (or None), all speaking through ``model``."""
        users = [Actor(model, p, ActorType.USER, self.context, self.instructions) for p in self.personas]
        mod = self.moderator
        moderator = (
            Actor(model, mod.persona, ActorType.MODERATOR, self.context, mod.instructions) if mod else None
        )
        return users, moderator

    def build_discussion(
        self, model: BaseModel | None = None, *, autosave_dir: str | os.PathLike[str] | None = None
    ) -> Discussion:
        """A new discussion set up as the study says.

        Args:
            model: The model every speaker uses; default :meth:`build_model`.
                A model given here keeps its own generation settings.
            autosave_dir: Save every entry as it is made, as for :class:`Discussion`.
        """
        from .discussion import Discussion

        model = self.build_model() if model is None else _checked_model(model)
        users, moderator = self.build_actors(model)
        return Discussion(
            self.build_turn_manager(),
            users,
            moderator,
            self.history_context_len,
            self.conv_len,
            [s.text for s in self.seed_opinions],
            [s.user for s in self.seed_opinions],
            moderator_every=self.moderator.every if self.moderator else 1,
            autosave_dir=autosave_dir,
        )

    def build_experiment(self, model: BaseModel | None = None) -> DiscussionExperiment:
        """A :class:`DiscussionExperiment` over the study's personas with its plan settings.

        Raises:
            StudyError: the study has no ``experiment`` section, or asks for
                something experiments do not do (a custom speaking order, a
                moderator on another rhythm than every turn).
        """
        from .experiment import DiscussionExperiment

        plan = self.experiment
        where = self.source or "study"
        if plan is None:
            raise StudyError(
                f"{where}: field 'experiment' is empty; add "
                '"experiment": {"num_discussions": 5, "num_active_users": 2, "seed": 0}',
                source=self.source,
                field="experiment",
            )
        if self.moderator is not None and self.moderator.every != 1:
            raise StudyError(
                f"{where}: field 'moderator.every' must be 1 for an experiment (its discussions give "
                "the moderator a turn after every user turn)",
                source=self.source,
                field="moderator.every",
            )
        model = self.build_model() if model is None else _checked_model(model)
        users, moderator = self.build_actors(model)
        return DiscussionExperiment(
            users,
            [s.text for s in self.seed_opinions],
            moderator,
            self.build_turn_manager(),
            history_context_len=self.history_context_len,
            num_turns=self.conv_len,
            num_active_users=plan.num_active_users,
            num_discussions=plan.num_discussions,
            seed=plan.seed,
        )


def as_study(study: Study | str | os.PathLike[str]) -> Study:
    """``study`` itself, or the study file at that path loaded."""
    if isinstance(study, Study):
        return study
    if isinstance(study, (str, os.PathLike)):
        return Study.load(study)
    raise StudyError(f"study must be a Study or a study file path, got {type(study).__name__}")


def discussion_from_study(
    study: Study | str | os.PathLike[str],
    model: BaseModel | None = None,
    *,
    autosave_dir: str | os.PathLike[str] | None = None,
) -> Discussion:
    """What ``Discussion.from_study`` does: see :meth:`Study.build_discussion`."""
    return as_study(study).build_discussion(model, autosave_dir=autosave_dir)


def experiment_from_study(
    study: Study | str | os.PathLike[str], model: BaseModel | None = None
) -> DiscussionExperiment:
    """What ``DiscussionExperiment.from_study`` does: see :meth:`Study.build_experiment`."""
    return as_study(study).build_experiment(model)


# -- reading files ----------------------------------------------------------------


def _read_study_file(file: Path) -> Any:
    """The parsed content of a study file; every failure names the file and says why."""
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise StudyError(f"{file}: is a folder, not a study file; pass the .json or .yaml file in it")
        if size > _MAX_FILE_BYTES:
            raise StudyError(
                f"{file}: is {size / 1e6:.1f} MB, too big for a study file (a few kB); is it the right file?"
            )
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyError(f"{file}: no such study file; check the path") from None
    except UnicodeDecodeError as exc:
        raise StudyError(
            f"{file}: not UTF-8 text (byte {exc.start}); a study file is UTF-8 JSON or YAML"
        ) from None
    except OSError as exc:
        raise StudyError(f"{file}: cannot read the study file: {exc.strerror or exc}") from None
    if file.suffix.lower() in _YAML_SUFFIXES:
        return _parse_yaml(file, raw)
    return _parse_json(file, raw)


class _DuplicateKeyError(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKeyError(key)
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_json(file: Path, raw: str) -> Any:
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise StudyError(
            f"{file}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", source=str(file)
        ) from None
    except _DuplicateKeyError as exc:
        raise StudyError(
            f"{file}: field {exc.args[0]!r} appears twice in one object; keep one", source=str(file)
        ) from None
    except RecursionError:
        raise StudyError(f"{file}: nested too deeply to be a study file", source=str(file)) from None
    except ValueError as exc:
        raise StudyError(f"{file}: not valid JSON: {exc}", source=str(file)) from None


def _parse_yaml(file: Path, raw: str) -> Any:
    yaml = _yaml_module(file, "read")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise StudyError(f"{file}: not valid YAML{where}: {problem}", source=str(file)) from None
    except RecursionError:
        raise StudyError(f"{file}: nested too deeply to be a study file", source=str(file)) from None
    return _plain(data, _Reader(str(file)), "", 0, [0])


def _yaml_module(file: Path, action: str) -> Any:
    try:
        return import_module("yaml")
    except ImportError:
        raise StudyError(
            f"{file}: cannot {action} YAML because PyYAML is not installed; pip install pyyaml, "
            "or use a .json file",
            source=str(file),
        ) from None


def _plain(value: Any, reader: _Reader, where: str, depth: int, count: list[int]) -> Any:
    """A copy holding only JSON types; refuses other YAML types, deep nesting and alias bombs."""
    count[0] += 1
    if count[0] > _MAX_NODES:
        raise reader.error("", f"holds more than {_MAX_NODES:,} values, too many for a study file")
    if depth > _MAX_DEPTH:
        raise reader.error(where, "is nested too deeply (or refers to itself through a YAML alias)")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise reader.error(where, f"is {value}, which a study cannot hold; use a finite number")
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise reader.error(where, f"has a key {key!r} that is not text; quote it")
            out[key] = _plain(item, reader, _join(where, key), depth + 1, count)
        return out
    if isinstance(value, list):
        return [_plain(item, reader, f"{where}[{i}]", depth + 1, count) for i, item in enumerate(value)]
    raise reader.error(
        where, f"is a {type(value).__name__} ({value!r:.40}); write it as text, a number, a list or an object"
    )


# -- checking the file form -------------------------------------------------------


class _Reader:
    """Checks values of one study, raising errors that name its source and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, where: str, problem: str) -> StudyError:
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
        if not isinstance(value, Mapping):
            what = "the study" if not where else "this field"
            raise self.error(where, f"{what} must be an object {{...}}, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.error(where, f"has a key {key!r} that is not text")
            if key not in known:
                close = difflib.get_close_matches(key, known, n=2, cutoff=0.6)
                hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
                raise self.error(
                    _join(where, key), f"unknown field; {hint}Known fields here: {', '.join(known)}"
                )
        for key in required:
            if key not in value:
                raise self.error(_join(where, key), "is missing; it is required")
        return dict(value)

    def text(self, where: str, value: Any, *, required: bool = False) -> str:
        if not isinstance(value, str):
            raise self.error(where, f"must be text (a string in quotes), got {_kind(value)}")
        if required and not value.strip():
            raise self.error(where, "must not be empty")
        return value

    def whole(self, where: str, value: Any, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.error(where, f"must be a whole number >= {low}, got {_kind(value)}")
        return value

    def seed(self, where: str, value: Any) -> int | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(where, f"must be a whole number or null, got {_kind(value)}")
        return value

    def items(self, where: str, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(where, f"must be a list [...], got {_kind(value)}")
        return value


def _parse_study(data: Any, source: str) -> dict[str, Any]:
    """Check a study's file form; return the constructor arguments (typed values)."""
    r = _Reader(source)
    if not isinstance(data, Mapping):
        raise r.error("", f"a study file holds one object {{...}}, got {_kind(data)}")
    _check_version(r, data)
    top = r.object("", data, _TOP_FIELDS, required=("version", "name", "personas"))
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


def _check_version(r: _Reader, data: Mapping[str, Any]) -> None:
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


def _personas(r: _Reader, value: Any) -> tuple[Persona, ...]:
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


def _persona(r: _Reader, where: str, value: Any) -> Persona:
    fields = r.object(where, value, _PERSONA_FIELDS, required=("username",))
    try:
        return Persona.from_dict(fields)
    except PersonaError as exc:
        message = str(exc)
        named = re.search(r"field '(\w+)'", message)
        field_where = _join(where, named.group(1)) if named else where
        problem = re.sub(r"^persona '[^']*': (field '\w+' )?", "", message)
        raise r.error(field_where, problem) from None


def _turn_manager(r: _Reader, value: Any, names: Sequence[str]) -> TurnManagerSpec:
    fields = r.object("turn_manager", value, ("kind", "seed", "p_respond", "order"), required=("kind",))
    kind = fields["kind"]
    if kind not in _TURN_KINDS:
        close = difflib.get_close_matches(str(kind), _TURN_KINDS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise r.error(
            "turn_manager.kind", f"unknown kind {kind!r}; {hint}use one of {', '.join(_TURN_KINDS)}"
        )
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


def _speaking_order(r: _Reader, fields: Mapping[str, Any], names: Sequence[str]) -> tuple[str, ...]:
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


def _moderator(r: _Reader, value: Any) -> ModeratorSpec | None:
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


def _seed_opinions(r: _Reader, value: Any, names: Sequence[str]) -> tuple[SeedOpinion, ...]:
    opinions = []
    for i, item in enumerate(r.items("seed_opinions", value)):
        where = f"seed_opinions[{i}]"
        fields = r.object(where, item, ("user", "text"), required=("user", "text"))
        user = r.text(f"{where}.user", fields["user"], required=True)
        if user not in names:
            raise r.error(f"{where}.user", f"{user!r} is not a participant; use one of {list(names)}")
        opinions.append(SeedOpinion(user, r.text(f"{where}.text", fields["text"], required=True)))
    return tuple(opinions)


def _model(r: _Reader, value: Any) -> ModelSpec:
    fields = r.object("model", value, ("kind", "path", "name", "base_url"), required=("kind",))
    kind = fields["kind"]
    if kind not in _MODEL_KINDS:
        raise r.error("model.kind", f"unknown kind {kind!r}; use one of {', '.join(_MODEL_KINDS)}")
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


def _generation(r: _Reader, value: Any) -> GenerationOptions:
    fields = r.object("generation", value, _GENERATION_FIELDS)
    for key, item in fields.items():
        with r.located(f"generation.{key}"):
            GenerationOptions(**{key: item})
    return GenerationOptions(**fields)


def _experiment(r: _Reader, value: Any, user_count: int) -> ExperimentPlan | None:
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


def _price(r: _Reader, value: Any) -> Price | None:
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


# -- small helpers ------------------------------------------------------------------


def _join(where: str, key: str) -> str:
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


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else value


def _dumped(value: Any) -> Any:
    """The file form of a part (a wrong value passes through for the checks to name)."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _persona_dict(persona: Any) -> Any:
    """A persona's file form: empty fields left out, fields of Persona subclasses under ``extra``."""
    if isinstance(persona, Persona):
        data = persona.to_dict()
        known = {
            k: v for k, v in data.items() if k in _PERSONA_FIELDS and (k == "username" or v not in _EMPTY)
        }
        added = {k: v for k, v in data.items() if k not in _PERSONA_FIELDS}
        if added:
            known["extra"] = {**known.get("extra", {}), **added}
        return known
    return dict(persona) if isinstance(persona, Mapping) else persona


def _moderator_spec(
    moderator: Persona | Actor | str | None, instructions: str | None, every: int | None
) -> ModeratorSpec | None:
    if moderator is None or (isinstance(moderator, str) and not moderator.strip()):
        return None
    if isinstance(moderator, Actor):
        persona, own = moderator.persona, moderator.instructions
    elif isinstance(moderator, Persona):
        persona, own = moderator, ""
    elif isinstance(moderator, str):
        persona, own = Persona(username=moderator.strip()), ""
    else:
        raise StudyError(
            f"moderator must be a Persona, an Actor, a username or None, got {type(moderator).__name__}",
            field="moderator",
        )
    return ModeratorSpec(persona, own if instructions is None else instructions, every)


def _options(generation: GenerationOptions | Mapping[str, Any] | None) -> GenerationOptions:
    if generation is None:
        return GenerationOptions()
    if isinstance(generation, GenerationOptions):
        return generation
    try:
        return GenerationOptions.from_kwargs(generation, label="generation")
    except ConfigError as exc:
        raise StudyError(str(exc), field="generation") from None


def _model_generation(model: BaseModel) -> GenerationOptions:
    """The sampling settings a loaded model was built with (what a study needs to rebuild it)."""
    described = model.describe()
    config = described.get("generation")
    config = config if isinstance(config, Mapping) else {}
    sampling = bool(config.get("do_sample"))
    temperature = config.get("temperature") if sampling else 0.0
    seed = described.get("seed", getattr(model, "seed", None))
    return GenerationOptions(
        temperature=temperature if isinstance(temperature, (int, float)) else None,
        top_p=config.get("top_p") if sampling and isinstance(config.get("top_p"), (int, float)) else None,
        max_new_tokens=model.max_out_tokens,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
    )


def _is_demo(model: BaseModel) -> bool:
    """True for the package's demo model (or the tiny stand-in it falls back to)."""
    from ..models import is_demo_model

    if is_demo_model(model):
        return True
    try:
        demo = import_module("syndisco_widgets.models.demo")
    except ImportError:
        return False
    return model.name == getattr(demo, "DEMO_MODEL_LABEL", None)


def _checked_model(model: object) -> BaseModel:
    if not isinstance(model, BaseModel):
        raise ConfigError(
            f"model must be a BaseModel such as TransformersModel (or None for the study's own), "
            f"got {type(model).__name__}"
        )
    return model
