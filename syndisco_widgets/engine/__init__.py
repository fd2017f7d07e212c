"""The discussion engine: personas, actors, turn managers, discussions and logs.

Runs without ipywidgets or a browser.
"""

from .actors import Actor, ActorType
from .annotation import AnnotationExperiment, annotate
from .batch import RunReport, run_discussions
from .discussion import Discussion, TurnRequest
from .entries import AnnotationEntry, DeliberationEntry, Entry, Role, Source
from .experiment import DiscussionExperiment, new_experiment_dir
from .logs import Logs
from .persona import Persona, load_personas, save_personas
from .storage import JsonlLogWriter, unique_run_path
from .turns import (
    CustomOrder,
    FunctionTurnManager,
    QueueTurnManager,
    RandomTurnManager,
    RandomWeighted,
    RespondTurnManager,
    RoundRobin,
    TurnManager,
)

__all__ = [
    "Actor",
    "ActorType",
    "AnnotationEntry",
    "AnnotationExperiment",
    "CustomOrder",
    "DeliberationEntry",
    "Discussion",
    "DiscussionExperiment",
    "Entry",
    "FunctionTurnManager",
    "JsonlLogWriter",
    "Logs",
    "Persona",
    "QueueTurnManager",
    "RandomTurnManager",
    "RandomWeighted",
    "RespondTurnManager",
    "Role",
    "RoundRobin",
    "RunReport",
    "Source",
    "TurnManager",
    "TurnRequest",
    "annotate",
    "load_personas",
    "new_experiment_dir",
    "run_discussions",
    "save_personas",
    "unique_run_path",
]
