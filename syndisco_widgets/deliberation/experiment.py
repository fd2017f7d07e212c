"""Deliberation experiments: many structures run together, saved as they go, resumable.

Every structure's calls go through one :func:`~syndisco_widgets.drive`, so
agents of different structures that share a model are answered in the same
batched call. The plan (which structure runs with which seed) and the
settings are written to ``manifest.experiment.json`` before anything runs,
as a discussion experiment does, so the viewer and the analysis read the
folder like one. Structure *i* appends its entries to ``structure-<i>.jsonl``
as they are made, and the file is synced to disk once per model call (not
once per entry). Calling :meth:`DeliberationExperiment.begin` again on the
folder, even after ``kill -9``, replays every file and asks the models only
for what is missing: no answer is lost or repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from ..checks import optional_seed, positive_whole_number
from ..engine.experiment_runs import PlannedRuns, drive_runs, experiment_folder
from ..engine.run_record import start_run_record
from ..engine.storage import JsonlLogWriter, read_jsonl_records
from ..errors import ConfigError, DiscussionsFailedError
from .records import log_rows
from .sampling import derive_seed
from .structures import AbstractStructure

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from pathlib import Path

    import pandas as pd

    from .agent import Agent

#: Columns of the frame :meth:`DeliberationExperiment.begin` returns.
COLUMNS = ("structure", "run", "agent", "cycle", "prompt", "response", "seed")


class PlanItem(TypedDict):
    """One planned structure run, as the manifest lists it."""

    index: int
    structure: str
    users: list[str]
    seed: int


#: Settings that describe one run's outcome rather than the structure.
_RUN_KEYS = ("last_seed", "first_speaker")


class DeliberationExperiment:
    """Run many deliberation structures together, batched, saved and resumable.

    Args:
        structures: The structures (distinct objects, none sharing an agent or
            moderator with another: each keeps its own history).
        seed: Gives every structure built without a ``seed`` its run seed.
    """

    def __init__(self, structures: Sequence[AbstractStructure], *, seed: int = 0) -> None:
        self.structures = _checked_structures(structures)
        seed_value = optional_seed("DeliberationExperiment seed", seed)
        self.seed = 0 if seed_value is None else seed_value
        self.plan = [
            PlanItem(
                index=i,
                structure=type(s).__name__,
                users=list(s.names),
                seed=s.seed if s.seed is not None else derive_seed(self.seed, "structure", i),
            )
            for i, s in enumerate(self.structures)
        ]

    def settings(self) -> dict[str, Any]:
        """What makes two runs the same experiment; a folder holding other settings is refused."""
        return {
            "structures": [_stable(s.settings()) for s in self.structures],
            "models": sorted({m.name for s in self.structures for m in _models(s)}),
            "seed": self.seed,
        }

    @staticmethod
    def file_name(index: int) -> str:
        """The run file of structure ``index`` inside the experiment folder."""
        return f"structure-{index:04d}.jsonl"

    def begin(
        self, output_dir: str | os.PathLike[str], *, batch_size: int = 32, verbose: bool = True
    ) -> pd.DataFrame:
        """Run (or resume) every structure together; return one tidy frame of all responses.

        Args:
            output_dir: The experiment's folder (created if needed).
            batch_size: At most this many prompts per model call.
            verbose: Show one progress bar of agent answers.

        Returns:
            One row per response: ``structure`` (class name), ``run`` (the
            structure's place in the list), ``agent``, ``cycle``, ``prompt``
            (the user message sent), ``response`` and ``seed`` (the call's).

        Raises:
            RunLockedError: another process is running this folder.
            ConfigError: the folder holds an experiment with other settings
                (the setting is named with both values).
            DiscussionsFailedError: some structures failed; the others
                finished, and ``begin()`` again retries the failed calls.
        """
        batch_size = positive_whole_number("batch_size", batch_size)
        models = [m for s in self.structures for m in _models(s)]
        start_run = lambda: start_run_record(models, seed=self.seed)  # noqa: E731
        with experiment_folder(output_dir, self.settings(), self.plan, start_run) as (folder, manifest):
            structures = {item["index"]: s for item, s in zip(self.plan, self.structures, strict=True)}
            runs = PlannedRuns(
                folder,
                manifest,
                self.plan,
                open_run=lambda item: self._open(folder, item, structures[item["index"]]),
                planned=lambda item: structures[item["index"]].expected_calls(),
                file_name=self.file_name,
            )
            report = drive_runs(runs, models=models, batch_size=batch_size, verbose=verbose)
        if report.failures:
            kinds = {item["index"]: item["structure"] for item in self.plan}
            raise DiscussionsFailedError(report.failures, report, kinds=kinds)
        return self.to_dataframe()

    def to_dataframe(self) -> pd.DataFrame:
        """Every structure's latest run as one tidy frame (see :meth:`begin`)."""
        import pandas as pd

        rows = [
            {"structure": item["structure"], "run": item["index"], **row}
            for item, structure in zip(self.plan, self.structures, strict=True)
            for row in log_rows(structure.logs)
        ]
        return pd.DataFrame(rows, columns=list(COLUMNS))

    def _open(self, folder: Path, item: Mapping[str, Any], structure: AbstractStructure) -> AbstractStructure:
        """Start ``structure`` on its run file: a new file, or the saved records of an earlier run."""
        path = folder / self.file_name(item["index"])
        metadata = {**structure.settings(), "seed": item["seed"]}
        if not path.exists():
            structure.start(item["seed"], writer=JsonlLogWriter(path, metadata=metadata, sync_each=False))
            return structure
        writer = JsonlLogWriter(path, resume=True, sync_each=False)  # takes the lock before reading
        try:
            header, records = read_jsonl_records(path)
            if not header:
                writer.rewrite_header(metadata)
            _check_seed(path, header, item["seed"])
            structure.start(item["seed"], saved=[r for _, r in records], writer=writer)
        except BaseException:
            writer.close()
            raise
        return structure


def _check_seed(path: Path, header: dict[str, Any], seed: int) -> None:
    saved = header.get("metadata", {}).get("seed", seed) if header else seed
    if saved != seed:
        raise ConfigError(
            f"{path} was run with seed {saved!r}, not {seed!r}; use a new output folder, or the "
            "settings it was started with"
        )


def _checked_structures(structures: object) -> list[AbstractStructure]:
    if isinstance(structures, (str, bytes)) or not isinstance(structures, Sequence) or not structures:
        raise ConfigError(
            f"DeliberationExperiment structures must be a non-empty list of Chain, Debate, Ensemble or "
            f"Graph objects, got {type(structures).__name__} {structures!r:.60}"
        )
    owner: dict[int, int] = {}
    for i, structure in enumerate(structures):
        if not isinstance(structure, AbstractStructure):
            raise ConfigError(
                f"DeliberationExperiment structures[{i}] must be a Chain, Debate, Ensemble or Graph, "
                f"got {type(structure).__name__} {structure!r:.60}"
            )
        for speaker in _speakers(structure):
            first = owner.setdefault(id(speaker), i)
            if first != i:
                raise ConfigError(
                    f"DeliberationExperiment structures[{i}] shares {speaker!r} with structures[{first}] "
                    "(or repeats a structure); build each structure with its own agents and moderator"
                )
    return list(structures)


def _speakers(structure: AbstractStructure) -> list[Agent]:
    return [*structure.agents, *([structure.moderator] if structure.moderator else [])]


def _models(structure: AbstractStructure) -> list[Any]:
    return [s.model for s in _speakers(structure)]


def _stable(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` without what a run decides (its seed, Debate's opener)."""
    return {k: v for k, v in settings.items() if k not in _RUN_KEYS}
