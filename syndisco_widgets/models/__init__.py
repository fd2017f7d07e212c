"""Model backends: the :class:`BaseModel` interface and its implementations.

``TransformersModel``, ``OpenAIModel``, ``build_tiny_model`` and ``demo_model`` are imported
lazily so that torch and transformers load only when a model is built.
"""

from ..lazy import lazy_attributes
from .base import (
    BaseModel,
    ChatMessage,
    ChatPrompt,
    Completion,
    GenerationControl,
    GenerationOptions,
    TextCallback,
)
from .env import (
    MAX_TOKENS_ENV_VAR,
    MODEL_ENV_VAR,
    THREADS_ENV_VAR,
    is_tiny_model,
    model_from_env,
    model_path_from_env,
)
from .labels import LabelChoice
from .scripted import ScriptedModel

__all__ = [
    "MAX_TOKENS_ENV_VAR",
    "MODEL_ENV_VAR",
    "THREADS_ENV_VAR",
    "BaseModel",
    "ChatMessage",
    "ChatPrompt",
    "Completion",
    "GenerationControl",
    "GenerationOptions",
    "LabelChoice",
    "OpenAIModel",
    "ScriptedModel",
    "TextCallback",
    "TransformersModel",
    "build_tiny_model",
    "demo_model",
    "hosted_model",
    "is_tiny_model",
    "model_from_env",
    "model_path_from_env",
]


# Loaded on first access: these import torch, transformers or openai.
_LAZY = {
    "TransformersModel": ".transformers_model",
    "build_tiny_model": ".tiny",
    "demo_model": ".demo",
    "OpenAIModel": ".openai_model",
    "hosted_model": ".openai_model",
}


__getattr__ = lazy_attributes(globals(), _LAZY)
