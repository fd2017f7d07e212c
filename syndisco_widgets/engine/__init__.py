"""The discussion engine: personas, actors, turn managers, discussions and logs.

Runs without ipywidgets or a browser.
"""

from .actors import Actor, ActorType
from .annotation import annotate
from .discussion import Discussion
from .entries import AnnotationEntry, DeliberationEntry, Entry, Role, Source
from .experiment import DiscussionExperiment, new_experiment_dir
from .logs import Logs
from .persona import Persona, load_personas, save_personas
from .storage import JsonlLogWriter, unique_run_path
from .turns import CustomOrder, FunctionTurnManager, RandomWeighted, RoundRobin, TurnManager

__all__ = [
    "Actor",
    "ActorType",
    "AnnotationEntry",
    "CustomOrder",
    "DeliberationEntry",
    "Discussion",
    "DiscussionExperiment",
    "Entry",
    "FunctionTurnManager",
    "JsonlLogWriter",
    "Logs",
    "Persona",
    "RandomWeighted",
    "Role",
    "RoundRobin",
    "Source",
    "TurnManager",
    "annotate",
    "load_personas",
    "new_experiment_dir",
    "save_personas",
    "unique_run_path",
]
