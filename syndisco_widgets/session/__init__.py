"""One runner for anything that takes turns, and the one vocabulary of what it reports.

No ipywidgets here (traitlets only): a :class:`Runner` drives a discussion
or a deliberation structure on a worker thread, and every view (transcript,
table, insights, branch bar, a studio's controls) follows its
:data:`~.events.RunnerEvent` objects.
"""

from . import events
from .events import *  # noqa: F403  the event vocabulary is this package's interface
from .runner import Runner, as_runner

__all__ = ["Runner", "as_runner"]
__all__ += events.__all__
