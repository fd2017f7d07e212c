"""Builders shared by the study tests."""

from __future__ import annotations

import pytest

from syndisco_widgets.engine.study import Study

from .helpers import FULL


@pytest.fixture
def full_study() -> Study:
    return Study.from_dict(FULL, source="full.json")
