"""The shapes of log entries: one place defines them for every layer.

Every entry has the four core keys ``name``, ``text``, ``model`` and
``prompt``. Entries the engine writes also say who spoke (``role``), where
the text came from (``source``) and which earlier entries the speaker saw
(``context``, a ``[start, end)`` pair). Annotation and deliberation entries
add their own keys on top.
"""

from __future__ import annotations

from typing import Literal, TypedDict

#: The part a speaker plays.
Role = Literal["user", "moderator", "annotator"]
#: Where an entry's text came from: a model, a person, or a fixed opening text.
Source = Literal["model", "human", "seed"]

#: Keys that measure a run rather than say what was said: equality and ``Logs.id`` ignore them.
MEASURED_KEYS = frozenset({"seconds"})

ROLES: tuple[Role, ...] = ("user", "moderator", "annotator")
SOURCES: tuple[Source, ...] = ("model", "human", "seed")


class _CoreEntry(TypedDict):
    name: str
    text: str
    model: str
    prompt: str


class Entry(_CoreEntry, total=False):
    """One entry of a discussion log.

    ``name``, ``text``, ``model`` and ``prompt`` are always there; the rest
    are written by the engine (hand-made logs may leave them out).
    ``prompt_tokens``, ``completion_tokens`` and ``seconds`` are what the
    model call cost, when a model wrote the entry. A reply the token cap cut
    shows up to its last complete sentence and has ``truncated`` true, with
    the model's whole reply in ``raw_text``.
    """

    role: Role
    source: Source
    context: list[int] | None
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float
    truncated: bool
    raw_text: str


class AnnotationEntry(Entry):
    """An annotator's label for one entry of a discussion.

    ``target`` is the labelled entry's index, ``target_name`` and
    ``target_text`` what it said; ``context`` the entries shown before it.
    With a label set, ``label`` is the chosen label (``None`` if a parsed
    reply held none; ``text`` is then the reply), ``label_method`` how it
    was chosen (``"likelihood"``, ``"guided"`` or ``"parsed"``),
    ``label_probabilities`` each label's probability (likelihood only) and
    ``raw_text`` what the model wrote when that was not just the label.
    """

    target: int
    target_name: str
    target_text: str
    label: str | None
    label_method: str
    label_probabilities: dict[str, float]


class DeliberationEntry(Entry):
    """One response in a deliberation structure's run.

    ``cycle`` counts from 1; ``seen`` lists the indices of the earlier
    responses the agent was shown. ``role`` is ``"user"`` for an agent and
    ``"moderator"`` for the moderator.
    """

    cycle: int
    seen: list[int]
