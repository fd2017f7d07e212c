"""The parts of a study, as dataclasses: turn-taking, model, moderator, openers, plan.

Each part knows its file form (``to_dict``) and builds what it describes;
checking a file's values is :mod:`.study_fields`' job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

from ..errors import StudyError
from ..models.base import BaseModel, GenerationOptions
from .persona import Persona
from .turns import CustomOrder, RandomWeighted, RoundRobin, TurnManager

#: The schema version this package writes and the newest it reads.
STUDY_VERSION = 1
#: The optional ``format`` marker of a study file.
STUDY_FORMAT = "syndisco-widgets/study"
#: Reply length when the study's generation settings give none.
DEFAULT_MAX_NEW_TOKENS = 100

TurnManagerKind = Literal["round_robin", "random_weighted", "custom_order"]
ModelKind = Literal["demo", "transformers", "openai"]
TURN_KINDS: tuple[TurnManagerKind, ...] = ("round_robin", "random_weighted", "custom_order")
MODEL_KINDS: tuple[ModelKind, ...] = ("demo", "transformers", "openai")
#: The fields a persona may have in a study file.
PERSONA_FIELDS = tuple(f.name for f in dataclasses.fields(Persona))
_EMPTY: tuple[Any, ...] = (None, "", [], {})


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
            if is_demo(model):
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
            "persona": persona_file_form(self.persona),
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


def persona_file_form(persona: Any) -> Any:
    """A persona's file form: empty fields left out, fields of Persona subclasses under ``extra``.

    Anything else passes through (as a dict when it is a mapping) for the checks to name.
    """
    if isinstance(persona, Persona):
        data = persona.to_dict()
        known = {
            k: v for k, v in data.items() if k in PERSONA_FIELDS and (k == "username" or v not in _EMPTY)
        }
        added = {k: v for k, v in data.items() if k not in PERSONA_FIELDS}
        if added:
            known["extra"] = {**known.get("extra", {}), **added}
        return known
    return dict(persona) if isinstance(persona, Mapping) else persona


def is_demo(model: BaseModel) -> bool:
    """True for the package's demo model (or the tiny stand-in it falls back to)."""
    from ..models import is_tiny_model

    if is_tiny_model(model):
        return True
    try:
        demo = import_module("syndisco_widgets.models.demo")
    except ImportError:
        return False
    return model.name == getattr(demo, "DEMO_MODEL_LABEL", None)
