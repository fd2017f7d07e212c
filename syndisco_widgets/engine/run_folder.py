"""One reader and writer of run folders: an experiment's manifest, its run files, any one discussion.

An experiment folder holds ``manifest.experiment.json`` (settings, ``plan``
and ``runs``: each started discussion's file and status) and one autosave
``.jsonl`` run file per started discussion. Experiments, usage, analysis and
the viewer read folders and files here; :func:`as_logs` reads any one
discussion, whatever form it comes in.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypedDict, Union, cast

from ..errors import ConfigError, LogsFormatError
from .logs import Logs
from .storage import EXPERIMENT_MANIFEST as MANIFEST
from .storage import atomic_write_text, last_record_time, read_json, read_jsonl_records, strict_json

__all__ = [
    "MANIFEST",
    "DiscussionSource",
    "ExperimentRun",
    "RunFile",
    "as_logs",
    "discussion_files",
    "is_experiment_folder",
    "load_manifest",
    "logs_of",
    "read_experiment",
    "read_manifest",
    "read_run",
    "run_files",
    "run_metadata",
    "save_manifest",
]

#: One discussion in any form :func:`as_logs` reads.
DiscussionSource = Union[Logs, "os.PathLike[str]", str, Iterable[Mapping[str, Any]], Any]


# -- one discussion ---------------------------------------------------------------


def logs_of(source: object) -> Logs | None:
    """``source`` itself when it is :class:`Logs`, the ``logs`` of a discussion or structure, else None."""
    if isinstance(source, Logs):
        return source
    logs = getattr(source, "logs", None)
    return logs if isinstance(logs, Logs) else None


def as_logs(source: DiscussionSource, parameter: str = "source") -> Logs:
    """Read one discussion as :class:`Logs`.

    ``source`` is ``Logs``; anything with a ``logs`` attribute holding one (a
    ``Discussion``, a deliberation structure); a path to a file written by
    ``Logs.export``, a structure's ``to_json`` or an autosave ``.jsonl``; or a
    list of entry dicts.

    Raises:
        ConfigError: ``source`` is none of those; the message names ``parameter``.
        LogsFormatError: a file is missing or broken; the message names it.
    """
    logs = logs_of(source)
    if logs is not None:
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


# -- run files --------------------------------------------------------------------


class RunFile(TypedDict):
    """An autosave run file, read once."""

    entries: list[Mapping[str, Any]]
    #: The settings saved in the header (``{}`` when it has none).
    metadata: dict[str, Any]
    #: When the run started (its run record, else the header's creation time).
    started: str | None
    #: When its last record was written.
    ended: str | None


def read_run(path: Path) -> RunFile:
    """Read a run file (``.jsonl``): its entries, header settings and times."""
    header, records = read_jsonl_records(path)
    metadata = header.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    run = metadata.get("run")
    started = run.get("started") if isinstance(run, Mapping) else header.get("created")
    return {
        "entries": [record["entry"] for _, record in records],
        "metadata": metadata,
        "started": started if isinstance(started, str) else None,
        "ended": last_record_time(records),
    }


def run_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings saved in a run file's header (``{}`` for other files)."""
    path = Path(path)
    return read_run(path)["metadata"] if path.suffix == ".jsonl" else {}


# -- experiment folders -----------------------------------------------------------


def is_experiment_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder with an experiment manifest."""
    return (Path(path) / MANIFEST).is_file()


def load_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest as written, or None when it has none.

    Raises:
        LogsFormatError: the manifest is unreadable, not JSON, or not an object.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return None
    manifest = read_json(path, LogsFormatError, "experiment manifest")
    if not isinstance(manifest, dict):
        raise LogsFormatError(
            f"{path} was written by another version or program; use a new output folder for this experiment"
        )
    return manifest


def save_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest atomically (a crash leaves the old one or the new one)."""
    path = folder / MANIFEST
    atomic_write_text(path, strict_json(manifest, LogsFormatError, str(path), indent=2) + "\n")


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """An experiment folder's manifest, with its ``plan`` list.

    Raises:
        ConfigError: the folder has no manifest, or it is not an experiment's.
    """
    path = Path(folder) / MANIFEST
    manifest = load_manifest(path.parent)
    if manifest is None:
        raise ConfigError(
            f"{folder}: no {MANIFEST} here; pass the folder given to DiscussionExperiment.begin()"
        )
    if not isinstance(manifest.get("plan"), list):
        raise LogsFormatError(
            f"{path}: expected an object with a 'plan' list, as DiscussionExperiment writes"
        )
    return manifest


def run_files(folder: Path) -> list[Path]:
    """The run files an experiment's manifest lists, in plan order (runs not started are left out)."""
    manifest = load_manifest(folder) or {}
    runs = manifest.get("runs")
    if not isinstance(runs, Mapping):
        raise LogsFormatError(
            f"{folder / MANIFEST}: expected a 'runs' object, as written by DiscussionExperiment"
        )
    files = []
    for key in sorted(runs, key=lambda k: (len(str(k)), str(k))):
        run = runs[key]
        name = run.get("file") if isinstance(run, Mapping) else None
        if isinstance(name, str) and (folder / name).is_file():
            files.append(folder / name)
    return files


def discussion_files(folder: Path) -> list[Path]:
    """An experiment's run files, or else every ``.jsonl`` and ``.json`` file in the folder."""
    if is_experiment_folder(folder):
        return run_files(folder)
    return sorted(p for p in folder.iterdir() if p.suffix in (".jsonl", ".json") and p.is_file())


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
