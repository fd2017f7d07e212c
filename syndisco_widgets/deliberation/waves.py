"""A structure's run as waves of calls: what it asks the models, and the replies that came back.

A wave is a list of :class:`Call` that need nothing from each other (one
call for a Chain turn, every agent for an Ensemble cycle). Each call goes
out as ``num_responses`` requests (:class:`Candidate` payloads); once all
of a call's candidates are in, its reply is chosen and it is done. Done
calls are taken into the log strictly in wave order (:meth:`Wave.ready`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..engine.requests import TurnRequest
from ..errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..models.base import BaseModel, ChatPrompt, Completion, GenerationOptions
    from .records import RunEntry


@dataclass(frozen=True)
class Call:
    """One answer a structure asks for.

    Attributes:
        index: The agent's index, or None for the moderator.
        name: The speaker's name in the log.
        model: The speaker's model.
        cycle: The structure's cycle (from 1).
        seen: The log entries the speaker was shown.
        chat: The exact prompt.
        options: The call's generation settings (its seed included).
        candidates: Replies to ask for (the speaker's ``num_responses``).
        group: Names answered in the same batched call, or None when the call goes alone.
    """

    index: int | None
    name: str
    model: BaseModel
    cycle: int
    seen: tuple[int, ...]
    chat: ChatPrompt
    options: GenerationOptions
    candidates: int = 1
    group: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Candidate:
    """The payload of a structure's request: candidate ``number`` of ``call``."""

    call: Call
    number: int


@dataclass
class Done:
    """A finished call: the reply kept, every candidate's text, and the entry it makes."""

    completion: Completion
    texts: list[str]
    entry: RunEntry


@dataclass
class Wave:
    """The calls of one wave, the replies that came back, and how far the log has taken them."""

    calls: list[Call]
    start: int  # the log index of the first call's entry
    requests: list[list[TurnRequest[Candidate]]] = field(init=False)
    replies: list[dict[int, Completion]] = field(init=False)
    done: dict[int, Done] = field(default_factory=dict)
    taken: int = 0  # calls already in the log

    def __post_init__(self) -> None:
        self.requests = [
            [
                TurnRequest(
                    name=call.name,
                    model=call.model,
                    prompt=call.chat,
                    payload=Candidate(call, number),
                    options=call.options,
                    turn=self.start + position,
                    window=_window(call.seen, self.start + position),
                    single=call.group is None and call.candidates == 1,
                )
                for number in range(call.candidates)
            ]
            for position, call in enumerate(self.calls)
        ]
        self.replies = [{} for _ in self.calls]

    @property
    def complete(self) -> bool:
        """True once every call is in the log."""
        return self.taken == len(self.calls)

    def open_requests(self) -> list[TurnRequest[Any]]:
        """The requests still waiting for a reply, in wave order."""
        return [
            request
            for position, requests in enumerate(self.requests)
            if position not in self.done
            for request in requests
            if request.payload.number not in self.replies[position]
        ]

    def position(self, request: TurnRequest[Any]) -> int:
        """Where ``request``'s call stands in the wave.

        Raises:
            ConfigError: ``request`` is not one of this wave's open requests.
        """
        payload = request.payload
        for position, requests in enumerate(self.requests):
            if request in requests and position not in self.done:
                if payload.number in self.replies[position]:
                    break
                return position
        raise ConfigError(
            f"this request ({request.name}, entry {request.turn}) is not one the structure is waiting "
            "for (it was answered already, or the run moved on); ask next_requests() again"
        )

    def add(self, position: int, number: int, completion: Completion) -> list[Completion] | None:
        """Keep one candidate's reply; all of the call's replies once they are in, else None."""
        replies = self.replies[position]
        replies[number] = completion
        if len(replies) < self.calls[position].candidates:
            return None
        return [replies[n] for n in range(self.calls[position].candidates)]

    def ready(self, *, skip_gaps: bool = False) -> Iterator[tuple[Call, Done]]:
        """Done calls the log can take now, in order (past unfinished ones with ``skip_gaps``)."""
        while self.taken < len(self.calls):
            done = self.done.get(self.taken)
            if done is not None:
                yield self.calls[self.taken], done
            elif not skip_gaps:
                return
            self.taken += 1


def _window(seen: tuple[int, ...], turn: int) -> tuple[int, int]:
    """``seen`` as a ``[start, end)`` pair if it is one run of entries, else the empty window at ``turn``."""
    if seen and list(seen) == list(range(seen[0], seen[-1] + 1)):
        return seen[0], seen[-1] + 1
    return turn, turn
