"""Notebook widgets: set up, run, watch, steer, branch and export discussions.

Each widget works alone and inside :class:`DiscussionStudio`. Generation
always runs on a :class:`Runner` worker thread, so the notebook
stays responsive.
"""

from ..session import Runner, RunnerState, SourceChange
from .branches import Branch, BranchBar, BranchExplorer
from .controls import DiscussionControls
from .deliberation_studio import DeliberationStudio
from .message_box import MessageBox
from .model_picker import ModelPicker
from .persona_editor import PersonaEditor
from .studio import DiscussionStudio
from .table import LogTable
from .transcript import TranscriptView
from .turn_selector import TurnManagerSelector

__all__ = [
    "Branch",
    "BranchBar",
    "BranchExplorer",
    "DeliberationStudio",
    "DiscussionControls",
    "DiscussionStudio",
    "LogTable",
    "MessageBox",
    "ModelPicker",
    "PersonaEditor",
    "Runner",
    "RunnerState",
    "SourceChange",
    "TranscriptView",
    "TurnManagerSelector",
]
