"""Notebook widgets: set up, run, watch, steer, branch and export discussions.

Each widget works alone and inside :class:`DiscussionStudio`. Generation
always runs on a :class:`DiscussionRunner` worker thread, so the notebook
stays responsive.
"""

from .branches import Branch, BranchExplorer
from .controls import DiscussionControls
from .model_picker import ModelPicker
from .persona_editor import PersonaEditor
from .runner import DiscussionChange, DiscussionRunner
from .studio import DiscussionStudio
from .transcript import TranscriptView
from .turn_selector import TurnManagerSelector

__all__ = [
    "Branch",
    "BranchExplorer",
    "DiscussionChange",
    "DiscussionControls",
    "DiscussionRunner",
    "DiscussionStudio",
    "ModelPicker",
    "PersonaEditor",
    "TranscriptView",
    "TurnManagerSelector",
]
