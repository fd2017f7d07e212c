"""Experiments: many discussions drawn from one pool of actors, batched and resumable.

The plan (who talks in which discussion, with which seed and opening texts)
is fixed by the experiment's seed and written with the settings to
``manifest.experiment.json`` before anything runs. Discussion *i* autosaves entry by
entry to ``discussion-<i>.jsonl``; all discussions run together through
:func:`~.drive.drive`. Calling :meth:`DiscussionExperiment.begin`
again on the folder, even after ``kill -9``, resumes every discussion where
its file stops: no turn is lost or repeated. One process at a time may run
an experiment folder (``experiment.lock``).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..checks import optional_seed, positive_whole_number, sequence_of, text, whole_number
from ..errors import ConfigError, DiscussionsFailedError
from .actors import Actor
from .discussion import Discussion
from .experiment_runs import PlannedRuns, drive_runs, experiment_folder
from .run_record import start_run_record
from .storage import unique_run_path
from .turns import RoundRobin, TurnManager

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from ..models.base import BaseModel
    from .study import Study


class DiscussionExperiment:
    """Run ``num_discussions`` discussions among random subsets of ``users``.

    Args:
        users: The pool of user actors.
        seed_opinions: Opening texts. A list of strings: discussion *i* opens
            with ``seed_opinions[i % len]``, posted by one of its users. A list
            of lists (SynDisco 2.2): each discussion opens with one whole
            segment, each text posted by a random participant.
        moderator: Optional moderator taking part in every discussion.
        next_turn_manager: A template, copied for each discussion and given
            that discussion's names and seed. Defaults to ``RoundRobin()``.
            SynDisco 2.2's ``turn_manager=`` is the same.
        history_context_len: Entries each speaker sees (SynDisco 2.2:
            ``history_ctx_len=``).
        num_turns: User turns per discussion (``conv_len``).
        num_active_users: Users drawn for each discussion.
        num_discussions: How many discussions to run.
        seed: Fixes the plan and every turn manager's seed.
        topic: The question discussed, restated in every turn (see :class:`Discussion`).
    """

    def __init__(
        self,
        users: Sequence[Actor],
        seed_opinions: Sequence[str] | Sequence[Sequence[str]] = (),
        moderator: Actor | None = None,
        next_turn_manager: TurnManager | None = None,
        history_context_len: int = 5,
        num_turns: int = 10,
        num_active_users: int = 2,
        num_discussions: int = 5,
        seed: int = 0,
        *,
        turn_manager: TurnManager | None = None,
        history_ctx_len: int | None = None,
        topic: str = "",
    ) -> None:
        self.users = sequence_of("users", users, Actor, what="Actor objects")
        if not self.users:
            raise ConfigError("users must be a non-empty list of Actor objects")
        self.segments = _segments(seed_opinions)
        self.moderator = moderator
        self.topic = text("topic", topic).strip()
        template = _one_of("next_turn_manager", next_turn_manager, "turn_manager", turn_manager)
        if template is not None and not isinstance(template, TurnManager):
            raise ConfigError(
                f"next_turn_manager must be a TurnManager such as RoundRobin(), got {template!r:.60}"
            )
        self.turn_manager_template: TurnManager = template or RoundRobin()
        context_len = _one_of(
            "history_context_len", history_context_len, "history_ctx_len", history_ctx_len, 5
        )
        self.history_context_len = whole_number("history_context_len", context_len)
        self.num_turns = whole_number("num_turns", num_turns)
        self.num_discussions = positive_whole_number("num_discussions", num_discussions)
        self.num_active_users = whole_number("num_active_users", num_active_users, 1)
        if self.num_active_users > len(self.users):
            raise ConfigError(
                f"num_active_users must be between 1 and the {len(self.users)} users given, "
                f"got {num_active_users!r}"
            )
        seed_value = optional_seed("seed", seed)
        self.seed = 0 if seed_value is None else seed_value
        self._by_name = {u.name: u for u in self.users}
        # Build one discussion now so wrong actors or managers fail here, not in begin().
        self.plan = self._make_plan()
        self._discussion(self.plan[0]).close()

    @property
    def seed_opinions(self) -> list[str]:
        """Every opening text, segment by segment."""
        return [t for segment in self.segments for t in segment]

    def settings(self) -> dict[str, Any]:
        """What makes two runs the same experiment; a folder holding other settings is refused."""
        actors = [*self.users, *([self.moderator] if self.moderator else [])]
        return {
            "users": [u.name for u in self.users],
            "moderator": self.moderator.name if self.moderator else None,
            "models": {a.name: a.model.describe() for a in actors},
            "turn_manager": repr(self.turn_manager_template),
            "num_turns": self.num_turns,
            "history_context_len": self.history_context_len,
            "num_active_users": self.num_active_users,
            "num_discussions": self.num_discussions,
            "seed": self.seed,
            **({"topic": self.topic} if self.topic else {}),
        }

    @classmethod
    def from_study(
        cls, study: Study | str | os.PathLike[str], model: BaseModel | None = None
    ) -> DiscussionExperiment:
        """An experiment set up by a study with an ``experiment`` section (a ``Study`` or a file path).

        ``model`` defaults to the study's own; see ``Study.build_experiment``.
        """
        from .study import experiment_from_study

        return experiment_from_study(study, model)

    def begin(
        self, output_dir: str | os.PathLike[str], verbose: bool = True, *, batch_size: int = 32
    ) -> list[Path]:
        """Run (or resume) every planned discussion, batched; return their files in plan order.

        Args:
            output_dir: The experiment's folder (created if needed).
            verbose: Show one progress bar of turns across all discussions.
            batch_size: At most this many prompts per model call.

        Raises:
            RunLockedError: another process is running this folder.
            ConfigError: the folder holds an experiment with other settings (named).
            DiscussionsFailedError: some discussions failed; the others finished,
                and calling ``begin()`` again retries the failed turns.
        """
        batch_size = positive_whole_number("batch_size", batch_size)
        actors = [*self.users, *([self.moderator] if self.moderator else [])]
        start_run = lambda: start_run_record([a.model for a in actors], seed=self.seed)  # noqa: E731
        with experiment_folder(output_dir, self.settings(), self.plan, start_run) as (folder, manifest):
            runs = PlannedRuns(
                folder,
                manifest,
                self.plan,
                open_run=lambda item: self._open(item, folder / self.file_name(item["index"])),
                planned=lambda _item: self.num_turns,
                file_name=self.file_name,
            )
            models = [a.model for a in actors]
            report = drive_runs(runs, models=models, batch_size=batch_size, verbose=verbose)
        if report.failures:
            raise DiscussionsFailedError(report.failures, report)
        return [folder / self.file_name(item["index"]) for item in self.plan]

    @staticmethod
    def file_name(index: int) -> str:
        """The run file of discussion ``index`` inside the experiment folder."""
        return f"discussion-{index:04d}.jsonl"

    # -- internals --------------------------------------------------------------
    def _make_plan(self) -> list[dict[str, Any]]:
        rng = random.Random(self.seed)
        plan = []
        for index in range(self.num_discussions):
            names = [u.name for u in rng.sample(self.users, self.num_active_users)]
            segment = self.segments[index % len(self.segments)] if self.segments else []
            plan.append(
                {
                    "index": index,
                    "users": names,
                    "seed": rng.randrange(2**31),
                    "seed_opinions": list(segment),
                    "seed_opinion_usernames": [rng.choice(names) for _ in segment],
                }
            )
        return plan

    def _discussion(self, item: Mapping[str, Any]) -> Discussion:
        return Discussion(
            self.turn_manager_template.fresh(item["users"], item["seed"]),
            [self._by_name[n] for n in item["users"]],
            self.moderator,
            self.history_context_len,
            self.num_turns,
            item["seed_opinions"],
            item["seed_opinion_usernames"],
            topic=self.topic,
        )

    def _open(self, item: Mapping[str, Any], path: Path) -> Discussion:
        """Resume discussion ``item`` from its file, or start it there."""
        if path.exists() and path.stat().st_size == 0:  # a crash between making the file and its header
            path.unlink()
        if path.exists():
            return Discussion.resume(
                path,
                self.turn_manager_template.fresh(item["users"], item["seed"]),
                [self._by_name[n] for n in item["users"]],
                self.moderator,
                history_context_len=self.history_context_len,
                conv_len=self.num_turns,
                seed_opinions=item["seed_opinions"],
                seed_opinion_usernames=item["seed_opinion_usernames"],
                topic=self.topic,
            )
        conv = self._discussion(item)
        conv.autosave_to(path)
        return conv


def new_experiment_dir(root: str | os.PathLike[str], stem: str = "experiment") -> Path:
    """A fresh, collision-free folder for an experiment's files."""
    path = unique_run_path(root, stem, suffix="")
    path.mkdir()
    return path


def _segments(seed_opinions: object) -> list[list[str]]:
    """Opening texts as segments: one text each, or SynDisco's lists of texts."""
    nested = (
        isinstance(seed_opinions, Sequence)
        and not isinstance(seed_opinions, (str, bytes))
        and bool(seed_opinions)
        and all(isinstance(s, Sequence) and not isinstance(s, (str, bytes)) for s in seed_opinions)
    )
    if nested:
        items: Sequence[object] = seed_opinions  # type: ignore[assignment]
        return [sequence_of(f"seed_opinions[{i}]", s, str, what="strings") for i, s in enumerate(items)]
    return [[text] for text in sequence_of("seed_opinions", seed_opinions, str, what="strings")]


def _one_of(name: str, value: Any, alias: str, alias_value: Any, default: Any = None) -> Any:
    """``value`` or its SynDisco 2.2 alias; giving both with different values is refused."""
    if alias_value is None:
        return value
    if value is not None and value != default and value is not alias_value:
        raise ConfigError(f"give either {name} or {alias} (SynDisco's name), not both")
    return alias_value
