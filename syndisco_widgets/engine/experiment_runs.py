"""The writer side of an experiment folder, shared by discussion and deliberation experiments.

An experiment folder holds ``manifest.experiment.json`` (format, settings,
plan, the status and file of every run, the run record and usage) and one
run file per planned run. :func:`experiment_folder` locks the folder for one
process, checks the manifest against the settings (or writes it) and closes
it at the end; :func:`drive_in_waves` opens the runs a wave at a time
(bounded open files) and drives each wave's sources together.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from ..checks import folder_path
from ..errors import ConfigError, LogsFormatError
from .drive import BarListener, RunReport, drive, progress_bar
from .locks import WriterLock
from .requests import CountedSource
from .run_folder import MANIFEST, load_manifest, save_manifest
from .run_record import finish_run_record
from .usage import summarize_usage

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from pathlib import Path

    from .run_record import RunRecord

#: The lock file that lets one process at a time run an experiment folder.
LOCK = "experiment.lock"
#: The manifest format both kinds of experiment write.
FORMAT = "syndisco-widgets/experiment-2"


class RunSource(CountedSource, Protocol):
    """A planned run's source: it can be driven, and closed to free its run file."""

    def close(self) -> None:
        """Stop holding the run file."""
        ...


@contextmanager
def experiment_folder(
    output_dir: str | os.PathLike[str],
    settings: dict[str, Any],
    plan: Sequence[Mapping[str, Any]],
    start_run: Callable[[], RunRecord],
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Lock the folder and yield it with its manifest; the manifest is finished after a clean exit.

    Raises:
        RunLockedError: another process is running this folder.
        ConfigError: the folder holds an experiment with other settings (named).
    """
    folder = folder_path("output_dir", output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lock = WriterLock(folder / LOCK, f"experiment folder {folder}")
    try:
        manifest = open_manifest(folder, settings, plan, start_run)
        check_runs_present(folder, manifest["runs"])
        yield folder, manifest
        finish_manifest(folder, manifest)
    finally:
        lock.release()


def drive_in_waves(
    folder: Path,
    manifest: dict[str, Any],
    plan: Sequence[Mapping[str, Any]],
    open_run: Callable[[Mapping[str, Any]], RunSource],
    *,
    planned: Callable[[Mapping[str, Any]], int],
    file_name: Callable[[int], str],
    batch_size: int,
    verbose: bool,
) -> RunReport:
    """Open the planned runs a wave at a time and drive each wave; the report uses plan indices.

    ``open_run`` starts (or resumes) one run on its file; ``planned`` says how
    many participant answers a run makes in all, for the progress bar.
    """
    report = RunReport()
    wave_size = max(4 * batch_size, 128)
    runs: dict[str, dict[str, str]] = manifest["runs"]
    with progress_bar(sum(planned(item) for item in plan), verbose) as bar:
        for start in range(0, len(plan), wave_size):
            wave = plan[start : start + wave_size]
            sources: list[RunSource] = []
            try:
                for item in wave:
                    sources.append(open_run(item))
                    runs[str(item["index"])] = {"file": file_name(item["index"]), "status": "running"}
                save_manifest(folder, manifest)
                if bar is not None:
                    bar.update(sum(planned(i) - s.answers_left for i, s in zip(wave, sources, strict=True)))
                listener = None if bar is None else BarListener(bar)
                part = drive(
                    sources, batch_size=batch_size, verbose=False, raise_on_failure=False, listener=listener
                )
            finally:
                for source in sources:
                    source.close()
            for position, item in enumerate(wave):
                failed = part.failures.get(position)
                if failed is not None:
                    report.failures[item["index"]] = failed
                runs[str(item["index"])]["status"] = "failed" if failed is not None else "done"
            report.turns += part.turns
            report.batches += part.batches
            report.finished += [wave[i]["index"] for i in part.finished]
            save_manifest(folder, manifest)
    return report


def open_manifest(
    folder: Path,
    settings: dict[str, Any],
    plan: Sequence[Mapping[str, Any]],
    start_run: Callable[[], RunRecord],
) -> dict[str, Any]:
    """The experiment folder's manifest, written first if new (with the run record ``start_run`` makes).

    Raises:
        ConfigError: the folder holds an experiment with other settings (the
            setting is named with both values) or another plan.
    """
    path = folder / MANIFEST
    manifest = load_manifest(folder)
    if manifest is None:
        manifest = {"format": FORMAT, "settings": settings, "plan": plan, "runs": {}, "run": start_run()}
        save_manifest(folder, manifest)
        return manifest
    saved = manifest.get("settings")
    if not isinstance(saved, dict):
        raise ConfigError(
            f"{path} was written by another version or program; use a new output folder for this experiment"
        )
    for key, value in settings.items():
        if saved.get(key) != _json_round_trip(value):
            raise ConfigError(
                f"{path} belongs to a different experiment: it was run with {key} {saved.get(key)!r}, "
                f"not {value!r}; use a new output folder, or the settings it was started with"
            )
    if manifest.get("plan") != _json_round_trip(plan):
        raise ConfigError(
            f"{path} belongs to a different experiment (its plan differs); use a new output folder"
        )
    manifest.setdefault("runs", {})
    return manifest


def check_runs_present(folder: Path, runs: Mapping[str, Mapping[str, str]]) -> None:
    """Refuse to run again, silently, a run whose file the manifest records but is gone."""
    for index, run in sorted(runs.items(), key=lambda item: int(item[0])):
        if not (folder / run["file"]).exists():
            raise LogsFormatError(
                f"{folder}: the run file {run['file']} is missing, although {MANIFEST} records run "
                f"{index} as {run['status']}. Restore the file; or, to run it again, remove "
                f'"{index}" from "runs" in {MANIFEST}; or begin() in a new folder'
            )


def finish_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Close the run record, add up the usage of every run file, and save."""
    if "run" in manifest:
        manifest["run"] = finish_run_record(manifest["run"])
    manifest["usage"] = summarize_usage(folder).as_dict()
    save_manifest(folder, manifest)


def _json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))
