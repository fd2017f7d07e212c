"""The deliberation errors; they live in :mod:`syndisco_widgets.errors` with every other exception."""

from ..errors import DeliberationError, GraphCycleError

__all__ = ["DeliberationError", "GraphCycleError"]
