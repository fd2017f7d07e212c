"""One runner for anything that takes turns, and the one vocabulary of what it reports.

No ipywidgets here (traitlets only): a :class:`Runner` drives a discussion
or a deliberation structure on a worker thread, and every view (transcript,
table, insights, branch bar, a studio's controls) follows its
:data:`RunnerEvent` objects.
"""

from .events import (
    EntryAdded,
    RunnerEvent,
    RunnerState,
    RunProgress,
    SourceChange,
    TextAdded,
    TurnEnded,
    TurnStarted,
)
from .runner import Runner, as_runner

__all__ = [
    "EntryAdded",
    "RunProgress",
    "Runner",
    "RunnerEvent",
    "RunnerState",
    "SourceChange",
    "TextAdded",
    "TurnEnded",
    "TurnStarted",
    "as_runner",
]
