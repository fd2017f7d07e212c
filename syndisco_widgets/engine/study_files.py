"""Study files on disk: reading JSON or YAML into plain data, and writing it back.

Reading refuses what a study cannot hold before any field is checked: a file
too big to be a study, text that is not UTF-8, broken JSON or YAML (with its
line and column), a key given twice, NaN, YAML types JSON lacks (dates, sets),
and nesting or YAML aliases deep or wide enough to hang the reader. Every
error is a :class:`~syndisco_widgets.errors.StudyError` naming the file.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..errors import StudyError
from .storage import atomic_write_text, parse_json, read_text_file
from .study_fields import FieldReader, join_field

if TYPE_CHECKING:
    from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")
_MAX_FILE_BYTES = 5_000_000  # a study is a few kilobytes; anything this big is the wrong file
_MAX_DEPTH = 40  # nesting allowed in a study file
_MAX_NODES = 200_000  # values allowed in a study file (guards against YAML alias bombs)


def read_study_file(file: Path) -> Any:
    """The parsed content of a study file (JSON, or YAML for ``.yaml``/``.yml``); failures name the file."""
    try:
        size = file.stat().st_size
    except OSError:
        size = 0  # reading it below says what is wrong
    if size > _MAX_FILE_BYTES and file.is_file():
        raise StudyError(
            f"{file}: is {size / 1e6:.1f} MB, too big for a study file (a few kB); is it the right file?"
        )
    raw = read_text_file(file, StudyError, "study file")
    if file.suffix.lower() in YAML_SUFFIXES:
        return _parse_yaml(file, raw)
    return parse_json(raw, functools.partial(StudyError, source=str(file)), str(file), strict=True)


def write_study_file(file: Path, data: Mapping[str, Any]) -> Path:
    """Write ``data`` atomically: YAML for ``.yaml``/``.yml`` (needs PyYAML), JSON otherwise."""
    if file.suffix.lower() in YAML_SUFFIXES:
        yaml = _yaml_module(file, "save")
        text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        return atomic_write_text(file, text)
    except OSError as exc:
        raise StudyError(f"{file}: cannot write the study file: {exc.strerror or exc}") from None


def _parse_yaml(file: Path, raw: str) -> Any:
    yaml = _yaml_module(file, "read")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise StudyError(f"{file}: not valid YAML{where}: {problem}", source=str(file)) from None
    except RecursionError:
        raise StudyError(f"{file}: nested too deeply to be a study file", source=str(file)) from None
    return _plain(data, FieldReader(str(file)), "", 0, [0])


def _yaml_module(file: Path, action: str) -> Any:
    try:
        return import_module("yaml")
    except ImportError:
        raise StudyError(
            f"{file}: cannot {action} YAML because PyYAML is not installed; pip install pyyaml, "
            "or use a .json file",
            source=str(file),
        ) from None


def _plain(value: Any, reader: FieldReader, where: str, depth: int, count: list[int]) -> Any:
    """A copy holding only JSON types; refuses other YAML types, deep nesting and alias bombs."""
    count[0] += 1
    if count[0] > _MAX_NODES:
        raise reader.error("", f"holds more than {_MAX_NODES:,} values, too many for a study file")
    if depth > _MAX_DEPTH:
        raise reader.error(where, "is nested too deeply (or refers to itself through a YAML alias)")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise reader.error(where, f"is {value}, which a study cannot hold; use a finite number")
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise reader.error(where, f"has a key {key!r} that is not text; quote it")
            out[key] = _plain(item, reader, join_field(where, key), depth + 1, count)
        return out
    if isinstance(value, list):
        return [_plain(item, reader, f"{where}[{i}]", depth + 1, count) for i, item in enumerate(value)]
    raise reader.error(
        where, f"is a {type(value).__name__} ({value!r:.40}); write it as text, a number, a list or an object"
    )
