"""A structure's run as data: log entries, a tidy DataFrame, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.entries import DeliberationEntry
from ..engine.storage import atomic_write_text

if TYPE_CHECKING:
    import os

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


def logs_to_frame(logs: Logs) -> pd.DataFrame:
    """One row per response.

    Columns: ``turn`` (position in the run), ``agent``, ``cycle`` (1-based),
    ``role`` (``"user"`` or ``"moderator"``), ``is_moderator``, ``model``,
    ``system`` (system text, None when there was none), ``prompt`` (the user
    message sent), ``response``, ``seen`` (turns the speaker was shown) and
    ``seed`` (the call's sampling seed, when recorded).
    """
    import pandas as pd

    rows = []
    for turn, entry in enumerate(logs):
        try:
            sent = json.loads(entry["prompt"]) if entry["prompt"] else {}
        except json.JSONDecodeError:
            sent = {}
        if not isinstance(sent, dict):
            sent = {}
        messages = sent.get("messages", [])
        options = entry.get("options")
        rows.append(
            {
                "turn": turn,
                "agent": entry["name"],
                "cycle": entry.get("cycle"),
                "role": entry.get("role"),
                "is_moderator": entry.get("role") == "moderator",
                "model": entry["model"],
                "system": sent.get("system"),
                "prompt": "\n\n".join(m.get("content", "") for m in messages if m.get("role") == "user"),
                "response": entry["text"],
                "seen": entry.get("seen", []),
                "seed": options.get("seed") if isinstance(options, dict) else None,
            }
        )
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def run_json(
    settings: dict[str, Any], logs: Logs, path: str | os.PathLike[str] | None = None, indent: int | None = 2
) -> str:
    """``{"structure": settings, "timestamp", "logs", "id"}`` as text; also written atomically to ``path``."""
    text = json.dumps(
        {"structure": settings, **logs.to_dict()},
        indent=indent,
        ensure_ascii=False,
        default=str,
        allow_nan=False,
    )
    if path is not None:
        atomic_write_text(Path(path), text + "\n")
    return text
