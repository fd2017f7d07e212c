"""A discussion between actors: its own single-pass iterator.

A turn is a request. :meth:`Discussion.next_request` chooses the next
speaker and builds the exact prompt it will be sent (a frozen
:class:`~.requests.TurnRequest` whose payload is the speaking actor);
:meth:`Discussion.record` stores the model's reply to it, or
:meth:`Discussion.fail` turns a failure into a :class:`TurnError`. A
discussion is a :class:`~.requests.TurnSource`: ``next()``, ``step()``,
``begin()`` and :func:`~syndisco_widgets.engine.drive.drive` all go through
these.
"""

from __future__ import annotations

import copy
import secrets
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..checks import (
    folder_path,
    instance_of,
    optional_seed,
    path_like,
    sequence_of,
    text,
    text_sequence,
    whole_number,
)
from ..errors import ConfigError, LogsFormatError, ModelError, TurnError
from ..models.base import BaseModel, Completion, GenerationControl, GenerationOptions
from . import prompts
from .actors import Actor, ActorType
from .logs import Logs, make_entry
from .persona import check_speaker_name
from .requests import TurnRequest
from .run_record import start_run_record
from .sentences import whole_reply
from .storage import JsonlLogWriter, read_jsonl_records, unique_run_path
from .turns import TurnManager

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from .entries import Entry
    from .study import Study

#: What a decoder gives for a character cut short at the token cap; never stored at a reply's end.
CUT_CHARACTER = "\ufffd"

#: A turn manager choosing only the moderator this many times in a row is a bug that would never end.
_MAX_MODERATOR_DRAWS = 1000


# Every turn stops where the model starts a new ``[name]:`` history line. The
# same options for every discussion, so run_discussions can batch them all.
_TURN_OPTIONS = GenerationOptions(stop=prompts.stop_strings(()))


class Discussion:
    """Users (and an optional moderator) talking in turns.

    Args:
        next_turn_manager: Chooses who speaks; filled with the users' names if empty.
        users: The participating user actors (``ActorType.USER``, unique names).
        moderator: Optional moderator actor (``ActorType.MODERATOR``).
        history_context_len: How many of the latest entries each speaker sees.
        conv_len: How many model-written user turns the discussion lasts.
        seed_opinions: Texts placed at the start, before any model speaks.
        seed_opinion_usernames: Who wrote each seed opinion (same length).
        moderator_every: The moderator speaks after every this many user
            turns; ``None`` lets only the turn manager give it turns.
        autosave_dir: If given, every entry is appended at once to a new,
            uniquely named JSONL file in this folder (see :attr:`log_path`).
        seed: Sampling seed sent with every turn (``None``: each model's
            own). :meth:`fork` draws a new one, so a branch does not replay
            its parent word for word.
        topic: The question discussed, restated in every turn's request
            (below the history), so speakers keep to it after the opening
            posts have left their history window. Empty: none.
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
        autosave_dir: str | os.PathLike[str] | None = None,
        seed: int | None = None,
        topic: str = "",
    ) -> None:
        self.users = _checked_users(users)
        self.topic = text("topic", topic).strip()
        self.seed = optional_seed("seed", seed)
        self._options = _TURN_OPTIONS if seed is None else replace(_TURN_OPTIONS, seed=seed)
        self.moderator = _checked_moderator(moderator)
        self.history_context_len = whole_number("history_context_len", history_context_len)
        self.conv_len = whole_number("conv_len", conv_len)
        self.moderator_every = (
            None if moderator_every is None else whole_number("moderator_every (or None)", moderator_every, 1)
        )
        self.seed_opinions, self.seed_opinion_usernames = checked_seeds(seed_opinions, seed_opinion_usernames)
        self.autosave_dir = None if autosave_dir is None else folder_path("autosave_dir", autosave_dir)
        if not isinstance(next_turn_manager, TurnManager):
            raise ConfigError(
                f"next_turn_manager must be a TurnManager such as RoundRobin(), "
                f"got {type(next_turn_manager).__name__} {next_turn_manager!r:.60}"
            )
        self.next_turn_manager = next_turn_manager
        names = [a.name for a in self.participants]
        if len(set(names)) != len(names):
            raise ConfigError(f"every participant needs a unique username, got {names}")
        self._actors = {a.name: a for a in self.participants}
        self._register_names(next_turn_manager)
        self._turn_manager_origin = copy.deepcopy(next_turn_manager)

        self.logs = Logs()
        self._drawn: list[bool] = []  # per entry: did it use a turn-manager draw?
        self._pending: tuple[Actor, bool] | None = None  # chosen speaker of an unfinished turn
        self._request: TurnRequest[Actor] | None = None
        self._started = False
        self._writer: JsonlLogWriter | None = None
        if self.autosave_dir is not None:
            self.autosave_to(unique_run_path(self.autosave_dir))

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
        return self._started and self._is_complete()

    @property
    def _steps_taken(self) -> int:
        """Model-written turns so far, moderator's included (the guide reads this)."""
        return self.logs.count_where(source="model")

    @property
    def user_turns(self) -> int:
        """Model-written user turns so far (what ``conv_len`` counts)."""
        return self.logs.count_where(role="user", source="model")

    def settings(self) -> dict[str, Any]:
        """The run's settings, saved in the autosave file header (seed opinions included)."""
        return {
            "users": [a.name for a in self.users],
            "moderator": self.moderator.name if self.moderator else None,
            "models": sorted({a.model.name for a in self.participants}),
            "turn_manager": repr(self._turn_manager_origin),
            "conv_len": self.conv_len,
            "history_context_len": self.history_context_len,
            "moderator_every": self.moderator_every,
            "seed_opinions": list(self.seed_opinions),
            "seed_opinion_usernames": list(self.seed_opinion_usernames),
            **({"seed": self.seed} if self.seed is not None else {}),
            **({"topic": self.topic} if self.topic else {}),
        }

    def get_logs(self) -> Logs:
        """The discussion's :class:`Logs` (the live object)."""
        return self.logs

    # -- the request path ---------------------------------------------------------
    def next_request(self) -> TurnRequest[Actor] | None:
        """The next turn's request, or None when the discussion is complete.

        The speaker is chosen (drawn from the turn manager) once and kept
        until that turn is recorded, so asking again returns the same
        request. If an entry was added meanwhile (:meth:`inject`), the same
        speaker gets a new request that sees it.
        """
        iter(self)
        if self._is_complete():
            self._close_writer()
            return None
        if self._pending is None:
            self._pending = self._choose_speaker()
        speaker, drawn = self._pending
        if self._request is None or self._request.turn != len(self.logs):
            window = self.logs.window(self.history_context_len)
            prompt = speaker.turn_prompt(self.logs.entries(*window), self.topic)
            self._request = TurnRequest(
                name=speaker.name,
                model=speaker.model,
                prompt=prompt,
                payload=speaker,
                options=self._options,
                turn=window[1],
                window=window,
                drawn=drawn,
            )
        return self._request

    def next_requests(self) -> list[TurnRequest[Actor]]:
        """The next turn's request as a list (empty when complete): the :class:`TurnSource` side."""
        request = self.next_request()
        return [] if request is None else [request]

    @property
    def answers_left(self) -> int:
        """Model-written user turns still to come."""
        return max(self.conv_len - self.user_turns, 0)

    def record(self, request: TurnRequest[Any], reply: Completion | str) -> Entry:
        """Record the reply to ``request`` (from :meth:`next_request`) and return the new entry."""
        self._check_current(request)
        completion = reply if isinstance(reply, Completion) else Completion(text("reply", reply))
        speaker: Actor = request.payload
        shown, raw = whole_reply(
            prompts.strip_own_label(completion.text, request.name).rstrip(CUT_CHARACTER),
            completion.finish_reason,
        )
        cut = {} if raw is None else {"truncated": True, "raw_text": raw}
        entry = speaker.reply_entry(shown, completion, request.window, **cut)
        self._pending = self._request = None
        return self._record(entry, drawn=request.drawn)

    def fail(self, request: TurnRequest[Any], error: BaseException) -> TurnError:
        """The :class:`TurnError` for a failed ``request``; raise it. The turn stays pending for a retry."""
        self._check_current(request)
        turn = request.turn
        return TurnError(
            f"{request.name}'s turn (entry {turn}) failed: {error}. The {turn} earlier entries "
            "are kept; call next() or step() to retry, or fork() to branch off.",
            speaker=request.name,
            turn=turn,
        )

    # -- iteration --------------------------------------------------------------
    def __iter__(self) -> Discussion:
        if not self._started:
            self._started = True
            self._record_seeds(0)
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
        request = self.next_request()
        if request is None:
            raise StopIteration
        try:
            reply = request.model.complete(request.prompt, control=control, options=request.options)
        except ModelError as exc:
            raise self.fail(request, exc) from exc
        return self.record(request, reply)

    def next_speaker(self) -> Actor | None:
        """Who the next ``step()`` prompts, or None when the discussion is complete."""
        request = self.next_request()
        return request.payload if request else None

    def begin(self, verbose: bool = True) -> None:
        """Run to the end, printing each post when ``verbose`` (with a progress bar)."""
        from tqdm.auto import tqdm

        iter(self)
        with tqdm(
            total=self.conv_len, initial=self.user_turns, desc="Discussion", disable=not verbose
        ) as bar:
            for entry in self:
                if verbose:
                    tqdm.write(format_post(entry))
                bar.update(self.user_turns - bar.n)

    # -- steering ---------------------------------------------------------------
    def inject(self, name: str, text: str) -> Entry:
        """Add a message written by a person, as participant or moderator ``name``."""
        if not isinstance(name, str):
            raise ConfigError(
                f"inject name must be one participant's name (a string), got {type(name).__name__} "
                f"{name!r:.60}; choose one of {sorted(self._actors)}"
            )
        actor = self._actors.get(name)
        if actor is None:
            raise ConfigError(f"inject: unknown name {name!r}; choose one of {sorted(self._actors)}")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(
                f"inject text must be a non-empty string, got {type(text).__name__} {text!r:.60}"
            )
        iter(self)
        entry = make_entry(name, text, "human", "", role=actor.role, source="human", context=None)
        return self._record(entry, drawn=self._take_turn(actor))

    def fork(
        self,
        at_turn: int | None = None,
        *,
        autosave_dir: str | os.PathLike[str] | None = None,
        seed: int | None = None,
        keep_seed: bool = False,
    ) -> Discussion:
        """A new, independent discussion with the first ``at_turn`` entries.

        It has the same participants and settings, and its turn manager is
        where this one's was after those entries. This discussion is untouched.

        The branch samples with a new seed (see :attr:`seed`), so with the same
        entries it still says something new. ``seed=`` picks that seed;
        ``keep_seed=True`` keeps this discussion's, so a sampling model
        replays it word for word (greedy decoding always does).
        """
        at_turn = len(self.logs) if at_turn is None else at_turn
        if isinstance(at_turn, bool) or not isinstance(at_turn, int) or not 0 <= at_turn <= len(self.logs):
            raise ConfigError(f"fork: at_turn must be between 0 and {len(self.logs)}, got {at_turn!r}")
        if keep_seed and seed is not None:
            raise ConfigError("fork: pass seed= or keep_seed=True, not both")
        if keep_seed:
            child_seed = self.seed
        elif seed is not None:
            child_seed = optional_seed("fork seed", seed)
        else:
            child_seed = secrets.randbelow(2**31)
        child = Discussion(
            copy.deepcopy(self._turn_manager_origin),
            self.users,
            self.moderator,
            self.history_context_len,
            self.conv_len,
            self.seed_opinions,
            self.seed_opinion_usernames,
            moderator_every=self.moderator_every,
            autosave_dir=self.autosave_dir if autosave_dir is None else autosave_dir,
            seed=child_seed,
            topic=self.topic,
        )
        child._adopt(self.logs.entries(0, at_turn), self._drawn[:at_turn])
        return child

    # -- saving -----------------------------------------------------------------
    def autosave_to(self, path: str | os.PathLike[str]) -> Path:
        """Save to the new file ``path`` from now on: the header, every entry so far, then each new one.

        Raises:
            RunLockedError: another writer holds the file.
            FileExistsError: the file exists (resume it with :meth:`resume` instead).
        """
        if self._writer is not None:
            raise ConfigError(f"this discussion already saves to {self._writer.path}")
        run = start_run_record([a.model for a in self.participants], seed=self._turn_manager_origin.seed)
        writer = JsonlLogWriter(path_like("autosave_to path", path), metadata={**self.settings(), "run": run})
        for entry, drawn in zip(self.logs, self._drawn, strict=True):
            writer.write(entry, drawn=drawn)
        self._writer = writer
        return writer.path

    def close(self) -> None:
        """Stop holding the autosave file, so another process may resume it. Safe to call twice."""
        self._close_writer()

    @classmethod
    def resume(
        cls,
        path: str | os.PathLike[str],
        next_turn_manager: TurnManager,
        users: Sequence[Actor],
        moderator: Actor | None = None,
        **settings: Any,
    ) -> Discussion:
        """Continue an autosaved run after a crash or interruption.

        Pass a fresh turn manager built as for the original run (same names
        and seed) and the same actors. Settings (``conv_len``,
        ``history_context_len``, ``moderator_every``, seed opinions, topic) default
        to those saved in the file; ones given must match them. New entries
        are appended to the same file, which this discussion holds (one
        writer at a time) until it ends or :meth:`close` is called.

        A file whose header a crash cut off (and so holds no entry) starts
        over with the settings given here; an empty file, or one that does
        not start like a run file, is refused.

        Raises:
            RunLockedError: another live run is writing the file.
            ConfigError: the participants, turn manager or settings differ
                from the file's (both are named).
            LogsFormatError: the file is not a run file, or is empty (the message says where).
        """
        file = path_like("resume path", path)
        if file.is_file():
            _check_starts_like_a_run(file)  # before the writer drops a last line as cut off
        writer = JsonlLogWriter(file, resume=True)  # takes the lock before reading
        try:
            header, records = read_jsonl_records(file)
            saved: dict[str, Any] = header.get("metadata", {}) if header else {}
            _check_has_header(file, header, records)
            for key in ("conv_len", "history_context_len", "moderator_every", "seed_opinions", "seed"):
                if key in saved:
                    settings.setdefault(key, saved[key])
            for key in ("seed_opinion_usernames", "topic"):
                if key in saved:
                    settings.setdefault(key, saved[key])
            conv = cls(next_turn_manager, users, moderator, **settings)
            if header:
                _check_same_settings(file, saved, conv.settings())
            conv._adopt([r["entry"] for _, r in records], [bool(r.get("drawn")) for _, r in records])
            conv._writer = writer
            if not header:
                writer.rewrite_header(conv.settings())
            conv._record_seeds(sum(1 for _, r in records if r["entry"].get("source") == "seed"))
        except BaseException:
            writer.close()
            raise
        return conv

    @classmethod
    def from_study(
        cls,
        study: Study | str | os.PathLike[str],
        model: BaseModel | None = None,
        *,
        autosave_dir: str | os.PathLike[str] | None = None,
    ) -> Discussion:
        """A new discussion set up by a study (a ``Study`` or a study file's path).

        ``model`` defaults to the study's own; see ``Study.build_discussion``.
        """
        from .study import discussion_from_study

        return discussion_from_study(study, model, autosave_dir=autosave_dir)

    # -- internals --------------------------------------------------------------
    def _adopt(self, entries: Sequence[Entry | dict[str, Any]], drawn: Sequence[bool]) -> None:
        """Take over earlier entries and move the turn manager past their draws."""
        self._started = True
        for _ in range(sum(drawn)):
            next(self.next_turn_manager)
        for entry, was_drawn in zip(entries, drawn, strict=True):
            self._record(entry, drawn=was_drawn)

    def _record_seeds(self, already: int) -> None:
        """Record the seed opinions from number ``already`` on (a crash may have cut them short)."""
        if already and len(self.logs) != already:
            return  # the run went on after its seeds
        pairs = list(zip(self.seed_opinion_usernames, self.seed_opinions, strict=True))[already:]
        for name, text_ in pairs:
            actor = self._actors.get(name)
            role = actor.role if actor else ActorType.USER.role
            self._record(
                make_entry(name, text_, "hardcoded", "", role=role, source="seed", context=None), drawn=False
            )

    def _register_names(self, turn_manager: TurnManager) -> None:
        if not turn_manager.names:
            turn_manager.set_names([u.name for u in self.users])
        unknown = [n for n in turn_manager.names if n not in self._actors]
        if unknown:
            raise ConfigError(
                f"next_turn_manager names {unknown} match no actor; actors are {sorted(self._actors)}"
            )
        if self.conv_len and not any(
            self._actors[n].actor_type is ActorType.USER for n in turn_manager.names
        ):
            raise ConfigError(
                f"next_turn_manager names {turn_manager.names} hold no user, so the {self.conv_len} user "
                f"turns would never come; add some of {[u.name for u in self.users]}"
            )

    def _moderator_due(self) -> bool:
        if self.moderator is None or not self.moderator_every:
            return False
        return self.logs.since_last("moderator", counting_role="user") >= self.moderator_every

    def _is_complete(self) -> bool:
        return self._pending is None and self.user_turns >= self.conv_len and not self._moderator_due()

    def _take_turn(self, actor: Actor) -> bool:
        """Whether a person writing as ``actor`` takes that user's turn (the next draw names them).

        Then the draw is spent on the person's message, so the model does not
        speak as the same user right after it.
        """
        if actor.actor_type is not ActorType.USER or self._is_complete():
            return False
        if self._pending is None:
            if self._moderator_due():
                return False
            self._pending = self._choose_speaker()
        speaker, drawn = self._pending
        if speaker is not actor or not drawn:
            return False
        self._pending = self._request = None
        return True

    def _choose_speaker(self) -> tuple[Actor, bool]:
        if self._moderator_due() and self.moderator is not None:
            return self.moderator, False
        manager = self.next_turn_manager
        actor = self._actors[next(manager)]
        recent = manager.history[-_MAX_MODERATOR_DRAWS:]
        if len(recent) == _MAX_MODERATOR_DRAWS and all(self._actors[n] is self.moderator for n in recent):
            raise ConfigError(
                f"next_turn_manager chose only the moderator in its last {_MAX_MODERATOR_DRAWS} draws, "
                "so the discussion would never end; make it choose users too"
            )
        return actor, True

    def _check_current(self, request: TurnRequest[Any]) -> None:
        if not isinstance(request, TurnRequest):
            raise ConfigError(f"expected the TurnRequest from next_request(), got {type(request).__name__}")
        if request is not self._request or request.turn != len(self.logs):
            raise ConfigError(
                f"this request ({request.name}, entry {request.turn}) is no longer the discussion's next "
                "turn (an entry was added since); ask next_request() again"
            )

    def _record(self, entry: Entry | dict[str, Any], drawn: bool) -> Entry:
        recorded = self.logs.add(entry)
        self._drawn.append(drawn)
        if self._writer is not None:
            if self._writer.closed:  # reopened after the end, e.g. for an inject
                self._writer = JsonlLogWriter(self._writer.path, resume=True)
            self._writer.write(recorded, drawn=drawn)
        return recorded

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.participants)
        return f"Discussion([{names}], {len(self.logs)} entries, conv_len={self.conv_len})"


def format_post(entry: Entry) -> str:
    """How ``begin(verbose=True)`` prints one entry."""
    label = "Moderator" if entry.get("role") == "moderator" else "User"
    body = textwrap.fill(entry["text"], width=70, replace_whitespace=False)
    return f"{label} {entry['name']} posted:\n{body}\n"


def _checked_users(users: object) -> list[Actor]:
    if isinstance(users, Sequence) and not isinstance(users, (str, bytes)) and not users:
        raise ConfigError("users must be a non-empty list of Actor objects, got an empty list")
    checked = sequence_of("users", users, Actor, what="Actor objects")
    for i, actor in enumerate(checked):
        if actor.actor_type is not ActorType.USER:
            raise ConfigError(
                f"users[{i}] ({actor.name!r}) is a {actor.actor_type.name} actor; a discussion's users must "
                "have actor_type=ActorType.USER (pass a moderator as moderator=, and label finished "
                "logs with annotate() or AnnotationExperiment)"
            )
    return checked


def _checked_moderator(moderator: object) -> Actor | None:
    if moderator is None:
        return None
    actor = instance_of(
        "moderator", moderator, Actor, "an Actor with actor_type=ActorType.MODERATOR, or None"
    )
    if actor.actor_type is not ActorType.MODERATOR:
        raise ConfigError(
            f"moderator ({actor.name!r}) is a {actor.actor_type.name} actor; build it with "
            "actor_type=ActorType.MODERATOR (a user as moderator would never let the discussion end)"
        )
    return actor


def checked_seeds(opinions: object, usernames: object) -> tuple[list[str], list[str]]:
    """The seed opinions and their speakers' names, checked: lists of strings, one name per opinion."""
    texts = text_sequence("seed_opinions", opinions)
    names = text_sequence("seed_opinion_usernames", usernames)
    if len(texts) != len(names):
        raise ConfigError(
            f"seed_opinions ({len(texts)}) and seed_opinion_usernames ({len(names)}) "
            "must have the same length: give one username per opinion"
        )
    for i, name in enumerate(names):
        check_speaker_name(f"seed_opinion_usernames[{i}]", name)
    return texts, names


def _check_has_header(path: Path, header: dict[str, Any], records: list[Any]) -> None:
    if not header and records:
        raise LogsFormatError(f"{path}: has entries but no header line; it is not a run file")


def _check_starts_like_a_run(path: Path) -> None:
    """Refuse (untouched) an empty file or one that does not start with a run header."""
    if not _starts_with_header(path):
        what = "is empty" if not path.read_bytes().strip() else "does not start with a run header"
        raise LogsFormatError(
            f"{path}: {what}, so it is not a run file and there is no run to resume (the file is left "
            "as it is). Pass the run file you meant, or start a new run, e.g. "
            "Discussion(..., autosave_dir=folder)"
        )


def _starts_with_header(path: Path) -> bool:
    """True for a file whose first line is (the start of) a run header, e.g. one a crash cut off."""
    with path.open("rb") as handle:
        return handle.read(32).lstrip().startswith(b'{"header"')


def _check_same_settings(path: Path, saved: dict[str, Any], given: dict[str, Any]) -> None:
    """Refuse to resume a run with other participants, turn manager or settings, naming both."""
    for key, value in given.items():
        if key in saved and key != "models" and saved[key] != value:
            raise ConfigError(
                f"resume: {path} was run with {key} {saved[key]!r}, not {value!r}; pass the same "
                f"{'actors' if key in ('users', 'moderator') else key} as the original run"
            )
