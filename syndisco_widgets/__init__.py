"""syndisco-widgets: run, watch and steer synthetic discussions between LLM agents.

``import syndisco_widgets as syndisco`` gives the engine (light: torch and
transformers load only when a model is built) and, on first use, the widgets.
"""

from . import errors
from .engine import (
    Actor,
    ActorType,
    AnnotationExperiment,
    CustomOrder,
    Discussion,
    DiscussionExperiment,
    DriveListener,
    FunctionTurnManager,
    JsonlLogWriter,
    Logs,
    Persona,
    Price,
    QueueTurnManager,
    RandomTurnManager,
    RandomWeighted,
    RespondTurnManager,
    RoundRobin,
    RunReport,
    Study,
    TurnManager,
    TurnRequest,
    TurnSource,
    annotate,
    drive,
    export_run,
    load_exports,
    load_personas,
    run_discussions,
    save_personas,
    summarize_usage,
    unique_run_path,
)
from .lazy import lazy_attributes
from .models import (
    BaseModel,
    ChatPrompt,
    Completion,
    GenerationControl,
    GenerationOptions,
    ScriptedModel,
    model_from_env,
)
from .viewer.display import attach_to_ipython

__version__ = "0.1.0"

# Loaded on first access so the engine never imports torch or ipywidgets up front.
_LAZY = {
    "TransformersModel": "syndisco_widgets.models",
    "OpenAIModel": "syndisco_widgets.models.openai_model",
    "build_tiny_model": "syndisco_widgets.models",
    "demo_model": "syndisco_widgets.models",
    "DeliberationStudio": "syndisco_widgets.widgets",
    "DiscussionStudio": "syndisco_widgets.widgets",
    "DiscussionControls": "syndisco_widgets.widgets",
    "PersonaEditor": "syndisco_widgets.widgets",
    "TurnManagerSelector": "syndisco_widgets.widgets",
    "ModelPicker": "syndisco_widgets.widgets",
    "TranscriptView": "syndisco_widgets.widgets",
    "BranchExplorer": "syndisco_widgets.widgets",
}

__all__ = [
    "Actor",
    "ActorType",
    "AnnotationExperiment",
    "BaseModel",
    "BranchExplorer",
    "ChatPrompt",
    "Completion",
    "CustomOrder",
    "DeliberationStudio",
    "Discussion",
    "DiscussionControls",
    "DiscussionExperiment",
    "DiscussionStudio",
    "DriveListener",
    "FunctionTurnManager",
    "GenerationControl",
    "GenerationOptions",
    "JsonlLogWriter",
    "Logs",
    "ModelPicker",
    "OpenAIModel",
    "Persona",
    "PersonaEditor",
    "Price",
    "QueueTurnManager",
    "RandomTurnManager",
    "RandomWeighted",
    "RespondTurnManager",
    "RoundRobin",
    "RunReport",
    "ScriptedModel",
    "Study",
    "TranscriptView",
    "TransformersModel",
    "TurnManager",
    "TurnManagerSelector",
    "TurnRequest",
    "TurnSource",
    "annotate",
    "build_tiny_model",
    "demo_model",
    "drive",
    "errors",
    "export_run",
    "load_exports",
    "load_personas",
    "model_from_env",
    "run_discussions",
    "save_personas",
    "summarize_usage",
    "unique_run_path",
]
assert set(_LAZY) <= set(__all__)


__getattr__ = lazy_attributes(globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)


# Inside IPython, show discussions, experiments and structures with the viewer (it loads on first display).
attach_to_ipython()
