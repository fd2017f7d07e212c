"""Run records: what made a run, saved with it.

:func:`start_run_record` notes, when a run starts, everything needed to
repeat it or to tell two runs apart: the versions of this package and of
transformers, torch and openai (read from the installed metadata, never by
importing them), each model's identity (:meth:`BaseModel.describe` plus a
sha256 over a local model's weight files), the generation settings, the
prompt templates in force (name and sha256 of the text), the device, the
seed and the wall-clock start. :func:`finish_run_record` adds the end.

A run file's header and an experiment's ``manifest.experiment.json`` hold one
under ``"run"``. A run file's header is written before the run, so its
``ended`` stays empty there; :func:`run_file_record` reads it back with the
end filled in from the time of the file's last record.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from ..models.base import BaseModel, GenerationOptions
from . import prompts
from .storage import last_record_time, now_iso, read_jsonl_records
from .weights import weights_sha256

if TYPE_CHECKING:
    import os
    from types import ModuleType

#: Marks a run record's layout; bumped when fields change meaning.
RUN_RECORD_FORMAT = "syndisco-widgets/run-record-1"

#: Distributions whose versions every record holds (``None`` when not installed).
TRACKED_PACKAGES = ("syndisco-widgets", "transformers", "torch", "openai")


class RunRecord(TypedDict):
    """What made a run. Every field is always present (``None`` when unknown)."""

    format: str
    versions: dict[str, str | None]
    python: str
    platform: str
    models: list[dict[str, Any]]
    generation: dict[str, Any]
    prompts: dict[str, str]
    device: str | None
    seed: int | None
    started: str
    ended: str | None


def package_versions() -> dict[str, str | None]:
    """Installed versions of :data:`TRACKED_PACKAGES`, without importing them (read once per process)."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str | None], ...]:
    return tuple((name, _installed_version(name)) for name in TRACKED_PACKAGES)


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def text_sha256(text: str) -> str:
    """sha256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prompt_template_hashes(module: ModuleType = prompts) -> dict[str, str]:
    """Name -> sha256 of every prompt template ``module`` makes public (hashed once per process).

    Public upper-case strings count as templates, and so does each value of a
    public upper-case mapping of strings (named ``NAME[key]``), e.g.
    ``engine.prompts.ASK[user]``. Only the wording counts: a change to code
    that leaves every template's text alone leaves the hashes alone.
    """
    return dict(_template_hashes(module))


@functools.cache
def _template_hashes(module: ModuleType) -> tuple[tuple[str, str], ...]:
    label = module.__name__.removeprefix("syndisco_widgets.")
    found: dict[str, str] = {}
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or not name.isupper():
            continue
        if isinstance(value, str):
            found[f"{label}.{name}"] = text_sha256(value)
        elif isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
            for key, text in value.items():
                found[f"{label}.{name}[{key}]"] = text_sha256(text)
    return tuple(found.items())


def model_identity(model: BaseModel) -> dict[str, Any]:
    """``model.describe()`` plus ``weights_sha256`` (and ``revision`` for a cached Hub model).

    Local folders are hashed (once; see :func:`~syndisco_widgets.engine.weights.weights_sha256`).
    A Hugging Face id is looked up in the local Hub cache only, never downloaded:
    when found, its snapshot's commit is the ``revision`` and its files are hashed.
    Servers and other backends keep what ``describe()`` says (URL and model name).
    """
    identity = _plain(model.describe())
    identity.setdefault("weights_sha256", None)
    location = identity.get("model_path")
    if isinstance(location, str) and location:
        folder = Path(location).expanduser()
        if not folder.is_dir():
            snapshot = _hub_snapshot(location, identity.get("revision"))
            if snapshot is not None:
                folder = snapshot
                identity.setdefault("revision", snapshot.name)
        if folder.is_dir():
            identity["weights_sha256"] = weights_sha256(folder)
    return identity


def start_run_record(
    models: Iterable[BaseModel],
    *,
    seed: int | None = None,
    generation: GenerationOptions | Mapping[str, Any] | None = None,
) -> RunRecord:
    """What makes the run about to start; call :func:`finish_run_record` when it ends.

    Args:
        models: Every model taking part (duplicates are recorded once).
        seed: The run's seed (turn manager, experiment plan).
        generation: Per-call generation settings laid over the models' own,
            if any (each model's own settings are in its identity).
    """
    unique: dict[int, BaseModel] = {}
    for model in models:
        if not isinstance(model, BaseModel):
            raise TypeError(f"start_run_record: models must be BaseModel objects, got {type(model).__name__}")
        unique.setdefault(id(model), model)
    identities = [model_identity(m) for m in unique.values()]
    devices = sorted({str(i["device"]) for i in identities if i.get("device")})
    settings = generation.as_dict() if isinstance(generation, GenerationOptions) else dict(generation or {})
    return RunRecord(
        format=RUN_RECORD_FORMAT,
        versions=package_versions(),
        python=sys.version.split()[0],
        platform=_platform(),
        models=identities,
        generation=_plain(settings),
        prompts=prompt_template_hashes(),
        device=", ".join(devices) if devices else None,
        seed=seed,
        started=now_iso(),
        ended=None,
    )


def finish_run_record(record: RunRecord) -> RunRecord:
    """A copy of ``record`` with the wall-clock end set to now."""
    finished = record.copy()
    finished["ended"] = now_iso()
    return finished


def run_file_record(path: str | os.PathLike[str]) -> RunRecord | None:
    """The run record in a run file's header, ``ended`` set to when its last record was written.

    ``ended`` stays as the header has it (None) when no record carries a time.
    Returns None for a file whose header holds no run record.

    Raises:
        LogsFormatError: the file cannot be read; the message says where.
    """
    header, records = read_jsonl_records(Path(path))
    metadata = header.get("metadata")
    run = metadata.get("run") if isinstance(metadata, Mapping) else None
    if not isinstance(run, Mapping):
        return None
    record = cast("RunRecord", dict(run))
    record["ended"] = last_record_time(records) or record.get("ended")
    return record


@functools.cache
def _platform() -> str:
    import platform

    return platform.platform(terse=True)


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready copy: values JSON cannot hold are written as their ``repr``."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(value), default=repr))
    return loaded


def _hub_snapshot(repo_id: str, revision: object) -> Path | None:
    """The local Hub-cache folder of ``repo_id``, if it was downloaded before; never downloads."""
    if repo_id.count("/") != 1 or Path(repo_id).is_absolute():
        return None
    try:
        from huggingface_hub import snapshot_download

        found = snapshot_download(
            repo_id, revision=revision if isinstance(revision, str) else None, local_files_only=True
        )
    except Exception:  # noqa: BLE001  not cached, or no huggingface_hub: nothing to hash
        return None
    return Path(found)
