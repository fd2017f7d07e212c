"""The names the widgets used before the runner moved to :mod:`syndisco_widgets.session`.

``DiscussionRunner`` is the :class:`~syndisco_widgets.session.Runner` and
``DiscussionChange`` the :class:`~syndisco_widgets.session.SourceChange`; new
code imports from ``syndisco_widgets.session`` (``widgets/branches.py`` still
uses these names).
"""

from __future__ import annotations

from ..session import (
    EntryAdded,
    RunnerEvent,
    RunnerState,
    RunProgress,
    TextAdded,
    TurnEnded,
    TurnStarted,
    as_runner,
)
from ..session import Runner as DiscussionRunner
from ..session import SourceChange as DiscussionChange

__all__ = ["DiscussionChange", "DiscussionRunner", "EntryAdded", "RunProgress", "RunnerEvent", "RunnerState"]
__all__ += ["TextAdded", "TurnEnded", "TurnStarted", "as_runner"]
