"""Argument checks shared across the package.

Every public constructor checks its arguments with these, so a wrong value
always raises :class:`~syndisco_widgets.errors.ConfigError` with a message
that names the parameter, shows what was given and says what to pass.
Each check returns the (possibly normalised) value.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError

T = TypeVar("T")

_SHOWN_CHARS = 80  # how much of a bad value an error message quotes
_BIG_NUMBER_BITS = 256  # a number longer than this is described by its length


def shown(value: object) -> str:
    """A short ``repr`` of ``value`` for an error message (a huge number is described, not printed)."""
    if isinstance(value, int) and value.bit_length() > _BIG_NUMBER_BITS:
        return f"a number with about {int(value.bit_length() * math.log10(2)) + 1} digits"
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def whole_number(label: str, value: Any, low: int = 0) -> int:
    """Return ``value`` if it is an ``int`` (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{label} must be a whole number >= {low}, got {shown(value)}")
    return value


def positive_whole_number(label: str, value: Any) -> int:
    """Return ``value`` if it is an ``int`` (not a bool) of at least 1."""
    return whole_number(label, value, low=1)


def optional_seed(label: str, value: Any) -> int | None:
    """Return ``value`` if it is None or an ``int`` (not a bool, not a numeric string)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{label} must be an integer or None, got {shown(value)}; e.g. {label}=42")
    return value


def finite_number(label: str, value: Any, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite real number within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{label} must be a finite number, got {shown(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (
            f"between {low} and {high}"
            if low is not None and high is not None
            else (f">= {low}" if low is not None else f"<= {high}")
        )
        raise ConfigError(f"{label} must be {bounds}, got {shown(value)}")
    return float(value)


def probability(label: str, value: Any) -> float:
    """Return ``value`` as a float if it is a number between 0 and 1."""
    return finite_number(label, value, 0.0, 1.0)


def text(label: str, value: Any, *, allow_empty: bool = True) -> str:
    """Return ``value`` if it is a string (non-blank unless ``allow_empty``)."""
    if not isinstance(value, str):
        raise ConfigError(f"{label} must be a string, got {type(value).__name__} {shown(value)}")
    if not allow_empty and not value.strip():
        raise ConfigError(f"{label} must be a non-empty string")
    return value


def non_empty_text(label: str, value: Any) -> str:
    """Return ``value`` if it is a string with something other than white space."""
    return text(label, value, allow_empty=False)


def sequence_of(label: str, value: Any, kind: type[T], *, what: str | None = None) -> list[T]:
    """Return ``value`` as a list if it is a list/tuple (not a string) of ``kind`` items.

    A single string is refused rather than split into characters.
    """
    noun = what or kind.__name__
    if isinstance(value, (str, bytes)):
        quoted = shown(value)
        raise ConfigError(
            f"{label} must be a list of {noun}, got the single string {quoted}; wrap it: [{quoted}]"
        )
    if isinstance(value, Mapping) or not isinstance(value, (Sequence, set, frozenset)):
        raise ConfigError(f"{label} must be a list of {noun}, got {type(value).__name__} {shown(value)}")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise ConfigError(f"{label}[{i}] must be a {noun}, got {type(item).__name__} {shown(item)}")
    return items


def text_sequence(label: str, value: Any) -> list[str]:
    """Return ``value`` as a list of strings; a single string is refused, not split."""
    return sequence_of(label, value, str, what="strings")


def mapping(label: str, value: Any, *, allow_none: bool = True) -> dict[str, Any]:
    """Return a dict copy of ``value`` if it is a mapping with string keys (``None`` gives ``{}``)."""
    if value is None and allow_none:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{label} must be a dict, got {type(value).__name__} {shown(value)}")
    bad = [k for k in value if not isinstance(k, str)]
    if bad:
        raise ConfigError(f"{label} keys must be strings, got {shown(bad[0])}")
    return dict(value)


def known_keys_only(label: str, value: Mapping[str, Any], known: Iterable[str], hint: str) -> None:
    """Refuse keys of ``value`` outside ``known``, listing them; ``hint`` says what to give instead."""
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ConfigError(f"{label}: unknown field(s) {unknown}; {hint}")


def folder_path(label: str, value: Any) -> Path:
    """Return ``value`` as a Path if it is a path that is not an existing file (a folder, or nothing yet)."""
    path = path_like(label, value)
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"{label} {str(path)!r} is a file, not a folder; pass a folder path (it is made if missing), "
            f"e.g. {str(path.with_name(path.name + '-runs'))!r}"
        )
    return path


def file_path(label: str, value: Any) -> Path:
    """Return ``value`` as a Path if it is a path that is not an existing folder."""
    path = path_like(label, value)
    if path.is_dir():
        raise ConfigError(
            f"{label} {str(path)!r} is a folder; pass a file path inside it, "
            f"e.g. {str(path / 'discussion.json')!r}"
        )
    return path


def path_like(label: str, value: Any) -> Path:
    """Return ``value`` as a Path if it is a str or os.PathLike (not empty)."""
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise ConfigError(
            f"{label} must be a folder or file path (str or pathlib.Path), got {type(value).__name__} "
            f"{shown(value)}"
        )
    return Path(os.fspath(value))


def instance_of(label: str, value: Any, kind: type[T], hint: str) -> T:
    """Return ``value`` if it is a ``kind``; else say what to pass (``hint``)."""
    if not isinstance(value, kind):
        raise ConfigError(f"{label} must be {hint}, got {type(value).__name__} {shown(value)}")
    return value


def seed_text(label: str, value: str) -> int | None:
    """Return the seed a person typed: ``""`` gives None, ``"42"`` or ``"-3"`` an int.

    For text boxes; anything but optional sign and ASCII digits is refused.
    """
    stripped = text(label, value).strip()
    if not stripped:
        return None
    if not re.fullmatch(r"[+-]?[0-9]+", stripped):
        raise ConfigError(f"{label} must be a whole number or empty, got {shown(stripped)}; e.g. 42")
    return int(stripped)


def close_names(word: object, choices: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` of ``choices`` that look like ``word`` (what a typo probably meant), closest first."""
    return difflib.get_close_matches(str(word), list(choices), n=n, cutoff=0.6)


def did_you_mean(word: object, choices: Iterable[str], *, n: int = 3) -> str:
    """``"did you mean 'a' or 'b'?"`` for the :func:`close_names` of ``word``; ``""`` when none are close."""
    close = close_names(word, choices, n=n)
    return f"did you mean {' or '.join(map(repr, close))}?" if close else ""
