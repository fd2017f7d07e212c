"""Fixtures for the port-in tests: a SynDisco-style model and actors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from syndisco_widgets.compat import syndisco

from .helpers import EchoModel

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def echo() -> EchoModel:
    return EchoModel()


@pytest.fixture
def make_actors(echo: EchoModel) -> Callable[..., list[syndisco.Actor]]:
    def make(*names: str, model: syndisco.BaseModel | None = None) -> list[syndisco.Actor]:
        return [
            syndisco.Actor(
                model or echo,
                {"age": "30", "occupation": f"job of {n}"},
                "A forum about the city budget.",
                "Write one short comment.",
                name=n,
            )
            for n in names
        ]

    return make
