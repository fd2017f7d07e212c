"""Argument checks shared across the package, with messages that name the argument."""

from __future__ import annotations

from typing import Any

from .errors import ConfigError


def whole_number(label: str, value: Any, low: int = 0) -> int:
    """Return ``value`` if it is an ``int`` (not a bool) of at least ``low``; else raise ConfigError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{label} must be a whole number >= {low}, got {value!r}")
    return value


def optional_seed(label: str, value: Any) -> int | None:
    """Return ``value`` if it is None or an ``int`` (not a bool); else raise ConfigError."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{label} must be an integer or None, got {value!r}")
    return value
