"""Analysis of discussions, experiments and annotations: pandas in, pandas out.

Tables (each returns a new DataFrame):

* one discussion: :func:`speaking_share`, :func:`turn_lengths`,
  :func:`transitions`, :func:`links`, :func:`discussion_table`;
* an experiment folder: :func:`experiment_table` (with the design columns
  discussion, seed, users, model, condition), :func:`experiment_speaking_share`;
* annotations: :func:`annotation_table`, :func:`annotation_summary`,
  :func:`agreement` (Krippendorff's alpha, Cohen's kappa),
  :func:`reliability_data`, :func:`label_counts`.

Plots (each returns the matplotlib Axes): :func:`plot_speaking_share`,
:func:`plot_turn_lengths`, :func:`plot_transitions`, :func:`plot_experiment`,
:func:`plot_label_counts`.

A discussion can be given as ``Logs``, a ``Discussion`` or structure, a path
to an exported or autosave file, or a list of entries.
"""

from ..engine.run_folder import as_logs, read_experiment
from .agreement import cohen_kappa, krippendorff_alpha, pairwise_kappa
from .annotations import (
    agreement,
    annotation_summary,
    annotation_table,
    label_counts,
    parse_label,
    reliability_data,
)
from .core import Summary, summarize, word_count
from .experiment import DESIGN_COLUMNS, experiment_speaking_share, experiment_table
from .plots import (
    plot_experiment,
    plot_label_counts,
    plot_speaking_share,
    plot_transitions,
    plot_turn_lengths,
    speaker_colour,
)
from .stats import discussion_summary, discussion_table, links, speaking_share, transitions, turn_lengths

__all__ = [
    "DESIGN_COLUMNS",
    "Summary",
    "agreement",
    "annotation_summary",
    "annotation_table",
    "as_logs",
    "cohen_kappa",
    "discussion_summary",
    "discussion_table",
    "experiment_speaking_share",
    "experiment_table",
    "krippendorff_alpha",
    "label_counts",
    "links",
    "pairwise_kappa",
    "parse_label",
    "plot_experiment",
    "plot_label_counts",
    "plot_speaking_share",
    "plot_transitions",
    "plot_turn_lengths",
    "read_experiment",
    "reliability_data",
    "speaker_colour",
    "speaking_share",
    "summarize",
    "transitions",
    "turn_lengths",
    "word_count",
]
