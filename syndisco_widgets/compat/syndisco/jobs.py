"""SynDisco 2.2's jobs: ``Logs``, ``Discussion`` and ``Annotation``, on our storage.

``Discussion`` is an iterator of entry dicts driven by a turn manager that
hands out actors. With ``autosave_dir=`` (or :meth:`Discussion.autosave_to`)
every entry is on disk the moment it is made, in a run file whose name
cannot collide and that only one writer may hold; :meth:`Discussion.resume_from`
continues such a file without repeating a turn.
"""

from __future__ import annotations

import collections
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...checks import path_like, positive_whole_number, whole_number
from ...engine import logs as engine_logs
from ...engine import prompts
from ...engine.discussion import checked_seeds
from ...engine.storage import JsonlLogWriter, atomic_write_text, read_jsonl_records, unique_run_path
from ...errors import ConfigError, LogsFormatError
from ..errors import LogFileNotFoundError, OutOfRangeError
from .actors import Actor
from .turn_manager import TurnManager

if TYPE_CHECKING:
    import os
    from pathlib import Path

#: SynDisco's default line width: wide enough that nothing is wrapped.
NO_WRAP = 900_000
#: Marks a turn whose reply was blank: it counts as a turn but is not an entry.
_SKIPPED = "skipped"


class Logs(engine_logs.Logs):
    """Our engine's ``Logs`` with SynDisco's ``to_list``, ``to_dict`` and ``export``."""

    def to_list(self) -> list[dict[str, Any]]:
        """Copies of the entries, as a list."""
        return [dict(e) for e in self.entries()]

    def to_dict(self, timestamp_format: str | None = None) -> dict[str, Any]:
        """``{"timestamp", "logs", "id"}``; with ``timestamp_format`` the timestamp is now, formatted so."""
        data = super().to_dict()
        if timestamp_format is not None:
            if not isinstance(timestamp_format, str):
                raise ConfigError(
                    f"timestamp_format must be a strftime string such as '%y-%m-%d', got {timestamp_format!r}"
                )
            data["timestamp"] = datetime.now().astimezone().strftime(timestamp_format)
        return data

    def export(self, output_path: str | os.PathLike[str], timestamp_format: str | None = None) -> Path:
        """Write the logs as JSON (atomically; the folder is created) and return the path."""
        import json

        target = path_like("Logs.export output_path", output_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_text(target, json.dumps(self.to_dict(timestamp_format), indent=4) + "\n")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Logs:
        """Read logs written by :meth:`export` or a run file; a missing file raises ``FileNotFoundError``."""
        target = path_like("Logs.from_file path", path)
        if not target.exists():
            raise LogFileNotFoundError(f"{target}: no such log file; check the path (written by Logs.export)")
        loaded = engine_logs.Logs.from_file(target)
        return cls(loaded.entries(), timestamp=loaded.timestamp)


def format_comment(name: str, text: str, width: int = NO_WRAP) -> str:
    """One comment as the history shows it: ``[name]: text``, wrapped at ``width`` and made safe."""
    return prompts.history_line(
        {"name": name, "text": textwrap.fill(text, width) if width < NO_WRAP else text}
    )


class Discussion(Iterator[dict[str, Any]]):
    """A discussion among ``users``; each ``next()`` is one turn and returns its entry.

    Args:
        next_turn_manager: Chooses the speakers (a turn manager of this namespace).
        users: The participants (none may be an annotator).
        history_context_len: How many of the latest comments a speaker sees.
        conv_len: Prompted turns (seed opinions do not count).
        seed_opinions: Comments that open the discussion, in order.
        seed_opinion_usernames: Who wrote each seed opinion (give both or neither).
        textwrap_len: Line width of comments in prompts and printouts.
        autosave_dir: Write every entry to a new run file in this folder as it is made.
    """

    def __init__(
        self,
        next_turn_manager: TurnManager,
        users: Sequence[Actor],
        history_context_len: int = 5,
        conv_len: int = 5,
        seed_opinions: Sequence[str] | None = None,
        seed_opinion_usernames: Sequence[str] | None = None,
        textwrap_len: int = NO_WRAP,
        *,
        autosave_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if not isinstance(next_turn_manager, TurnManager):
            raise ConfigError(
                "Discussion next_turn_manager must be a turn manager such as QueueTurnManager(), "
                f"got {type(next_turn_manager).__name__}"
            )
        self._users = _participants(users)
        self._next_turn_manager = next_turn_manager
        self._next_turn_manager.set_actors(self._users)
        self.conv_len = whole_number("Discussion conv_len", conv_len)
        self.history_context_len = whole_number("Discussion history_context_len", history_context_len)
        if isinstance(textwrap_len, bool) or not isinstance(textwrap_len, int) or textwrap_len < 1:
            raise OutOfRangeError(
                f"Discussion textwrap_len must be a whole number >= 1, got {textwrap_len!r}"
            )
        self.textwrap_len = textwrap_len
        self._ctx_history: collections.deque[str] = collections.deque(maxlen=self.history_context_len)
        self._logs = Logs()
        self._steps_taken = 0
        self._writer: JsonlLogWriter | None = None
        for opinion, name in zip(*_seeds(seed_opinions, seed_opinion_usernames), strict=True):
            self._archive(name, opinion, "hardcoded", Actor(name=name).describe())
        if autosave_dir is not None:
            self.autosave_to(unique_run_path(path_like("Discussion autosave_dir", autosave_dir)))

    # -- running --------------------------------------------------------------
    def __iter__(self) -> Discussion:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._steps_taken >= self.conv_len:
            self.close()
            raise StopIteration
        actor = self._next_turn_manager.next()
        reply = actor.speak(list(self._ctx_history))
        self._steps_taken += 1
        if reply.strip():
            return self._archive(actor.get_actor_name(), reply, actor.get_model_name(), actor.describe())
        blank = {"name": actor.get_actor_name(), "text": "", "model": "", "prompt": ""}
        if self._writer is not None:
            self._writer.write(blank, skipped=True)
        return blank

    def begin(self, verbose: bool = True) -> None:
        """Run every remaining turn; with ``verbose`` print each comment."""
        for entry in self:
            if verbose and entry["text"]:
                print(format_comment(entry["name"], entry["text"], self.textwrap_len), "\n")  # noqa: T201

    def get_logs(self) -> Logs:
        """A copy of the entries so far."""
        return Logs(self._logs.entries(), timestamp=self._logs.timestamp)

    # -- saving ---------------------------------------------------------------
    @property
    def log_path(self) -> Path | None:
        """The run file entries are written to, if any."""
        return None if self._writer is None else self._writer.path

    def autosave_to(self, path: str | os.PathLike[str]) -> Path:
        """Write every entry (those so far, then each new one) to a new run file at ``path``."""
        if self._writer is not None:
            raise ConfigError(f"this discussion already writes to {self._writer.path}")
        self._writer = JsonlLogWriter(path_like("autosave path", path), self._settings())
        for entry in self._logs.entries():
            self._writer.write(entry)
        return self._writer.path

    def resume_from(self, path: str | os.PathLike[str]) -> Path:
        """Continue the run file at ``path`` (made by :meth:`autosave_to` with the same settings).

        The turns it holds are taken as made, the turn manager is moved past
        them, and new entries are appended to the file.

        Raises:
            ConfigError: the file was made with other settings, or its speakers
                are not the ones this turn manager chooses (not the same plan).
        """
        target = path_like("resume path", path)
        if self._writer is not None or self._steps_taken:
            raise ConfigError("resume_from must be called on a new discussion, before any turn")
        header, records = read_jsonl_records(target)
        saved = header.get("metadata", {})
        if saved != self._settings():
            raise ConfigError(f"{target}: was written with other settings {saved!r}; not this discussion's")
        seeds = len(self._logs)
        if [r["entry"] for _, r in records[:seeds]] != self._logs.entries():
            raise ConfigError(f"{target}: its seed opinions differ from this discussion's")
        for number, record in records[seeds:]:
            self._replay(record, f"{target}, line {number}")
        self._writer = JsonlLogWriter(target, resume=True)
        return target

    def close(self) -> None:
        """Stop writing the run file and let another writer in (safe to call twice)."""
        if self._writer is not None:
            self._writer.close()

    # -- inside ---------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        return {
            "participants": [u.get_actor_name() for u in self._users],
            "conv_len": self.conv_len,
            "history_context_len": self.history_context_len,
            "turn_manager": type(self._next_turn_manager).__name__,
            "seed": self._next_turn_manager.seed,
        }

    def _replay(self, record: Mapping[str, Any], where: str) -> None:
        if self._steps_taken >= self.conv_len:
            raise LogsFormatError(f"{where}: more turns than conv_len={self.conv_len}")
        entry = record["entry"]
        expected = self._next_turn_manager.next().get_actor_name()
        if entry.get("name") != expected:
            raise ConfigError(
                f"{where}: {entry.get('name')!r} spoke where the turn manager chooses {expected!r}; "
                "this file belongs to another plan or seed"
            )
        self._steps_taken += 1
        if not record.get(_SKIPPED):
            self._archive(
                entry["name"], entry["text"], entry.get("model", ""), entry.get("prompt", ""), save=False
            )

    def _archive(self, name: str, text: str, model: str, prompt: str, *, save: bool = True) -> dict[str, Any]:
        entry = self._logs.append(name, text, model, prompt)
        self._ctx_history.append(format_comment(name, text, self.textwrap_len))
        if save and self._writer is not None:
            self._writer.write(entry)
        return dict(entry)

    def __repr__(self) -> str:
        names = [u.get_actor_name() for u in self._users]
        return f"Discussion({names}, {self._steps_taken}/{self.conv_len} turns)"


class Annotation:
    """An annotator labels every comment of ``discussion_logs``, seeing the ``history_ctx_len`` latest.

    Each annotation entry carries the commenter's ``name``, the label as
    ``text``, the annotator's model and, as ``prompt``, the annotator's description.
    """

    def __init__(
        self,
        annotator: Actor,
        discussion_logs: engine_logs.Logs,
        history_ctx_len: int = 2,
        textwrap_len: int = NO_WRAP,
    ) -> None:
        if not isinstance(annotator, Actor) or not annotator.is_annotator:
            raise ConfigError(
                f"Annotation annotator must be an Actor made with is_annotator=True, got {annotator!r:.80}"
            )
        if not isinstance(discussion_logs, engine_logs.Logs):
            raise ConfigError(
                "Annotation discussion_logs must be Logs (e.g. Logs.from_file(path)), "
                f"got {type(discussion_logs).__name__}"
            )
        self._annotator = annotator
        self._discussion_logs = Logs(discussion_logs.entries())
        self._history_ctx_len = positive_whole_number("Annotation history_ctx_len", history_ctx_len)
        if isinstance(textwrap_len, bool) or not isinstance(textwrap_len, int) or textwrap_len < 1:
            raise OutOfRangeError(
                f"Annotation textwrap_len must be a whole number >= 1, got {textwrap_len!r}"
            )
        self.textwrap_len = textwrap_len
        self._annotation_logs = Logs()

    def begin(self, verbose: bool = True, *, writer: JsonlLogWriter | None = None) -> None:
        """Label every comment in order; with ``verbose`` print each comment and its label.

        With ``writer`` each label is on disk as soon as it is made.
        """
        window: collections.deque[str] = collections.deque(maxlen=self._history_ctx_len)
        for comment in self._discussion_logs:
            shown = format_comment(comment["name"], comment["text"], self.textwrap_len)
            window.append(shown)
            label = self._annotator.speak(list(window))
            entry = self._annotation_logs.append(
                comment["name"], label, self._annotator.get_model_name(), self._annotator.describe()
            )
            if writer is not None:
                writer.write(entry)
            if verbose:
                print(shown)  # noqa: T201
                print(label)  # noqa: T201

    def get_logs(self) -> Logs:
        """A copy of the annotations so far."""
        return Logs(self._annotation_logs.entries())


def _participants(users: object) -> list[Actor]:
    if isinstance(users, (str, bytes, Mapping)) or not isinstance(users, Sequence) or not users:
        raise ConfigError("Discussion users must be a non-empty list of Actor objects")
    for i, user in enumerate(users):
        if not isinstance(user, Actor):
            raise ConfigError(f"Discussion users[{i}] must be an Actor, got {type(user).__name__}")
        if user.is_annotator:
            raise ConfigError(
                f"Discussion users[{i}] ({user.get_actor_name()!r}) is an annotator; annotators label "
                "discussions (Annotation) and cannot take part in them"
            )
    return list(users)


def _seeds(opinions: object, usernames: object) -> tuple[list[str], list[str]]:
    if (opinions is None) != (usernames is None):
        raise ConfigError(
            "give seed_opinions and seed_opinion_usernames together (one username per opinion), or neither"
        )
    return ([], []) if opinions is None else checked_seeds(opinions, usernames)
