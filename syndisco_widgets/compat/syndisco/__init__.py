"""SynDisco 2.2.1's ``syndisco`` package, on syndisco-widgets' engine.

``import syndisco_widgets.compat.syndisco as syndisco`` is the only change a
SynDisco 2.2 script needs. The submodules (``actors``, ``jobs``, ``model``,
``turn_manager``, ``experiments``, ``logging``) are here too. Models load
torch only when ``TransformersModel`` is first used. The README's port guide
lists what differs and why.
"""

from ...lazy import lazy_attributes
from ...models.base import BaseModel
from .actors import Actor
from .experiments import AnnotationExperiment, DiscussionExperiment
from .jobs import Annotation, Discussion, Logs
from .logging import logging_setup
from .turn_manager import QueueTurnManager, RandomTurnManager, RandomWeighted, RespondTurnManager, TurnManager

#: The SynDisco release whose API this namespace follows.
__version__ = "2.2.1"

_LAZY = {"TransformersModel": ".model", "OpenAIModel": ".model"}

__all__ = [
    "Actor",
    "Annotation",
    "AnnotationExperiment",
    "BaseModel",
    "Discussion",
    "DiscussionExperiment",
    "Logs",
    "OpenAIModel",
    "QueueTurnManager",
    "RandomTurnManager",
    "RandomWeighted",
    "RespondTurnManager",
    "TransformersModel",
    "TurnManager",
    "logging_setup",
]


__getattr__ = lazy_attributes(globals(), _LAZY, "'syndisco' (syndisco_widgets.compat.syndisco)")


def __dir__() -> list[str]:
    return sorted(__all__)
