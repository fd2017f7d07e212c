"""pytest settings for the teaching notebooks (run by nbmake, see pyproject.toml).

The notebooks say nothing about tests. While pytest runs one, the package
reads these environment variables (see ``syndisco_widgets.models.env``), and
the notebook's kernel inherits them: one torch thread (the test process needs
the other core) and short replies, so the run stays fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

NOTEBOOK_ENVIRONMENT = {"SYNDISCO_THREADS": "1", "SYNDISCO_MAX_TOKENS": "32"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Run a notebook with :data:`NOTEBOOK_ENVIRONMENT` set (values already set win)."""
    if item.path.suffix != ".ipynb":
        return (yield)
    added = {k: v for k, v in NOTEBOOK_ENVIRONMENT.items() if k not in os.environ}
    os.environ.update(added)
    try:
        return (yield)
    finally:
        for key in added:
            os.environ.pop(key, None)
