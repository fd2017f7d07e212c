"""Silence transformers' progress bars around a load or save that a notebook should not see."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """Turn transformers' progress bars off inside the block, and back on after if they were on."""
    from transformers.utils import logging as hf_logging

    were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # untyped upstream
    try:
        yield
    finally:
        if were_on:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]  # untyped upstream
