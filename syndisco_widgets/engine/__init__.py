"""The discussion engine: personas, actors, turn managers, discussions and logs.

Runs without ipywidgets or a browser.
"""

from .actors import Actor, ActorType
from .annotation import AnnotationExperiment, annotate
from .discussion import Discussion
from .drive import DriveListener, RunReport, drive, run_discussions
from .entries import AnnotationEntry, DeliberationEntry, Entry, Role, Source
from .experiment import DiscussionExperiment, new_experiment_dir
from .exports import export_run, load_exports
from .logs import Logs
from .persona import Persona, load_personas, save_personas
from .requests import TurnRequest, TurnSource
from .storage import JsonlLogWriter, unique_run_path
from .study import Study
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
from .usage import Price, summarize_usage

__all__ = [
    "Actor",
    "ActorType",
    "AnnotationEntry",
    "AnnotationExperiment",
    "CustomOrder",
    "DeliberationEntry",
    "Discussion",
    "DiscussionExperiment",
    "DriveListener",
    "Entry",
    "FunctionTurnManager",
    "JsonlLogWriter",
    "Logs",
    "Persona",
    "Price",
    "QueueTurnManager",
    "RandomTurnManager",
    "RandomWeighted",
    "RespondTurnManager",
    "Role",
    "RoundRobin",
    "RunReport",
    "Source",
    "Study",
    "TurnManager",
    "TurnRequest",
    "TurnSource",
    "annotate",
    "drive",
    "export_run",
    "load_exports",
    "load_personas",
    "new_experiment_dir",
    "run_discussions",
    "save_personas",
    "summarize_usage",
    "unique_run_path",
]
