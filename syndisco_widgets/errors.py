"""Every exception the package raises on purpose.

Each message names what was wrong and how to fix it. Nothing here imports
torch, transformers or ipywidgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping


class SyndiscoError(Exception):
    """Base class for all errors raised by syndisco_widgets."""


class ConfigError(SyndiscoError, ValueError):
    """An argument or a file field has a wrong value. The message names it."""


class PersonaError(ConfigError):
    """A persona (or a persona file) is malformed."""


class LogsFormatError(ConfigError):
    """A saved log file cannot be read. The message says where it breaks."""


class ModelLoadError(SyndiscoError):
    """A model or tokenizer could not be loaded."""


class ModelError(SyndiscoError):
    """A model raised while generating. The original error is the cause."""


class GenerationStopped(SyndiscoError):  # noqa: N818  a stop asked for, not a failure
    """Generation was stopped on request. ``partial_text`` holds what was made."""

    def __init__(self, partial_text: str = "") -> None:
        super().__init__("generation was stopped before the reply was finished")
        self.partial_text = partial_text


class TurnError(SyndiscoError):
    """A discussion turn failed. Earlier entries are intact; the turn can be retried."""

    def __init__(self, message: str, *, speaker: str, turn: int) -> None:
        super().__init__(message)
        self.speaker = speaker
        self.turn = turn


class RunLockedError(ConfigError):
    """A run file or experiment folder is already being written by another run (named)."""


class DiscussionsFailedError(SyndiscoError):
    """Some sources of a batched run (discussions, structures) failed; the others finished.

    ``failures`` maps each failed source's position in the list given to
    ``drive`` (or in an experiment's plan) to its :class:`TurnError`;
    ``kinds`` maps it to what the source is (``"discussion"``, ``"Ensemble"``,
    ...), which the message names; ``report`` is the whole run's report.
    Every entry made before a failure is kept.
    """

    def __init__(
        self, failures: dict[int, TurnError], report: object, *, kinds: Mapping[int, str] | None = None
    ) -> None:
        self.kinds = {i: (kinds or {}).get(i, "discussion") for i in failures}
        lines = "; ".join(
            f"{self.kinds[i]} {i}: {str(exc).rstrip('.')}" for i, exc in sorted(failures.items())
        )
        shown = set(self.kinds.values())
        noun = shown.pop() if len(shown) == 1 else "run"
        super().__init__(
            f"{len(failures)} {noun}(s) failed, the others finished: {lines}. "
            "Their entries are kept; run them again to retry the failed turns."
        )
        self.failures = failures
        self.report = report


class StudyError(ConfigError):
    """A study file (or a :class:`~syndisco_widgets.engine.study.Study`) is wrong.

    The message names the file, the field (e.g. ``personas[1].age``) and the fix;
    ``source`` and ``field`` hold the first two.
    """

    def __init__(self, message: str, *, source: str = "", field: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.field = field


class StudyVersionError(StudyError):
    """A study file was written for a newer schema version than this package reads."""


class DeliberationError(ModelError):
    """A model failed while a deliberation agent or moderator was answering.

    It is a :class:`ModelError`, so ``except ModelError`` handlers catch it.
    The original error is the cause; entries recorded before the failure stay
    in the structure's ``logs``.

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


class GraphCycleError(ConfigError):
    """A deliberation Graph's edges contain a cycle. ``cycle`` lists the node names along it."""

    def __init__(self, message: str, cycle: list[str]) -> None:
        super().__init__(message)
        self.cycle = cycle


class SyndiscoWarning(UserWarning):
    """Base class for every warning the package gives (something worked, but check it)."""
