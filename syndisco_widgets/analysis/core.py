"""Plain-Python statistics of a list of entries (no pandas).

Shared by the pandas functions of this package and by the viewer's payload,
so a figure in a table, in a plot and in the JupyterLab view is computed once.
The JavaScript view (js/discussion_view.js, ``summarize``) computes the same
figures for files it opens; tests/viewer/fixtures keeps the two in step.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


class SpeakerSummary(TypedDict):
    """One speaker's share of a discussion."""

    name: str
    turns: int
    words: int
    turn_share: float
    word_share: float


class Transitions(TypedDict):
    """``counts[i][j]``: how often ``names[j]`` spoke right after ``names[i]``."""

    names: list[str]
    counts: list[list[int]]


class Summary(TypedDict):
    """What the view's summary strip shows."""

    speakers: list[SpeakerSummary]
    lengths: list[int]
    transitions: Transitions
    total_turns: int
    total_words: int


def hue_of(name: str) -> int:
    """A speaker's hue (0-359): the FNV-1a hash js/transcript.js uses, so colours match the view."""
    h = 0x811C9DC5
    data = name.encode("utf-16-le")  # JavaScript strings are UTF-16 code units
    for i in range(0, len(data), 2):
        h ^= data[i] | data[i + 1] << 8
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % 360


def word_count(text: object) -> int:
    """Words in ``text``: runs of non-whitespace characters (``str.split()``)."""
    return len(str(text).split()) if text is not None else 0


def speaker_order(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Speaker names in order of first appearance."""
    return list(dict.fromkeys(str(e["name"]) for e in entries))


def summarize(entries: Sequence[Mapping[str, Any]]) -> Summary:
    """Turns and words per speaker, words per turn, and who followed whom."""
    names = speaker_order(entries)
    lengths = [word_count(e["text"]) for e in entries]
    turns = dict.fromkeys(names, 0)
    words = dict.fromkeys(names, 0)
    for entry, length in zip(entries, lengths, strict=False):
        turns[str(entry["name"])] += 1
        words[str(entry["name"])] += length
    total_turns, total_words = len(entries), sum(lengths)
    speakers: list[SpeakerSummary] = [
        {
            "name": n,
            "turns": turns[n],
            "words": words[n],
            "turn_share": turns[n] / total_turns if total_turns else 0.0,
            "word_share": words[n] / total_words if total_words else 0.0,
        }
        for n in names
    ]
    position = {n: i for i, n in enumerate(names)}
    counts = [[0] * len(names) for _ in names]
    for before, after in itertools.pairwise(entries):
        counts[position[str(before["name"])]][position[str(after["name"])]] += 1
    return {
        "speakers": speakers,
        "lengths": lengths,
        "transitions": {"names": names, "counts": counts},
        "total_turns": total_turns,
        "total_words": total_words,
    }


def mentions(text: str, names: Iterable[str], own: str | None = None) -> list[str]:
    """The ``names`` that ``text`` mentions as whole words (``@name`` or ``name``), in order of first mention.

    A speaker's own name does not count.
    """
    found: list[tuple[int, str]] = []
    for name in names:
        if not name or name == own:
            continue
        match = re.search(rf"(?<![\w@])@?{re.escape(name)}(?!\w)", text, flags=re.IGNORECASE)
        if match:
            found.append((match.start(), name))
    return [name for _, name in sorted(found)]
