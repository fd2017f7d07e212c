"""Turning ``model=`` arguments into model objects.

``model=`` may be a :class:`~syndisco_widgets.models.BaseModel`, or a string
naming a local checkpoint folder or a Hugging Face id. Strings are loaded as a
:class:`~syndisco_widgets.models.TransformersModel`, and the same string (with
the same settings) always gives back the same object while it is in use, so
ten agents naming one model share it (and can be batched together).

There is no backend for hosted API models: names such as ``'gpt-4o'`` raise a
:class:`~syndisco_widgets.errors.ModelLoadError` explaining what to pass instead.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, ModelLoadError
from ..models.base import BaseModel
from ..models.cache import canonical_kwargs
from ..models.env import MODEL_ENV_VAR, model_path_from_env

# Hosted chat-API model names (OpenAI, Anthropic, Google, ...). They cannot run here.
_API_NAME = re.compile(
    r"^(?:openai|anthropic|azure|gemini|vertex_ai|bedrock|cohere|mistral|groq|together_ai)/"
    r"|^(?:gpt-|chatgpt|o[1-9](?:-|$)|claude|gemini|command-|text-davinci|davinci|babbage)",
    re.IGNORECASE,
)

_lock = threading.Lock()
_aliases: dict[str, BaseModel | str] = {}
_registry: weakref.WeakValueDictionary[tuple[str, int, str], BaseModel] = weakref.WeakValueDictionary()


def _missing_model_error(owner: str) -> ConfigError:
    return ConfigError(
        f"{owner} needs a model. Pass model= a BaseModel object (e.g. ScriptedModel() or "
        "TransformersModel(...)), a local checkpoint folder, or a Hugging Face id such as "
        f"'Qwen/Qwen2.5-0.5B-Instruct'; or set the {MODEL_ENV_VAR} environment variable to "
        "one of the last two. For an offline demo, use build_tiny_model()."
    )


def alias_model(name: str, model: BaseModel | str | os.PathLike | None) -> None:
    """Make ``model=name`` mean ``model`` from now on (``None`` removes the alias).

    This lets code written for hosted models run unchanged on a local one::

        alias_model("gpt-4o", "Qwen/Qwen2.5-0.5B-Instruct")
        Agent(persona="a nurse", model="gpt-4o")  # runs the local model
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"alias_model: name must be a non-empty string, got {name!r}")
    target = model
    while isinstance(target, (str, os.PathLike)):  # follow existing aliases from the new target
        target = os.fspath(target)
        if target == name:
            raise ConfigError(f"alias_model: {name!r} -> {model!r} would make an alias loop")
        target = _aliases.get(target)
    if model is None:
        _aliases.pop(name, None)
    elif isinstance(model, (BaseModel, str, os.PathLike)):
        _aliases[name] = model if isinstance(model, BaseModel) else os.fspath(model)
    else:
        raise ConfigError(
            f"alias_model: model must be a BaseModel, a folder or a Hugging Face id, got {model!r}"
        )


def resolve_model(
    model: BaseModel | str | os.PathLike | None,
    *,
    owner: str = "Agent",
    max_out_tokens: int = 256,
    generation_kwargs: Mapping[str, Any] | None = None,
) -> BaseModel:
    """Return the model object for a ``model=`` argument.

    Args:
        model: A BaseModel (returned as is), a folder or Hugging Face id, or
            ``None`` to use the ``SYNDISCO_MODEL`` environment variable.
        owner: Who asks, for error messages.
        max_out_tokens: Reply length for models loaded from a string.
        generation_kwargs: Extra generation settings for models loaded from a string.

    Raises:
        ConfigError: no model was given and ``SYNDISCO_MODEL`` is not set, or
            the argument has a wrong type.
        ModelLoadError: the string names a hosted API model, or loading failed.
    """
    if isinstance(model, BaseModel):
        return model
    if model is None:
        model = model_path_from_env()
        if model is None:
            raise _missing_model_error(owner)
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    if isinstance(model, str) and model in _aliases:
        return resolve_model(
            _aliases[model], owner=owner, max_out_tokens=max_out_tokens, generation_kwargs=generation_kwargs
        )
    if not isinstance(model, str) or not model.strip():
        raise ConfigError(f"{owner} model must be a BaseModel, a folder or a Hugging Face id, got {model!r}")
    if _API_NAME.search(model) and not os.path.exists(os.path.expanduser(model)):
        raise ModelLoadError(
            f"{owner}: {model!r} is a hosted API model, and syndisco-widgets runs models locally only. "
            "Pass model= a BaseModel object, a local checkpoint folder, or a Hugging Face id "
            "such as 'Qwen/Qwen2.5-0.5B-Instruct' (or build_tiny_model() for an offline demo). "
            f"To keep the name in existing code, map it once: alias_model({model!r}, <local model>)."
        )
    key = (model, max_out_tokens, canonical_kwargs(generation_kwargs))
    with _lock:
        found = _registry.get(key)
        if found is not None:
            return found
        from ..models import TransformersModel  # loads torch only now

        loaded = TransformersModel(
            model,
            name=model,
            max_out_tokens=max_out_tokens,
            generation_kwargs=dict(generation_kwargs or {}) or None,
        )
        _registry[key] = loaded
        return loaded
