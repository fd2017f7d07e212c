"""SynDisco 2.2's models: ``BaseModel`` is ours; ``TransformersModel`` takes SynDisco's arguments.

A custom model subclasses :class:`BaseModel` and writes
``_generate_response(system_prompt, user_prompt) -> str``, as in SynDisco.
``TransformersModel`` and ``OpenAIModel`` load on first use, so importing
this module loads no torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lazy import lazy_attributes
from ...models.base import BaseModel

if TYPE_CHECKING:
    from ...models.openai_model import OpenAIModel
    from .transformers_model import TransformersModel

_LAZY = {
    "TransformersModel": "syndisco_widgets.compat.syndisco.transformers_model",
    "OpenAIModel": "syndisco_widgets.models.openai_model",
}

__all__ = ["BaseModel", "OpenAIModel", "TransformersModel"]


__getattr__ = lazy_attributes(globals(), _LAZY, "'syndisco.model'")
