"""Model backends: the :class:`BaseModel` interface and its implementations.

``TransformersModel`` is imported lazily so that torch and transformers load
only when a model is built.
"""

from .base import BaseModel, ChatPrompt, TextCallback
from .scripted import ScriptedModel

__all__ = ["BaseModel", "ChatPrompt", "ScriptedModel", "TextCallback", "TransformersModel", "build_tiny_model"]


def __getattr__(name: str):
    if name == "TransformersModel":
        from .transformers_model import TransformersModel

        return TransformersModel
    if name == "build_tiny_model":
        from .tiny import build_tiny_model

        return build_tiny_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
