"""Where discussions come from: objects, exported files, autosave runs, experiment folders.

Every analysis function takes a *source* and reads it with :func:`as_logs`:
a :class:`~syndisco_widgets.engine.Logs`, anything with a ``logs`` attribute
holding one (a ``Discussion``, a deliberation structure), a path to a file
written by ``Logs.export``, a structure's ``to_json`` or an autosave
``.jsonl``, or a list of entry dicts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypedDict, Union, cast

from ..engine.logs import Logs
from ..engine.storage import EXPERIMENT_MANIFEST as MANIFEST
from ..engine.storage import read_jsonl_records
from ..errors import ConfigError, LogsFormatError

#: What the analysis functions accept as one discussion.
Source = Union[Logs, "os.PathLike[str]", str, Iterable[Mapping[str, Any]], Any]


def as_logs(source: Source, parameter: str = "source") -> Logs:
    """Read ``source`` as :class:`Logs` (see the module docstring for what it may be).

    Raises:
        ConfigError: ``source`` is none of those; the message names ``parameter``.
        LogsFormatError: a file is missing or broken; the message names it.
    """
    if isinstance(source, Logs):
        return source
    logs = getattr(source, "logs", None)
    if isinstance(logs, Logs):
        return logs
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise ConfigError(
                f"{parameter}: {path} is a folder; for an experiment folder use experiment_table({path!s})"
            )
        return Logs.from_file(path)
    if isinstance(source, Iterable) and not isinstance(source, (bytes, Mapping)):
        return Logs(cast("Iterable[Mapping[str, Any]]", source))
    raise ConfigError(
        f"{parameter} must be Logs, a Discussion or structure, a path to an exported or autosave file, "
        f"or a list of entries; got {type(source).__name__}"
    )


def run_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings saved in an autosave file's header (``{}`` for other files)."""
    path = Path(path)
    if path.suffix != ".jsonl":
        return {}
    header, _ = read_jsonl_records(path)
    metadata = header.get("metadata", {})
    return dict(metadata) if isinstance(metadata, dict) else {}


class ExperimentRun(TypedDict):
    """One planned discussion of an experiment folder."""

    discussion: int
    file: str | None
    status: str
    users: list[str]
    seed: Any
    condition: Any
    model: str | None
    logs: Logs | None


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The experiment's ``manifest.experiment.json`` as a dict.

    Raises:
        ConfigError: the folder has no manifest, or it is not an experiment's.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ConfigError(
            f"{folder}: no {MANIFEST} here; pass the folder given to DiscussionExperiment.begin()"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LogsFormatError(f"{path}: not valid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("plan"), list):
        raise LogsFormatError(
            f"{path}: expected an object with a 'plan' list, as DiscussionExperiment writes"
        )
    return manifest


def read_experiment(folder: str | os.PathLike[str]) -> list[ExperimentRun]:
    """Every planned discussion of an experiment folder, with its logs when it has started."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    runs = manifest.get("runs") if isinstance(manifest.get("runs"), dict) else {}
    result: list[ExperimentRun] = []
    for item in manifest["plan"]:
        if not isinstance(item, dict):
            continue
        run = runs.get(str(item.get("index")), {}) if isinstance(runs, dict) else {}
        file = run.get("file") if isinstance(run, dict) else None
        path = folder / str(file) if file else None
        logs = Logs.from_file(path) if path is not None and path.is_file() else None
        models = run_metadata(path).get("models", []) if path is not None and logs is not None else []
        result.append(
            {
                "discussion": int(item.get("index", len(result))),
                "file": file,
                "status": str(run.get("status", "not started")) if isinstance(run, dict) else "not started",
                "users": [str(u) for u in item.get("users", [])],
                "seed": item.get("seed"),
                "condition": item.get("condition", manifest.get("condition")),
                "model": ", ".join(str(m) for m in models) or None,
                "logs": logs,
            }
        )
    return result
