"""Fixtures for the deliberation tests: scripted models and the tiny real model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pytest

from syndisco_widgets.models import ScriptedModel

if TYPE_CHECKING:
    from pathlib import Path


class StandIn(Protocol):
    """``stand_in("gpt-4o")``: the same local ScriptedModel for the same API name within a test."""

    made: dict[str, ScriptedModel]

    def __call__(self, api_name: str) -> ScriptedModel: ...


@pytest.fixture
def model() -> ScriptedModel:
    """A fresh scripted model replying "Reply 1", "Reply 2", ... and recording every call."""
    return ScriptedModel(name="scripted")


@pytest.fixture(scope="session")
def tiny_path(tiny_model_dir: Path) -> str:
    """The tiny random model's folder, as the string users would pass to model=."""
    return str(tiny_model_dir)


class _StandIns:
    def __init__(self) -> None:
        self.made: dict[str, ScriptedModel] = {}

    def __call__(self, api_name: str) -> ScriptedModel:
        return self.made.setdefault(api_name, ScriptedModel(name=f"stand-in for {api_name}"))


@pytest.fixture
def stand_in() -> StandIn:
    """Local stand-ins for the API model names used in the reference examples."""
    return _StandIns()
