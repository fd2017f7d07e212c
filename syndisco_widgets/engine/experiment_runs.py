"""The writer side of an experiment folder, shared by discussion and deliberation experiments.

An experiment folder holds ``manifest.experiment.json`` (format, settings,
plan, the status and file of every run, the run record and usage) and one
run file per planned run. :func:`experiment_folder` locks the folder for one
process, checks the manifest against the settings (or writes it) and closes
it at the end; :func:`drive_runs` drives the :class:`PlannedRuns` with a bounded number
open, opening the next as one ends.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..checks import folder_path
from ..errors import ConfigError, LogsFormatError
from .drive import BarListener, RunReport, drive_feed, progress_bar
from .locks import WriterLock
from .requests import CountedSource
from .run_folder import MANIFEST, load_manifest, save_manifest
from .run_record import finish_run_record
from .usage import summarize_usage

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from pathlib import Path

    from ..errors import TurnError
    from .run_record import RunRecord

#: The lock file that lets one process at a time run an experiment folder.
LOCK = "experiment.lock"
#: Seconds between manifest writes while runs start and end (run files hold
#: the entries; the manifest's statuses may lag this much after a crash).
MANIFEST_EVERY = 2.0
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


@dataclass(frozen=True)
class PlannedRuns:
    """An experiment's planned runs in its folder, and how to open one.

    Attributes:
        open_run: Starts (or resumes) one run on its file.
        planned: How many participant answers a run makes in all (for the progress bar).
        file_name: The run file of plan index ``i``.
    """

    folder: Path
    manifest: dict[str, Any]
    plan: Sequence[Mapping[str, Any]]
    open_run: Callable[[Mapping[str, Any]], RunSource]
    planned: Callable[[Mapping[str, Any]], int]
    file_name: Callable[[int], str]


def drive_runs(runs: PlannedRuns, *, models: Sequence[object], batch_size: int, verbose: bool) -> RunReport:
    """Drive the planned runs with a bounded number open; the report uses plan indices.

    A run is opened when there is room and closed as soon as it ends, and the
    next one takes its place, so a server's slots never wait for a group of
    runs to end. ``models`` are the experiment's models (their concurrency
    sets how many runs are open).
    """
    plan = runs.plan
    with progress_bar(sum(runs.planned(item) for item in plan), verbose) as bar:
        feed = _RunFeed(runs, bar)
        try:
            part = drive_feed(
                feed,
                window=open_runs(models, batch_size),
                batch_size=batch_size,
                listener=None if bar is None else BarListener(bar),
            )
        finally:
            feed.close()
    report = RunReport(turns=part.turns, batches=part.batches)
    report.finished = [plan[p]["index"] for p in part.finished]
    report.failures = {plan[p]["index"]: failure for p, failure in part.failures.items()}
    return report


def open_runs(models: Sequence[object], batch_size: int) -> int:
    """How many runs an experiment keeps open: enough to fill every batch and every server slot twice."""
    slots = sum(int(getattr(m, "max_concurrency", 0)) for m in {id(m): m for m in models}.values())
    return max(4 * batch_size, 128, 2 * slots)


class _RunFeed:
    """Opens the planned runs in order for :func:`drive_feed`, closes each as it ends, keeps the manifest."""

    def __init__(self, runs: PlannedRuns, bar: Any) -> None:
        self.runs = runs
        self.statuses: dict[str, dict[str, str]] = runs.manifest["runs"]
        self.bar = bar
        self.open: dict[int, RunSource] = {}  # position in the plan -> its open run
        self.ended = 0
        self.saved_at = time.monotonic()

    def next_source(self) -> RunSource | None:
        position = len(self.open) + self.ended
        if position >= len(self.runs.plan):
            return None
        item = self.runs.plan[position]
        source = self.open[position] = self.runs.open_run(item)
        self.statuses[str(item["index"])] = {"file": self.runs.file_name(item["index"]), "status": "running"}
        if self.bar is not None:
            self.bar.update(self.runs.planned(item) - source.answers_left)
        self._save(soon=True)
        return source

    def source_ended(self, position: int, failure: TurnError | None) -> None:
        self.open.pop(position).close()
        self.ended += 1
        status = "failed" if failure is not None else "done"
        self.statuses[str(self.runs.plan[position]["index"])]["status"] = status
        self._save(soon=True)

    def close(self) -> None:
        """Close the runs still open (the drive was interrupted) and write the manifest."""
        for source in self.open.values():
            source.close()
        self.open.clear()
        self._save(soon=False)

    def _save(self, *, soon: bool) -> None:
        """Write the manifest, at most every :data:`MANIFEST_EVERY` seconds when ``soon``."""
        if soon and time.monotonic() - self.saved_at < MANIFEST_EVERY:
            return
        save_manifest(self.runs.folder, self.runs.manifest)
        self.saved_at = time.monotonic()


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
