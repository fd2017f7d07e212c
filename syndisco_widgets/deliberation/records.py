"""Exporting a structure's run: a tidy DataFrame and JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.logs import Logs
from ..engine.storage import atomic_write_text

if TYPE_CHECKING:
    import pandas as pd

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
)


def logs_to_frame(logs: Logs) -> pd.DataFrame:
    """One row per response.

    Columns: ``turn`` (position in the run), ``agent``, ``cycle`` (1-based),
    ``role`` (``"user"`` or ``"moderator"``), ``is_moderator``, ``model``,
    ``system`` (system text, None when there was none), ``prompt`` (the user
    message sent), ``response`` and ``seen`` (turns the speaker was shown).
    """
    import pandas as pd

    rows = []
    for turn, entry in enumerate(logs):
        try:
            sent = json.loads(entry["prompt"]) if entry["prompt"] else {}
        except json.JSONDecodeError:
            sent = {}
        messages = sent.get("messages", []) if isinstance(sent, dict) else []
        rows.append(
            {
                "turn": turn,
                "agent": entry["name"],
                "cycle": entry.get("cycle"),
                "role": entry.get("role"),
                "is_moderator": entry.get("role") == "moderator",
                "model": entry["model"],
                "system": sent.get("system") if isinstance(sent, dict) else None,
                "prompt": "\n\n".join(m.get("content", "") for m in messages if m.get("role") == "user"),
                "response": entry["text"],
                "seen": entry.get("seen", []),
            }
        )
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def run_json(
    settings: dict[str, Any], logs: Logs, path: str | os.PathLike | None = None, indent: int | None = 2
) -> str:
    """``{"structure": settings, "timestamp", "logs", "id"}`` as text, written atomically to ``path`` if given."""
    text = json.dumps(
        {"structure": settings, **logs.to_dict()}, indent=indent, ensure_ascii=False, default=str
    )
    if path is not None:
        atomic_write_text(Path(path), text + "\n")
    return text
