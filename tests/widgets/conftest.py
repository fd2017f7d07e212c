"""Fixtures for the widget tests: runners and widgets are closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from syndisco_widgets.engine import Discussion
from syndisco_widgets.widgets.runner import DiscussionRunner


@pytest.fixture
def closing() -> Iterator[Callable[[Any], Any]]:
    """``closing(widget_or_runner)`` registers it to be closed after the test."""
    items: list[Any] = []
    yield lambda item: items.append(item) or item
    for item in reversed(items):
        item.close()


@pytest.fixture
def runner_for(closing: Callable[[Any], Any]) -> Callable[..., DiscussionRunner]:
    """``runner_for(discussion, transcript=None)``: a runner closed after the test."""

    def make(discussion: Discussion | None, transcript: Any = None) -> DiscussionRunner:
        return closing(DiscussionRunner(discussion, transcript))

    return make
