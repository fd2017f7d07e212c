"""The error raised when a model fails inside a deliberation."""

from __future__ import annotations

from ..errors import ModelError


class DeliberationError(ModelError):
    """A model failed while an agent or moderator was answering.

    It is a :class:`~syndisco_widgets.errors.ModelError`, so existing
    ``except ModelError`` handlers catch it. The original error is the cause.
    Entries recorded before the failure stay in the structure's ``logs``.

    Attributes:
        structure: Structure class name (``"Chain"``, ...), or None outside a structure.
        agent: Name of the agent (or agents, for one batched call) that failed.
        cycle: The 1-based cycle, or None outside a structure.
    """

    def __init__(self, message: str, *, structure: str | None, agent: str, cycle: int | None) -> None:
        super().__init__(message)
        self.structure = structure
        self.agent = agent
        self.cycle = cycle
