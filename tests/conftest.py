"""Shared pytest fixtures for the whole test suite.

Tests never download anything: the Hugging Face libraries are put into
offline mode here, at import time, before any test imports them (they read
these variables once, when first imported).

Fixtures:
    tiny_model_dir: a tiny random-weight Llama checkpoint folder, built once
        per test session. Load it with
        ``TransformersModel(str(tiny_model_dir), name="tiny", max_out_tokens=20)``.
        Its replies are meaningless; for fixed-length replies pass
        ``generation_kwargs={"min_new_tokens": N}`` with ``max_out_tokens=N``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pathlib

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """Folder of a tiny random Llama model (built once per session, ~5 s)."""
    from syndisco_widgets.models.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-random-llama")
