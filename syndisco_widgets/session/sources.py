"""What a runner needs to know about its source, and what only some sources can do.

Any turn source can Step and Run. Branching and a person's messages exist
only where the source offers them (a discussion does, a structure does not),
so the runner asks these protocols instead of knowing the classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..wording import plural

if TYPE_CHECKING:
    from ..engine.entries import Entry

__all__ = ["Forkable", "Injectable", "count_of", "entries_of", "progress_of", "unit_of"]


@runtime_checkable
class Forkable(Protocol):
    """A source that can branch: a copy after ``at_turn`` entries that continues on its own."""

    def fork(self, at_turn: int | None = None) -> Any:
        """The copy."""


@runtime_checkable
class Injectable(Protocol):
    """A source that takes a message a person wrote, as one of its speakers."""

    def inject(self, name: str, text: str) -> Entry:
        """Record the message and return its entry."""


def entries_of(source: Any) -> list[Entry]:
    """The source's entries so far (its log)."""
    logs = getattr(source, "logs", None)
    return list(logs) if logs is not None else []


def progress_of(source: Any) -> tuple[int, int]:
    """``(done, total)`` in the unit the source counts in.

    A discussion counts its user turns (``conv_len``; openings and people's
    messages are not turns); a structure counts its answers.
    """
    if hasattr(source, "user_turns") and hasattr(source, "conv_len"):
        return int(source.user_turns), int(source.conv_len)
    done = len(getattr(source, "logs", ()))
    expected = getattr(source, "expected_calls", None)
    if not callable(expected):
        return done, done
    total = int(expected()) + (1 if getattr(source, "moderated", False) else 0)
    return done, max(total, done)


def unit_of(source: Any) -> tuple[str, str]:
    """What the source's progress counts, singular and plural."""
    if hasattr(source, "user_turns"):
        return "user turn", "user turns"
    return "answer", "answers"


def count_of(source: Any) -> str:
    """``"4 of 12 user turns"``: the one count every place shows."""
    done, total = progress_of(source)
    one, many = unit_of(source)
    return f"{done} of {plural(total, one, many)}"
