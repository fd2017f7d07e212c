"""A structure's run as data: log entries, a tidy DataFrame, JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.entries import DeliberationEntry
from ..engine.storage import atomic_write_text, csv_safe

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from ..engine.logs import Logs


class RunEntry(DeliberationEntry, total=False):
    """A deliberation log entry plus the generation settings its call used (seed included)."""

    options: dict[str, Any]


#: Columns of :func:`logs_to_frame`, in order.
FRAME_COLUMNS = (
    "turn",
    "agent",
    "cycle",
    "role",
    "is_moderator",
    "model",
    "system",
    "prompt",
    "response",
    "seen",
    "seed",
)


#: Columns of :func:`plurals_frame`, Plurals 0.7's ``to_dataframe``, in order.
PLURALS_COLUMNS = (
    "response_index",
    "agent_index",
    "persona",
    "model",
    "turn",
    "system_prompt",
    "user_prompt",
    "response",
)


def sent_prompt(entry: Mapping[str, Any]) -> tuple[str | None, str]:
    """The system text (None when there was none) and the user text an entry's speaker was sent."""
    try:
        sent = json.loads(entry["prompt"]) if entry["prompt"] else {}
    except json.JSONDecodeError:
        sent = {}
    if not isinstance(sent, dict):
        sent = {}
    messages = sent.get("messages", [])
    user = "\n\n".join(m.get("content", "") for m in messages if m.get("role") == "user")
    return sent.get("system"), user


def plurals_frame(logs: Logs, names: Sequence[str], personas: Sequence[str | None]) -> pd.DataFrame:
    """The agents' responses as Plurals 0.7 tabulates them (the moderator's is left out).

    One row per response, ordered by each agent's turn (1-based) and then by
    its place in the structure (``agent_index``, 0-based); ``response_index``
    numbers the rows.
    """
    import pandas as pd

    place = {name: i for i, name in enumerate(names)}
    turns: Counter[int] = Counter()
    rows = []
    for entry in logs:
        index = place.get(entry["name"])
        if index is None or entry.get("role") == "moderator":
            continue
        turns[index] += 1
        system, user = sent_prompt(entry)
        rows.append(
            {
                "agent_index": index,
                "persona": personas[index],
                "model": entry["model"],
                "turn": turns[index],
                "system_prompt": system,
                "user_prompt": user,
                "response": entry["text"],
            }
        )
    rows.sort(key=lambda row: (row["turn"], row["agent_index"]))
    for number, row in enumerate(rows):
        row["response_index"] = number
    return pd.DataFrame(rows, columns=list(PLURALS_COLUMNS))


def save_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as CSV (atomically), cells a spreadsheet would run as a formula neutralised."""
    return atomic_write_text(Path(path), frame.map(csv_safe).to_csv(index=False))


def logs_to_frame(logs: Logs) -> pd.DataFrame:
    """One row per response.

    Columns: ``turn`` (position in the run), ``agent``, ``cycle`` (1-based),
    ``role`` (``"user"`` or ``"moderator"``), ``is_moderator``, ``model``,
    ``system`` (system text, None when there was none), ``prompt`` (the user
    message sent), ``response``, ``seen`` (turns the speaker was shown) and
    ``seed`` (the call's sampling seed, when recorded).
    """
    import pandas as pd

    return pd.DataFrame(log_rows(logs), columns=list(FRAME_COLUMNS))


def log_rows(logs: Logs) -> list[dict[str, Any]]:
    """The rows of :func:`logs_to_frame`, as dicts keyed by its columns."""
    rows = []
    for turn, entry in enumerate(logs):
        system, user = sent_prompt(entry)
        options = entry.get("options")
        rows.append(
            {
                "turn": turn,
                "agent": entry["name"],
                "cycle": entry.get("cycle"),
                "role": entry.get("role"),
                "is_moderator": entry.get("role") == "moderator",
                "model": entry["model"],
                "system": system,
                "prompt": user,
                "response": entry["text"],
                "seen": entry.get("seen", []),
                "seed": options.get("seed") if isinstance(options, dict) else None,
            }
        )
    return rows


def run_json(
    settings: dict[str, Any],
    logs: Logs,
    path: str | os.PathLike[str] | None = None,
    indent: int | None = 2,
    info: Mapping[str, Any] | None = None,
) -> str:
    """``{**info, "structure": settings, "timestamp", "logs", "id"}`` as text, also written to ``path``.

    ``info`` is the structure's Plurals-style ``info`` (``structure_information``,
    ``agent_information``); the rest reads back with ``Logs.from_file``.
    """
    text = json.dumps(
        {**(info or {}), "structure": settings, **logs.to_dict()},
        indent=indent,
        ensure_ascii=False,
        default=str,
        allow_nan=False,
    )
    if path is not None:
        atomic_write_text(Path(path), text + "\n")
    return text
