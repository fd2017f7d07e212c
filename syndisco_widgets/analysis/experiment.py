"""Per-experiment tables: one row per discussion, with the experiment's design columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.run_folder import read_experiment
from .stats import discussion_summary, speaking_share

if TYPE_CHECKING:
    import os

    import pandas as pd

#: The design columns every experiment table starts with.
DESIGN_COLUMNS = ["discussion", "seed", "users", "model", "condition"]


def experiment_table(folder: str | os.PathLike[str], *, include_unfinished: bool = True) -> pd.DataFrame:
    """One row per planned discussion of an experiment folder.

    Columns: the design (``discussion``, ``seed``, ``users``, ``model``,
    ``condition``), ``status`` and ``file``, then the figures of
    :func:`~.stats.discussion_summary` (missing for discussions not started).

    Args:
        folder: The folder given to ``DiscussionExperiment.begin``.
        include_unfinished: Keep discussions that are not ``"done"``.
    """
    import pandas as pd

    rows = []
    for run in read_experiment(folder):
        if not include_unfinished and run["status"] != "done":
            continue
        design = {
            "discussion": run["discussion"],
            "seed": run["seed"],
            "users": ", ".join(run["users"]),
            "model": run["model"],
            "condition": run["condition"],
            "status": run["status"],
            "file": run["file"],
        }
        rows.append(discussion_summary(run["logs"], **design) if run["logs"] is not None else design)
    return pd.DataFrame(rows, columns=None if rows else [*DESIGN_COLUMNS, "status", "file"])


def experiment_speaking_share(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """:func:`~.stats.speaking_share` of every started discussion, stacked, with a ``discussion`` column."""
    import pandas as pd

    frames = [
        speaking_share(run["logs"]).assign(discussion=run["discussion"], condition=run["condition"])
        for run in read_experiment(folder)
        if run["logs"] is not None
    ]
    if not frames:
        return pd.DataFrame(
            columns=["discussion", "condition", "speaker", "turns", "words", "turn_share", "word_share"]
        )
    frame = pd.concat(frames, ignore_index=True)
    return frame[
        ["discussion", "condition", *[c for c in frame.columns if c not in ("discussion", "condition")]]
    ]
