"""The names the widgets used before the runner moved to :mod:`syndisco_widgets.session`.

``DiscussionRunner`` is the :class:`~syndisco_widgets.session.Runner` and
``DiscussionChange`` the :class:`~syndisco_widgets.session.SourceChange`; new
code imports from ``syndisco_widgets.session``.
"""

from __future__ import annotations

from ..session import (
    EntryAdded,
    RunnerEvent,
    RunnerState,
    RunProgress,
    SourceChange,
    TextAdded,
    TurnEnded,
    TurnStarted,
    as_runner,
)
from ..session import Runner as DiscussionRunner

DiscussionChange = SourceChange

__all__ = [
    "DiscussionChange",
    "DiscussionRunner",
    "EntryAdded",
    "RunProgress",
    "RunnerEvent",
    "RunnerState",
    "TextAdded",
    "TurnEnded",
    "TurnStarted",
    "as_runner",
]
