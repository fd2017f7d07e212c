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
      "topic": "",                           // the question discussed: in every speaker's
                                             // context and turn, shown above the transcript
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

This module holds the :class:`Study` and what it builds. Its parts live
next to it: :mod:`.study_schema` (the part dataclasses), :mod:`.study_fields`
(checking a file's values) and :mod:`.study_files` (reading and writing JSON
or YAML); the public names are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, StudyError
from ..models.base import BaseModel, GenerationOptions
from .actors import Actor, ActorType
from .persona import Persona
from .study_fields import parse_study
from .study_files import read_study_file, write_study_file
from .study_schema import (
    DEFAULT_MAX_NEW_TOKENS,
    STUDY_FORMAT,
    STUDY_VERSION,
    ExperimentPlan,
    ModelKind,
    ModelSpec,
    ModeratorSpec,
    SeedOpinion,
    TurnManagerKind,
    TurnManagerSpec,
    persona_file_form,
)
from .topic import context_with_topic
from .turns import RoundRobin, TurnManager
from .usage import Price

if TYPE_CHECKING:
    from .discussion import Discussion
    from .experiment import DiscussionExperiment

__all__ = [
    "DEFAULT_MAX_NEW_TOKENS",
    "STUDY_FORMAT",
    "STUDY_VERSION",
    "ExperimentPlan",
    "ModelKind",
    "ModelSpec",
    "ModeratorSpec",
    "SeedOpinion",
    "Study",
    "TurnManagerKind",
    "TurnManagerSpec",
    "as_study",
    "discussion_from_study",
    "experiment_from_study",
]


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
    topic: str = ""
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
        checked = parse_study(self.to_dict(), self.source or "Study")
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
        return cls.from_dict(read_study_file(file), source=str(file))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the study (atomically): YAML for ``.yaml``/``.yml``, JSON otherwise.

        ``Study.load`` reads it back to an equal study.
        """
        if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise StudyError(f"Study.save: path must be a file path, got {type(path).__name__} {path!r:.60}")
        return write_study_file(Path(os.fspath(path)), self.to_dict())

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "") -> Study:
        """Build a study from its file form (a dict as :meth:`to_dict` gives).

        ``source`` names where the data came from in error messages.
        """
        checked = parse_study(data, source or "study")
        return cls(**checked, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The file form, every field present, in a readable order."""
        return {
            "format": STUDY_FORMAT,
            "version": STUDY_VERSION,
            "name": self.name,
            "description": self.description,
            "personas": [persona_file_form(p) for p in _as_list(self.personas)],
            "topic": self.topic,
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
        topic: str = "",
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
            topic: The question discussed (in every speaker's context and turn request).
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
            "personas": [persona_file_form(p) for p in personas],
            "topic": topic,
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
            "topic": self.topic,
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
        """The users and the moderator (or None), all speaking through ``model``.

        Each actor's context is the study's context with its topic stated after it.
        """
        context = context_with_topic(self.context, self.topic)
        users = [Actor(model, p, ActorType.USER, context, self.instructions) for p in self.personas]
        mod = self.moderator
        moderator = Actor(model, mod.persona, ActorType.MODERATOR, context, mod.instructions) if mod else None
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
            topic=self.topic,
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
            topic=self.topic,
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


# -- building a study from a set-up ------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else value


def _dumped(value: Any) -> Any:
    """The file form of a part (a wrong value passes through for the checks to name)."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


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


def _checked_model(model: object) -> BaseModel:
    if not isinstance(model, BaseModel):
        raise ConfigError(
            f"model must be a BaseModel such as TransformersModel (or None for the study's own), "
            f"got {type(model).__name__}"
        )
    return model
