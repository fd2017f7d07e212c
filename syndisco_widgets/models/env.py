"""The model for notebooks, demos and CI: the one ``SYNDISCO_MODEL`` names, or the tiny offline one."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import BaseModel

#: Environment variable naming a Hugging Face id or a local folder to use.
MODEL_ENV_VAR = "SYNDISCO_MODEL"


def model_path_from_env() -> str | None:
    """The folder or Hugging Face id in ``SYNDISCO_MODEL``, or None when unset."""
    return os.environ.get(MODEL_ENV_VAR, "").strip() or None


def model_from_env(
    max_out_tokens: int = 100, *, demo_kwargs: dict[str, Any] | None = None, **kwargs: Any
) -> BaseModel:
    """A ``TransformersModel`` for the model ``SYNDISCO_MODEL`` names.

    When it is unset, the tiny offline model from :func:`build_tiny_model`
    is used instead (named ``TINY_MODEL_LABEL``: its text is meaningless);
    ``demo_kwargs`` then replace ``kwargs``, e.g. to fix the reply length.
    """
    from .tiny import TINY_MODEL_LABEL, build_tiny_model
    from .transformers_model import TransformersModel

    path = model_path_from_env()
    if path is not None:
        return TransformersModel(path, path, max_out_tokens, **kwargs)
    settings = kwargs if demo_kwargs is None else demo_kwargs
    return TransformersModel(str(build_tiny_model()), TINY_MODEL_LABEL, max_out_tokens, **settings)


def is_demo_model(model: BaseModel) -> bool:
    """True for the tiny offline model, whose text is meaningless."""
    from .tiny import TINY_MODEL_LABEL

    return model.name == TINY_MODEL_LABEL
