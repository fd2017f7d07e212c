"""Turn managers: infinite iterators that say who speaks next.

Write a custom manager by subclassing :class:`TurnManager` and implementing
:meth:`TurnManager.choose`; ``self.names``, ``self.history`` (names drawn so
far) and ``self.rng`` (seeded) are there to use::

    class ModeratorEveryK(TurnManager):
        def __init__(self, names, moderator, k, seed=None):
            super().__init__(names + [moderator], seed=seed)
            self.users, self.moderator, self.k = names, moderator, k

        def choose(self):
            turn = len(self.history) + 1
            if turn % (self.k + 1) == 0:
                return self.moderator
            return self.users[len([n for n in self.history if n != self.moderator]) % len(self.users)]

Or pass a plain function to :class:`FunctionTurnManager`.
"""

from __future__ import annotations

import copy
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..checks import optional_seed, probability, sequence_of
from ..errors import ConfigError

if TYPE_CHECKING:
    from typing import TypeAlias

    from .actors import Actor

    #: Who may speak: names, or actors (SynDisco 2.2 passes actors), whose names are taken.
    Speakers: TypeAlias = Sequence[str] | Sequence[Actor]


class TurnManager(ABC, Iterator[str]):
    """Base class: an endless, optionally seeded, sequence of speaker names.

    Args:
        names: Who may speak. A Discussion fills this in from its users when empty.
        seed: Seeds ``self.rng``; the same seed gives the same sequence.
    """

    def __init__(self, names: Speakers | None = None, seed: int | None = None) -> None:
        self.seed = optional_seed(f"{type(self).__name__} seed", seed)
        self.rng = random.Random(seed)
        self.history: list[str] = []
        self.names: list[str] = []
        if names is not None and not (isinstance(names, (list, tuple)) and not names):
            self.set_names(names)  # an empty list means "filled in by the Discussion"

    def set_names(self, names: Speakers) -> None:
        """Set who may speak: unique, non-empty names (or actors, whose names are taken)."""
        names = speaker_names(f"{type(self).__name__} names", names)
        if not names or not all(n.strip() for n in names):
            raise ConfigError(f"turn manager names must be non-empty strings, got {names!r}")
        if len(set(names)) != len(names):
            raise ConfigError(f"turn manager names must be unique, got {names!r}")
        self.names = names

    @abstractmethod
    def choose(self) -> str:
        """Return the next speaker's name (one of ``self.names``)."""

    def __iter__(self) -> TurnManager:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> TurnManager:
        # As the default deep copy, but the generator's state is copied in one call (the
        # default walks its 625 numbers one by one, most of the cost of forking a discussion).
        clone = copy.copy(self)
        memo[id(self)] = clone
        for key, value in vars(self).items():
            if type(value) is random.Random:
                twin = random.Random()
                twin.setstate(value.getstate())
                setattr(clone, key, twin)
            else:
                setattr(clone, key, copy.deepcopy(value, memo))
        return clone

    def __next__(self) -> str:
        if not self.names:
            raise ConfigError(
                f"{type(self).__name__} has no names; pass names=[...] or give it to a Discussion"
            )
        name = self.choose()
        if name not in self.names:
            raise ConfigError(f"{type(self).__name__} chose {name!r}, which is not one of {self.names}")
        self.history.append(name)
        return name

    def fresh(self, names: Sequence[str] | None = None, seed: int | None = None) -> TurnManager:
        """A copy with no history, restarted from ``seed`` (default: its own) and given ``names``."""
        clone = copy.deepcopy(self)
        clone.history = []
        clone.seed = self.seed if seed is None else optional_seed("fresh seed", seed)
        clone.rng = random.Random(clone.seed)
        if names is not None:
            clone.set_names(names)
        return clone

    def peek(self, count: int) -> list[str]:
        """The next ``count`` speakers, without advancing this manager."""
        preview = copy.deepcopy(self)
        return [next(preview) for _ in range(count)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(names={self.names!r}, seed={self.seed!r})"


class RoundRobin(TurnManager):
    """Everyone speaks once per round, always in the same order."""

    def __init__(self, names: Speakers | None = None) -> None:
        super().__init__(names)

    def choose(self) -> str:
        """The next name in order."""
        return self.names[len(self.history) % len(self.names)]


class RandomWeighted(TurnManager):
    """The previous speaker answers back with probability ``p_respond``.

    Otherwise someone other than the last speaker is picked uniformly at
    random. The first speaker is also uniform.
    """

    def __init__(
        self, names: Speakers | None = None, p_respond: float = 0.5, seed: int | None = None
    ) -> None:
        self.p_respond = probability("p_respond", p_respond)
        super().__init__(names, seed=seed)

    def choose(self) -> str:
        """The previous speaker with probability ``p_respond``, else anyone but the last."""
        if not self.history:
            return self.rng.choice(self.names)
        last = self.history[-1]
        before = self.history[-2] if len(self.history) > 1 else None
        if before not in (None, last) and self.rng.random() < self.p_respond:
            return before
        others = [n for n in self.names if n != last] or self.names
        return self.rng.choice(others)

    def __repr__(self) -> str:
        return f"RandomWeighted(names={self.names!r}, p_respond={self.p_respond}, seed={self.seed!r})"


class FunctionTurnManager(TurnManager):
    """Turn-taking by a function of the manager, e.g. ``lambda tm: tm.names[-1]``.

    The function gets this manager and can read ``names``, ``history`` and ``rng``.
    """

    def __init__(
        self,
        choose: Callable[[TurnManager], str],
        names: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> None:
        if not callable(choose):
            raise ConfigError("FunctionTurnManager needs a function taking the manager and returning a name")
        super().__init__(names, seed=seed)
        self._choose = choose

    def choose(self) -> str:
        """Whatever the function returns."""
        return self._choose(self)


class CustomOrder(TurnManager):
    """Cycles through a fixed speaking order, which may repeat names.

    ``CustomOrder(["Ann", "Bob", "Ann", "Cy"])`` gives Ann, Bob, Ann, Cy, Ann, ...
    """

    def __init__(self, order: Sequence[str]) -> None:
        order = speaker_names("CustomOrder order", order)
        if not order:
            raise ConfigError(
                "CustomOrder order is empty; give the speaking order, e.g. "
                "CustomOrder(['Ann', 'Bob', 'Ann']) (for everyone in turn, use RoundRobin())"
            )
        super().__init__(list(dict.fromkeys(order)))
        self.order = order

    def choose(self) -> str:
        """The next name of the fixed order."""
        return self.order[len(self.history) % len(self.order)]

    def __repr__(self) -> str:
        return f"CustomOrder({self.order!r})"


def speaker_names(label: str, value: object) -> list[str]:
    """Names from a list of names or of actors (SynDisco 2.2 passes actors); a single string is refused."""
    from .actors import Actor

    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Actor) for v in value):
        return [v.name for v in value]
    return sequence_of(label, value, str, what="names (strings)")


# SynDisco 2.2 names for the same managers; they take a list of actors or of names.
class QueueTurnManager(RoundRobin):
    """SynDisco 2.2's name for :class:`RoundRobin`: ``QueueTurnManager(actors)``."""

    def __init__(self, actors: Speakers | None = None) -> None:
        super().__init__(actors)


class RespondTurnManager(RandomWeighted):
    """SynDisco 2.2's name for :class:`RandomWeighted`: ``RespondTurnManager(actors, p_respond=0.5)``."""

    def __init__(
        self, actors: Speakers | None = None, p_respond: float = 0.5, seed: int | None = None
    ) -> None:
        super().__init__(actors, p_respond, seed)

    def __repr__(self) -> str:
        return f"RespondTurnManager(names={self.names!r}, p_respond={self.p_respond}, seed={self.seed!r})"


class RandomTurnManager(RandomWeighted):
    """SynDisco 2.2's random manager: anyone but the last speaker, uniformly (``p_respond=0``)."""

    def __init__(self, actors: Speakers | None = None, seed: int | None = None) -> None:
        super().__init__(actors, 0.0, seed)

    def __repr__(self) -> str:
        return f"RandomTurnManager(names={self.names!r}, seed={self.seed!r})"
