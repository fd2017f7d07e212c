"""Turn managers that hand out actors, as SynDisco 2.2's do.

``next(manager)`` gives the next :class:`~.actors.Actor`. A subclass writes
``_next_impl()`` and reads the participants from ``self._actors`` (that is
SynDisco's subclassing contract, so it is kept). Randomness comes from a
numpy ``Generator``: pass ``random_state=`` as in SynDisco, or ``seed=``; with
neither, a seed is drawn and kept in :attr:`TurnManager.seed`, so every run
can be repeated (SynDisco used an unseeded generator).
"""

from __future__ import annotations

import copy
import secrets
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ...checks import finite_number, optional_seed
from ...errors import ConfigError
from ..errors import OutOfRangeError

if TYPE_CHECKING:
    from .actors import Actor


def _generator(label: str, random_state: object, seed: object) -> tuple[np.random.Generator, int | None]:
    """The generator to draw from and the seed it was made from (``None`` for a caller's generator)."""
    if random_state is not None and seed is not None:
        raise ConfigError(f"{label}: give random_state= or seed=, not both")
    if random_state is not None:
        if not isinstance(random_state, np.random.Generator):
            raise ConfigError(
                f"{label} random_state must be a numpy Generator such as numpy.random.default_rng(42), "
                f"got {type(random_state).__name__}"
            )
        return random_state, None
    chosen = optional_seed(f"{label} seed", seed)
    chosen = secrets.randbits(32) if chosen is None else chosen
    return np.random.default_rng(chosen), chosen


class TurnManager(ABC, Iterator["Actor"]):
    """Chooses who speaks next among ``actors`` (which may be given later with :meth:`set_actors`)."""

    _rng: np.random.Generator
    seed: int | None = None

    def __init__(self, actors: Iterable[Actor] | None = None) -> None:
        self._actors: list[Actor] = [] if actors is None else _actor_list(type(self).__name__, actors)

    def set_actors(self, actors: Sequence[Actor]) -> None:
        """Replace the participants."""
        self._actors = _actor_list(f"{type(self).__name__}.set_actors", actors)

    def next(self) -> Actor:
        """The next speaker.

        Raises:
            ValueError: no actors were given.
        """
        if not self._actors:
            raise ConfigError(
                f"{type(self).__name__} has no actors; pass them to the constructor or to set_actors()"
            )
        return self._next_impl()

    def make_instance(self) -> TurnManager:
        """A copy with the same settings, no actors and no turn history (one per discussion)."""
        instance = copy.copy(self)
        instance.set_actors([])
        instance.restart()
        return instance

    def restart(self) -> None:
        """Forget the turns so far (subclasses with turn history override this)."""

    def reseed(self, seed: int) -> None:
        """Restart this manager's random draws from ``seed`` (experiments do this per discussion)."""
        self.seed = optional_seed(f"{type(self).__name__}.reseed seed", seed)
        self._rng = np.random.default_rng(seed)

    def __iter__(self) -> TurnManager:
        return self

    def __next__(self) -> Actor:
        return self.next()

    @abstractmethod
    def _next_impl(self) -> Actor:
        """Choose the next speaker from ``self._actors`` (never empty here)."""


class QueueTurnManager(TurnManager):
    """Everyone in turn, in the order given; ``randomize_first_speaker`` draws who opens."""

    def __init__(
        self,
        actors: Iterable[Actor] | None = None,
        randomize_first_speaker: bool = False,
        random_state: np.random.Generator | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(actors)
        if not isinstance(randomize_first_speaker, bool):
            raise ConfigError(
                "QueueTurnManager randomize_first_speaker must be True or False, "
                f"got {randomize_first_speaker!r}"
            )
        self._randomize_first_speaker = randomize_first_speaker
        self._rng, self.seed = _generator("QueueTurnManager", random_state, seed)
        self._curr_turn: int | None = None

    def restart(self) -> None:
        """Start the queue again."""
        self._curr_turn = None

    def _next_impl(self) -> Actor:
        if self._curr_turn is None:
            count = len(self._actors)
            self._curr_turn = int(self._rng.integers(0, count)) - 1 if self._randomize_first_speaker else -1
        self._curr_turn += 1
        return self._actors[self._curr_turn % len(self._actors)]


class RespondTurnManager(TurnManager):
    """The one spoken to answers back with chance ``p_respond``; otherwise someone else, at random.

    Nobody speaks twice in a row unless they are alone.
    """

    def __init__(
        self,
        actors: Iterable[Actor] | None = None,
        p_respond: float = 0.5,
        random_state: np.random.Generator | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(actors)
        self._chance_to_respond = _probability(p_respond)
        if self._chance_to_respond == 0 and type(self) is RespondTurnManager:
            warnings.warn(
                "RespondTurnManager(p_respond=0) never lets anyone answer back; "
                "RandomTurnManager says so by its name",
                stacklevel=2,
            )
        self._rng, self.seed = _generator(type(self).__name__, random_state, seed)
        self._last_speaker: Actor | None = None
        self._second_to_last_speaker: Actor | None = None

    @property
    def chance_to_respond(self) -> float:
        """The chance that the previous speaker's addressee answers back."""
        return self._chance_to_respond

    @chance_to_respond.setter
    def chance_to_respond(self, p_respond: float) -> None:
        self._chance_to_respond = _probability(p_respond)

    def restart(self) -> None:
        """Forget the last two speakers."""
        self._last_speaker = None
        self._second_to_last_speaker = None

    def _next_impl(self) -> Actor:
        last, before = self._last_speaker, self._second_to_last_speaker
        if last is not None and before is not None and self._rng.random() < self._chance_to_respond:
            chosen = before
        else:
            chosen = self._draw(exclude=last)
        self._second_to_last_speaker, self._last_speaker = last, chosen
        return chosen

    def _draw(self, exclude: Actor | None) -> Actor:
        candidates = [a for a in self._actors if a is not exclude] or self._actors
        return candidates[int(self._rng.integers(0, len(candidates)))]


class RandomTurnManager(RespondTurnManager):
    """Anyone but the last speaker, at random (a :class:`RespondTurnManager` that never answers back)."""

    def __init__(
        self,
        actors: Iterable[Actor] | None = None,
        random_seed: int | None = None,
        random_state: np.random.Generator | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        if random_seed is not None and seed is not None:
            raise ConfigError("RandomTurnManager: give random_seed= or seed=, not both")
        super().__init__(actors, 0.0, random_state, seed=seed if random_seed is None else random_seed)


#: SynDisco's earlier name for :class:`RespondTurnManager`.
RandomWeighted = RespondTurnManager


def _probability(value: object) -> float:
    try:
        return finite_number("p_respond", value, 0.0, 1.0)
    except ConfigError as exc:
        raise OutOfRangeError(f"{exc}; it is the chance to answer back, e.g. p_respond=0.5") from None


def _actor_list(label: str, actors: object) -> list[Actor]:
    from .actors import Actor

    if isinstance(actors, (str, bytes)) or not isinstance(actors, Iterable):
        raise ConfigError(f"{label}: actors must be a list of Actor objects, got {type(actors).__name__}")
    listed = list(actors)
    for i, actor in enumerate(listed):
        if not isinstance(actor, Actor):
            raise ConfigError(
                f"{label}: actors[{i}] must be an Actor (syndisco.Actor), got {type(actor).__name__}; "
                "these turn managers hand out actors, not names"
            )
    return listed
