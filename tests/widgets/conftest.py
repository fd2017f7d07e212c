"""Fixtures for the widget tests: runners and widgets are closed after each test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import comm
import pytest
from widget_helpers import RecordingComm

from syndisco_widgets.session import Runner

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from syndisco_widgets.engine import Discussion


@pytest.fixture
def closing() -> Iterator[Callable[[Any], Any]]:
    """``closing(widget_or_runner)`` registers it to be closed after the test."""
    items: list[Any] = []
    yield lambda item: items.append(item) or item
    for item in reversed(items):
        item.close()


@pytest.fixture
def runner_for(closing: Callable[[Any], Any]) -> Callable[..., Runner]:
    """``runner_for(discussion, transcript=None)``: a runner closed after the test."""

    def make(discussion: Discussion | None, transcript: Any = None) -> Runner:
        runner = closing(Runner(discussion))
        if transcript is not None:
            transcript.follow(runner)
        return runner

    return make


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> list[RecordingComm]:
    """Every comm opened during the test, recording what would be sent to a front end."""
    made: list[RecordingComm] = []

    def create_comm(*args: Any, **kwargs: Any) -> RecordingComm:
        c = RecordingComm(*args, **kwargs)
        made.append(c)
        return c

    monkeypatch.setattr(comm, "create_comm", create_comm)
    return made
