"""SynDisco 2.2's experiments, with our guarantees.

:class:`DiscussionExperiment` draws a plan from ``seed`` (recorded; drawn when
not given): who takes part in each discussion, which seed opinions open it
and its turn manager's seed. Each discussion writes a run file entry by
entry, then its JSON (SynDisco's format) under a name that cannot collide.
``experiment-<seed>.manifest`` records what is finished, so ``begin()`` on
the same folder with the same seed continues where a crash stopped, without
losing or repeating a turn. SynDisco named files by the second (they
overwrote each other) and drew from the global RNG; neither is copied.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ...checks import optional_seed, path_like, positive_whole_number, whole_number
from ...engine import logs as engine_logs
from ...engine.storage import JsonlLogWriter, atomic_write_text, unique_run_path
from ...errors import ConfigError, LogsFormatError
from ..errors import ExperimentIncompleteError
from .actors import Actor
from .jobs import Annotation, Discussion, Logs
from .turn_manager import QueueTurnManager, TurnManager

if TYPE_CHECKING:
    import os
    from pathlib import Path

MANIFEST = "experiment-{seed}.manifest"


@dataclass(frozen=True)
class PlannedDiscussion:
    """One discussion of a plan: who takes part (indices into ``users``), its opening and its seed."""

    users: tuple[int, ...]
    opening: int
    seed: int


class DiscussionExperiment:
    """Many discussions among random subsets of ``users``.

    Args:
        users: Everyone who may take part.
        seed_opinions: Openings: each a list of comments (or one string); one per discussion is drawn.
        turn_manager: A configured manager; each discussion gets a fresh copy, reseeded from the plan.
        history_ctx_len: How many latest comments a speaker sees.
        num_turns: Prompted turns per discussion (at least 2).
        num_active_users: Participants per discussion (at least 2).
        num_discussions: How many discussions.
        seed: Fixes the plan; ``None`` draws one (see :attr:`seed`).
    """

    def __init__(
        self,
        users: Sequence[Actor],
        seed_opinions: Sequence[Sequence[str] | str] | None = None,
        turn_manager: TurnManager | None = None,
        history_ctx_len: int = 3,
        num_turns: int = 10,
        num_active_users: int = 2,
        num_discussions: int = 5,
        *,
        seed: int | None = None,
    ) -> None:
        self._users = _actors("DiscussionExperiment users", users, annotators=False)
        self._openings = _openings(seed_opinions)
        if turn_manager is not None and not isinstance(turn_manager, TurnManager):
            raise ConfigError(
                f"DiscussionExperiment turn_manager must be a turn manager such as RespondTurnManager(), "
                f"got {type(turn_manager).__name__}"
            )
        self._turn_manager_template = turn_manager or QueueTurnManager()
        self._history_ctx_len = whole_number("history_ctx_len", history_ctx_len)
        self._num_turns = whole_number("num_turns", num_turns, low=2)
        self._num_active_users = whole_number("num_active_users", num_active_users, low=2)
        self._num_discussions = positive_whole_number("num_discussions", num_discussions)
        if len(self._users) < self._num_active_users:
            raise ConfigError(
                f"{len(self._users)} users is inadequate for num_active_users={self._num_active_users}; "
                "give more users or lower num_active_users"
            )
        chosen = optional_seed("DiscussionExperiment seed", seed)
        self.seed: int = secrets.randbits(32) if chosen is None else chosen

    def plan(self) -> list[PlannedDiscussion]:
        """The discussions ``seed`` fixes, in order."""
        rng = random.Random(self.seed)
        return [self._draw(rng) for _ in range(self._num_discussions)]

    def begin(self, discussions_output_dir: str | os.PathLike[str], verbose: bool = True) -> list[Path]:
        """Run the discussions not yet finished in the folder; return every finished discussion's JSON file.

        Raises:
            ExperimentIncompleteError: some discussions failed (the message
                says which and why); the others are saved, and ``begin()``
                again with the same seed retries only those.
        """
        folder = path_like("discussions_output_dir", discussions_output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        manifest_path = folder / MANIFEST.format(seed=self.seed)
        manifest = _load_manifest(manifest_path, self._settings())
        failures: list[str] = []
        for index, item in enumerate(self.plan()):
            key = str(index)
            if key in manifest["done"]:
                continue
            discussion = self._create_synthetic_discussion(item)
            running = manifest["running"].get(key)
            if running is not None:
                discussion.resume_from(folder / running)
            else:
                path = discussion.autosave_to(unique_run_path(folder, f"discussion-{index}"))
                manifest["running"][key] = path.name
                _save_manifest(manifest_path, manifest)
            try:
                discussion.begin(verbose=verbose)
            except Exception as exc:  # noqa: BLE001  one failed discussion must not stop the others
                failures.append(f"discussion {index}: {type(exc).__name__}: {exc}")
                continue
            finally:
                discussion.close()
            run_file = folder / manifest["running"].pop(key)
            final = discussion.get_logs().export(run_file.with_suffix(".json"))
            manifest["done"][key] = final.name
            _save_manifest(manifest_path, manifest)
            run_file.unlink()
        if failures:
            raise ExperimentIncompleteError(
                f"{len(failures)} of {self._num_discussions} discussions failed: {'; '.join(failures)}. "
                f"Their turns so far are kept; begin() again on {folder} with seed={self.seed} "
                "continues them."
            )
        return [folder / manifest["done"][str(i)] for i in range(self._num_discussions)]

    def _create_synthetic_discussion(self, item: PlannedDiscussion | None = None) -> Discussion:
        """The discussion ``item`` describes (a freshly drawn one when ``None``)."""
        item = item or self._draw(random.Random(secrets.randbits(32)))
        users = [self._users[i] for i in item.users]
        opening = self._openings[item.opening]
        turn_manager = self._turn_manager_template.make_instance()
        turn_manager.reseed(item.seed)
        return Discussion(
            turn_manager,
            users,
            history_context_len=self._history_ctx_len,
            conv_len=self._num_turns,
            seed_opinions=opening,
            seed_opinion_usernames=[users[i % len(users)].get_actor_name() for i in range(len(opening))],
        )

    def _draw(self, rng: random.Random) -> PlannedDiscussion:
        users = tuple(rng.sample(range(len(self._users)), k=self._num_active_users))
        return PlannedDiscussion(users, rng.randrange(len(self._openings)), rng.randrange(2**32))

    def _settings(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "users": [u.get_actor_name() for u in self._users],
            "seed_opinions": self._openings,
            "turn_manager": type(self._turn_manager_template).__name__,
            "history_ctx_len": self._history_ctx_len,
            "num_turns": self._num_turns,
            "num_active_users": self._num_active_users,
            "num_discussions": self._num_discussions,
            "plan": [{**asdict(p), "users": list(p.users)} for p in self.plan()],
        }


class AnnotationExperiment:
    """Every annotator labels every comment of ``discussion_logs``.

    Args:
        annotators: Actors made with ``is_annotator=True``.
        discussion_logs: The discussion to label.
        history_ctx_len: How many latest comments an annotator sees (the one it labels included).
    """

    def __init__(
        self, annotators: Sequence[Actor], discussion_logs: engine_logs.Logs, history_ctx_len: int = 3
    ) -> None:
        self.annotators = _actors("AnnotationExperiment annotators", annotators, annotators=True)
        if not isinstance(discussion_logs, engine_logs.Logs):
            raise ConfigError(
                "AnnotationExperiment discussion_logs must be Logs (e.g. syndisco.Logs.from_file(path)), "
                f"got {type(discussion_logs).__name__}"
            )
        self.discussion_logs = discussion_logs
        self.history_ctx_len = positive_whole_number("history_ctx_len", history_ctx_len)

    def begin(self, output_dir: str | os.PathLike[str], verbose: bool = True) -> list[Path]:
        """Run each annotator; return one JSON file per annotator, named so files never collide.

        Each label is written to a run file as soon as it is made.

        Raises:
            ExperimentIncompleteError: some annotators failed; the others are saved.
        """
        folder = path_like("output_dir", output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        failures: list[str] = []
        for annotator in self.annotators:
            job = Annotation(annotator, self.discussion_logs, history_ctx_len=self.history_ctx_len)
            stem = "annotation-" + "".join(c if c.isalnum() else "_" for c in annotator.get_actor_name())
            writer = JsonlLogWriter(unique_run_path(folder, stem), {"annotator": annotator.describe()})
            try:
                job.begin(verbose=verbose, writer=writer)
            except Exception as exc:  # noqa: BLE001  one failed annotator must not stop the others
                failures.append(f"{annotator.get_actor_name()}: {type(exc).__name__}: {exc}")
                continue
            finally:
                writer.close()
            written.append(job.get_logs().export(writer.path.with_suffix(".json")))
            writer.path.unlink()
        if failures:
            raise ExperimentIncompleteError(
                f"{len(failures)} of {len(self.annotators)} annotators failed: {'; '.join(failures)}. "
                f"The labels they made are kept in the .jsonl run files in {folder}."
            )
        return written


def _actors(label: str, value: object, *, annotators: bool) -> list[Actor]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ConfigError(f"{label} must be a list of Actor objects, got {type(value).__name__}")
    for i, actor in enumerate(value):
        if not isinstance(actor, Actor):
            raise ConfigError(f"{label}[{i}] must be an Actor, got {type(actor).__name__}")
        if actor.is_annotator != annotators:
            want = "an annotator (is_annotator=True)" if annotators else "a participant, not an annotator"
            raise ConfigError(f"{label}[{i}] ({actor.get_actor_name()!r}) must be {want}")
    return list(value)


def _openings(seed_opinions: object) -> list[list[str]]:
    if seed_opinions is None:
        return [[]]
    if (
        isinstance(seed_opinions, (str, bytes))
        or not isinstance(seed_opinions, Sequence)
        or not seed_opinions
    ):
        raise ConfigError(
            "seed_opinions must be a non-empty list of openings, each a list of comments or one comment, "
            "e.g. [['First.', 'Second.'], 'Another opening.']"
        )
    openings: list[list[str]] = []
    for i, opening in enumerate(seed_opinions):
        comments = [opening] if isinstance(opening, str) else opening
        if not isinstance(comments, Sequence) or not all(isinstance(c, str) for c in comments):
            raise ConfigError(
                f"seed_opinions[{i}] must be a string or a list of strings, got {opening!r:.60}"
            )
        openings.append(list(comments))
    return openings


def _load_manifest(path: Path, settings: dict[str, Any]) -> dict[str, Any]:
    if not path.exists():
        manifest = {"settings": settings, "done": {}, "running": {}}
        _save_manifest(path, manifest)
        return manifest
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LogsFormatError(f"{path}: cannot read this experiment's manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("settings") != settings:
        raise ConfigError(
            f"{path}: an experiment with seed={settings['seed']} but other settings ran in this folder; "
            "use another folder or another seed"
        )
    return manifest


def _save_manifest(path: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")


__all__ = ["AnnotationExperiment", "DiscussionExperiment", "Logs", "PlannedDiscussion"]
