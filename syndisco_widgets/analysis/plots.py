"""matplotlib pictures of discussions, experiments and annotations.

Every function draws on ``ax`` (a new figure when None) and returns the
Axes, as pandas and seaborn do, so a plot can be styled and saved for a
paper. matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import colorsys
from typing import TYPE_CHECKING, Any

from .annotations import label_counts
from .core import hue_of
from .experiment import experiment_table
from .stats import speaking_share, transitions, turn_lengths

if TYPE_CHECKING:
    import os

    import pandas as pd
    from matplotlib.axes import Axes

    from ..engine.run_folder import DiscussionSource


def speaker_colour(name: str) -> tuple[float, float, float]:
    """The speaker's colour in the JupyterLab view, as an RGB triple for matplotlib."""
    return colorsys.hls_to_rgb(hue_of(name) / 360, 0.5, 0.6)


def _axes(ax: Axes | None, size: tuple[float, float] = (6.0, 3.2)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def plot_speaking_share(source: DiscussionSource, ax: Axes | None = None) -> Axes:
    """Each speaker's share of turns and of words, as paired horizontal bars."""
    share = speaking_share(source)
    ax = _axes(ax, (6.0, 0.5 + 0.45 * max(len(share), 1)))
    positions = range(len(share))
    colours = [speaker_colour(n) for n in share["speaker"]]
    ax.barh([p - 0.2 for p in positions], share["turn_share"], height=0.38, color=colours, label="turns")
    ax.barh(
        [p + 0.2 for p in positions],
        share["word_share"],
        height=0.38,
        color=colours,
        alpha=0.45,
        label="words",
    )
    ax.set_yticks(list(positions), list(share["speaker"]))
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the discussion")
    ax.set_title("Speaking share (dark: turns, light: words)")
    ax.legend(loc="lower right", frameon=False)
    return ax


def plot_turn_lengths(source: DiscussionSource, ax: Axes | None = None) -> Axes:
    """Words per turn over the discussion, one bar per turn in its speaker's colour."""
    lengths = turn_lengths(source)
    ax = _axes(ax)
    ax.bar(lengths["turn"] + 1, lengths["words"], color=[speaker_colour(n) for n in lengths["speaker"]])
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("turn")
    ax.set_ylabel("words")
    ax.set_title("Turn length over time")
    _speaker_legend(ax, list(dict.fromkeys(lengths["speaker"])))
    return ax


def plot_transitions(source: DiscussionSource, ax: Axes | None = None, normalize: bool = False) -> Axes:
    """Who spoke right after whom, as a heat map with the counts (or row shares) written in."""
    matrix = transitions(source, normalize="rows" if normalize else None)
    ax = _axes(ax, (1.8 + 0.7 * len(matrix), 1.4 + 0.6 * len(matrix)))
    ax.imshow(matrix.to_numpy(dtype=float), cmap="Blues", vmin=0)
    ax.set_xticks(range(len(matrix.columns)), list(matrix.columns), rotation=30, ha="right")
    ax.set_yticks(range(len(matrix.index)), list(matrix.index))
    ax.set_xlabel("next speaker")
    ax.set_ylabel("after")
    peak = float(matrix.to_numpy().max()) if matrix.size else 0.0
    for (i, j), value in _cells(matrix):
        text = f"{value:.2f}" if normalize else str(int(value))
        ax.text(j, i, text, ha="center", va="center", color="white" if value > peak / 2 else "black")
    ax.set_title("Who followed whom")
    return ax


def plot_experiment(
    folder: str | os.PathLike[str] | pd.DataFrame,
    column: str = "mean_words",
    by: str = "condition",
    ax: Axes | None = None,
) -> Axes:
    """One figure per discussion of an experiment (dots), grouped by a design column (``by``).

    Args:
        folder: An experiment folder, or a table from :func:`experiment_table`.
        column: The figure to plot, e.g. ``"mean_words"``, ``"top_share"``, ``"turns"``.
        by: The design column on the x axis; all in one group when it is empty.
        ax: Axes to draw on.
    """
    import pandas as pd

    table = folder if isinstance(folder, pd.DataFrame) else experiment_table(folder)
    if column not in table.columns:
        raise KeyError(f"plot_experiment: no column {column!r}; columns are {list(table.columns)}")
    ax = _axes(ax)
    groups = (
        table[by].fillna("all").astype(str) if by in table.columns else pd.Series("all", index=table.index)
    )
    names = list(dict.fromkeys(groups))
    for x, name in enumerate(names):
        values = table.loc[groups == name, column].dropna()
        ax.scatter([x] * len(values), values, alpha=0.7)
        if len(values):
            ax.hlines(values.mean(), x - 0.25, x + 0.25, color="black")
    ax.set_xticks(range(len(names)), names)
    ax.set_xlabel(by)
    ax.set_ylabel(column)
    ax.set_title(f"{column} per discussion (line: mean)")
    return ax


def plot_label_counts(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """How often each annotator gave each label (from :func:`~.annotations.annotation_table`)."""
    counts = label_counts(table)
    ax = _axes(ax)
    width = 0.8 / max(len(counts), 1)
    labels = [str(c) for c in counts.columns]
    for i, (annotator, row) in enumerate(counts.iterrows()):
        ax.bar([x + i * width for x in range(len(labels))], row.to_numpy(), width=width, label=str(annotator))
    ax.set_xticks([x + width * (len(counts) - 1) / 2 for x in range(len(labels))], labels)
    ax.set_xlabel("label")
    ax.set_ylabel("annotations")
    ax.set_title("Labels per annotator")
    if len(counts):
        ax.legend(frameon=False)
    return ax


def _cells(matrix: pd.DataFrame) -> list[tuple[tuple[int, int], float]]:
    values = matrix.to_numpy(dtype=float)
    return [((i, j), float(values[i, j])) for i in range(values.shape[0]) for j in range(values.shape[1])]


def _speaker_legend(ax: Axes, names: list[Any]) -> None:
    from matplotlib.patches import Patch

    if names:
        ax.legend(
            handles=[Patch(color=speaker_colour(str(n)), label=str(n)) for n in names],
            frameon=False,
            fontsize="small",
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
