"""Plots return their Axes and draw what the tables say."""

from __future__ import annotations

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import pytest

from syndisco_widgets import Logs
from syndisco_widgets.analysis import (
    annotation_table,
    plot_experiment,
    plot_label_counts,
    plot_speaking_share,
    plot_transitions,
    plot_turn_lengths,
    speaker_colour,
)
from tests.analysis.test_stats import LOGS


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_speaking_share_bars():
    ax = plot_speaking_share(LOGS)
    widths = [round(p.get_width(), 4) for p in ax.patches]
    assert widths == [round(x, 4) for x in (3 / 6, 2 / 6, 1 / 6, 7 / 16, 5 / 16, 4 / 16)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ann", "Bob", "Mod"]
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx(speaker_colour("Ann"))


def test_turn_lengths_bars():
    ax = plot_turn_lengths(LOGS)
    assert [p.get_height() for p in ax.patches] == [2, 3, 4, 4, 1, 2]


def test_transitions_heat_map_text():
    ax = plot_transitions(LOGS)
    assert [t.get_text() for t in ax.texts] == ["0", "2", "1", "1", "0", "0", "1", "0", "0"]
    shares = plot_transitions(LOGS, normalize=True)
    assert shares.texts[1].get_text() == "0.67"


def test_draws_on_given_axes():
    _, ax = plt.subplots()
    assert plot_turn_lengths(LOGS, ax=ax) is ax


def test_experiment_plot(tmp_path):
    import pandas as pd

    table = pd.DataFrame({"condition": ["a", "a", "b"], "mean_words": [1.0, 3.0, 5.0]})
    ax = plot_experiment(table)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    from matplotlib.collections import PathCollection

    dots = [list(c.get_offsets()[:, 1]) for c in ax.collections if isinstance(c, PathCollection)]
    assert dots == [[1.0, 3.0], [5.0]]
    means = [
        seg[0][1] for c in ax.collections if not isinstance(c, PathCollection) for seg in c.get_segments()
    ]
    assert means == [2.0, 5.0]
    with pytest.raises(KeyError, match="no column 'nope'"):
        plot_experiment(table, column="nope")


def test_label_counts_plot():
    from syndisco_widgets import annotate
    from tests.analysis.test_annotations import DISCUSSION, annotator

    table = annotation_table([annotate(DISCUSSION, annotator("R1", ["1", "2", "2", "1"]))])
    ax = plot_label_counts(table)
    assert [p.get_height() for p in ax.patches] == [2, 2]


def test_empty_logs_plot_without_error():
    plot_speaking_share(Logs())
    plot_turn_lengths(Logs())
