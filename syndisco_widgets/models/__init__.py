"""Model backends: the :class:`BaseModel` interface and its implementations.

``TransformersModel``, ``build_tiny_model`` and ``demo_model`` are imported
lazily so that torch and transformers load only when a model is built.
"""

from typing import Any

from .base import (
    BaseModel,
    ChatMessage,
    ChatPrompt,
    Completion,
    GenerationControl,
    GenerationOptions,
    TextCallback,
)
from .env import MODEL_ENV_VAR, is_demo_model, model_from_env, model_path_from_env
from .scripted import ScriptedModel

__all__ = [
    "MODEL_ENV_VAR",
    "BaseModel",
    "ChatMessage",
    "ChatPrompt",
    "Completion",
    "GenerationControl",
    "GenerationOptions",
    "ScriptedModel",
    "TextCallback",
    "TransformersModel",
    "build_tiny_model",
    "demo_model",
    "is_demo_model",
    "model_from_env",
    "model_path_from_env",
]


def __getattr__(name: str) -> Any:
    if name == "TransformersModel":
        from .transformers_model import TransformersModel

        return TransformersModel
    if name == "build_tiny_model":
        from .tiny import build_tiny_model

        return build_tiny_model
    if name == "demo_model":
        from .demo import demo_model

        return demo_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
