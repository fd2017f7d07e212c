"""Fixtures for the deliberation tests: scripted models and the tiny real model."""

from __future__ import annotations

import pytest

from syndisco_widgets.models import ScriptedModel


@pytest.fixture
def model() -> ScriptedModel:
    """A fresh scripted model replying "Reply 1", "Reply 2", ... and recording every call."""
    return ScriptedModel(name="scripted")


@pytest.fixture(scope="session")
def tiny_path(tiny_model_dir) -> str:
    """The tiny random model's folder, as the string users would pass to model=."""
    return str(tiny_model_dir)


@pytest.fixture
def stand_in():
    """Local stand-ins for the API model names used in the reference examples.

    ``stand_in("gpt-4o")`` gives the same ScriptedModel for the same name within a test.
    """
    made: dict[str, ScriptedModel] = {}

    def get(api_name: str) -> ScriptedModel:
        return made.setdefault(api_name, ScriptedModel(name=f"stand-in for {api_name}"))

    get.made = made  # type: ignore[attr-defined]
    return get
