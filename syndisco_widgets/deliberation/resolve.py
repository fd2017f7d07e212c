"""Turning ``model=`` arguments into model objects.

``model=`` may be a :class:`~syndisco_widgets.models.BaseModel`, or a string
naming a local checkpoint folder or a Hugging Face id. Strings are loaded as a
:class:`~syndisco_widgets.models.TransformersModel`, and the same string (with
the same settings) always gives back the same object while it is in use, so
ten agents naming one model share it (and can be batched together).

Hosted API names such as ``'gpt-4o'`` run on an OpenAI-compatible server when
``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set (see
:func:`~syndisco_widgets.models.openai_model.hosted_model`); otherwise they raise
a :class:`~syndisco_widgets.errors.ModelLoadError` explaining what to pass instead.
Sampling settings (an agent's ``kwargs``) are not part of the model: they travel
with each call, so agents with different settings still share one model.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from pathlib import Path
from typing import cast

from ..errors import ConfigError, ModelLoadError
from ..models.base import BaseModel
from ..models.env import MODEL_ENV_VAR, model_path_from_env

# Hosted chat-API model names (OpenAI, Anthropic, Google, ...). They cannot run here.
_API_NAME = re.compile(
    r"^(?:openai|anthropic|azure|gemini|vertex_ai|bedrock|cohere|mistral|groq|together_ai)/"
    r"|^(?:gpt-|chatgpt|o[1-9](?:-|$)|claude|gemini|command-|text-davinci|davinci|babbage)",
    re.IGNORECASE,
)

_lock = threading.Lock()
_aliases: dict[str, BaseModel | str] = {}
_registry: weakref.WeakValueDictionary[tuple[str, int], BaseModel] = weakref.WeakValueDictionary()


def _missing_model_error(owner: str) -> ConfigError:
    return ConfigError(
        f"{owner} needs a model. Pass model= a BaseModel object (e.g. ScriptedModel() or "
        "TransformersModel(...)), a local checkpoint folder, or a Hugging Face id such as "
        f"'Qwen/Qwen2.5-0.5B-Instruct'; or set the {MODEL_ENV_VAR} environment variable to "
        "one of the last two. For an offline demo, use build_tiny_model()."
    )


def alias_model(name: str, model: BaseModel | str | os.PathLike[str] | None) -> None:
    """Make ``model=name`` mean ``model`` from now on (``None`` removes the alias).

    This lets code written for hosted models run unchanged on a local one::

        alias_model("gpt-4o", "Qwen/Qwen2.5-0.5B-Instruct")
        Agent(persona="a nurse", model="gpt-4o")  # runs the local model
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"alias_model: name must be a non-empty string, got {name!r}")
    target: object = model
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
    model: BaseModel | str | os.PathLike[str] | None,
    *,
    owner: str = "Agent",
    max_out_tokens: int = 256,
) -> BaseModel:
    """Return the model object for a ``model=`` argument.

    Args:
        model: A BaseModel (returned as is), a folder or Hugging Face id, or
            ``None`` to use the ``SYNDISCO_MODEL`` environment variable.
        owner: Who asks, for error messages.
        max_out_tokens: Reply length for models loaded from a string.

    Raises:
        ConfigError: no model was given and ``SYNDISCO_MODEL`` is not set, or
            the argument has a wrong type.
        ModelLoadError: the string names a hosted API model and no server is
            configured, or loading failed.
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
        return resolve_model(_aliases[model], owner=owner, max_out_tokens=max_out_tokens)
    if not isinstance(model, str) or not model.strip():
        raise ConfigError(f"{owner} model must be a BaseModel, a folder or a Hugging Face id, got {model!r}")
    if _API_NAME.search(model) and not Path(model).expanduser().exists():
        hosted = _hosted(model, max_out_tokens)
        if hosted is not None:
            return hosted
        raise ModelLoadError(
            f"{owner}: {model!r} is a hosted API model, and no server is configured to run it. "
            "Pass model= a BaseModel object, a local checkpoint folder, or a Hugging Face id "
            "such as 'Qwen/Qwen2.5-0.5B-Instruct' (or build_tiny_model() for an offline demo), "
            "or set OPENAI_BASE_URL (an OpenAI-compatible server) or OPENAI_API_KEY to run it there. "
            f"To keep the name in existing code, map it once: alias_model({model!r}, <local model>)."
        )
    key = (model, max_out_tokens)
    with _lock:
        found = _registry.get(key)
        if found is not None:
            return found
        from ..models.transformers_model import TransformersModel  # loads torch only now

        loaded = TransformersModel(model, name=model, max_out_tokens=max_out_tokens)
        _registry[key] = loaded
        return loaded


def _hosted(name: str, max_out_tokens: int) -> BaseModel | None:
    """A server model for a hosted name when the environment configures one (shared per name)."""
    from ..models.openai_model import hosted_model  # the openai client loads only now

    key = (f"hosted:{name}", max_out_tokens)
    with _lock:
        found = _registry.get(key)
        if found is None:
            found = cast("BaseModel | None", hosted_model(name, name=name, max_out_tokens=max_out_tokens))
            if found is not None:
                _registry[key] = found
        return found
