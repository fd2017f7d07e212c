"""What the environment says about models: which one, how long its replies, how many threads.

Notebooks read nothing from the environment themselves; a test run (or a
teacher's machine) sets these variables and the package obeys:

* ``SYNDISCO_MODEL``: a Hugging Face id or a folder to use instead of the demo model;
* ``SYNDISCO_MAX_TOKENS``: caps the demo model's reply length (e.g. ``32`` in CI);
* ``SYNDISCO_THREADS``: torch's CPU threads, set when a local model loads (e.g. ``1`` in CI).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from .base import BaseModel

#: Environment variable naming a Hugging Face id or a local folder to use.
MODEL_ENV_VAR = "SYNDISCO_MODEL"
#: Environment variable capping the demo model's reply length, e.g. ``SYNDISCO_MAX_TOKENS=32`` in CI.
MAX_TOKENS_ENV_VAR = "SYNDISCO_MAX_TOKENS"
#: Environment variable setting torch's CPU threads when a local model loads, e.g. ``1`` in CI.
THREADS_ENV_VAR = "SYNDISCO_THREADS"


def whole_number_from_env(name: str) -> int | None:
    """The whole number >= 1 in environment variable ``name``, or None when it is unset or blank.

    Raises:
        ConfigError: the variable holds something else (the message names it).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"environment variable {name} must be a whole number >= 1, got {raw!r}")
    return value


def apply_thread_limit() -> int | None:
    """Set torch's CPU threads to ``SYNDISCO_THREADS`` when it is set; return the number set."""
    threads = whole_number_from_env(THREADS_ENV_VAR)
    if threads is not None:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    return threads


def model_path_from_env() -> str | None:
    """The folder or Hugging Face id in ``SYNDISCO_MODEL``, or None when unset."""
    return os.environ.get(MODEL_ENV_VAR, "").strip() or None


def model_from_env(
    max_out_tokens: int | None = None, *, demo_kwargs: dict[str, Any] | None = None, **kwargs: Any
) -> BaseModel:
    """A ``TransformersModel`` for the model ``SYNDISCO_MODEL`` names, else the demo model.

    When ``SYNDISCO_MODEL`` is unset this is :func:`~syndisco_widgets.models.demo_model`
    (SmolLM2-135M-Instruct, offline), with its readable-chat defaults and
    ``demo_kwargs`` (when given) instead of ``kwargs``. ``max_out_tokens``
    defaults to 100 for a named model and to the demo's own length
    (``SYNDISCO_MAX_TOKENS`` or 80) for the demo model.

    Raises:
        ModelLoadError: no model is named and no demo model is installed;
            the message says how to get one.
    """
    from .demo import demo_model
    from .transformers_model import TransformersModel

    path = model_path_from_env()
    if path is not None:
        length = 100 if max_out_tokens is None else max_out_tokens
        return TransformersModel(path, path, length, **kwargs)
    settings = dict(kwargs if demo_kwargs is None else demo_kwargs)
    if max_out_tokens is not None:
        settings.setdefault("max_out_tokens", max_out_tokens)
    return demo_model(**settings)


def is_tiny_model(model: BaseModel) -> bool:
    """True for the tiny random-weight test model (``build_tiny_model``), whose text is meaningless.

    The demo model (``demo_model()``, SmolLM2) is a real model: this is False for it.
    """
    from .tiny import TINY_MODEL_LABEL

    return model.name == TINY_MODEL_LABEL
