"""Model backends: the :class:`BaseModel` interface and its implementations.

``TransformersModel`` is imported lazily so that torch and transformers load
only when a model is built.
"""

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
    "ChatPrompt",
    "ScriptedModel",
    "TextCallback",
    "TransformersModel",
    "build_tiny_model",
    "is_demo_model",
    "model_from_env",
    "model_path_from_env",
]


def __getattr__(name: str):
    if name == "TransformersModel":
        from .transformers_model import TransformersModel

        return TransformersModel
    if name == "build_tiny_model":
        from .tiny import build_tiny_model

        return build_tiny_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
