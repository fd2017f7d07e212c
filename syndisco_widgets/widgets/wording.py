"""Small pieces of wording shared by the widgets."""

from __future__ import annotations

from ..viewer.html import plural

__all__ = ["MINUTE", "elapsed", "plural"]

MINUTE = 60


def elapsed(seconds: float) -> str:
    """``"4 s"`` or ``"1 min 05 s"``: a short elapsed time for people."""
    whole = max(0, int(seconds))
    if whole < MINUTE:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"
