"""Counts and times for people; they live in :mod:`syndisco_widgets.session.wording`."""

from __future__ import annotations

from ..session.wording import elapsed, plural

__all__ = ["elapsed", "plural"]
