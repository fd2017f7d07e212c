"""Counts and times for people: moved to :mod:`syndisco_widgets.session.wording` (``branches.py`` imports it here)."""

from __future__ import annotations

from ..session.wording import elapsed, plural

__all__ = ["elapsed", "plural"]
