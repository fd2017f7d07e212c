"""A discussion between actors: its own single-pass iterator.

``iter(discussion)`` does the one-time set-up (seed opinions); each
``next()`` prompts one speaker and returns the new log entry. ``step()`` is
the same with streaming and stop controls, for interactive front ends.
"""

from __future__ import annotations

import copy
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..checks import whole_number
from ..errors import ConfigError, ModelError, TurnError
from ..models.base import GenerationControl
from .actors import Actor, ActorType
from .logs import Entry, Logs, make_entry
from .storage import JsonlLogWriter, read_jsonl_records, unique_run_path
from .turns import TurnManager


class Discussion:
    """Users (and an optional moderator) talking in turns.

    Args:
        next_turn_manager: Chooses who speaks; filled with the users' names if empty.
        users: The participating user actors (unique names).
        moderator: Optional moderator actor.
        history_context_len: How many of the latest entries each speaker sees.
        conv_len: How many model-written user turns the discussion lasts.
        seed_opinions: Texts placed at the start, before any model speaks.
        seed_opinion_usernames: Who wrote each seed opinion (same length).
        moderator_every: The moderator speaks after every this many user
            turns; ``None`` lets only the turn manager give it turns.
        autosave_dir: If given, every entry is appended at once to a new,
            uniquely named JSONL file in this folder (see :attr:`log_path`).
    """

    def __init__(
        self,
        next_turn_manager: TurnManager,
        users: Sequence[Actor],
        moderator: Actor | None = None,
        history_context_len: int = 5,
        conv_len: int = 5,
        seed_opinions: Sequence[str] = (),
        seed_opinion_usernames: Sequence[str] = (),
        *,
        moderator_every: int | None = 1,
        autosave_dir: str | os.PathLike | None = None,
    ) -> None:
        users = list(users)
        _check_settings(users, moderator, history_context_len, conv_len, moderator_every)
        if len(seed_opinions) != len(seed_opinion_usernames):
            raise ConfigError(
                f"seed_opinions ({len(seed_opinions)}) and seed_opinion_usernames "
                f"({len(seed_opinion_usernames)}) must have the same length"
            )
        self.users = users
        self.moderator = moderator
        self.history_context_len = history_context_len
        self.conv_len = conv_len
        self.seed_opinions = list(seed_opinions)
        self.seed_opinion_usernames = list(seed_opinion_usernames)
        self.moderator_every = moderator_every
        self.autosave_dir = autosave_dir
        self.next_turn_manager = next_turn_manager
        self._actors = {a.name: a for a in self.participants}
        self._register_names(next_turn_manager)
        self._turn_manager_origin = copy.deepcopy(next_turn_manager)

        self.logs = Logs()
        self._drawn: list[bool] = []  # per entry: did it use a turn-manager draw?
        self._pending: tuple[Actor, bool] | None = None  # chosen speaker of an unfinished turn
        self._started = False
        self._finished = False
        self._writer: JsonlLogWriter | None = None
        if autosave_dir is not None:
            self._writer = JsonlLogWriter(unique_run_path(autosave_dir), metadata=self.settings())

    # -- description ------------------------------------------------------------
    @property
    def participants(self) -> list[Actor]:
        """The users, then the moderator if there is one."""
        return self.users + ([self.moderator] if self.moderator else [])

    @property
    def log_path(self) -> Path | None:
        """The JSONL file entries are saved to as they are made, if autosaving."""
        return self._writer.path if self._writer else None

    @property
    def finished(self) -> bool:
        """True once the discussion has produced all its turns."""
        return self._finished or (self._started and self._is_complete())

    @property
    def _steps_taken(self) -> int:
        """Model-written turns so far, moderator's included (one per ``next()``)."""
        return sum(1 for e in self.logs._entries if e.get("source") == "model")

    @property
    def user_turns(self) -> int:
        """Model-written user turns so far (what ``conv_len`` counts)."""
        return sum(1 for e in self.logs._entries if e.get("source") == "model" and e.get("role") == "user")

    def settings(self) -> dict[str, Any]:
        """The run's settings, saved in the autosave file header."""
        return {
            "users": [a.name for a in self.users],
            "moderator": self.moderator.name if self.moderator else None,
            "models": sorted({a.model.name for a in self.participants}),
            "turn_manager": repr(self._turn_manager_origin),
            "conv_len": self.conv_len,
            "history_context_len": self.history_context_len,
            "moderator_every": self.moderator_every,
        }

    def get_logs(self) -> Logs:
        """The discussion's :class:`Logs` (the live object)."""
        return self.logs

    # -- iteration --------------------------------------------------------------
    def __iter__(self) -> Discussion:
        if not self._started:
            self._started = True
            for name, text in zip(self.seed_opinion_usernames, self.seed_opinions):
                actor = self._actors.get(name)
                role = actor.role if actor else ActorType.USER.role
                self._record(
                    make_entry(name, text, "hardcoded", "", role=role, source="seed", context=None),
                    drawn=False,
                )
        return self

    def __next__(self) -> Entry:
        return self.step()

    def step(self, *, control: GenerationControl | None = None) -> Entry:
        """Prompt the next speaker and return the new entry.

        Args:
            control: Streams each new piece of text out (``control.put``) and
                can stop mid-turn (``control.stop()``); the unfinished turn is
                not recorded and :class:`~syndisco_widgets.errors.GenerationStopped`
                is raised. The same speaker retries on the next step.

        Raises:
            StopIteration: the discussion is complete.
            TurnError: the model failed; earlier entries are intact and the
                turn can be retried with another ``step()``.
        """
        speaker = self.next_speaker()
        if speaker is None:
            raise StopIteration
        drawn = self._pending[1]
        start = max(0, len(self.logs) - self.history_context_len)
        window = self.logs._entries[start:]
        try:
            text = speaker.speak(window, control=control).text
        except ModelError as exc:
            turn = len(self.logs)
            raise TurnError(
                f"{speaker.name}'s turn (entry {turn}) failed: {exc}. The {turn} earlier entries "
                "are kept; call next() or step() to retry, or fork() to branch off.",
                speaker=speaker.name,
                turn=turn,
            ) from exc
        entry = make_entry(
            speaker.name,
            text,
            speaker.model.name,
            speaker.describe(),
            role=speaker.role,
            source="model",
            context=[start, len(self.logs)],
        )
        self._pending = None
        return self._record(entry, drawn)

    def next_speaker(self) -> Actor | None:
        """Who the next ``step()`` prompts, or None when the discussion is complete.

        The speaker is chosen (drawn from the turn manager) on the first call
        and kept until that turn is recorded, so asking twice changes nothing.
        """
        iter(self)
        if self._finished or self._is_complete():
            self._finished = True
            return None
        if self._pending is None:
            self._pending = self._choose_speaker()
        return self._pending[0]

    def begin(self, verbose: bool = True) -> None:
        """Run to the end, printing each post when ``verbose`` (with a progress bar)."""
        from tqdm.auto import tqdm

        iter(self)
        with tqdm(
            total=self.conv_len, initial=self.user_turns, desc="Discussion", disable=not verbose
        ) as bar:
            for entry in self:
                if verbose:
                    label = "Moderator" if entry["role"] == "moderator" else "User"
                    body = textwrap.fill(entry["text"], width=70, replace_whitespace=False)
                    tqdm.write(f"{label} {entry['name']} posted:\n{body}\n")
                bar.update(self.user_turns - bar.n)

    # -- steering ---------------------------------------------------------------
    def inject(self, name: str, text: str) -> Entry:
        """Add a message written by a person, as participant or moderator ``name``."""
        actor = self._actors.get(name)
        if actor is None:
            raise ConfigError(f"inject: unknown name {name!r}; choose one of {sorted(self._actors)}")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError("inject: text must be a non-empty string")
        iter(self)
        entry = make_entry(name, text, "human", "", role=actor.role, source="human", context=None)
        return self._record(entry, drawn=False)

    def fork(
        self, at_turn: int | None = None, *, autosave_dir: str | os.PathLike | None = None
    ) -> Discussion:
        """A new, independent discussion with the first ``at_turn`` entries.

        It has the same participants and settings, and its turn manager is
        where this one's was after those entries. This discussion is untouched.
        """
        at_turn = len(self.logs) if at_turn is None else at_turn
        if isinstance(at_turn, bool) or not isinstance(at_turn, int) or not 0 <= at_turn <= len(self.logs):
            raise ConfigError(f"fork: at_turn must be between 0 and {len(self.logs)}, got {at_turn!r}")
        child = Discussion(
            copy.deepcopy(self._turn_manager_origin),
            self.users,
            self.moderator,
            self.history_context_len,
            self.conv_len,
            moderator_every=self.moderator_every,
            autosave_dir=self.autosave_dir if autosave_dir is None else autosave_dir,
        )
        child._adopt(self.logs._entries[:at_turn], self._drawn[:at_turn])
        return child

    @classmethod
    def resume(
        cls,
        path: str | os.PathLike,
        next_turn_manager: TurnManager,
        users: Sequence[Actor],
        moderator: Actor | None = None,
        **settings: Any,
    ) -> Discussion:
        """Continue an autosaved run after a crash or interruption.

        Pass a fresh turn manager built as for the original run (same names
        and seed) and the same actors; settings default to those saved in the
        file. New entries are appended to the same file.
        """
        header, records = read_jsonl_records(Path(path))
        saved = header.get("metadata", {})
        for key in ("conv_len", "history_context_len", "moderator_every"):
            if key in saved:
                settings.setdefault(key, saved[key])
        names = [u.name for u in users]
        if saved.get("users") not in (None, names):
            raise ConfigError(f"resume: {path} was run with users {saved['users']}, not {names}")
        conv = cls(next_turn_manager, users, moderator, **settings)
        saved_logs = Logs(r["entry"] for _, r in records)
        conv._adopt(saved_logs._entries, [bool(r.get("drawn")) for _, r in records])
        conv._writer = JsonlLogWriter(path, resume=True)
        return conv

    # -- internals --------------------------------------------------------------
    def _adopt(self, entries: Sequence[Entry], drawn: Sequence[bool]) -> None:
        """Take over earlier entries and move the turn manager past their draws."""
        self._started = True
        for _ in range(sum(drawn)):
            next(self.next_turn_manager)
        for entry, was_drawn in zip(entries, drawn):
            self._record(dict(entry), was_drawn)

    def _register_names(self, turn_manager: TurnManager) -> None:
        if not turn_manager.names:
            turn_manager.set_names([u.name for u in self.users])
        unknown = [n for n in turn_manager.names if n not in self._actors]
        if unknown:
            raise ConfigError(
                f"next_turn_manager names {unknown} match no actor; actors are {sorted(self._actors)}"
            )

    def _moderator_due(self) -> bool:
        if self.moderator is None or not self.moderator_every:
            return False
        since = 0
        for entry in reversed(self.logs._entries):
            if entry.get("role") == "moderator":
                break
            if entry.get("source") == "model" and entry.get("role") == "user":
                since += 1
        return since >= self.moderator_every

    def _is_complete(self) -> bool:
        return self._pending is None and self.user_turns >= self.conv_len and not self._moderator_due()

    def _choose_speaker(self) -> tuple[Actor, bool]:
        if self._moderator_due():
            return self.moderator, False
        return self._actors[next(self.next_turn_manager)], True

    def _record(self, entry: Entry, drawn: bool) -> Entry:
        recorded = self.logs.add(entry)
        self._drawn.append(drawn)
        if self._writer is not None:
            self._writer.write(recorded, drawn=drawn)
        return recorded

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.participants)
        return f"Discussion([{names}], {len(self.logs)} entries, conv_len={self.conv_len})"


def _check_settings(
    users: list[Actor],
    moderator: Actor | None,
    history_context_len: int,
    conv_len: int,
    moderator_every: int | None,
) -> None:
    if not users or not all(isinstance(u, Actor) for u in users):
        raise ConfigError("users must be a non-empty list of Actor objects")
    if moderator is not None and not isinstance(moderator, Actor):
        raise ConfigError(f"moderator must be an Actor or None, got {type(moderator).__name__}")
    names = [a.name for a in users] + ([moderator.name] if moderator else [])
    if len(set(names)) != len(names):
        raise ConfigError(f"every participant needs a unique username, got {names}")
    whole_number("history_context_len", history_context_len)
    whole_number("conv_len", conv_len)
    if moderator_every is not None:
        whole_number("moderator_every (or None)", moderator_every, low=1)
