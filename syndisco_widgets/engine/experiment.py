"""Experiments: many discussions drawn from one pool of actors, resumable.

The plan (who talks in which discussion, with which seed) is fixed by the
experiment's seed and written to ``manifest.json`` before anything runs.
Every discussion autosaves entry by entry, so calling :meth:`begin` again on
the same folder skips finished discussions and resumes the interrupted one.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks import whole_number
from ..errors import ConfigError
from .discussion import Discussion
from .storage import atomic_write_text, read_json, unique_run_path
from .turns import RoundRobin, TurnManager

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from .actors import Actor

MANIFEST = "manifest.json"


class DiscussionExperiment:
    """Run ``num_discussions`` discussions among random subsets of ``users``.

    Args:
        users: The pool of user actors.
        seed_opinions: Opening texts; discussion *i* opens with
            ``seed_opinions[i % len(seed_opinions)]``, posted by one of its users.
        moderator: Optional moderator taking part in every discussion.
        next_turn_manager: A template, copied for each discussion and given
            that discussion's names and seed. Defaults to ``RoundRobin()``.
        history_context_len: Entries each speaker sees.
        num_turns: User turns per discussion (``conv_len``).
        num_active_users: Users drawn for each discussion.
        num_discussions: How many discussions to run.
        seed: Fixes the plan and every turn manager's seed.
    """

    def __init__(
        self,
        users: Sequence[Actor],
        seed_opinions: Sequence[str] = (),
        moderator: Actor | None = None,
        next_turn_manager: TurnManager | None = None,
        history_context_len: int = 5,
        num_turns: int = 10,
        num_active_users: int = 2,
        num_discussions: int = 5,
        seed: int = 0,
    ) -> None:
        self.users = list(users)
        if not 1 <= num_active_users <= len(self.users):
            raise ConfigError(
                f"num_active_users must be between 1 and the {len(self.users)} users given, "
                f"got {num_active_users!r}"
            )
        whole_number("num_discussions", num_discussions, low=1)
        self.seed_opinions = list(seed_opinions)
        self.moderator = moderator
        self.turn_manager_template = next_turn_manager or RoundRobin()
        self.history_context_len = history_context_len
        self.num_turns = num_turns
        self.num_active_users = num_active_users
        self.num_discussions = num_discussions
        self.seed = seed
        self._by_name = {u.name: u for u in self.users}
        self.plan = self._make_plan()

    def _make_plan(self) -> list[dict[str, Any]]:
        rng = random.Random(self.seed)
        plan = []
        for index in range(self.num_discussions):
            names = [u.name for u in rng.sample(self.users, self.num_active_users)]
            opinion = self.seed_opinions[index % len(self.seed_opinions)] if self.seed_opinions else None
            plan.append(
                {
                    "index": index,
                    "users": names,
                    "seed": rng.randrange(2**31),
                    "seed_opinion": opinion,
                    "seed_opinion_user": rng.choice(names) if opinion is not None else None,
                }
            )
        return plan

    def _discussion(self, item: dict[str, Any], output_dir: Path, resume_from: str | None) -> Discussion:
        users = [self._by_name[n] for n in item["users"]]
        manager = self.turn_manager_template.fresh(item["users"], item["seed"])
        if resume_from:
            return Discussion.resume(output_dir / resume_from, manager, users, self.moderator)
        opinion = [item["seed_opinion"]] if item["seed_opinion"] is not None else []
        who = [item["seed_opinion_user"]] if opinion else []
        return Discussion(
            manager,
            users,
            self.moderator,
            self.history_context_len,
            self.num_turns,
            opinion,
            who,
            autosave_dir=output_dir,
        )

    def begin(self, output_dir: str | os.PathLike[str], verbose: bool = True) -> list[Path]:
        """Run (or resume) every planned discussion; return their JSONL files in plan order."""
        from tqdm.auto import tqdm

        folder = Path(output_dir)
        manifest = self._load_manifest(folder)
        runs: dict[str, dict[str, Any]] = manifest["runs"]
        for item in tqdm(self.plan, desc="Discussions", disable=not verbose):
            run = runs.get(str(item["index"]), {})
            if run.get("status") == "done":
                continue
            conv = self._discussion(item, folder, run.get("file"))
            assert conv.log_path is not None  # every experiment discussion autosaves
            runs[str(item["index"])] = {"file": conv.log_path.name, "status": "running"}
            self._save_manifest(folder, manifest)
            conv.begin(verbose=False)
            runs[str(item["index"])]["status"] = "done"
            self._save_manifest(folder, manifest)
        return [folder / runs[str(i["index"])]["file"] for i in self.plan]

    def _load_manifest(self, folder: Path) -> dict[str, Any]:
        path = folder / MANIFEST
        if not path.is_file():
            return {"seed": self.seed, "plan": self.plan, "runs": {}}
        manifest = read_json(path, ConfigError, "experiment manifest")
        if not isinstance(manifest, dict) or manifest.get("plan") != self.plan:
            raise ConfigError(
                f"{path} belongs to a different experiment (other users, seed or sizes); "
                "use a new output folder, or the settings it was started with"
            )
        return dict(manifest)

    @staticmethod
    def _save_manifest(folder: Path, manifest: dict[str, Any]) -> None:
        atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def new_experiment_dir(root: str | os.PathLike[str], stem: str = "experiment") -> Path:
    """A fresh, collision-free folder for an experiment's files."""
    path = unique_run_path(root, stem, suffix="")
    path.mkdir()
    return path
