"""Annotations as tables: who labelled which entry how, summaries, and agreement.

Annotation logs are what ``annotate()`` returns (or an annotation
experiment writes): one entry per labelled entry, with ``target`` (its
index), ``target_name`` and ``target_text``, and the annotator's reply as
``text``. A *unit* is one annotated entry, identified by the discussion
(when known) and those three keys, so several annotators' logs of the same
discussion line up.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..engine.logs import Logs
from ..engine.run_folder import MANIFEST, DiscussionSource, as_logs, run_metadata
from ..errors import ConfigError
from .agreement import PAIR, Level, krippendorff_alpha, pairwise_kappa

if TYPE_CHECKING:
    import pandas as pd

TABLE_COLUMNS = ["discussion", "target", "target_name", "target_text", "annotator", "model", "text", "label"]
UNIT_KEYS = ["discussion", "target", "target_name", "target_text"]
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def parse_label(
    text: str, labels: Literal["number", "text"] = "number", scale: tuple[float, float] | None = None
) -> Any:
    """The label in an annotator's reply.

    ``"number"``: the first number in the text (``"Toxicity: 4/5"`` gives
    4.0) that lies within ``scale`` (inclusive) when one is given, NaN when
    there is none. ``"text"``: the first non-empty line, stripped and
    lower-cased, with trailing punctuation removed.
    """
    if labels == "number":
        numbers = [float(m.group()) for m in _NUMBER.finditer(text)]
        if scale is not None:
            numbers = [n for n in numbers if scale[0] <= n <= scale[1]]
        return numbers[0] if numbers else math.nan
    if labels == "text":
        line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        return line.lower().rstrip(".!;:,") or math.nan
    raise ConfigError(f"labels must be 'number' or 'text', got {labels!r}")


def _annotation_sources(source: Any) -> list[tuple[Logs, Any]]:
    """``(logs, discussion)`` pairs from one source, a list of them, or a folder of annotation files."""
    if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        folder = Path(source)
        files = sorted(p for p in folder.rglob("*") if p.suffix in (".jsonl", ".json") and p.name != MANIFEST)
        found = []
        for path in files:
            logs = Logs.from_file(path)
            if len(logs) and all("target" in e for e in logs):
                meta = run_metadata(path)
                found.append((logs, meta.get("discussion", meta.get("source"))))
        if not found:
            raise ConfigError(
                f"{folder}: no annotation files here (entries with 'target', as annotate() writes)"
            )
        return found
    if isinstance(source, (list, tuple)) and source and not isinstance(source[0], dict):
        return [pair for item in source for pair in _annotation_sources(item)]
    return [(as_logs(source, "annotations"), None)]


def annotation_table(
    source: DiscussionSource,
    labels: Literal["number", "text"] = "number",
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """One row per annotation: the unit, the ``annotator``, its reply ``text`` and the parsed ``label``.

    Args:
        source: Annotation logs (from ``annotate()``), a list of them, a
            file, or a folder of annotation files.
        labels: How to read a label from the reply (see :func:`parse_label`).
        scale: For numbers: the lowest and highest valid label, e.g. ``(1, 5)``;
            numbers outside it (a year, a count) are not taken as the label.

    Raises:
        ConfigError: an entry lacks ``target``/``target_name``/``target_text``
            (it is not an annotation); the message says which.
    """
    import pandas as pd

    rows = []
    for logs, discussion in _annotation_sources(source):
        for i, item in enumerate(logs):
            entry: dict[str, Any] = dict(item)
            missing = [k for k in ("target", "target_name", "target_text") if k not in entry]
            if missing:
                raise ConfigError(
                    f"annotations: entry {i} has no {', '.join(missing)}; pass the logs annotate() returns"
                )
            rows.append(
                {
                    "discussion": discussion,
                    "target": entry["target"],
                    "target_name": entry["target_name"],
                    "target_text": entry["target_text"],
                    "annotator": entry["name"],
                    "model": entry["model"],
                    "text": entry["text"],
                    "label": parse_label(entry["text"], labels, scale),
                }
            )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def annotation_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per annotator: ``annotations``, ``labelled`` (a label was found), and the labels' statistics.

    ``mean`` and ``std`` are NaN unless every label is a number; ``most_common`` is the mode.
    """
    import pandas as pd

    rows = []
    for annotator, group in table.groupby("annotator", sort=False):
        found = group["label"].dropna()
        numeric = pd.to_numeric(found, errors="coerce").dropna() if len(found) else found
        rows.append(
            {
                "annotator": annotator,
                "annotations": len(group),
                "labelled": len(found),
                "mean": float(numeric.mean()) if len(numeric) == len(found) and len(found) else math.nan,
                "std": float(numeric.std()) if len(numeric) == len(found) and len(found) > 1 else math.nan,
                "most_common": found.mode().iloc[0] if len(found) else None,
            }
        )
    return pd.DataFrame(rows, columns=["annotator", "annotations", "labelled", "mean", "std", "most_common"])


def reliability_data(table: pd.DataFrame) -> pd.DataFrame:
    """Annotators x units: the labels of :func:`annotation_table`, NaN where an annotator gave none."""
    keyed = table.assign(discussion=table["discussion"].astype(object).where(table["discussion"].notna(), ""))
    wide = keyed.pivot_table(index="annotator", columns=UNIT_KEYS, values="label", aggfunc="first")
    return wide.reindex(index=list(dict.fromkeys(table["annotator"])))


def agreement(table: pd.DataFrame, level: Level = "nominal") -> pd.DataFrame:
    """Agreement across annotators as one row.

    Columns: ``annotators``, ``units`` (labelled by two or more), ``alpha`` and ``mean_kappa``.

    ``alpha`` is Krippendorff's alpha at ``level``; ``mean_kappa`` the mean of
    Cohen's kappa over annotator pairs (see :func:`pairwise_kappa` for each pair).
    """
    import pandas as pd

    data = reliability_data(table)
    kappas = pairwise_kappa(data)["kappa"].dropna()
    return pd.DataFrame(
        [
            {
                "annotators": data.shape[0],
                "units": int((data.notna().sum(axis=0) >= PAIR).sum()),
                "alpha": krippendorff_alpha(data, level),
                "mean_kappa": float(kappas.mean()) if len(kappas) else math.nan,
            }
        ]
    )


def label_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How often each annotator gave each label: annotators x labels."""
    return table.dropna(subset=["label"]).pivot_table(
        index="annotator", columns="label", values="target", aggfunc="count", fill_value=0
    )
